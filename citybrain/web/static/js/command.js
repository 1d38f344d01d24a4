/* The command-centre page: the district map (Leaflet, our own GeoJSON, no base tiles), the area
 * statistics and the grids-per-street chart (ECharts), and — for duty officers — the outbox and the
 * channel log. Every request goes to this server. */
(function () {
  "use strict";

  var t = CB.t;
  var el = CB.el;

  /* ---- clock (Beijing time) ------------------------------------------------------------------- */
  var clock = document.getElementById("clock");
  if (clock) {
    var clockFormat = new Intl.DateTimeFormat(CB.lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", weekday: "short",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
    var tick = function () { clock.textContent = clockFormat.format(new Date()); };
    tick();
    setInterval(tick, 1000);
  }

  /* ---- the map -------------------------------------------------------------------------------- */
  var LEVELS = [
    {level: "district", simplify: 50, optional: true},
    {level: "street", simplify: 20},
    {level: "community", simplify: 10},
    {level: "grid", simplify: 5}
  ];
  var STREET_COLOURS = ["#38bdf8", "#34d399", "#fbbf24", "#f472b6", "#a78bfa", "#fb923c", "#2dd4bf",
    "#60a5fa", "#facc15", "#4ade80", "#f87171", "#c084fc"];
  var GOVERNED = {street: "#38bdf8", community: "#c4b5fd", grid: "#22d3ee"};
  var EXTERNAL = "#94a3b8";
  var SELECTED = "#f59e0b";

  var mapEl = document.getElementById("map");
  var statusEl = document.getElementById("map-status");
  // people who ask for less motion get none (and screenshots taken by the tests are then stable)
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(mapEl, {attributionControl: false, zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 7, maxZoom: 18,
    fadeAnimation: !still, zoomAnimation: !still, markerZoomAnimation: !still});
  map.setView([30.45, 103.98], 10);

  var byCode = {};
  var layers = {};
  var selected = null;

  function levelLabel(level) { return t("web.js.layer." + level); }

  function isGoverned(p) { return p.managed_by_district !== false; }

  function styleFor(level, p, index) {
    var governed = isGoverned(p);
    var cls = "area area-" + level + (governed ? "" : " area-external");
    if (level === "district") {
      return {color: "#e2e8f0", weight: 2.5, opacity: 0.9, fill: false, interactive: false, className: cls};
    }
    if (level === "street") {
      return governed
        ? {color: GOVERNED.street, weight: 2.2, opacity: 0.95, fillColor: STREET_COLOURS[index % STREET_COLOURS.length],
          fillOpacity: 0.16, className: cls}
        : {color: EXTERNAL, weight: 1.4, opacity: 0.9, dashArray: "6 4", fillColor: "url(#cb-hatch)",
          fillOpacity: 1, className: cls};
    }
    if (level === "community") {
      return {color: governed ? GOVERNED.community : EXTERNAL, weight: 1, opacity: 0.7, fillOpacity: 0,
        className: cls};
    }
    return {color: governed ? GOVERNED.grid : EXTERNAL, weight: 0.6, opacity: 0.6,
      fillColor: governed ? GOVERNED.grid : EXTERNAL, fillOpacity: 0.04, className: cls};
  }

  function row(rows, label, value) {
    rows.appendChild(el("span", {class: "k"}, label));
    rows.appendChild(el("span", {class: "v"}, value));
  }

  function popupFor(p) {
    var box = el("div", {class: "area-popup", "data-code": p.code});
    box.appendChild(el("div", {class: "popup-title"}, [
      el("strong", {class: "popup-name"}, p.name), " ", el("span", {class: "tag"}, levelLabel(p.level))
    ]));
    var rows = box.appendChild(el("div", {class: "popup-rows"}));
    row(rows, t("web.js.popup.code"), p.code);
    var parent = byCode[p.parent_code];
    if (p.level === "grid" && parent) {
      row(rows, t("web.js.popup.community"), parent.name);
      parent = byCode[parent.parent_code];
    }
    if ((p.level === "grid" || p.level === "community") && parent) {
      row(rows, t("web.js.popup.street"), parent.name);
    }
    if (p.households !== null && p.households !== undefined) {
      row(rows, t("web.js.popup.households"), CB.number(p.households));
    }
    if (!isGoverned(p)) {
      box.appendChild(el("div", {class: "popup-external"}, t("web.js.managed_by", {name: p.managed_by})));
    }
    if (p.synthetic) {
      box.appendChild(el("div", {class: "popup-synthetic"}, t("web.js.popup.synthetic")));
    }
    return box;
  }

  function select(layer) {
    if (selected && selected !== layer && selected._cbLayer) {
      selected._cbLayer.resetStyle(selected);
    }
    selected = layer;
    layer.setStyle({color: SELECTED, weight: 2.5, opacity: 1});
    layer.bringToFront();
  }

  function buildLayer(spec, data) {
    // a fixed colour per governed street, in code order, so re-styling never changes it
    var colourIndex = {};
    data.features.map(function (f) { return f.properties.code; }).sort()
      .forEach(function (code, i) { colourIndex[code] = i; });
    var group = L.geoJSON(data, {
      style: function (f) { return styleFor(spec.level, f.properties, colourIndex[f.properties.code] || 0); },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer._cbLayer = null;
        layer.on("add", function () {
          var node = layer.getElement();
          if (node) {
            node.setAttribute("data-code", p.code);
            node.setAttribute("data-name", p.name);
          }
        });
        if (spec.level === "district") return;
        layer.bindPopup(function () { return popupFor(p); }, {maxWidth: 280, className: "cb-popup"});
        layer.on("click", function () { select(layer); });
        if (spec.level === "grid") {
          layer.on("mouseover", function () { if (layer !== selected) layer.setStyle({fillOpacity: 0.3}); });
          layer.on("mouseout", function () { if (layer !== selected) group.resetStyle(layer); });
        }
        if (spec.level === "street") {
          layer.bindTooltip(el("span", {}, p.name), {permanent: true, direction: "center",
            className: "street-label" + (isGoverned(p) ? "" : " external")});
        }
      }
    });
    group.eachLayer(function (l) { l._cbLayer = group; });
    return group;
  }

  function legend(features) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var box = el("div", {class: "legend", id: "legend"});
      box.appendChild(el("div", {class: "legend-title"}, t("web.js.legend.title")));
      var item = function (swatchClass, text) {
        box.appendChild(el("div", {class: "legend-item"}, [el("span", {class: "swatch " + swatchClass}), text]));
      };
      item("sw-governed", t("web.js.legend.governed"));
      var managers = [];
      features.street.forEach(function (f) {
        var p = f.properties;
        if (!isGoverned(p) && managers.indexOf(p.managed_by) < 0) managers.push(p.managed_by);
      });
      managers.forEach(function (m) { item("sw-external", t("web.js.managed_by", {name: m})); });
      item("sw-community", t("web.js.legend.community"));
      item("sw-grid", t("web.js.legend.grid"));
      var synthetic = ["street", "community", "grid"].some(function (level) {
        return features[level].some(function (f) { return f.properties.synthetic; });
      });
      if (synthetic) box.appendChild(el("p", {class: "legend-note synthetic-note"}, t("web.js.legend.synthetic")));
      var district = features.district[0];
      if (district && !district.properties.synthetic) {
        box.appendChild(el("p", {class: "legend-note"}, t("web.js.legend.real")));
      }
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function stats(features) {
    var box = document.getElementById("stats");
    if (!box) return;
    var streets = features.street;
    var governed = streets.filter(function (f) { return isGoverned(f.properties); }).length;
    var households = features.grid.reduce(function (sum, f) { return sum + (f.properties.households || 0); }, 0);
    var card = function (cls, label, value, note) {
      box.appendChild(el("div", {class: "stat " + cls}, [
        el("div", {class: "stat-value"}, CB.number(value)), el("div", {class: "stat-label"}, label),
        note ? el("div", {class: "stat-note"}, note) : null
      ]));
    };
    box.textContent = "";
    card("stat-streets", t("web.js.stats.streets"), streets.length, t("web.js.stats.governed", {n: governed}));
    card("stat-communities", t("web.js.stats.communities"), features.community.length);
    card("stat-grids", t("web.js.stats.grids"), features.grid.length);
    card("stat-households", t("web.js.stats.households"), households);
  }

  function chart(features) {
    var box = document.getElementById("grid-chart");
    if (!box || typeof echarts === "undefined") return;
    var streets = features.street.filter(function (f) { return isGoverned(f.properties); })
      .map(function (f) { return f.properties; })
      .sort(function (a, b) { return a.code < b.code ? -1 : 1; });
    var grids = {};
    var households = {};
    features.grid.forEach(function (f) {
      var street = f.properties.code.slice(0, 9);
      grids[street] = (grids[street] || 0) + 1;
      households[street] = (households[street] || 0) + (f.properties.households || 0);
    });
    var names = streets.map(function (s) { return s.name; }).reverse();
    var counts = streets.map(function (s) { return grids[s.code] || 0; }).reverse();
    var homes = streets.map(function (s) { return households[s.code] || 0; }).reverse();
    var encode = echarts.format.encodeHTML;
    var instance = echarts.init(box, "dark", {renderer: "canvas"});
    instance.on("finished", function () { box.setAttribute("data-rendered", "true"); });
    instance.setOption({
      backgroundColor: "transparent",
      animation: !still,
      textStyle: {fontFamily: getComputedStyle(document.body).fontFamily},
      grid: {left: 8, right: 36, top: 8, bottom: 8, containLabel: true},
      tooltip: {
        trigger: "axis", axisPointer: {type: "shadow"},
        formatter: function (items) {
          var i = items[0].dataIndex;
          return encode(names[i]) + "<br>" + encode(t("web.js.chart.grids")) + "：" + CB.number(counts[i]) +
            "<br>" + encode(t("web.js.chart.households")) + "：" + CB.number(homes[i]);
        }
      },
      xAxis: {type: "value", splitLine: {lineStyle: {color: "rgba(148,163,184,0.15)"}}},
      yAxis: {type: "category", data: names, axisTick: {show: false}},
      series: [{
        name: t("web.js.chart.grids"), type: "bar", data: counts, barMaxWidth: 14,
        itemStyle: {color: new echarts.graphic.LinearGradient(0, 0, 1, 0,
          [{offset: 0, color: "#0ea5e9"}, {offset: 1, color: "#22d3ee"}]), borderRadius: [0, 3, 3, 0]},
        label: {show: true, position: "right", color: "#e2e8f0"}
      }]
    });
    window.addEventListener("resize", function () { instance.resize(); });
  }

  async function loadMap() {
    statusEl.textContent = t("web.js.loading");
    var results = await Promise.all(LEVELS.map(function (spec) {
      return CB.getJSON("/api/geography/" + spec.level + ".geojson?simplify=" + spec.simplify)
        .then(function (data) { return {spec: spec, data: data}; })
        .catch(function (err) { return {spec: spec, error: err}; });
    }));
    var features = {};
    var failed = [];
    results.forEach(function (r) {
      features[r.spec.level] = r.data && r.data.features ? r.data.features : [];
      if (r.error && !r.spec.optional) failed.push(levelLabel(r.spec.level) + " (" + r.error.message + ")");
      features[r.spec.level].forEach(function (f) { byCode[f.properties.code] = f.properties; });
    });
    var overlays = {};
    results.forEach(function (r) {
      if (!r.data) return;
      var group = buildLayer(r.spec, r.data);
      layers[r.spec.level] = group;
      group.addTo(map);
      if (r.spec.level !== "district") overlays[levelLabel(r.spec.level)] = group;
    });
    // on a phone the layer switch folds into its button, so the map stays visible
    var control = L.control.layers(null, overlays, {collapsed: mapEl.clientWidth < 560, position: "topright"}).addTo(map);
    loadEvents(control);
    var frame = layers.street || layers.district;
    if (frame && frame.getLayers().length) {
      map.fitBounds(frame.getBounds(), {padding: [12, 12]});
      // the window turned or resized: the district fits again, unless the user has moved the map
      var moved = false;
      map.on("dragstart", function () { moved = true; });
      if (window.ResizeObserver) {
        new ResizeObserver(function () {
          map.invalidateSize();
          if (!moved) map.fitBounds(frame.getBounds(), {padding: [12, 12]});
        }).observe(mapEl);
      }
    }
    legend(features);
    stats(features);
    chart(features);
    if (failed.length) {
      statusEl.textContent = t("web.js.load_failed", {what: failed.join("; ")});
      statusEl.className = "status error";
    } else if (!features.street.length) {
      statusEl.textContent = t("web.js.no_geography");
    } else {
      statusEl.textContent = "";
    }
    mapEl.setAttribute("data-loaded", "true");
  }

  /* ---- open events (the event hub's layer), refreshed every 30 s ---------------------------------- */
  var eventsLayer = null;

  function eventPopup(p) {
    var rows = el("div", {class: "popup"}, [
      el("strong", null, p.number + " · " + (p.category_name || p.category_code)),
      el("div", null, p.status_name + (p.overdue ? " · " + t("web.js.event.overdue") : "")),
      el("div", null, p.street_name || ""),
      el("a", {href: "/events/" + p.id}, t("web.js.event.open"))
    ]);
    return rows;
  }

  async function loadEvents(control) {
    var data;
    try {
      data = await CB.getJSON("/api/events/geojson?days=365");
    } catch (err) {
      return;  // a role without the event hub sees the map without this layer
    }
    var fresh = L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        var colour = p.overdue ? "#ef4444" : (p.priority === "urgent" ? "#f97316" : "#facc15");
        return L.circleMarker(latlng, {radius: 5, color: "#0f172a", weight: 1, fillColor: colour,
          fillOpacity: 0.9, className: "event-marker"});
      },
      onEachFeature: function (f, layer) { layer.bindPopup(function () { return eventPopup(f.properties); }); }
    });
    if (eventsLayer) {
      control.removeLayer(eventsLayer);
      map.removeLayer(eventsLayer);
    }
    eventsLayer = fresh.addTo(map);
    control.addOverlay(eventsLayer, t("web.js.layer.events") + " (" + data.features.length + ")");
    mapEl.setAttribute("data-events", String(data.features.length));
    setTimeout(function () { loadEvents(control); }, 30000);
  }

  /* ---- outbox and channel log (duty officers) ------------------------------------------------- */
  function table(headers, rows) {
    if (!rows.length) return el("p", {class: "empty"}, t("web.js.empty"));
    return el("table", {class: "table compact"}, [
      el("thead", null, el("tr", null, headers.map(function (h) { return el("th", {scope: "col"}, h); }))),
      el("tbody", null, rows.map(function (cells) {
        return el("tr", null, cells.map(function (c) { return el("td", null, c); }));
      }))
    ]);
  }

  /* the freshest heartbeat says whether a worker drains the outbox (alive: beat within 3 loop periods) */
  function workerStatus(workers) {
    var live = workers.filter(function (w) { return w.alive; });
    var badge;
    if (live.length) {
      badge = el("span", {class: "badge status-sent"}, t("web.js.worker.alive") + (live.length > 1 ? " ×" + live.length : ""));
    } else if (workers.length) {
      badge = el("span", {class: "badge status-dead", title: workers[0].last_error || ""},
        t("web.js.worker.stopped", {since: CB.time(workers[0].beat_at)}));
    } else {
      badge = el("span", {class: "badge status-dead"}, t("web.js.worker.none"));
    }
    return [t("web.js.worker.label"), badge];
  }

  async function loadOutbox() {
    var outboxBox = document.getElementById("outbox");
    var logBox = document.getElementById("channel-log");
    var workerBox = document.getElementById("worker-status");
    if (!outboxBox) return;
    try {
      // lists answer one page: {items, page, size, total}; the counts per state are their own endpoint
      if (workerBox) workerBox.replaceChildren.apply(workerBox, workerStatus((await CB.getJSON("/api/workers")).items));
      var data = await CB.getJSON("/api/outbox?size=12");
      var tally = await CB.getJSON("/api/outbox/counts");
      var log = await CB.getJSON("/api/channel-log?size=8");
      var counts = el("div", {class: "counts"}, ["pending", "sending", "sent", "dead"].map(function (s) {
        return el("span", {class: "badge status-" + s},
          [t("web.js.outbox." + s), " ", el("b", null, String(tally[s] || 0))]);
      }));
      outboxBox.replaceChildren(counts, table(
        [t("web.js.outbox.time"), t("web.js.outbox.channel"), t("web.js.outbox.recipient"),
          t("web.js.outbox.subject"), t("web.js.outbox.status")],
        data.items.map(function (m) {
          return [el("time", {datetime: m.created_at, title: CB.time(m.created_at)}, CB.shortTime(m.created_at)),
            m.channel, m.recipient, m.subject,
            el("span", {class: "badge status-" + m.status}, t("web.js.outbox." + m.status))];
        })));
      logBox.replaceChildren(table(
        [t("web.js.outbox.time"), t("web.js.outbox.recipient"), t("web.js.outbox.subject")],
        log.items.map(function (r) {
          return [el("time", {datetime: r.logged_at, title: CB.time(r.logged_at)}, CB.shortTime(r.logged_at)),
            r.recipient, r.subject];
        })));
    } catch (err) {
      outboxBox.replaceChildren(el("p", {class: "status error"}, t("web.js.load_failed", {what: err.message})));
    }
  }

  loadMap().catch(function (err) {
    statusEl.textContent = t("web.js.load_failed", {what: err.message});
    statusEl.className = "status error";
  });
  loadOutbox();
  setInterval(loadOutbox, 15000);

  window.cbCommand = {map: map, layers: layers};
})();
