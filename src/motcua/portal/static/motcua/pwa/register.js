/* Registers MotCua's service worker (app shell cache and the offline page). Optional: the site works without it. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  var url = script.getAttribute("data-sw") || "/sw.js";
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      /* No worker (private mode, old browser): pages still work online. */
    });
  });
})();
