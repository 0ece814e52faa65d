// Kept small and free of inline handlers: the Content-Security-Policy allows this origin's scripts only.
(function () {
  "use strict";
  if ("serviceWorker" in navigator && location.pathname.indexOf("/m/") === 0) {
    navigator.serviceWorker.register("/sw.js", { scope: "/m/" }).catch(function () {
      // Without a worker the app still works online (WeChat's browser on some phones has none).
    });
  }
  var retry = document.querySelector("[data-retry]");
  if (retry) {
    retry.addEventListener("click", function () { location.reload(); });
  }
})();
