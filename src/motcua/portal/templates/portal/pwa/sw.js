/* MotCua service worker, version {{ version }}.
 * - the app shell (offline page, CSS, icons) is precached at install, fetched without cookies;
 * - static files: served from the cache, refreshed in the background;
 * - pages: network first; when offline, the last public copy or the offline page;
 * - responses marked private or no-store (every page of a signed-in person) are never cached,
 *   so nothing personal stays on a shared phone;
 * - the API, the admin, and anything but GET pass straight through.
 */
"use strict";
const VERSION = "{{ version }}";
const STATIC_CACHE = "motcua-static-" + VERSION;
const PAGES_CACHE = "motcua-pages-" + VERSION;
const OFFLINE_URL = "{{ offline_url }}";
const SHELL = {{ shell|safe }};
const STATIC_PREFIX = {{ static_prefix|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { credentials: "omit", cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("motcua-") && key !== STATIC_CACHE && key !== PAGES_CACHE)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

function isPrivate(response) {
  const control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return control.includes("no-store") || control.includes("private");
}

function cacheable(response) {
  return response.ok && response.type === "basic" && !response.redirected && !isPrivate(response);
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(STATIC_CACHE);
  const cached = await cache.match(event.request);
  const refresh = fetch(event.request).then((response) => {
    if (cacheable(response)) return cache.put(event.request, response.clone()).then(() => response);
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (cacheable(response)) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request, { cacheName: PAGES_CACHE });
    if (cached) return cached;
    const offline = await caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE });
    if (offline) return offline;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/quan-tri/") || url.pathname === "/sw.js") return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staleWhileRevalidate(event));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});
