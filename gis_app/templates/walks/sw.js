// Service worker of the field capture page (scope {{ scope }}): keeps the page shell for offline use.
// API answers are never cached: they hold findings and personal data; the page's own queue is in IndexedDB.
"use strict";
var CACHE = "walk-shell-{{ version }}";
var TILES = "walk-tiles";
var MAX_TILES = 600;  // about the streets around a walk at three zoom levels; the oldest go first
var SHELL = {{ shell|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("walk-shell-") === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isCapturePage(url) {
  return url.origin === self.location.origin && /^\/walks\/\d+\/capture$/.test(url.pathname);
}

function isTile(url) {
  return /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(url.pathname);
}

// Keep a copy of the capture page. The first visit was loaded before this worker controlled it, so the page asks
// for its own copy (message "cache-page"); later visits are copied as they pass (network first).
function keepPage(path) {
  return fetch(path, {credentials: "same-origin", redirect: "manual"}).then(function (response) {
    if (!response.ok || response.type !== "basic") { throw new Error("not cached"); }
    return caches.open(CACHE).then(function (cache) { return cache.put(path, response); });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  if (data.type !== "cache-page" || typeof data.path !== "string") { return; }
  var url = new URL(data.path, self.location.origin);
  if (!isCapturePage(url)) { return; }
  event.waitUntil(keepPage(url.pathname)
    .catch(function () { return caches.match(url.pathname).then(function (hit) { if (!hit) { throw hit; } }); })
    .then(function () { if (port) { port.postMessage({cached: true}); } },
          function () { if (port) { port.postMessage({cached: false}); } }));
});

function trimTiles(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_TILES)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

// Basemap tiles the page has shown are kept too, so the map still has streets offline.
function tile(request) {
  return caches.open(TILES).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()).then(function () { return trimTiles(cache); }); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) {
    return;  // the network only: writes, the API, anything elsewhere
  }
  if (request.mode === "navigate" && isCapturePage(url)) {
    // Network first, so an online phone always gets the current page; the copy is for when there is none.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (cached) { return cached || Response.error(); });
    }));
    return;
  }
  if (isTile(url)) {
    event.respondWith(tile(request));
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (cached) { return cached || fetch(request); }));
  }
});
