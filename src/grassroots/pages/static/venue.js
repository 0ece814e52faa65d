// The screens that show a rotating code: the venue screen and a grassroots point's screen.
// The code is replaced when the server says (the header named by data-code-header); on the
// venue screen the count and the latest arrivals are also kept live over server-sent
// events, with a banner while the stream is down. A code that has stopped being accepted
// (no fresh one came in time: the server or the network is down) is hidden behind a large
// "paused" notice, which goes once a fresh code arrives.
(function () {
  "use strict";
  var body = document.body;
  var base = body.getAttribute("data-venue") || body.getAttribute("data-code-screen");
  if (!base) { return; }
  var replacedHeader = body.getAttribute("data-code-header") || "X-Venue-Code-Replaced-At";
  var rotation = parseInt(body.getAttribute("data-rotation"), 10) || 15;
  var code = document.querySelector("[data-code]");
  var codeFailed = document.querySelector("[data-code-failed]");
  var paused = document.querySelector("[data-code-paused]");
  var expiryHeader = body.getAttribute("data-expiry-header") || "X-Venue-Code-Expires-In";
  var banner = document.querySelector("[data-reconnecting]");
  var arrivals = document.querySelector("[data-arrivals]");
  var LATEST = 5;

  // "Check-in opens at ...": gone once it has opened (the server gave the seconds left).
  var opens = document.querySelector("[data-opens-in]");
  if (opens) {
    var left = parseInt(opens.getAttribute("data-opens-in"), 10);
    if (isFinite(left)) {
      setTimeout(function () { opens.hidden = true; }, Math.max(left, 0) * 1000);
    }
  }

  // --- the rotating code ----------------------------------------------------------
  function nextCodeIn(response) {
    // Both instants are the server's (its Date header and the code's replacement),
    // so a tablet whose own clock is wrong still changes the code on time.
    var replaced = Date.parse(response.headers.get(replacedHeader) || "");
    var now = Date.parse(response.headers.get("Date") || "");
    var wait = replaced - now;
    if (!isFinite(wait)) { wait = rotation * 1000; }
    // The Date header has whole seconds: a little late rather than early.
    return Math.min(Math.max(wait + 300, 1000), rotation * 1000 + 1000);
  }

  // When the code shown stops being accepted, on this page's monotonic timer
  // (performance.now): the server says how many seconds it has left, so the tablet's
  // clock, right or wrong or changed meanwhile, plays no part. Hidden a second early:
  // the answer took a moment to arrive, and a phone a moment to scan and send.
  var MARGIN = 1000;
  // The code the page was served with came just now; it is good for at least a rotation.
  var expiresAt = performance.now() + rotation * 1000;
  var expiryTimer = null;

  function setPaused(on) {
    body.classList.toggle("code-paused", on);
    if (paused) { paused.hidden = !on; }
    code.setAttribute("aria-hidden", on ? "true" : "false");
  }

  function checkExpiry() {
    if (performance.now() >= expiresAt - MARGIN) { setPaused(true); }
  }

  function shownFor(response) {
    var left = parseFloat(response.headers.get(expiryHeader) || "");
    // Without the header: a rotation, the least any fresh code is accepted for.
    if (!isFinite(left)) { left = rotation; }
    expiresAt = performance.now() + left * 1000;
    clearTimeout(expiryTimer);
    expiryTimer = setTimeout(checkExpiry, Math.max(expiresAt - MARGIN - performance.now(), 0));
    setPaused(false);
  }

  function refreshCode() {
    fetch(base + "/code.png", { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        var wait = nextCodeIn(response);
        var arrived = response;
        return response.blob().then(function (blob) {
          var reader = new FileReader();
          reader.onload = function () {
            code.src = reader.result;
            shownFor(arrived);
            codeFailed.hidden = true;
            setTimeout(refreshCode, wait);
          };
          reader.readAsDataURL(blob);
        });
      })
      .catch(function () {
        codeFailed.hidden = false;
        checkExpiry();
        setTimeout(refreshCode, 2000);
      });
  }
  refreshCode();

  function fullScreenButton() {
    var full = document.querySelector("[data-full-screen]");
    if (full && document.documentElement.requestFullscreen) {
      full.addEventListener("click", function () {
        document.documentElement.requestFullscreen().catch(function () { /* not allowed here */ });
      });
    } else if (full) {
      full.hidden = true;
    }
  }
  fullScreenButton();
  if (!arrivals) { return; }

  // --- live arrivals ---------------------------------------------------------------
  function reloadArrivals() {
    fetch(base + "/arrivals", { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { arrivals.innerHTML = html; } })
      .catch(function () { /* the next reconnect tries again */ });
  }

  function arrived(update) {
    var count = arrivals.querySelector("[data-count]");
    count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
    var list = arrivals.querySelector("[data-latest]");
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = update.volunteer_name;
    var time = document.createElement("time");
    time.textContent = update.time || "";
    item.appendChild(name);
    item.appendChild(time);
    list.insertBefore(item, list.firstChild);
    while (list.children.length > LATEST) { list.removeChild(list.lastChild); }
    var nobody = arrivals.querySelector("[data-nobody]");
    if (nobody) { nobody.hidden = true; }
  }

  var stream = null;
  var wasDown = false;

  function down() {
    banner.hidden = false;
    wasDown = true;
  }

  function connect() {
    stream = new EventSource(base + "/live");
    stream.addEventListener("ready", function () {
      banner.hidden = true;
      // Updates sent while the screen was away are not replayed: read them afresh.
      if (wasDown) { reloadArrivals(); }
      wasDown = false;
    });
    stream.addEventListener("check-in", function (event) {
      arrived(JSON.parse(event.data));
    });
    stream.addEventListener("ended", function () {
      // The session or the role is gone: the page itself says what to do next.
      stream.close();
      location.reload();
    });
    stream.onerror = function () {
      down();
      if (stream.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered an error): try again ourselves.
        setTimeout(connect, 3000);
      }
    };
  }
  connect();
})();
