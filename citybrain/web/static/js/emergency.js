/* Emergency command pages: helpers shared by emergency-*.js (window.EM), and the incident list's
 * "report an incident" form. Text from the API is always set with textContent (CB.el). */
(function () {
  "use strict";

  var t = CB.t;
  var el = CB.el;
  var NUMERALS = {I: "Ⅰ", II: "Ⅱ", III: "Ⅲ", IV: "Ⅳ"};

  function level(lv) {
    if (!lv) return el("span", {class: "lv"}, "—");
    return el("span", {class: "lv lv-" + lv}, NUMERALS[lv] + t("emergency.js.level_suffix") + " " +
      t("emergency.js.level." + lv));
  }

  function status(st) {
    return el("span", {class: "st st-" + st}, t("emergency.js.status." + st));
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    return (seconds / 60).toFixed(seconds < 600 ? 1 : 0);
  }

  function distance(m) {
    return m >= 1000 ? (m / 1000).toFixed(1) + " km" : Math.round(m) + " m";
  }

  function still() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function report(statusEl, promise, okText) {
    statusEl.classList.remove("error");
    statusEl.textContent = t("emergency.js.working");
    return promise.then(function (result) {
      statusEl.textContent = okText || t("emergency.js.done");
      return result;
    }, function (err) {
      statusEl.classList.add("error");
      statusEl.textContent = err.message || String(err);
      throw err;
    });
  }

  window.EM = {level: level, status: status, minutes: minutes, distance: distance, still: still, report: report};

  /* ---- the incident list: who is on duty, dispatch sessions, the drill year ---- */
  function table(rows) {
    var tb = el("table", {class: "table compact"});
    rows.forEach(function (r) { tb.appendChild(el("tr", {}, r.map(function (c) { return el("td", {}, c); }))); });
    return tb;
  }

  function fill(id, promise, rowsOf) {
    var box = document.getElementById(id);
    if (!box) return;
    promise.then(function (data) {
      box.textContent = "";
      var rows = rowsOf(data);
      box.appendChild(rows.length ? table(rows) : el("p", {class: "empty"}, t("emergency.js.none")));
    }, function (err) {
      box.textContent = err.message || String(err);
    });
  }

  fill("duty-now", CB.getJSON("/api/emergency/duty/now"), function (shifts) {
    return shifts.map(function (s) { return [s.department_name, s.post_name, s.person_name, s.phone || ""]; });
  });
  fill("dispatch-sessions", CB.getJSON("/api/emergency/dispatch-sessions?size=8"), function (page) {
    return page.items.map(function (d) {
      return [CB.time(d.scheduled_at).slice(0, 10), d.title, t("emergency.js.session." + d.kind),
        EM.status(d.status === "open" ? "active" : d.status === "planned" ? "pending" : "closed")];
    });
  });
  var year = new Date().getFullYear();
  var yearEl = document.getElementById("drill-plan-year");
  if (yearEl) yearEl.textContent = String(year);
  fill("drill-plan", CB.getJSON("/api/emergency/drill-plan/" + year), function (items) {
    return items.map(function (i) {
      return [i.month + t("emergency.js.month"), i.theme, i.body_name,
        i.drill_ids.length ? "✓" : ""];
    });
  });

  /* ---- the incident list: report a new incident ---- */
  var form = document.getElementById("new-incident");
  if (form) {
    var select = document.getElementById("new-type");
    CB.getJSON("/api/emergency/incident-types?size=500").then(function (page) {
      page.items.forEach(function (ty) {
        select.appendChild(el("option", {value: ty.code}, ty.category_name + " · " + ty.name));
      });
    });
    // one request per filled-in form (a double click reports once), errors beside their fields in words
    CB.submitOnce(form, async function (sub) {
      var f = new FormData(form);
      var body = {incident_type: f.get("incident_type"), title: f.get("title"), address: f.get("address") || ""};
      if (f.get("lon") !== "" || f.get("lat") !== "") {
        body.lon = f.get("lon") === "" ? null : Number(f.get("lon"));
        body.lat = f.get("lat") === "" ? null : Number(f.get("lat"));
      }
      var statusEl = document.getElementById("new-status");
      statusEl.textContent = t("emergency.js.working");
      try {
        var inc = await sub.post("/api/emergency/incidents", body);
        window.location.href = "/emergency/incidents/" + inc.id;
      } catch (err) {
        statusEl.textContent = "";
        CB.showErrors(form, err, {labels: {location: t("emergency.js.field.location"),
                                           incident_type: t("emergency.js.field.incident_type")},
                                  // the page's own words, not the server's (which quote coordinates in English)
                                  messages: {"location.value_error": t("emergency.js.err.outside"),
                                             "idempotency_key.conflict": t("emergency.js.err.key_reused")}});
      }
    });
  }
})();
