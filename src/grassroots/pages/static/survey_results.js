// A survey's results page follows answers as they arrive: on each `answer` event of the
// page's live stream it reads the results again (the fragment route) and puts them in
// place, with a banner while the stream is down. A browser without EventSource reloads
// the page every 10 s, as the page does without script (its <noscript> refresh).
(function () {
  "use strict";
  var results = document.querySelector("[data-results]");
  if (!results) { return; }
  var base = results.getAttribute("data-results");
  var banner = document.querySelector("[data-reconnecting]");

  if (!window.EventSource || !window.fetch) {
    setTimeout(function () { location.reload(); }, 10000);
    return;
  }

  var reading = false;
  var again = false;

  function reload() {
    // Answers can come in a burst: one read at a time, and one more after it if any
    // answer came meanwhile, so the last answer is always shown.
    if (reading) { again = true; return; }
    reading = true;
    fetch(base + "/fragment", { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { results.innerHTML = html; } })
      .catch(function () { /* the next answer or reconnect tries again */ })
      .then(function () {
        reading = false;
        if (again) { again = false; reload(); }
      });
  }

  var stream = null;
  var wasDown = false;

  function down() {
    if (banner) { banner.hidden = false; }
    wasDown = true;
  }

  function connect() {
    stream = new EventSource(base + "/live");
    stream.addEventListener("ready", function () {
      if (banner) { banner.hidden = true; }
      // Answers sent while the page was away are not replayed: read them afresh.
      if (wasDown) { reload(); }
      wasDown = false;
    });
    stream.addEventListener("answer", reload);
    stream.addEventListener("ended", function () {
      // The session or the scope is gone: the page itself says what to do next.
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
