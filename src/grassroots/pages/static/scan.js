// The check-in page (/S/<token>): the location where the activity asks for it, one
// POST, no double taps; back from the log-in (data-go) the form sends itself.
(function () {
  "use strict";
  var form = document.querySelector("[data-scan-form]");
  if (!form) { return; }
  var button = form.querySelector("button[type=submit]");
  var label = button ? button.textContent : "";

  function show(selector) {
    var node = form.querySelector(selector);
    if (node) { node.hidden = false; }
  }

  function busy(text) {
    if (!button) { return; }
    button.disabled = true;
    button.textContent = text;
  }

  function ready() {
    if (!button) { return; }
    button.disabled = false;
    button.textContent = label;
  }

  function send() {
    busy(button ? button.getAttribute("data-sending") : "");
    form.submit();
  }

  function locateThenSend() {
    if (!("geolocation" in navigator)) {
      show("[data-location-unavailable]");
      return;
    }
    busy(button.getAttribute("data-locating"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude;
        form.elements.lon.value = position.coords.longitude;
        form.elements.accuracy.value = position.coords.accuracy;
        send();
      },
      function () {
        show("[data-location-refused]");
        ready();
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
    );
  }

  function go(event) {
    if (event) { event.preventDefault(); }
    if (button && button.disabled) { return; }
    if (form.hasAttribute("data-location")) {
      locateThenSend();
    } else {
      send();
    }
  }

  form.addEventListener("submit", go);
  if (form.hasAttribute("data-go")) {
    // The address keeps no ?go=1: a reload must not check in again by itself.
    history.replaceState(null, "", location.pathname);
    go(null);
  }
})();
