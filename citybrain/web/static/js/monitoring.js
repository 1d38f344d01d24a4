/* The monitoring page: sensors on the map coloured by state, a sensor's last 24 hours (raw or roll-ups)
 * with its thresholds and, for water levels and rain gauges, the next 3 hours' forecast band (ECharts),
 * the alarm console (acknowledge, clear, link to the event). Live through /api/feed (server-sent events:
 * AlarmFired, AlarmAcknowledged, AlarmCleared); the sensors' readings are re-read every options.refresh_s. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var options = JSON.parse(document.getElementById("monitoring-options").textContent);
  var COLOURS = {ok: "#2e7d32", alarm: "#c62828", silent: "#757575", no_data: "#bdbdbd"};
  var LEVEL = {red: "#c62828", orange: "#ef6c00", yellow: "#f9a825", blue: "#1565c0"};
  var map = L.map("mon-map").setView([30.52, 103.97], 11);
  var layer = L.layerGroup().addTo(map);
  var chart = echarts.init(document.getElementById("mon-chart"));
  var status = document.getElementById("mon-status");
  var fitted = false, current = null;

  async function allItems(url) {
    var out = [];
    for (var page = 1; ; page++) {
      var p = await CB.getJSON(url + (url.indexOf("?") >= 0 ? "&" : "?") + "size=500&page=" + page);
      out = out.concat(p.items);
      if (!p.items.length || out.length >= p.total) return out;
    }
  }

  function drawSensors(items) {
    layer.clearLayers();
    var bounds = [];
    items.forEach(function (s) {
      if (s.lat === null || s.lon === null) return;
      var m = L.circleMarker([s.lat, s.lon], {radius: 6, weight: 1, color: "#fff", fillOpacity: 0.9,
        fillColor: COLOURS[s.state] || "#999"});
      m.bindTooltip(s.name + " · " + t("monitoring.js.state." + s.state));
      m.on("click", function () { showSensor(s); });
      m.addTo(layer);
      bounds.push([s.lat, s.lon]);
    });
    if (!fitted && bounds.length) { map.fitBounds(bounds, {padding: [20, 20], maxZoom: 15}); fitted = true; }
    var box = document.getElementById("mon-map");
    box.dataset.sensors = String(bounds.length);
    box.dataset.alarmed = String(items.filter(function (s) { return s.state === "alarm"; }).length);
  }

  var resolution = document.getElementById("mon-resolution");
  resolution.addEventListener("change", function () { if (current) showSensor(current); });

  async function showSensor(s) {
    current = s;
    var info = document.getElementById("mon-sensor");
    info.textContent = s.name + (s.last ? " · " + t("monitoring.js.last", {value: s.last.value, unit: s.unit,
      time: CB.shortTime(s.last.time)}) : "");
    var code = encodeURIComponent(s.code);
    var res = resolution.value;
    var got = await Promise.all([CB.getJSON("/api/monitoring/sensors/" + code + "/series?resolution=" + res),
      (s.type === "water_level" || s.type === "rainfall") ? CB.getJSON("/api/monitoring/sensors/" + code + "/forecast")
        : Promise.resolve({points: []})]);
    var data = got[0], fc = got[1].points;
    var lines = data.thresholds.map(function (r) {
      return {yAxis: r.threshold, name: r.name, lineStyle: {color: LEVEL[r.level] || "#999", type: "dashed"}};
    });
    var series = [{type: "line", showSymbol: data.points.length < 50, name: res === "raw" ? s.name : t("monitoring.js.avg"),
      data: data.points.map(function (p) { return [p.time, p.value]; }),
      markLine: {symbol: "none", data: lines, label: {formatter: "{b}"}}}];
    if (res !== "raw") {  /* roll-ups: min and max as a band under the average */
      series.push({type: "line", showSymbol: false, stack: "mm", lineStyle: {opacity: 0}, name: t("monitoring.js.minmax"),
        data: data.points.map(function (p) { return [p.time, p.min]; })});
      series.push({type: "line", showSymbol: false, stack: "mm", lineStyle: {opacity: 0}, areaStyle: {opacity: 0.2},
        name: t("monitoring.js.minmax"), data: data.points.map(function (p) { return [p.time, p.max - p.min]; })});
    }
    if (fc.length) {
      series.push({type: "line", showSymbol: false, name: t("monitoring.js.forecast"), lineStyle: {type: "dotted"},
        data: fc.map(function (p) { return [p.time, p.value]; })});
      series.push({type: "line", showSymbol: false, stack: "band", lineStyle: {opacity: 0}, name: t("monitoring.js.band"),
        data: fc.map(function (p) { return [p.time, p.low]; })});
      series.push({type: "line", showSymbol: false, stack: "band", lineStyle: {opacity: 0}, areaStyle: {opacity: 0.25},
        name: t("monitoring.js.band"), data: fc.map(function (p) { return [p.time, p.high - p.low]; })});
    }
    chart.setOption({
      tooltip: {trigger: "axis"}, grid: {left: 48, right: 16, top: 24, bottom: 32},
      xAxis: {type: "time"}, yAxis: {type: "value", name: data.unit, scale: true}, series: series
    }, true);
    document.getElementById("mon-chart").dataset.rendered = "true";
  }

  function drawAlarms(items) {
    var list = document.getElementById("mon-alarms");
    list.dataset.count = String(items.length);
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", {}, t("monitoring.js.no_alarms"))); return; }
    items.forEach(function (a) {
      var actions = el("span", {});
      (options.can_handle ? a.actions : []).forEach(function (action) {
        var b = el("button", {type: "button"}, t("monitoring.js." + action));
        b.addEventListener("click", async function () {
          b.disabled = true;
          try { await CB.postJSON("/api/monitoring/alarms/" + a.id + "/" + action, {}); }
          catch (e) { status.textContent = e.message; }
          refreshAlarms();
        });
        actions.appendChild(b);
      });
      var link = a.event_id ? el("a", {href: "/events/" + a.event_id}, t("monitoring.js.event", {id: a.event_id})) : null;
      list.appendChild(el("li", {"data-alarm": String(a.id), style: "border-left: 4px solid " + (LEVEL[a.level] || "#999") + "; padding-left: 6px"}, [
        el("div", {}, a.title),
        el("small", {}, CB.shortTime(a.raised_at) + " · " + t("monitoring.js.status." + a.status) + " "),
        link, actions]));
    });
  }

  /* the 人联网 picture: environmental complaints beside the nearest sensors; attach one as evidence */
  async function refreshComplaints() {
    var list = document.getElementById("mon-env");
    var items;
    try { items = await CB.getJSON("/api/monitoring/environment/complaints?days=7&limit=20"); }
    catch (e) { return; }
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", {}, t("monitoring.js.no_complaints"))); return; }
    items.forEach(function (c) {
      var sensors = el("ul", {});
      c.sensors.forEach(function (s) {
        var at = s.at_complaint ? t("monitoring.js.at_complaint", {value: s.at_complaint.value, unit: s.unit})
          : t("monitoring.js.no_reading");
        var attached = c.evidence.indexOf("monitoring.sensor:" + s.code) >= 0;
        var b = el("button", {type: "button"}, t(attached ? "monitoring.js.attached" : "monitoring.js.attach"));
        b.disabled = attached;
        b.addEventListener("click", async function () {
          b.disabled = true;
          try {
            await CB.postJSON("/api/monitoring/environment/complaints/" + c.event_id + "/evidence", {sensor: s.code});
            b.textContent = t("monitoring.js.attached");
          } catch (e) { b.disabled = false; status.textContent = CB.errorMessages(e).map(function (m) { return m.text; }).join(" "); }
        });
        sensors.appendChild(el("li", {}, [s.name + " · " + t("monitoring.js.distance", {m: s.distance_m}) + " · " + at + " ", b]));
      });
      list.appendChild(el("li", {}, [
        el("div", {}, [el("a", {href: "/events/" + c.event_id}, c.category + " " + c.number), " " + c.address]),
        el("small", {}, CB.shortTime(c.reported_at) + " · " + c.description),
        c.sensors.length ? sensors : el("small", {}, " · " + t("monitoring.js.no_sensor_near"))]));
    });
  }

  async function refreshAlarms() {
    try { drawAlarms((await CB.getJSON("/api/monitoring/alarms?status=open&size=100")).items); }
    catch (e) { status.textContent = e.message; }
  }

  var notice = "";  /* the last live alarm, kept across refreshes */
  async function refresh() {
    try {
      var res = await Promise.all([allItems("/api/monitoring/sensors"),
        CB.getJSON("/api/monitoring/alarms?status=open&size=100")]);
      drawSensors(res[0]);
      drawAlarms(res[1].items);
      if (current) {
        var again = res[0].filter(function (s) { return s.code === current.code; })[0];
        if (again) showSensor(again);
      }
      document.getElementById("mon-updated").textContent = t("monitoring.js.updated",
        {time: CB.shortTime(new Date().toISOString()), s: options.refresh_s});
      status.textContent = notice || (current ? "" : t("monitoring.js.pick"));
      refreshComplaints();
    } catch (e) {
      status.textContent = e.message;
    }
  }

  refresh();
  setInterval(refresh, (options.refresh_s || 60) * 1000);

  /* live: an alarm fired, acknowledged or cleared anywhere (any ingester writes to the shared feed) */
  if (window.EventSource) {
    var pending = null, lastFeed = 0;
    var liveNote = document.getElementById("mon-live");
    var feed = new EventSource("/api/feed?topics=AlarmFired,AlarmAcknowledged,AlarmCleared");
    feed.onopen = function () { liveNote.textContent = t("monitoring.js.live"); liveNote.dataset.live = "on"; };
    feed.onerror = function () {
      liveNote.textContent = t("monitoring.js.live_off", {s: options.refresh_s});
      liveNote.dataset.live = "off";
    };
    ["AlarmFired", "AlarmAcknowledged", "AlarmCleared"].forEach(function (topic) {
      feed.addEventListener(topic, function (ev) {
        lastFeed = Number(ev.lastEventId) || lastFeed;
        if (topic === "AlarmFired") {
          try { notice = status.textContent = t("monitoring.js.new_alarm", {title: JSON.parse(ev.data).title}); }
          catch (e) { /* keep the last notice */ }
        }
        if (pending) clearTimeout(pending);
        pending = setTimeout(refresh, 300);  /* the alarms, the sensors' colours, the open chart */
      });
    });
  }
})();
