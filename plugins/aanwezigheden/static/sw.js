/* Koepel tablet service worker: keeps the tablet page, its script and style, and the last
 * answers of today's list and staff available offline. Network first, cache as fallback; POSTs
 * (registrations) are never intercepted: the page queues them in IndexedDB itself. */
"use strict";
var CACHE = "koepel-tablet-v1";
var SCOPE = self.registration.scope;            // .../o/<org>/aanwezigheden/tablet/
var SHELL = [SCOPE, SCOPE + "static/tablet.js", SCOPE + "static/tablet.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) {
      return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (response.ok) { return cache.put(url, response); }
        return null;
      }).catch(function () { return null; });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function cacheable(request) {
  if (request.method !== "GET" || request.url.indexOf(SCOPE) !== 0) { return false; }
  var rest = request.url.slice(SCOPE.length).split("?")[0];
  return rest === "" || rest.indexOf("static/") === 0 || rest === "api/today" || rest === "api/staff";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!cacheable(request)) { return; }
  var key = request.url.split("?")[0];
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (hit) {
      return hit || new Response(JSON.stringify({ error: "offline", message: "offline" }),
        { status: 503, headers: { "Content-Type": "application/json" } });
    });
  }));
});
