// The in-app scanner (/scan): the vendored qr-scanner reads the camera; a code of
// this site opens its page (a venue's check-in /S/, a grassroots point's visit /P/,
// a survey /s/<id>), anything else says so and keeps scanning.
(function () {
  "use strict";
  var box = document.querySelector("[data-scanner]");
  if (!box) { return; }
  var video = box.querySelector("video");
  var status = document.querySelector("[data-scanner-status]");
  var refused = document.querySelector("[data-camera-refused]");
  var notOurs = document.querySelector("[data-not-ours]");

  // The pages a code of this site may open: nothing else is followed.
  var OURS = [
    /^\/S\/[A-Za-z2-7]+$/,
    /^\/P\/[A-Za-z2-7]+$/,
    /^\/s\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
  ];

  // The page a scanned text opens, or null when it is not one of this site's codes.
  function ourPage(text) {
    var url;
    try { url = new URL(text.trim()); } catch (e) { return null; }
    if (url.host.toLowerCase() !== location.host.toLowerCase()) { return null; }
    for (var i = 0; i < OURS.length; i++) {
      if (OURS[i].test(url.pathname)) { return url.pathname; }
    }
    return null;
  }

  function cameraRefused() {
    box.hidden = true;
    status.hidden = true;
    refused.hidden = false;
  }

  if (typeof QrScanner === "undefined" || !navigator.mediaDevices) {
    cameraRefused();
    return;
  }
  var scanner = new QrScanner(video, function (result) {
    var target = ourPage(result.data);
    if (target) {
      scanner.stop();
      location.assign(target);
    } else {
      notOurs.hidden = false;
    }
  }, { returnDetailedScanResult: true, highlightScanRegion: true, maxScansPerSecond: 5 });
  scanner.start().then(function () {
    status.hidden = true;
  }, cameraRefused);
})();
