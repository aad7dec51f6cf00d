// Attain's service worker. It keeps the app shell (styles, scripts, icons) so pages
// load quickly on a slow connection. Pages and API answers hold people's data: they
// always come from the network and are never stored here.
"use strict";
var CACHE = "attain-shell-{{ version }}";
var SHELL = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var STATIC = "{{ static_prefix|escapejs }}";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("attain-shell-") === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  // only our static files; every page, API answer and upload goes to the network
  if (url.origin !== self.location.origin || url.pathname.indexOf(STATIC) !== 0) return;
  event.respondWith(
    caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (stored) {
        var fresh = fetch(request).then(function (answer) {
          if (answer.ok) cache.put(request, answer.clone());
          return answer;
        });
        if (stored) {
          fresh.catch(function () {});  // offline: the stored copy serves
          return stored;
        }
        return fresh;
      });
    })
  );
});
