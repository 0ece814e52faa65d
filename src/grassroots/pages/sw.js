// The volunteer app's service worker (scope /m/), filled in by grassroots.pages.pwa.
const CACHE = __CACHE__;
const OFFLINE = __OFFLINE__;
const ASSETS = __ASSETS__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    // Pages are a person's own and always fresh: from the network, or the offline page.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (ASSETS.indexOf(new URL(request.url).pathname + new URL(request.url).search) >= 0) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  }
});
