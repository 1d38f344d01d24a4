/* The incident command page: map (incident, nearby resources, hazard points, cameras), tasks by
 * department, the log, recommendations and deployments, response times; live through /api/feed.
 * No base tiles (command-centre intranets have no tile server); every request goes to this server. */
(function () {
  "use strict";

  var t = CB.t;
  var el = CB.el;
  var page = document.getElementById("incident-page");
  var id = page.getAttribute("data-incident");
  var canCommand = page.getAttribute("data-command") === "yes";
  var myDept = page.getAttribute("data-department");
  var api = "/api/emergency/incidents/" + id;
  var COLOURS = {rescue_team: "#f59e0b", expert: "#a78bfa", depot: "#34d399", shelter: "#38bdf8"};
  var board = null;

  /* ---- map ---- */
  var still = EM.still();
  var map = L.map("inc-map", {attributionControl: false, minZoom: 8, maxZoom: 18,
    fadeAnimation: !still, zoomAnimation: !still, markerZoomAnimation: !still});
  map.setView([30.5, 103.95], 11);
  var layer = L.layerGroup().addTo(map);
  var fitted = false;

  CB.getJSON("/api/geography/street.geojson?simplify=20").then(function (fc) {
    L.geoJSON(fc, {interactive: false, style: {color: "#38bdf8", weight: 1, opacity: 0.5, fillOpacity: 0.03}})
      .addTo(map).bringToBack();
  }).catch(function () { /* no geography loaded: the points still show */ });

  function popup(rows) {
    var box = el("div", {class: "popup-rows"});
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      box.appendChild(el("div", {}, [el("strong", {}, r[0] + "："), typeof r[1] === "object" ? r[1] : String(r[1])]));
    });
    return box;
  }

  function streamLink(url) {
    return el("a", {href: url, target: "_blank", rel: "noopener noreferrer"}, t("emergency.js.open_stream"));
  }

  function drawMap() {
    layer.clearLayers();
    var inc = board.incident;
    var pts = [];
    if (inc.lon === null || inc.lat === null) {
      document.getElementById("map-status").textContent = t("emergency.js.no_location");
      return;
    }
    var here = [inc.lat, inc.lon];
    pts.push(here);
    L.circle(here, {radius: 500, color: "#f87171", weight: 1, fillOpacity: 0.08, interactive: false}).addTo(layer);
    L.circleMarker(here, {radius: 10, color: "#fff", weight: 2, fillColor: "#f87171", fillOpacity: 1})
      .bindPopup(popup([[t("emergency.js.incident"), inc.title], [t("emergency.js.address"), inc.address]]))
      .addTo(layer);
    Object.keys(board.nearby).forEach(function (kind) {
      board.nearby[kind].forEach(function (r) {
        pts.push([r.lat, r.lon]);
        var supplies = (r.supplies || []).map(function (s) { return s.item + " " + s.quantity + s.unit; }).join("，");
        L.circleMarker([r.lat, r.lon], {radius: 7, color: "#0b1a2e", weight: 1, fillColor: COLOURS[kind],
          fillOpacity: 0.95, className: "em-res em-res-" + kind})
          .bindPopup(popup([[t("emergency.js.kind." + kind), r.name], [t("emergency.js.specialty"), r.specialty],
            [t("emergency.js.distance"), EM.distance(r.distance_m)], [t("emergency.js.status_label"),
              t("emergency.js.rstatus." + r.status)], [t("emergency.js.headcount"), r.headcount],
            [t("emergency.js.capacity"), r.capacity !== null ? (r.occupancy || 0) + " / " + r.capacity : null],
            [t("emergency.js.supplies"), supplies], [t("emergency.js.contact"), r.contact_phone]]))
          .addTo(layer);
      });
    });
    board.hazards.forEach(function (h) {
      L.circleMarker([h.lat, h.lon], {radius: 6, color: "#e879f9", weight: 2, fillColor: "#701a75", fillOpacity: 0.9})
        .bindPopup(popup([[t("emergency.js.hazard"), h.name], [t("emergency.js.risk"), h.risk_level],
          [t("emergency.js.distance"), EM.distance(h.distance_m)]]))
        .addTo(layer);
    });
    board.cameras.forEach(function (c) {
      L.circleMarker([c.lat, c.lon], {radius: 5, color: "#e2e8f0", weight: 2, fillColor: "#334155", fillOpacity: 1})
        .bindPopup(popup([[t("emergency.js.camera"), c.name], [t("emergency.js.owner"), c.owner],
          [t("emergency.js.distance"), EM.distance(c.distance_m)], [t("emergency.js.stream"), streamLink(c.stream_url)]]))
        .addTo(layer);
    });
    if (!fitted && pts.length) {
      map.fitBounds(L.latLngBounds(pts).pad(0.15), {maxZoom: 15, animate: false});
      fitted = true;
    }
  }

  /* ---- header, figures ---- */
  function drawHeader() {
    var inc = board.incident;
    var st = document.getElementById("inc-status");
    st.replaceWith(Object.assign(EM.status(inc.status), {id: "inc-status"}));
    var lv = document.getElementById("inc-level");
    lv.textContent = "";
    lv.appendChild(EM.level(inc.response_level));
    document.getElementById("inc-suggested").textContent = inc.suggested_level
      ? t("emergency.js.suggested", {level: EM.level(inc.suggested_level).textContent}) : "";
    var plan = document.getElementById("inc-plan");
    if (inc.plan) {
      plan.href = "/emergency/plans/" + encodeURIComponent(inc.plan) + "?version=" + inc.plan_version;
      plan.textContent = t("emergency.js.plan", {code: inc.plan, version: inc.plan_version});
    }
    var allowed = {verify: ["reported"], activate: ["reported", "verified"], level: ["active"],
      "stand-down": ["active"], close: ["reported", "verified", "stood_down"], confirm: ["reported", "verified"]};
    document.querySelectorAll("#actions button[data-act]").forEach(function (b) {
      b.disabled = allowed[b.getAttribute("data-act")].indexOf(inc.status) < 0;
    });
    var sel = document.getElementById("act-level");
    if (sel && inc.suggested_level && !sel.dataset.touched) sel.value = inc.suggested_level;
    var pend = document.getElementById("act-pending");
    var confirmBtn = document.querySelector('#actions button[data-act="confirm"]');
    if (pend) {
      var p = inc.pending_activation;
      pend.hidden = !p;
      pend.textContent = p ? t("emergency.js.pending", {level: levelName(p.response_level), by: p.by}) : "";
      if (confirmBtn) confirmBtn.hidden = !p;
    }
    var figs = document.getElementById("inc-figures");
    figs.textContent = "";
    Object.keys(inc.figures).forEach(function (k) {
      figs.appendChild(el("div", {class: "stat"}, [el("div", {class: "stat-value"}, CB.number(inc.figures[k])),
        el("div", {class: "stat-label"}, t("emergency.js.metric." + k))]));
    });
  }

  /* ---- tasks ---- */
  function responding() {
    var st = board.incident.status;
    return st === "reported" || st === "verified" || st === "active";
  }

  function taskButtons(task) {
    var mine = myDept && String(myDept) === String(task.department_id);
    var box = el("span", {class: "em-actions"});
    if (!(canCommand || mine) || !responding()) return box;
    if (task.status === "pending") {
      box.appendChild(button(t("emergency.js.accept"), function () {
        return CB.postJSON("/api/emergency/tasks/" + task.id + "/accept");
      }));
    }
    if (task.status === "pending" || task.status === "accepted") {
      box.appendChild(button(t("emergency.js.done_task"), function () {
        return CB.postJSON("/api/emergency/tasks/" + task.id + "/done", {result: ""});
      }));
    }
    return box;
  }

  function button(label, action) {
    var b = el("button", {type: "button", class: "em-row-btn"}, label);
    b.addEventListener("click", function () {
      b.disabled = true;
      action().then(refresh, function (err) { alert(err.message); b.disabled = false; });
    });
    return b;
  }

  function drawTasks() {
    var box = document.getElementById("tasks");
    box.textContent = "";
    if (!board.tasks_by_department.length) {
      box.appendChild(el("p", {class: "empty"}, t("emergency.js.no_tasks")));
      return;
    }
    var now = new Date(board.now);
    board.tasks_by_department.forEach(function (g) {
      var counts = Object.keys(g.counts).map(function (k) { return t("emergency.js.status." + k) + " " + g.counts[k]; });
      var card = el("div", {class: "em-dept", "data-dept": g.department}, [
        el("h3", {}, [el("span", {}, g.department_name), el("small", {}, counts.join(" · "))])]);
      var table = el("table", {class: "table compact"});
      g.tasks.forEach(function (task) {
        var due = task.deadline_at ? new Date(task.deadline_at) : null;
        var open = task.status === "pending" || task.status === "accepted";
        var late = responding() && (task.overdue || (due && due < now && open));
        table.appendChild(el("tr", {"data-task": task.id}, [
          el("td", {}, task.step_order ? String(task.step_order) : "·"),
          el("td", {}, task.title),
          el("td", {class: late ? "overdue" : ""}, due ? CB.time(task.deadline_at).slice(-8, -3) : ""),
          el("td", {}, EM.status(task.status)),
          el("td", {}, taskButtons(task))]));
      });
      card.appendChild(table);
      box.appendChild(card);
    });
  }

  /* ---- log ---- */
  function drawLog() {
    var box = document.getElementById("log");
    box.textContent = "";
    board.log.slice().reverse().forEach(function (e) {
      var item = el("li", {"data-kind": e.kind}, [el("time", {datetime: e.at}, CB.time(e.at)),
        el("span", {class: "kind"}, t("emergency.js.logkind." + e.kind)), e.text, " ",
        el("small", {class: "hint"}, e.actor_name || e.actor)]);
      if (e.photo_ref) item.appendChild(el("div", {class: "hint"}, t("emergency.js.photo") + e.photo_ref));
      box.appendChild(item);
    });
  }

  var logForm = document.getElementById("log-form");
  function syncLogForm() {
    var kind = logForm.elements.kind.value;
    document.getElementById("log-figures").hidden = kind !== "figures";
    logForm.elements.photo_ref.hidden = kind !== "photo";
  }
  logForm.elements.kind.addEventListener("change", syncLogForm);
  syncLogForm();
  // one entry per filled-in form: a double click records once (Idempotency-Key), errors beside their fields
  CB.submitOnce(logForm, async function (sub) {
    var f = new FormData(logForm);
    var body = {kind: f.get("kind"), text: f.get("text") || ""};
    if (body.kind === "figures") {
      body.figures = {};
      Object.keys(board.incident.figures).forEach(function (k) {
        var v = f.get("fig-" + k);
        if (v !== null && v !== "") body.figures[k] = Number(v);
      });
    }
    if (body.kind === "photo") body.photo_ref = f.get("photo_ref");
    var statusEl = document.getElementById("log-status");
    statusEl.textContent = t("emergency.js.working");
    try {
      await sub.post(api + "/log", body);
      statusEl.textContent = t("emergency.js.done");
      logForm.reset();
      syncLogForm();
      refresh();
    } catch (err) {
      statusEl.textContent = "";
      CB.showErrors(logForm, err, {labels: {text: t("emergency.js.field.text"),
                                            photo_ref: t("emergency.js.field.photo_ref")}});
    }
  });

  /* ---- resources: recommendation, deployments, cameras ---- */
  function drawRecommendation(rec) {
    var box = document.getElementById("recommendation");
    box.textContent = "";
    if (!rec.needs.length) {
      box.appendChild(el("p", {class: "empty"}, t("emergency.js.no_needs")));
      return;
    }
    var table = el("table", {class: "table compact"});
    rec.needs.forEach(function (n) {
      var cands = el("td", {});
      n.candidates.forEach(function (c) {
        var r = c.resource;
        var line = el("div", {}, [r.name + "（" + EM.distance(c.distance_m) +
          (c.travel_s !== null ? "，" + EM.minutes(c.travel_s) + t("emergency.js.min") : "") + "）"]);
        if (c.deployed) {
          line.appendChild(el("span", {class: "st st-dispatched"}, t("emergency.js.deployed")));
        } else if (canCommand && responding() && r.status === "available" &&
            (r.kind === "rescue_team" || r.kind === "expert")) {
          line.appendChild(button(t("emergency.js.dispatch"), function () {
            return CB.postJSON(api + "/deployments", {resource_id: r.id});
          }));
        }
        cands.appendChild(line);
      });
      table.appendChild(el("tr", {}, [el("td", {}, n.description),
        el("td", {}, n.satisfied ? "✓" : n.shortfall), cands]));
    });
    box.appendChild(table);
  }

  function drawDeployments() {
    var box = document.getElementById("deployments");
    box.textContent = "";
    if (!board.deployments.length) {
      box.appendChild(el("p", {class: "empty"}, t("emergency.js.none")));
      return;
    }
    var table = el("table", {class: "table compact"});
    board.deployments.forEach(function (d) {
      var acts = el("span", {class: "em-actions"});
      if (canCommand && responding() && d.status === "dispatched") {
        acts.appendChild(button(t("emergency.js.arrived"), function () {
          return CB.postJSON(api + "/deployments/" + d.id + "/arrive");
        }));
      }
      if (canCommand && responding() && d.status !== "released") {
        acts.appendChild(button(t("emergency.js.release"), function () {
          return CB.postJSON(api + "/deployments/" + d.id + "/release");
        }));
      }
      table.appendChild(el("tr", {}, [el("td", {}, d.resource_name), el("td", {}, EM.status(d.status)),
        el("td", {}, d.eta_seconds !== null ? t("emergency.js.eta", {m: EM.minutes(d.eta_seconds)}) : ""),
        el("td", {}, CB.time(d.arrived_at || d.dispatched_at)), el("td", {}, acts)]));
    });
    box.appendChild(table);
  }

  function drawCameras() {
    var box = document.getElementById("cameras");
    box.textContent = "";
    if (!board.cameras.length) {
      box.appendChild(el("p", {class: "empty"}, t("emergency.js.none")));
      return;
    }
    var list = el("ul", {});
    board.cameras.forEach(function (c) {
      list.appendChild(el("li", {}, [c.name + "（" + EM.distance(c.distance_m) + "，" + c.owner + "） ",
        streamLink(c.stream_url)]));
    });
    box.appendChild(list);
  }

  /* ---- response times ---- */
  var chart = echarts.init(document.getElementById("rt-chart"), "dark", {renderer: "canvas"});
  function drawTimes() {
    var ms = board.response_times.milestones;
    chart.setOption({
      backgroundColor: "transparent", animation: !still,
      grid: {left: 110, right: 30, top: 10, bottom: 30},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      xAxis: {type: "value", name: t("emergency.js.min_since_report"), nameLocation: "middle", nameGap: 22},
      yAxis: {type: "category", inverse: true, data: ms.map(function (m) { return t("emergency.js.milestone." + m.key); })},
      series: [{type: "bar", data: ms.map(function (m) {
        return m.since_report_s === null ? null : Number((m.since_report_s / 60).toFixed(1));
      }), itemStyle: {color: "#38bdf8"}, label: {show: true, position: "right"}}]
    });
  }

  /* ---- command actions ---- */
  var actions = document.getElementById("actions");
  var LABELS = {level: t("emergency.js.field.level"), reason: t("emergency.js.field.reason"),
                summary: t("emergency.js.field.summary"), note: t("emergency.js.field.reason"),
                no_second_person_reason: t("emergency.js.field.no_second_person_reason"),
                confirmed_by: t("emergency.js.field.confirmed_by"), status: t("emergency.js.field.status")};
  // the API names `summary` and `note` where the page has one reason box
  var INPUT_OF = {summary: "reason", note: "reason"};

  function levelName(v) { return v ? EM.level(v).textContent : ""; }

  /* Activation and closing are asked about first, naming the incident and the level (issue #13 item 8). */
  function confirmed(act, level) {
    var inc = board.incident;
    var what = {number: inc.number, title: inc.title, level: levelName(level)};
    if (act === "activate") return window.confirm(t("emergency.js.confirm_activate", what));
    if (act === "confirm") {
      var p = inc.pending_activation || {};
      return window.confirm(t("emergency.js.confirm_second", {number: inc.number, title: inc.title,
        level: levelName(p.response_level), by: p.by || ""}));
    }
    if (act === "close") return window.confirm(t("emergency.js.confirm_close", what));
    return true;
  }

  function showActionError(err) {
    if (err && err.body && Array.isArray(err.body.detail)) {
      err.body.detail.forEach(function (d) {
        var f = d.loc && d.loc[d.loc.length - 1];
        if (INPUT_OF[f]) d.loc = d.loc.slice(0, -1).concat([INPUT_OF[f]]);
      });
    }
    CB.showErrors(actions, err, {labels: LABELS});
  }

  if (actions) {
    actions.addEventListener("submit", function (ev) { ev.preventDefault(); });
    document.getElementById("act-level").addEventListener("change", function (ev) {
      ev.target.dataset.touched = "1";
      actions.querySelectorAll(".field-error").forEach(function (n) { n.remove(); });  // answered
      ev.target.removeAttribute("aria-invalid");
    });
    actions.addEventListener("click", async function (ev) {
      var act = ev.target.getAttribute && ev.target.getAttribute("data-act");
      if (!act) return;
      var level = document.getElementById("act-level").value;
      var reason = document.getElementById("act-reason").value;
      var alone = document.getElementById("act-alone").value.trim();
      if ((act === "activate" || act === "level") && !level) {
        showActionError(new CB.HttpError(422, "", {detail: [{loc: ["body", "level"], type: "missing", msg: ""}]}));
        return;
      }
      if (!confirmed(act, level)) return;
      var call = {
        "verify": function () { return CB.postJSON(api + "/verify", {note: reason}); },
        "activate": function () {
          var body = {level: level, note: reason};
          if (alone) body.no_second_person_reason = alone;
          return CB.postJSON(api + "/activate", body);
        },
        "confirm": function () { return CB.postJSON(api + "/activate/confirm"); },
        "level": function () { return CB.postJSON(api + "/level", {level: level, reason: reason}); },
        "stand-down": function () { return CB.postJSON(api + "/stand-down", {reason: reason}); },
        "close": function () { return CB.postJSON(api + "/close", {summary: reason}); }
      }[act];
      var statusEl = document.getElementById("act-status");
      statusEl.textContent = t("emergency.js.working");
      try {
        var out = await call();
        statusEl.textContent = out && out.pending ? t("emergency.js.pending_sent") : t("emergency.js.done");
        actions.querySelectorAll(".field-error").forEach(function (n) { n.remove(); });
        actions.querySelector(".form-error").hidden = true;
        refresh();
      } catch (err) {
        statusEl.textContent = "";
        showActionError(err);
      }
    });
  }

  /* ---- loading and live updates ---- */
  var loading = false;
  async function refresh() {
    if (loading) return;
    loading = true;
    try {
      board = await CB.getJSON(api + "/board");
      drawHeader();
      drawMap();
      drawTasks();
      drawLog();
      drawDeployments();
      drawCameras();
      drawTimes();
      if (board.incident.lon !== null) {
        CB.getJSON(api + "/recommendation").then(drawRecommendation, function () {});
      }
      document.getElementById("map-status").textContent = t("emergency.js.updated", {at: CB.time(board.now)});
    } catch (err) {
      document.getElementById("map-status").textContent = err.message || String(err);
    } finally {
      loading = false;
    }
  }

  var pending = null;
  function soon() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; refresh(); }, 400);
  }

  var TOPICS = ["IncidentVerified", "IncidentActivated", "IncidentLevelChanged", "IncidentStoodDown",
    "IncidentClosed", "IncidentLogged", "IncidentTaskChanged", "ResourceDeployed"];
  if (window.EventSource) {
    var feed = new EventSource("/api/feed?topics=" + TOPICS.join(","));
    TOPICS.forEach(function (topic) {
      feed.addEventListener(topic, function (msg) {
        try {
          var p = JSON.parse(msg.data);
          if (String(p.incident_id) === String(id)) soon();
        } catch (e) { /* not ours */ }
      });
    });
  }
  window.addEventListener("resize", function () { chart.resize(); });
  refresh();
})();
