/* The responder app's service worker (scope /app/), built on Workbox served from our own /vendor route.
 *
 * - The app shell (page, script, styles, idb, Leaflet, icons) is precached, each file under a revision
 *   the server computes from its content, so a new deployment replaces exactly what changed.
 * - Reads from the API (GET /api/...) go to the network first and fall back to the last answer kept
 *   here: plans, incident types, contacts, hazard points and open tasks stay readable offline.
 * - Writes are never handled here: the app queues them in IndexedDB with a key made on the phone and
 *   replays them itself (Background Sync is not relied on).
 */
/* global workbox */
importScripts("/vendor/workbox-sw/build/workbox-sw.js");
workbox.setConfig({
  debug: false,
  modulePathCb: function (name) { return "/vendor/" + name + "/build/" + name + ".prod.js"; }
});

var VERSION = "__APP_VERSION__";
var PRECACHE = __PRECACHE__;

workbox.core.setCacheNameDetails({prefix: "citybrain-app"});
workbox.precaching.precacheAndRoute(PRECACHE, {ignoreURLParametersMatching: [/^lang$/]});
workbox.precaching.cleanupOutdatedCaches();

// every navigation inside the app opens the shell (its router reads the #fragment)
workbox.routing.registerRoute(new workbox.routing.NavigationRoute(
  workbox.precaching.createHandlerBoundToURL("/app/"), {allowlist: [/^\/app\/?$/]}));

// live streams are never cached
function isStream(url) { return /\/stream$|^\/api\/feed/.test(url.pathname); }

workbox.routing.registerRoute(function (ctx) {
  return ctx.url.origin === self.location.origin && ctx.url.pathname.indexOf("/api/") === 0 &&
    ctx.request.method === "GET" && !isStream(ctx.url) && ctx.url.pathname.indexOf("/api/events/photos/") !== 0;
}, new workbox.strategies.NetworkFirst({
  cacheName: "citybrain-app-api",
  networkTimeoutSeconds: 6,
  plugins: [new workbox.expiration.ExpirationPlugin({maxEntries: 400, maxAgeSeconds: 14 * 24 * 3600})]
}));

// photos and map data change rarely: the cached copy at once, refreshed behind
workbox.routing.registerRoute(function (ctx) {
  return ctx.url.origin === self.location.origin && ctx.request.method === "GET" &&
    (ctx.url.pathname.indexOf("/api/events/photos/") === 0 || ctx.url.pathname.indexOf("/vendor/leaflet/") === 0);
}, new workbox.strategies.StaleWhileRevalidate({
  cacheName: "citybrain-app-static",
  plugins: [new workbox.expiration.ExpirationPlugin({maxEntries: 200})]
}));

self.addEventListener("message", function (event) {
  if (!event.data) return;
  if (event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data.type === "LOGOUT") event.waitUntil(caches.delete("citybrain-app-api"));
  if (event.data.type === "VERSION" && event.ports[0]) event.ports[0].postMessage(VERSION);
});

self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// Web Push, best effort: a browser that supports it shows the warning even with the app closed
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {title: event.data && event.data.text()}; }
  event.waitUntil(self.registration.showNotification(data.title || "城市大脑", {
    body: data.body || "", icon: "/static/app/icon-192.png", tag: data.tag || undefined, data: {url: "/app/#/inbox"}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow((event.notification.data && event.notification.data.url) || "/app/"));
});
