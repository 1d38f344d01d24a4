/* The responder app (应急指挥手机端): one page, views by the #fragment, data from the platform's JSON APIs.
 *
 * Reads go through the service worker (network first, the last answer kept for offline use). Every write
 * goes through the outbox: it is stored in IndexedDB (through idb) with a key made here (a UUID), then
 * sent with that key as Idempotency-Key; the server keeps one row per key, so a write replayed after a
 * lost reply is not stored twice. The outbox is replayed at every start, when the browser says it is
 * online again and every 30 s while something waits, one replay at a time (navigator.locks).
 */
/* global idb, L */
(function () {
  "use strict";

  var VERSION = document.documentElement.dataset.version;
  var ALL = JSON.parse(document.getElementById("pwa-strings").textContent || "{}");
  var lang = localStorage.getItem("cb-lang") || "zh-CN";
  if (!ALL[lang]) lang = "zh-CN";
  var HOME = {lon: 103.9235, lat: 30.5746};  // 东升街道 (the district seat): "near me" before a fix arrives
  var MAX_PHOTO_BYTES = 10 * 1024 * 1024;
  var main = document.getElementById("view");
  var view = main;  // the current view's own box (a slow view that finishes late writes only into its own)
  var state = {me: null, pos: null, feed: null, inboxStream: null, replaying: false};

  function t(key, fmt) {
    var table = ALL[lang] || {};
    var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
    if (fmt) text = text.replace(/\{(\w+)\}/g, function (m, n) { return n in fmt ? String(fmt[n]) : m; });
    return text;
  }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return d.toLocaleString(lang === "en" ? "en-GB" : "zh-CN", {timeZone: "Asia/Shanghai", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit"});
  }
  function km(m) { return m == null ? "" : (m >= 1000 ? (m / 1000).toFixed(1) + " km" : Math.round(m) + " m"); }
  function toast(text) {
    var el = document.getElementById("toast");
    el.textContent = text; el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 3500);
  }

  // ---------------------------------------------------------------- storage (IndexedDB through idb)
  var dbp = idb.openDB("citybrain-app", 1, {
    upgrade: function (db) {
      db.createObjectStore("outbox", {keyPath: "key"});   // writes waiting to be sent
      db.createObjectStore("inbox", {keyPath: "id"});     // warnings, prompts and task notices
      db.createObjectStore("kv");                         // the last stream position, settings
    }
  });

  // ---------------------------------------------------------------- network
  function ApiError(status, body) { this.status = status; this.body = body; this.offline = status === 0; }

  async function api(method, url, body, opts) {
    opts = opts || {};
    var headers = {"Accept": "application/json", "X-CityBrain-App": VERSION, "Accept-Language": lang};
    if (opts.key) headers["Idempotency-Key"] = opts.key;
    var payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    var resp;
    try {
      resp = await fetch(url, {method: method, headers: headers, body: payload, credentials: "same-origin"});
    } catch (e) {
      throw new ApiError(0, null);
    }
    var data = null;
    var text = await resp.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = {detail: text}; } }
    if (resp.status === 426) staleApp(data);
    if (resp.status === 401 && !opts.login) sessionExpired();
    if (!resp.ok) throw new ApiError(resp.status, data);
    return data;
  }

  /* An error in the user's language: the known kinds by their type, others by the field they name. */
  function errText(err) {
    if (!(err instanceof ApiError)) return String(err && err.message || err);
    if (err.offline) return t("pwa.err.offline");
    var d = err.body && err.body.detail;
    var first = Array.isArray(d) ? d[0] : null;
    if (err.status === 413) return t("pwa.err.too_large");
    if (first) {
      var ctx = first.ctx || {};
      var field = (first.loc || [])[first.loc.length - 1];
      var msg = String(first.msg || "");
      if (first.type && (ALL[lang] || {})["pwa.err." + first.type]) return t("pwa.err." + first.type, ctx);
      if (/\bis outside\b|outside the district/i.test(msg)) return t("pwa.err.outside");
      if (field === "file") return t("pwa.err.not_image");
      var label = (ALL[lang] || {})["pwa.field." + field] ? t("pwa.field." + field) : field;
      return (label ? label + ": " : "") + msg;
    }
    if (typeof d === "string") return d;
    return t("pwa.err.http", {status: err.status});
  }

  // ---------------------------------------------------------------- the outbox (offline queue)
  /* Queue one write: {method, url, body, label, photos: [Blob], photoField, photoAs}. Returns its key. */
  async function enqueue(item) {
    item.key = uuid();
    item.created = Date.now();
    item.state = "waiting";
    item.user = state.me && state.me.username;
    var db = await dbp;
    await db.put("outbox", item);
    updateOutboxCount();
    return item.key;
  }

  /* Queue, try to send at once, and say what happened to this write. Refused at once (online): the
   * error goes beside the form, which still holds what was typed, and the write leaves the outbox;
   * refused on a later replay: it stays in the outbox, marked, for the person to see. */
  async function submit(item) {
    var key = await enqueue(item);
    return settle(key);
  }

  async function settle(key) {
    await replay();
    var db = await dbp;
    var left = await db.get("outbox", key);
    if (!left) return {sent: true};
    if (left.state === "failed") {
      await db.delete("outbox", key);
      updateOutboxCount();
      return {failed: true, error: left.error};
    }
    return {queued: true};
  }

  function retryLater(err) {
    if (err.offline || err.status >= 500 || err.status === 401 || err.status === 426 || err.status === 429) return true;
    // the same key being saved by a request still running: its answer will come on the next replay
    var d = err.body && err.body.detail;
    return err.status === 409 && Array.isArray(d) && d[0] && /being saved/.test(d[0].msg || "");
  }

  async function sendOne(db, item) {
    var body = item.body;
    if (item.photos && item.photos.length) {
      var ids = item.photoIds || [];
      for (var i = ids.length; i < item.photos.length; i++) {
        var fd = new FormData();
        fd.append("file", item.photos[i], "photo-" + (i + 1));
        var up = await api("POST", "/api/events/photos", fd);
        ids.push(up.id);
        item.photoIds = ids;
        await db.put("outbox", item);  // an uploaded photo is not uploaded again
      }
      body = Object.assign({}, body);
      var refs = ids.map(function (id) { return item.photoAs === "ref" ? "/api/events/photos/" + id : id; });
      if (item.photoField.indexOf(".") > 0) {  // e.g. a hidden danger inside an inspection
        var parts = item.photoField.split(".");
        body[parts[0]] = (body[parts[0]] || []).map(function (x) { var c = Object.assign({}, x); c[parts[1]] = refs; return c; });
      } else {
        body[item.photoField] = refs;
      }
    }
    return api(item.method, item.url, body, {key: item.key});
  }

  async function drain() {
    var db = await dbp;
    var items = (await db.getAll("outbox")).filter(function (i) { return i.state !== "failed"; })
      .sort(function (a, b) { return a.created - b.created; });
    for (var k = 0; k < items.length; k++) {
      var item = items[k];
      if (state.me && item.user && item.user !== state.me.username) continue;  // another person's, kept
      try {
        item.result = await sendOne(db, item);
        await db.delete("outbox", item.key);
        if (item.after === "todo" || item.after === "em") { /* the list reloads on its next opening */ }
      } catch (err) {
        if (retryLater(err)) break;
        item.state = "failed";
        item.error = errText(err);
        item.status = err.status;
        await db.put("outbox", item);  // kept: nothing typed is lost; the person edits or discards it
      }
    }
  }

  /* One replay at a time, across tabs too (navigator.locks); a second call while one runs waits for it. */
  async function replay() {
    if (navigator.locks) {
      await navigator.locks.request("citybrain-outbox", function () { return drain(); });
    } else if (!state.replaying) {
      state.replaying = true;
      try { await drain(); } finally { state.replaying = false; }
    }
    updateOutboxCount();
  }

  async function updateOutboxCount() {
    var db = await dbp;
    var n = await db.count("outbox");
    var b = document.getElementById("outbox-count");
    b.textContent = n; b.hidden = n === 0;
  }

  // ---------------------------------------------------------------- session
  function setTitle(key) { document.getElementById("title").textContent = t(key); }
  function banner(html) {
    var b = document.getElementById("banner");
    if (!html) { b.hidden = true; b.innerHTML = ""; return; }
    b.innerHTML = html; b.hidden = false;
  }

  function staleApp(data) {
    var min = data && data.detail && data.detail[0] && data.detail[0].ctx ? data.detail[0].ctx.minimum : "";
    banner(esc(t("pwa.stale", {minimum: min})) + ' <button type="button" id="reload-app">' + esc(t("pwa.reload")) + "</button>");
    document.getElementById("reload-app").addEventListener("click", reloadApp);
  }

  async function reloadApp() {
    if (navigator.serviceWorker) {
      var reg = await navigator.serviceWorker.getRegistration("/app/");
      if (reg) {
        try { await reg.update(); } catch (e) { /* offline: reload what we have */ }
        if (reg.waiting) reg.waiting.postMessage({type: "SKIP_WAITING"});
      }
    }
    location.reload();
  }

  function sessionExpired() {
    if (!state.me) return;
    state.me = null;
    localStorage.removeItem("cb-me");
    sessionStorage.setItem("cb-expired", "1");
    location.hash = "#/login";
  }

  async function loadMe() {
    var kept = localStorage.getItem("cb-me");
    if (!navigator.onLine) {  // offline start: the last person logged in on this phone, at once
      state.me = kept ? JSON.parse(kept) : null;
      return state.me;
    }
    try {
      state.me = await api("GET", "/api/me", undefined, {login: true});
      localStorage.setItem("cb-me", JSON.stringify(state.me));
    } catch (err) {
      if (err.offline) {
        state.me = kept ? JSON.parse(kept) : null;  // offline: the last person logged in on this phone
      } else {
        if (localStorage.getItem("cb-me")) sessionStorage.setItem("cb-expired", "1");
        state.me = null;
        localStorage.removeItem("cb-me");
      }
    }
    return state.me;
  }

  // ---------------------------------------------------------------- position
  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(state.pos || Object.assign({source: "home"}, HOME)); return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        state.pos = {lon: p.coords.longitude, lat: p.coords.latitude, source: "gps"};  // WGS-84
        resolve(state.pos);
      }, function () { resolve(state.pos || Object.assign({source: "home"}, HOME)); },
      {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000});
    });
  }

  /* A position typed from a map app: "104.0, 30.5" with its CRS (AMap/Tencent give GCJ-02). */
  function typedPosition(form) {
    var txt = (form.elements.coords && form.elements.coords.value || "").trim();
    if (!txt) return null;
    var m = txt.split(/[,，\s]+/).map(Number);
    if (m.length !== 2 || m.some(isNaN)) return {error: t("pwa.err.coords")};
    return {lon: m[0], lat: m[1], crs: form.elements.crs.value};
  }

  function positionFields() {
    return '<label>' + esc(t("pwa.position.typed")) + '<input name="coords" inputmode="decimal" placeholder="104.0087, 30.4708"></label>' +
      '<label>' + esc(t("pwa.position.crs")) + '<select name="crs"><option value="wgs84">' + esc(t("pwa.crs.wgs84")) +
      '</option><option value="gcj02">' + esc(t("pwa.crs.gcj02")) + '</option><option value="bd09">' + esc(t("pwa.crs.bd09")) +
      '</option></select></label><p class="muted">' + esc(t("pwa.position.hint")) + '</p>';
  }

  function photoField() {
    return '<label>' + esc(t("pwa.photos")) + '<input name="photos" type="file" accept="image/*" multiple></label>' +
      '<div class="photos-preview"></div>';
  }

  /* The chosen photos, checked here first (type, size) so a wrong file is named before anything is queued. */
  function photosOf(form) {
    var input = form.elements.photos;
    var files = input ? Array.from(input.files || []) : [];
    for (var i = 0; i < files.length; i++) {
      if (!/^image\/(jpeg|png|webp)$/.test(files[i].type)) return {error: t("pwa.err.not_image_named", {name: files[i].name})};
      if (files[i].size > MAX_PHOTO_BYTES) return {error: t("pwa.err.too_large_named", {name: files[i].name, mb: 10})};
    }
    return {files: files};
  }

  function outcome(form, res, okKey) {
    var box = form.querySelector(":scope > .result") || form.appendChild(document.createElement("p"));
    box.className = "result " + (res.failed ? "err" : "ok");
    box.setAttribute("role", "status");
    box.textContent = res.failed ? res.error : t(res.sent ? okKey : "pwa.queued");
    if (!res.failed) toast(box.textContent);
    return !res.failed;
  }

  function showError(form, text) {
    var box = form.querySelector(":scope > .result") || form.appendChild(document.createElement("p"));
    box.className = "result err"; box.textContent = text;
  }

  // ---------------------------------------------------------------- views
  var routes = [];
  function route(re, fn, title) { routes.push({re: re, fn: fn, title: title}); }

  async function render() {
    var hash = location.hash.replace(/^#/, "") || "/";
    document.getElementById("back").hidden = hash === "/" || hash === "/login";
    document.getElementById("tabs").hidden = hash === "/login";
    document.querySelectorAll(".tabs a").forEach(function (a) {
      var tab = a.dataset.tab;
      a.classList.toggle("active", (tab === "home" && hash === "/") || hash.indexOf("/" + tab) === 0);
    });
    if (!state.me && hash !== "/login") { location.hash = "#/login"; return; }
    for (var i = 0; i < routes.length; i++) {
      var m = hash.match(routes[i].re);
      if (m) {
        setTitle(routes[i].title);
        var box = document.createElement("div");
        box.innerHTML = '<p class="muted">' + esc(t("pwa.loading")) + "</p>";
        main.replaceChildren(box);
        view = box;
        try {
          await routes[i].fn.apply(null, [box].concat(m.slice(1)));
        } catch (err) {
          box.innerHTML = '<p class="err">' + esc(err instanceof ApiError && err.offline ? t("pwa.err.offline_nodata") : errText(err)) + "</p>";
        }
        box.dataset.view = routes[i].title;
        return;
      }
    }
    location.hash = "#/";
  }

  route(/^\/login$/, async function (view) {
    var expired = sessionStorage.getItem("cb-expired");
    view.innerHTML = '<form class="stack card" id="login-form" novalidate>' +
      (expired ? '<p class="err" id="expired">' + esc(t("pwa.login.expired")) + "</p>" : "") +
      '<label>' + esc(t("pwa.login.username")) + '<input name="username" id="username" autocomplete="username" required></label>' +
      '<label>' + esc(t("pwa.login.password")) + '<input name="password" id="password" type="password" autocomplete="current-password" required></label>' +
      '<button class="primary" type="submit">' + esc(t("pwa.login.submit")) + "</button></form>";
    var form = view.querySelector("#login-form");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var btn = form.querySelector("button"); btn.disabled = true;
      try {
        await api("POST", "/api/auth/login", {username: form.username.value.trim(), password: form.password.value}, {login: true});
        sessionStorage.removeItem("cb-expired");
        var before = localStorage.getItem("cb-me");
        await loadMe();
        // another person on this phone: nothing the previous one read is shown offline to this one
        if (window.caches && (!before || JSON.parse(before).username !== state.me.username)) await caches.delete("citybrain-app-api");
        replay();
        await fetchInbox();
        startLive();
        state.warming = warmCache(true);
        location.hash = "#/";
      } catch (err) {
        showError(form, err.status === 401 ? t("pwa.login.failed") : errText(err));
        form.password.value = "";
      } finally { btn.disabled = false; }
    });
  }, "pwa.login.title");

  route(/^\/$/, async function (view) {
    var me = state.me;
    view.innerHTML = '<p class="muted" id="who">' + esc(me.display_name) + " · " + esc(t("pwa.role." + me.role)) + "</p>" +
      '<div class="tiles">' +
      tile("#/em", "em", "pwa.mod.emergency", "pwa.mod.emergency.sub") +
      tile("#/hazards/fire", "fire", "pwa.mod.fire", "pwa.mod.fire.sub") +
      tile("#/hazards/hazchem", "chem", "pwa.mod.chem", "pwa.mod.chem.sub") +
      tile("#/prevention", "dp", "pwa.mod.prevention", "pwa.mod.prevention.sub") +
      tile("#/todo", "todo", "pwa.mod.todo", "pwa.mod.todo.sub") +
      tile("#/report", "rep", "pwa.mod.report", "pwa.mod.report.sub") +
      "</div>" +
      '<div class="actions"><a class="btn" href="/home">' + esc(t("pwa.desktop")) + '</a>' +
      '<button type="button" id="logout">' + esc(t("pwa.logout")) + "</button></div>";
    view.querySelector("#logout").addEventListener("click", async function () {
      try { await api("POST", "/api/auth/logout"); } catch (e) { /* offline: forget here anyway */ }
      if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({type: "LOGOUT"});
      state.me = null; localStorage.removeItem("cb-me");
      location.hash = "#/login";
    });
  }, "pwa.short_name");

  function tile(href, cls, title, sub) {
    return '<a class="tile ' + cls + '" href="' + href + '"><b>' + esc(t(title)) + "</b><span>" + esc(t(sub)) + "</span></a>";
  }

  // ---- 应急处置: incident types → plan; my tasks; my incidents
  route(/^\/em$/, async function (view) {
    // my tasks and my incidents first; then the incident types, to look up a plan
    view.innerHTML = '<h2>' + esc(t("pwa.em.my_tasks")) + '</h2><div id="tasks"></div><h2>' +
      esc(t("pwa.em.my_incidents")) + '</h2><div id="incidents"></div><h2>' + esc(t("pwa.em.types")) + "</h2>" +
      '<form class="search" id="type-search"><input name="q" type="search" placeholder="' + esc(t("pwa.em.search")) +
      '" aria-label="' + esc(t("pwa.em.search")) + '"><button type="submit">' + esc(t("pwa.search")) + "</button></form>" +
      '<div id="types"></div>';
    var types = (await api("GET", "/api/emergency/incident-types?size=200")).items;
    function showTypes(q) {
      var list = types.filter(function (it) { return !q || it.name.indexOf(q) >= 0 || it.name_en.toLowerCase().indexOf(q.toLowerCase()) >= 0 || it.code.indexOf(q) >= 0; });
      view.querySelector("#types").innerHTML = list.slice(0, q ? 50 : 8).map(function (it) {
        return '<a class="card row" href="#/em/type/' + encodeURIComponent(it.code) + '"><span class="grow"><b>' + esc(lang === "en" && it.name_en ? it.name_en : it.name) +
          '</b><br><span class="muted">' + esc(it.category_name) + "</span></span><span>›</span></a>";
      }).join("") || '<p class="muted">' + esc(t("pwa.none")) + "</p>";
    }
    showTypes("");
    view.querySelector("#type-search").addEventListener("submit", function (ev) { ev.preventDefault(); showTypes(ev.target.q.value.trim()); });
    var open = await api("GET", "/api/emergency/tasks?size=50&status=pending").catch(function () { return {items: []}; });
    var acc = await api("GET", "/api/emergency/tasks?size=50&status=accepted").catch(function () { return {items: []}; });
    renderTasks(view.querySelector("#tasks"), open.items.concat(acc.items));
    var inc = await api("GET", "/api/emergency/incidents?size=20&sort=-reported_at").catch(function () {
      return api("GET", "/api/emergency/incidents?size=20");
    });
    view.querySelector("#incidents").innerHTML = inc.items.map(function (i) {
      return '<a class="card" href="#/em/incident/' + i.id + '"><h3>' + esc(i.title) + '</h3><span class="pill ' + esc(i.status) + '">' +
        esc(t("pwa.inc." + i.status)) + '</span> <span class="muted">' + esc(i.number) + " · " + esc(when(i.reported_at)) + "</span></a>";
    }).join("") || '<p class="muted">' + esc(t("pwa.none")) + "</p>";
  }, "pwa.mod.emergency");

  function renderTasks(box, tasks) {
    box.innerHTML = tasks.map(function (tk) {
      return '<div class="card task" data-task="' + tk.id + '"><h3>' + esc(tk.title) + "</h3>" +
        '<span class="pill ' + esc(tk.status) + '">' + esc(t("pwa.task.status." + tk.status)) + "</span> " +
        '<span class="muted">' + esc(tk.department_name) + (tk.deadline_at ? " · " + esc(t("pwa.deadline")) + " " + esc(when(tk.deadline_at)) : "") + "</span>" +
        (tk.incident_id ? ' <a class="more" href="#/em/incident/' + tk.incident_id + '">' + esc(t("pwa.em.incident")) + "</a>" : "") +
        '<div class="actions">' +
        (tk.status === "pending" ? '<button type="button" class="primary" data-act="accept">' + esc(t("pwa.task.accept")) + "</button>" : "") +
        (!tk.arrived_at ? '<button type="button" data-act="arrive">' + esc(t("pwa.task.arrive")) + "</button>" : '<span class="ok">' + esc(t("pwa.task.arrived", {d: km(tk.arrival_distance_m)})) + "</span>") +
        '<button type="button" data-act="done">' + esc(t("pwa.task.done")) + "</button></div>" +
        '<form class="stack arrive-form" hidden>' + positionFields() + '<button class="primary" type="submit">' + esc(t("pwa.task.arrive_send")) + "</button></form>" +
        '<form class="stack done-form" hidden><label>' + esc(t("pwa.task.result")) + '<textarea name="result" required></textarea></label>' + photoField() +
        '<button class="primary" type="submit">' + esc(t("pwa.task.done_send")) + "</button></form></div>";
    }).join("") || '<p class="muted">' + esc(t("pwa.em.no_tasks")) + "</p>";
    box.querySelectorAll(".task").forEach(function (card) {
      var id = card.dataset.task;
      var title = card.querySelector("h3").textContent;
      card.querySelectorAll("[data-act]").forEach(function (b) {
        b.addEventListener("click", async function () {
          var act = b.dataset.act;
          if (act === "accept") {
            b.disabled = true;
            var res = await submit({method: "POST", url: "/api/emergency/tasks/" + id + "/accept", label: t("pwa.task.accept") + "：" + title});
            outcome(card, res, "pwa.task.accepted");
            b.disabled = false;
          } else {
            card.querySelector(act === "arrive" ? ".arrive-form" : ".done-form").hidden = false;
          }
        });
      });
      card.querySelector(".arrive-form").addEventListener("submit", async function (ev) {
        ev.preventDefault();
        var form = ev.target;
        var typed = typedPosition(form);
        if (typed && typed.error) { showError(form, typed.error); return; }
        var pos = typed || await position();
        if (!typed && pos.source === "home") { showError(form, t("pwa.err.no_fix")); return; }
        var res = await submit({method: "POST", url: "/api/emergency/tasks/" + id + "/arrive", label: t("pwa.task.arrive") + "：" + title,
          body: {lon: pos.lon, lat: pos.lat, crs: pos.crs || "wgs84"}});
        outcome(form, res, "pwa.task.arrived_ok");
      });
      card.querySelector(".done-form").addEventListener("submit", async function (ev) {
        ev.preventDefault();
        var form = ev.target;
        var ph = photosOf(form);
        if (ph.error) { showError(form, ph.error); return; }
        if (!form.result.value.trim()) { showError(form, t("pwa.err.result_needed")); form.result.setAttribute("aria-invalid", "true"); return; }
        var res = await submit({method: "POST", url: "/api/emergency/tasks/" + id + "/done", label: t("pwa.task.done") + "：" + title,
          body: {result: form.result.value.trim(), photo_ids: []}, photos: ph.files, photoField: "photo_ids"});
        if (outcome(form, res, "pwa.task.done_ok")) form.reset();
      });
    });
  }

  route(/^\/em\/type\/(.+)$/, async function (view, code) {
    code = decodeURIComponent(code);
    var types = (await api("GET", "/api/emergency/incident-types?size=200")).items;
    var it = types.find(function (x) { return x.code === code; });
    if (!it) throw new Error(t("pwa.none"));
    var html = "<h2>" + esc(lang === "en" && it.name_en ? it.name_en : it.name) + '</h2><p class="muted">' + esc(it.description) + "</p>";
    var names = await departmentNames();
    function dept(code) { return names[code] || code; }
    for (var i = 0; i < it.plan_codes.length; i++) {
      var plan = await api("GET", "/api/emergency/plans/" + encodeURIComponent(it.plan_codes[i]));
      var doc = plan.document || {};
      var roles = {};
      (doc.roles || []).forEach(function (r) { roles[r.code] = r.name; });
      html += '<div class="card plan"><h3>' + esc(plan.title) + '</h3><dl class="kv"><dt>' + esc(t("pwa.plan.lead")) + "</dt><dd>" + esc(plan.lead_department_name) +
        "</dd><dt>" + esc(t("pwa.plan.supporting")) + "</dt><dd>" + esc((doc.supporting_departments || []).map(dept).join("、") || "—") +
        "</dd><dt>" + esc(t("pwa.plan.linkage")) + "</dt><dd>" + esc((doc.linkage_units || []).map(dept).join("、") || "—") + "</dd></dl>";
      var levels = (doc.levels || []).map(function (l) { return l.level; });
      if (!levels.length) levels = [""];
      levels.forEach(function (lv) {
        var steps = (doc.steps || []).filter(function (s) { return !lv || !s.levels || !s.levels.length || s.levels.indexOf(lv) >= 0; });
        html += "<h3>" + esc(lv ? t("pwa.plan.level", {level: lv}) : t("pwa.plan.steps")) + '</h3><ol class="steps">' + steps.map(function (s) {
          return "<li><b>" + esc(roles[s.role] || s.role) + "</b>：" + esc(s.action) + ' <span class="muted">' + esc(t("pwa.plan.within", {min: s.deadline_minutes})) + "</span></li>";
        }).join("") + "</ol>";
      });
      html += "</div>";
    }
    if (!it.plan_codes.length) html += '<p class="muted">' + esc(t("pwa.plan.none")) + "</p>";
    view.innerHTML = html;
  }, "pwa.em.type");

  /* Department code → name (plans name departments by code; people read names). */
  async function departmentNames() {
    var out = {};
    try {
      var page = await api("GET", "/api/directory/departments?size=100");
      page.items.forEach(function (d) { out[d.code] = d.name; });
    } catch (err) { /* offline and not kept yet: codes it is */ }
    return out;
  }

  route(/^\/em\/incident\/(\d+)$/, async function (view, id) {
    var inc = await api("GET", "/api/emergency/incidents/" + id);
    var log = await api("GET", "/api/emergency/incidents/" + id + "/log").catch(function () { return []; });
    var tasks = await api("GET", "/api/emergency/incidents/" + id + "/tasks").catch(function () { return []; });
    view.innerHTML = "<h2>" + esc(inc.title) + '</h2><p><span class="pill ' + esc(inc.status) + '">' + esc(t("pwa.inc." + inc.status)) + '</span> <span class="muted">' +
      esc(inc.number) + " · " + esc(inc.address || "") + '</span></p><div id="inc-map" class="map"></div><h3>' + esc(t("pwa.em.tasks")) + '</h3><div id="inc-tasks"></div><h3>' +
      esc(t("pwa.em.log")) + "</h3>" + log.slice(-30).reverse().map(function (e) {
        return '<div class="card"><span class="muted">' + esc(when(e.at)) + " · " + esc(e.actor_name) + "</span><br>" + esc(e.text) + "</div>";
      }).join("");
    renderTasks(view.querySelector("#inc-tasks"), tasks.filter(function (x) { return x.status === "pending" || x.status === "accepted"; }));
    if (inc.lon != null) {
      var near = await api("GET", "/api/safety/hazard-points/near?lon=" + inc.lon + "&lat=" + inc.lat + "&radius_m=2000").catch(function () { return []; });
      map(view.querySelector("#inc-map"), inc, near.map(function (p) { return {lon: p.lon, lat: p.lat, label: p.name, colour: p.risk_level}; }));
    }
  }, "pwa.em.incident");

  /* A small Leaflet map without tiles (intranets have no tile server): the district's streets, the place,
   * and points around it in their risk colour. */
  var leaflet = null;
  function loadLeaflet() {  // only when a map is drawn: most starts need none
    if (!leaflet) {
      leaflet = new Promise(function (resolve, reject) {
        var css = document.createElement("link");
        css.rel = "stylesheet"; css.href = "/vendor/leaflet/dist/leaflet.css";
        document.head.appendChild(css);
        var js = document.createElement("script");
        js.src = "/vendor/leaflet/dist/leaflet.js";
        js.onload = resolve; js.onerror = function () { leaflet = null; reject(new Error("leaflet")); };
        document.head.appendChild(js);
      });
    }
    return leaflet;
  }

  async function map(el, centre, points) {
    if (!el) return;
    try { await loadLeaflet(); } catch (e) { return; }
    if (!el.isConnected) return;
    var m = L.map(el, {attributionControl: false}).setView([centre.lat, centre.lon], 14);
    api("GET", "/api/geography/street.geojson?simplify=50").then(function (gj) {
      L.geoJSON(gj, {style: {color: "#78909c", weight: 1, fillOpacity: 0.04}}).addTo(m);
    }).catch(function () {});
    L.circleMarker([centre.lat, centre.lon], {radius: 9, color: "#b71c1c", fillOpacity: 0.9}).addTo(m).bindTooltip(t("pwa.here"));
    var colours = {red: "#d32f2f", orange: "#f57c00", yellow: "#fbc02d", blue: "#1976d2"};
    points.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], {radius: 6, color: colours[p.colour] || "#455a64", fillOpacity: 0.8}).addTo(m).bindTooltip(p.label);
    });
  }

  // ---- 消防隐患点位 / 危化品隐患点位: near me, on a map; a point's detail; inspection and hidden danger
  route(/^\/hazards\/(fire|hazchem)$/, async function (view, kind) {
    setTitle(kind === "fire" ? "pwa.mod.fire" : "pwa.mod.chem");
    var pos = await position();
    var near = await api("GET", "/api/safety/hazard-points/near?lon=" + pos.lon + "&lat=" + pos.lat + "&radius_m=20000");
    var list = near.filter(function (p) { return p.kind === kind; });
    view.innerHTML = '<p class="muted">' + esc(pos.source === "gps" ? t("pwa.near.gps") : t("pwa.near.home")) + '</p><div id="hz-map" class="map"></div>' +
      list.slice(0, 50).map(function (p) {
        return '<a class="card row hp" href="#/point/' + p.id + '"><span class="grow"><span class="risk ' + esc(p.risk_level) + '"></span><b>' + esc(p.name) +
          '</b></span><span class="muted">' + esc(km(p.distance_m)) + "</span></a>";
      }).join("") + (list.length ? "" : '<p class="muted">' + esc(t("pwa.none")) + "</p>");
    map(view.querySelector("#hz-map"), pos, list.slice(0, 200).map(function (p) { return {lon: p.lon, lat: p.lat, label: p.name, colour: p.risk_level}; }));
  }, "pwa.mod.fire");

  route(/^\/point\/(\d+)$/, async function (view, id) {
    var p = await api("GET", "/api/safety/hazard-points/" + id);
    var unit = p.unit_id ? await api("GET", "/api/safety/units/" + p.unit_id) : null;
    var hds = unit ? (await api("GET", "/api/safety/hidden-dangers?unit_id=" + unit.id + "&size=20&status=open")).items : [];
    var canCall = unit && unit.safety_officer_phone && unit.safety_officer_phone.indexOf("*") < 0;
    var html = "<h2>" + esc(p.name) + '</h2><p><span class="risk ' + esc(p.risk_colour) + '"></span>' + esc(t("pwa.risk." + p.risk_colour)) +
      (p.address ? ' · <span class="muted">' + esc(p.address) + "</span>" : "") + "</p>";
    if (unit) {
      html += '<div class="card"><h3>' + esc(unit.name) + '</h3><dl class="kv"><dt>' + esc(t("pwa.unit.venue")) + "</dt><dd>" + esc(unit.venue_label || unit.venue_type) +
        "</dd><dt>" + esc(t("pwa.unit.officer")) + "</dt><dd>" + esc(unit.safety_officer || "—") + "</dd><dt>" + esc(t("pwa.unit.phone")) + "</dt><dd>" +
        (canCall ? '<a class="tel" href="tel:' + esc(unit.safety_officer_phone) + '">' + esc(unit.safety_officer_phone) + "</a>" : esc(unit.safety_officer_phone || "—")) +
        "</dd></dl></div><h3>" + esc(t("pwa.hd.open")) + "</h3>" + (hds.map(function (h) {
          return '<div class="card"><b>' + esc(t("pwa.hd.level." + h.level)) + "</b> " + esc(h.description) + '<br><span class="muted">' + esc(t("pwa.hd.deadline")) + " " + esc(when(h.deadline)) +
            (h.overdue ? " · " + esc(t("pwa.overdue")) : "") + "</span></div>";
        }).join("") || '<p class="muted">' + esc(t("pwa.none")) + "</p>") +
        '<div class="actions"><a class="btn primary" href="#/inspect/' + unit.id + '">' + esc(t("pwa.inspect")) + '</a><a class="btn" href="#/danger/' + unit.id + '">' + esc(t("pwa.hd.raise")) + "</a></div>";
    }
    view.innerHTML = html;
  }, "pwa.point");

  function dangerFields(prefix) {
    return '<label>' + esc(t("pwa.hd.level")) + '<select name="' + prefix + 'level"><option value="general">' + esc(t("pwa.hd.level.general")) +
      '</option><option value="major">' + esc(t("pwa.hd.level.major")) + '</option></select></label>' +
      '<label>' + esc(t("pwa.hd.description")) + '<textarea name="' + prefix + 'description"></textarea></label>' +
      '<label>' + esc(t("pwa.hd.person")) + '<input name="' + prefix + 'person"></label>' +
      '<label>' + esc(t("pwa.hd.deadline")) + '<input name="' + prefix + 'deadline" type="date"></label>';
  }

  function dangerBody(form, prefix) {
    var f = form.elements;
    var desc = f[prefix + "description"].value.trim();
    if (!desc) return null;
    var dl = f[prefix + "deadline"].value;
    return {level: f[prefix + "level"].value, description: desc, responsible_person: f[prefix + "person"].value.trim(),
      deadline: dl, photos: []};
  }

  route(/^\/inspect\/(\d+)$/, async function (view, unitId) {
    var unit = await api("GET", "/api/safety/units/" + unitId);
    var items = unit.checklist || [];
    view.innerHTML = "<h2>" + esc(unit.name) + '</h2><form class="stack" id="insp-form"><div class="checklist">' + items.map(function (it, i) {
      var label = it.text || it.item || it.code;
      return '<div class="item"><div>' + esc(label) + '</div><div class="opts">' + ["pass", "fail", "na"].map(function (r) {
        return '<label><input type="radio" name="c' + i + '" value="' + r + '"' + (r === "pass" ? " checked" : "") + ">" + esc(t("pwa.check." + r)) + "</label>";
      }).join("") + "</div></div>";
    }).join("") + '</div><label>' + esc(t("pwa.notes")) + '<textarea name="notes"></textarea></label><h3>' + esc(t("pwa.hd.found")) + '</h3>' + dangerFields("hd_") +
      photoField() + '<button class="primary" type="submit">' + esc(t("pwa.inspect.send")) + "</button></form>";
    var form = view.querySelector("#insp-form");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var ph = photosOf(form);
      if (ph.error) { showError(form, ph.error); return; }
      var hd = dangerBody(form, "hd_");
      if (hd && (!hd.deadline || !hd.responsible_person)) { showError(form, t("pwa.err.hd_incomplete")); return; }
      var body = {unit_id: Number(unitId), kind: "routine", notes: form.notes.value.trim(),
        checklist: items.map(function (it, i) { return {item: it.code || it.item || String(i), result: form.elements["c" + i].value}; }),
        hidden_dangers: hd ? [hd] : []};
      var res = await submit({method: "POST", url: "/api/safety/inspections", label: t("pwa.inspect") + "：" + unit.name, body: body,
        photos: hd ? ph.files : [], photoField: "hidden_dangers.photos", photoAs: "ref"});
      if (outcome(form, res, "pwa.inspect.ok")) form.reset();
    });
  }, "pwa.inspect");

  route(/^\/danger\/(\d+)$/, async function (view, unitId) {
    var unit = await api("GET", "/api/safety/units/" + unitId);
    view.innerHTML = "<h2>" + esc(unit.name) + '</h2><form class="stack" id="hd-form">' + dangerFields("") + photoField() +
      '<button class="primary" type="submit">' + esc(t("pwa.hd.send")) + "</button></form>";
    var form = view.querySelector("#hd-form");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var ph = photosOf(form);
      if (ph.error) { showError(form, ph.error); return; }
      var hd = dangerBody(form, "");
      if (!hd || !hd.deadline || !hd.responsible_person) { showError(form, t("pwa.err.hd_incomplete")); return; }
      hd.unit_id = Number(unitId);
      var res = await submit({method: "POST", url: "/api/safety/hidden-dangers", label: t("pwa.hd.raise") + "：" + unit.name, body: hd,
        photos: ph.files, photoField: "photos", photoAs: "ref"});
      if (outcome(form, res, "pwa.hd.ok")) form.reset();
    });
  }, "pwa.hd.raise");

  // ---- 综合防灾减灾: shelters, depots, rescue teams, experts (nearest first), the plan library
  route(/^\/prevention$/, async function (view) {
    var pos = await position();
    var kinds = ["shelter", "depot", "rescue_team", "expert"];
    var html = '<p class="muted">' + esc(pos.source === "gps" ? t("pwa.near.gps") : t("pwa.near.home")) + "</p>";
    for (var i = 0; i < kinds.length; i++) {
      var found = await api("GET", "/api/emergency/resources/nearest?lon=" + pos.lon + "&lat=" + pos.lat + "&kind=" + kinds[i] + "&n=5&status=any").catch(function () { return []; });
      html += '<h2 id="res-' + kinds[i] + '">' + esc(t("pwa.res." + kinds[i])) + "</h2>" + (found.map(function (f) {
        var r = f.resource;
        var callable = r.contact_phone && r.contact_phone.indexOf("*") < 0;
        var extra = kinds[i] === "shelter" ? t("pwa.res.capacity", {n: r.capacity == null ? "—" : r.capacity}) + " · " + t(r.status === "available" ? "pwa.res.open" : "pwa.res.closed")
          : kinds[i] === "depot" ? (r.supplies || []).slice(0, 4).map(function (s) { return s.item + " " + s.quantity + (s.unit || ""); }).join("、")
          : kinds[i] === "rescue_team" ? t("pwa.res.headcount", {n: r.headcount == null ? "—" : r.headcount}) + " · " + (r.specialty || "")
          : (r.specialty || "") + " · " + (r.organisation || "");
        return '<div class="card"><div class="row"><b class="grow">' + esc(r.name) + '</b><span class="muted">' + esc(km(f.distance_m)) + '</span></div><div class="muted">' + esc(extra) +
          "</div>" + (r.contact_phone ? '<div>' + esc(r.contact_name || "") + " " + (callable ? '<a class="tel" href="tel:' + esc(r.contact_phone) + '">' + esc(r.contact_phone) + "</a>" : esc(r.contact_phone)) + "</div>" : "") + "</div>";
      }).join("") || '<p class="muted">' + esc(t("pwa.none")) + "</p>");
    }
    var plans = await api("GET", "/api/emergency/plans?size=50").catch(function () { return {items: []}; });
    html += "<h2>" + esc(t("pwa.plans")) + "</h2>" + plans.items.map(function (p) {
      return '<a class="card row" href="#/em/type/' + encodeURIComponent(p.incident_type) + '"><span class="grow"><b>' + esc(p.title) + '</b><br><span class="muted">' +
        esc(p.lead_department_name) + "</span></span><span>›</span></a>";
    }).join("");
    view.innerHTML = html;
  }, "pwa.mod.prevention");

  // ---- 我的待办: events dispatched to my department or awaiting my verification
  var TODO_STATUSES = {dept_handler: "dispatched,in_progress", street_staff: "reported,handled", grid_worker: "handled",
    duty_officer: "reported,accepted,returned,verified", admin: "reported,accepted,returned,verified"};
  var NOTE_ACTIONS = {"return": 1, handle: 1, rework: 1, reject: 1};

  route(/^\/todo$/, async function (view) {
    var statuses = TODO_STATUSES[state.me.role];
    if (!statuses) { view.innerHTML = '<p class="muted">' + esc(t("pwa.todo.none_for_role")) + "</p>"; return; }
    var page = await api("GET", "/api/events?size=50&sort=-created_at&status=" + statuses);
    view.innerHTML = '<p class="muted">' + esc(t("pwa.todo.count", {n: page.total})) + "</p>" + page.items.map(function (e) {
      return '<a class="card ev" href="#/event/' + e.id + '"><div class="row"><b class="grow">' + esc(e.category_name || e.category_code) + '</b><span class="pill ' + esc(e.status) + '">' +
        esc(t("pwa.ev." + e.status)) + '</span></div><div>' + esc(e.description).slice(0, 120) + '</div><div class="muted">' + esc(e.number) + " · " + esc(e.address) +
        (e.due_at ? " · " + esc(t("pwa.deadline")) + " " + esc(when(e.due_at)) : "") + (e.overdue ? " · " + esc(t("pwa.overdue")) : "") + "</div></a>";
    }).join("");
  }, "pwa.mod.todo");

  route(/^\/event\/(\d+)$/, async function (view, id) {
    var e = await api("GET", "/api/events/" + id);
    var acts = (e.actions || []).filter(function (a) { return a !== "dispatch" && a !== "merge" && a !== "close" || state.me.role === "duty_officer"; });
    view.innerHTML = "<h2>" + esc(e.category_name) + '</h2><p><span class="pill ' + esc(e.status) + '">' + esc(t("pwa.ev." + e.status)) + '</span> <span class="muted">' + esc(e.number) +
      '</span></p><div class="card">' + esc(e.description) + '<dl class="kv"><dt>' + esc(t("pwa.ev.address")) + "</dt><dd>" + esc(e.address || e.street_name) + "</dd><dt>" +
      esc(t("pwa.ev.department")) + "</dt><dd>" + esc(e.department_name || "—") + "</dd>" + (e.result ? "<dt>" + esc(t("pwa.ev.result")) + "</dt><dd>" + esc(e.result) + "</dd>" : "") +
      "</dl></div>" + (e.lon != null ? '<div id="ev-map" class="map"></div>' : "") +
      (acts.length ? '<form class="stack" id="ev-form"><label>' + esc(t("pwa.ev.note")) + '<textarea name="note"></textarea></label>' + photoField() +
        '<div class="actions">' + acts.map(function (a) {
          return '<button type="submit" name="act" value="' + esc(a) + '"' + (a === "handle" || a === "verify" || a === "start" ? ' class="primary"' : "") + ">" + esc(t("pwa.act." + a)) + "</button>";
        }).join("") + "</div></form>" : '<p class="muted">' + esc(t("pwa.ev.no_actions")) + "</p>") +
      "<h3>" + esc(t("pwa.em.log")) + "</h3>" + (e.timeline || []).slice().reverse().map(function (s) {
        return '<div class="card"><span class="muted">' + esc(when(s.at)) + " · " + esc(s.actor_name || s.actor || "") + "</span><br>" + esc(t("pwa.act." + s.action)) + (s.note ? "：" + esc(s.note) : "") + "</div>";
      }).join("");
    if (e.lon != null) map(view.querySelector("#ev-map"), e, []);
    var form = view.querySelector("#ev-form");
    if (!form) return;
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var act = ev.submitter && ev.submitter.value;
      var note = form.note.value.trim();
      if (NOTE_ACTIONS[act] && !note) { showError(form, t("pwa.err.note_needed")); form.note.setAttribute("aria-invalid", "true"); return; }
      var ph = photosOf(form);
      if (ph.error) { showError(form, ph.error); return; }
      var res = await submit({method: "POST", url: "/api/events/" + id + "/actions/" + act, label: t("pwa.act." + act) + "：" + e.number,
        body: {note: note, photos: []}, photos: act === "handle" ? ph.files : [], photoField: "photos"});
      if (outcome(form, res, "pwa.ev.ok") && res.sent) setTimeout(render, 600);
    });
  }, "pwa.ev.title");

  // ---- 事件上报: a report from the field (queued offline like every write); the channel the role reports through
  var REPORT_CHANNEL = {grid_worker: "patrol", street_staff: "patrol", inspector: "inspection", citizen: "citizen"};
  route(/^\/report$/, async function (view) {
    var cats = await api("GET", "/api/events/categories");
    var leaves = cats.filter(function (c) { return c.level === 2; });  // a report names a sub-category (小类)
    view.innerHTML = '<form class="stack" id="report-form"><label>' + esc(t("pwa.rep.category")) + '<select name="category" required>' + leaves.map(function (c) {
      return '<option value="' + esc(c.code) + '">' + esc(c.name) + "</option>";
    }).join("") + '</select></label><label>' + esc(t("pwa.rep.description")) + '<textarea name="description" id="rep-description" required></textarea></label>' +
      '<label>' + esc(t("pwa.rep.address")) + '<input name="address"></label>' + positionFields() + photoField() +
      '<button class="primary" type="submit" id="rep-send">' + esc(t("pwa.rep.send")) + "</button></form>";
    var form = view.querySelector("#report-form");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var desc = form.description.value.trim();
      if (!desc) { showError(form, t("pwa.err.description_needed")); form.description.setAttribute("aria-invalid", "true"); return; }
      var typed = typedPosition(form);
      if (typed && typed.error) { showError(form, typed.error); return; }
      var ph = photosOf(form);
      if (ph.error) { showError(form, ph.error); return; }
      var pos = typed || await position();
      var body = {channel: REPORT_CHANNEL[state.me.role] || "web", category_code: form.category.value, description: desc, address: form.address.value.trim(),
        lon: pos.lon, lat: pos.lat, crs: pos.crs || "wgs84", photos: []};
      var res = await submitReport(body, ph.files);
      if (outcome(form, res, "pwa.rep.ok")) { form.description.value = ""; form.address.value = ""; form.photos.value = ""; }
    });
  }, "pwa.mod.report");

  // the event hub takes the key in the body as well (its intake predates the header)
  async function submitReport(body, photos) {
    var item = {method: "POST", url: "/api/events", label: t("pwa.mod.report") + "：" + body.description.slice(0, 30), body: body,
      photos: photos, photoField: "photos"};
    item.key = uuid();
    item.body.idempotency_key = item.key;
    var key = item.key;
    item.created = Date.now(); item.state = "waiting"; item.user = state.me && state.me.username;
    var db = await dbp;
    await db.put("outbox", item);
    updateOutboxCount();
    return settle(key);
  }

  // ---- 待发送: what waits to be sent
  route(/^\/outbox$/, async function (view) {
    var db = await dbp;
    var items = (await db.getAll("outbox")).sort(function (a, b) { return a.created - b.created; });
    view.innerHTML = '<p class="muted" id="outbox-summary">' + esc(items.length ? t("pwa.outbox.count", {n: items.length}) : t("pwa.outbox.empty")) + "</p>" +
      (items.length ? '<div class="actions"><button type="button" class="primary" id="send-now">' + esc(t("pwa.outbox.send")) + "</button></div>" : "") +
      items.map(function (i) {
        return '<div class="card outbox-item" data-key="' + esc(i.key) + '"><b>' + esc(i.label) + '</b><br><span class="muted">' + esc(when(new Date(i.created).toISOString())) +
          " · " + esc(t(i.state === "failed" ? "pwa.outbox.failed" : "pwa.outbox.waiting")) + "</span>" + (i.photos && i.photos.length ? ' <span class="muted">' + esc(t("pwa.outbox.photos", {n: i.photos.length})) + "</span>" : "") +
          (i.error ? '<p class="err">' + esc(i.error) + "</p>" : "") +
          (i.state === "failed" ? '<div class="actions"><button type="button" data-retry>' + esc(t("pwa.outbox.retry")) + '</button><button type="button" data-drop>' + esc(t("pwa.outbox.drop")) + "</button></div>" : "") + "</div>";
      }).join("");
    var btn = view.querySelector("#send-now");
    if (btn) btn.addEventListener("click", async function () { btn.disabled = true; await replay(); render(); });
    view.querySelectorAll(".outbox-item").forEach(function (card) {
      var key = card.dataset.key;
      var retry = card.querySelector("[data-retry]");
      if (retry) retry.addEventListener("click", async function () {
        var it = await db.get("outbox", key); it.state = "waiting"; it.error = null; await db.put("outbox", it); await replay(); render();
      });
      var drop = card.querySelector("[data-drop]");
      if (drop) drop.addEventListener("click", async function () {
        if (confirm(t("pwa.outbox.drop_confirm"))) { await db.delete("outbox", key); updateOutboxCount(); render(); }
      });
    });
  }, "pwa.tab.outbox");

  // ---- 消息: warnings, risk prompts and task notices (the warnings domain's inbox; the live feed besides)
  route(/^\/inbox$/, async function (view) {
    var db = await dbp;
    await fetchInbox();
    var items = (await db.getAll("inbox")).sort(function (a, b) { return (b.at || "").localeCompare(a.at || ""); });
    var canNotify = "Notification" in window && Notification.permission !== "granted" && Notification.permission !== "denied";
    view.innerHTML = (canNotify ? '<div class="actions"><button type="button" id="notify-on">' + esc(t("pwa.inbox.notify")) + "</button></div>" : "") +
      items.map(function (m) {
      return '<div class="card notice' + (m.acked ? " acked" : "") + '" data-id="' + esc(m.id) + '"><b>' + esc(m.title) + '</b><br><span class="muted">' + esc(when(m.at)) + "</span><div>" +
        esc(m.body || "") + "</div>" + (m.ackable && !m.acked ? '<div class="actions"><button type="button" class="primary" data-ack>' + esc(t("pwa.inbox.ack")) + "</button></div>" :
        (m.acked ? '<span class="ok">' + esc(t("pwa.inbox.acked")) + "</span>" : "")) + "</div>";
    }).join("") || '<p class="muted">' + esc(t("pwa.inbox.empty")) + "</p>";
    var on = view.querySelector("#notify-on");
    if (on) on.addEventListener("click", async function () {
      if (await Notification.requestPermission() === "granted") { on.remove(); subscribePush(); }
    });
    view.querySelectorAll("[data-ack]").forEach(function (b) {
      b.addEventListener("click", async function () {
        var card = b.closest(".notice");
        var m = await db.get("inbox", card.dataset.id);
        m.acked = true; await db.put("inbox", m);
        await submit({method: "POST", url: "/api/alerts/inbox/" + encodeURIComponent(m.serverId) + "/ack", label: t("pwa.inbox.ack") + "：" + m.title});
        updateInboxCount(); render();
      });
    });
    updateInboxCount();
  }, "pwa.tab.inbox");

  async function fetchInbox() {
    var db = await dbp;
    if (state.hasInbox === false) return;
    try {
      var page = await api("GET", "/api/alerts/inbox?size=50");
      state.hasInbox = true;
      for (var i = 0; i < page.items.length; i++) await keepMessage(db, fromInbox(page.items[i]));
    } catch (err) {
      if (err.status === 404) state.hasInbox = false;  // a server without the warnings inbox yet
      /* offline: what arrived before stays */
    }
  }

  function fromInbox(m) {
    return {id: "inbox-" + m.id, serverId: m.id, title: m.title || m.headline || m.subject || t("pwa.inbox.warning"),
      body: m.body || m.description || m.text || "", at: m.at || m.sent_at || m.created_at, ackable: true,
      acked: !!(m.acked_at || m.acknowledged_at || m.acked)};
  }

  async function keepMessage(db, m) {
    var had = await db.get("inbox", m.id);
    if (had && had.acked) m.acked = true;
    await db.put("inbox", m);
    return !had;
  }

  async function updateInboxCount() {
    var db = await dbp;
    var n = (await db.getAll("inbox")).filter(function (m) { return !m.acked && m.ackable; }).length;
    var b = document.getElementById("inbox-count");
    b.textContent = n; b.hidden = n === 0;
  }

  /* Web Push, best effort: when the server publishes its VAPID key, this browser subscribes and the warnings
   * domain may push to it with the app closed; without it, notifications show while the app is open. */
  async function subscribePush() {
    if (!("PushManager" in window) || !navigator.serviceWorker || Notification.permission !== "granted") return;
    try {
      var key = await api("GET", "/api/alerts/push/key");
      var raw = atob((key.public_key || "").replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil((key.public_key || "").length / 4) * 4, "="));
      var reg = await navigator.serviceWorker.ready;
      var sub = await reg.pushManager.getSubscription() || await reg.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: Uint8Array.from(raw, function (c) { return c.charCodeAt(0); })});
      await api("POST", "/api/alerts/push/subscriptions", sub.toJSON());
    } catch (err) { /* no key on this server, or the browser refused: the live inbox still works */ }
  }

  function notify(m) {
    toast(m.title);
    if ("Notification" in window && Notification.permission === "granted" && navigator.serviceWorker) {
      navigator.serviceWorker.getRegistration("/app/").then(function (reg) {
        if (reg) reg.showNotification(m.title, {body: m.body || "", icon: "/static/app/icon-192.png", tag: m.id});
      });
    }
  }

  /* Live: the warnings inbox stream when the server has one, and task notices from the platform feed
   * (named events, the ones a field worker acts on, in their audience only — the server filters). */
  var FEED_TOPICS = ["IncidentTaskChanged", "IncidentActivated", "EventStatusChanged"];

  async function startLive() {
    if (!state.me || !window.EventSource) return;
    if (state.inboxStream) state.inboxStream.close();
    if (state.hasInbox) {
      state.inboxStream = new EventSource("/api/alerts/inbox/stream");
      state.inboxStream.onmessage = async function (ev) {
        var data; try { data = JSON.parse(ev.data); } catch (e) { return; }
        var db = await dbp;
        var m = fromInbox(data.item || data);
        if (await keepMessage(db, m)) notify(m);
        updateInboxCount();
      };
    }
    if (state.feed) state.feed.close();
    state.feed = new EventSource("/api/feed?topics=" + FEED_TOPICS.join(","));
    FEED_TOPICS.forEach(function (topic) {
      state.feed.addEventListener(topic, async function (ev) {
        var p; try { p = JSON.parse(ev.data); } catch (e) { return; }
        if (topic === "EventStatusChanged" && p.to_status !== "dispatched" && p.to_status !== "handled") return;
        // a task of mine changed by someone else: cancelled by the command centre
        if (topic === "IncidentTaskChanged" && p.to_status !== "cancelled") return;
        var m = {id: "feed-" + (ev.lastEventId || Date.now()), title: t("pwa.notice." + topic),
          body: p.title || p.number || p.event_number || "", at: new Date().toISOString(), ackable: false};
        var db = await dbp;
        if (await keepMessage(db, m)) notify(m);
      });
    });
  }

  /* Resolves once the service worker controls this page (at most `ms` later): on a phone's first visit it
   * takes over only after installing, and a read made before that bypasses it and is never kept offline. */
  function controlled(ms) {
    if (!("serviceWorker" in navigator)) return Promise.resolve(false);
    if (navigator.serviceWorker.controller) return Promise.resolve(true);
    return new Promise(function (resolve) {
      var done = function () { resolve(!!navigator.serviceWorker.controller); };
      navigator.serviceWorker.addEventListener("controllerchange", done, {once: true});
      setTimeout(done, ms);
    });
  }

  /* Fill the worker's cache with what a responder reads in the field, so it opens offline even if it was
   * never looked at: incident types and their plans, departments, my tasks and incidents, my queue, the
   * report categories, hazard points and resources near me. At log-in and at most every 10 min after. */
  async function warmCache(force) {
    var last = Number(localStorage.getItem("cb-warmed") || 0);
    if (!state.me || !navigator.onLine || (!force && Date.now() - last < 600000)) return;
    if (!(await controlled(20000))) return;  // nothing would be kept: warm at the next start instead
    var pos = await position();
    var urls = ["/api/emergency/incident-types?size=200", "/api/emergency/plans?size=50", "/api/directory/departments?size=100",
      "/api/emergency/tasks?size=50&status=pending", "/api/emergency/tasks?size=50&status=accepted",
      "/api/emergency/incidents?size=20&sort=-reported_at", "/api/events/categories",
      "/api/safety/hazard-points/near?lon=" + pos.lon + "&lat=" + pos.lat + "&radius_m=20000"]
      .concat(["shelter", "depot", "rescue_team", "expert"].map(function (k) {
        return "/api/emergency/resources/nearest?lon=" + pos.lon + "&lat=" + pos.lat + "&kind=" + k + "&n=5&status=any";
      }));
    if (TODO_STATUSES[state.me.role]) urls.push("/api/events?size=50&sort=-created_at&status=" + TODO_STATUSES[state.me.role]);
    var types = null;
    for (var i = 0; i < urls.length; i++) {
      try { var data = await api("GET", urls[i]); if (i === 0) types = data.items; } catch (err) { if (err.offline) return; }
    }
    var codes = {};
    (types || []).forEach(function (it) { it.plan_codes.forEach(function (c) { codes[c] = 1; }); });
    for (var code in codes) {
      try { await api("GET", "/api/emergency/plans/" + encodeURIComponent(code)); } catch (err) { if (err.offline) return; }
    }
    localStorage.setItem("cb-warmed", String(Date.now()));
  }

  // ---------------------------------------------------------------- start
  function applyLanguage() {
    document.documentElement.lang = lang;
    document.getElementById("lang").textContent = lang === "en" ? "中文" : "EN";
    document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t(el.dataset.t); });
  }

  function showNet() {
    var el = document.getElementById("net");
    el.textContent = navigator.onLine ? "" : t("pwa.offline");
    el.classList.toggle("offline", !navigator.onLine);
  }

  document.getElementById("lang").addEventListener("click", function () {
    lang = lang === "en" ? "zh-CN" : "en";
    localStorage.setItem("cb-lang", lang);
    document.cookie = "lang=" + lang + "; path=/; samesite=lax";
    applyLanguage(); render();
  });
  document.getElementById("back").addEventListener("click", function () { history.length > 1 ? history.back() : (location.hash = "#/"); });
  window.addEventListener("hashchange", render);
  window.addEventListener("online", function () { showNet(); replay(); fetchInbox().then(updateInboxCount); });
  window.addEventListener("offline", showNet);
  setInterval(function () { if (navigator.onLine) replay(); }, 30000);

  async function start() {
    applyLanguage(); showNet();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/app/sw.js", {scope: "/app/"}).then(function (reg) {
        reg.addEventListener("updatefound", function () {
          var nw = reg.installing;
          if (!nw) return;
          nw.addEventListener("statechange", function () {
            if (nw.state === "installed" && navigator.serviceWorker.controller) {
              banner(esc(t("pwa.update")) + ' <button type="button" id="reload-app">' + esc(t("pwa.reload")) + "</button>");
              document.getElementById("reload-app").addEventListener("click", function () { nw.postMessage({type: "SKIP_WAITING"}); location.reload(); });
            }
          });
        });
      }).catch(function () { /* the app still works online without a worker */ });
    }
    await loadMe();
    updateOutboxCount();
    updateInboxCount();
    if (state.me) { replay(); fetchInbox().then(startLive); subscribePush(); state.warming = warmCache(false); }
    window.cbApp = {replay: replay, ready: true, warmed: function () { return state.warming; }, outboxCount: async function () { return (await dbp).count("outbox"); }};
    document.documentElement.dataset.ready = "1";
    render();
  }
  start();
})();
