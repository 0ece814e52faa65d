// "Near me" on the discover page: the phone's place is asked for only when the button is pressed.
(function () {
  "use strict";
  var button = document.querySelector("[data-near]");
  if (!button) { return; }
  var refused = document.querySelector("[data-near-refused]");
  var asking = document.querySelector("[data-near-asking]");
  button.addEventListener("click", function () {
    if (!("geolocation" in navigator)) { refused.hidden = false; return; }
    asking.hidden = false;
    refused.hidden = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      location.href = "/m/discover?near_lat=" + c.latitude.toFixed(5) + "&near_lon=" + c.longitude.toFixed(5);
    }, function () {
      asking.hidden = true;
      refused.hidden = false;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
  });
})();
