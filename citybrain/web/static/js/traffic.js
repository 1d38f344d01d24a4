/* The traffic page: signalised intersections (plan in force, latest recommendation), road segments
 * coloured by congestion level, car parks by shared-space availability, on our own street outlines (no
 * base tiles); congestion and parking charts per street (ECharts); a request for a shared parking space
 * near a point clicked on the map. Data: /api/traffic/map and /api/traffic/signals, re-read every
 * options.refresh_s seconds; /api/geography/street.geojson once. Every request goes to this server. */
(function () {
  "use strict";

  var t = CB.t;
  var el = CB.el;
  var options = JSON.parse(document.getElementById("traffic-options").textContent || "{}");
  var LEVELS = options.levels || [];
  // Chinese traffic-map convention: green, yellow, red, dark red; grey when no report in the window
  var COLOUR = {smooth: "#22c55e", slow: "#facc15", congested: "#ef4444", severe: "#9f1239", none: "#64748b"};
  var PARK = {good: "#22c55e", tight: "#f59e0b", full: "#ef4444", closed: "#64748b"};
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var mapEl = document.getElementById("traffic-map");
  var statusEl = document.getElementById("map-status");
  function status(text, isError) {
    statusEl.textContent = text || "";
    statusEl.className = "status" + (isError ? " error" : "");
  }

  /* ---- formatting ------------------------------------------------------------------------------ */
  function levelName(level) { return t("traffic.js.level." + (level || "none")); }
  function fixed(x, n) { return x === null || x === undefined ? "–" : Number(x).toFixed(n); }
  var DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

  function days(list) {
    var d = (list || [0, 1, 2, 3, 4, 5, 6]).slice().sort();
    if (d.length === 7) return t("traffic.js.days.all");
    var run = d.every(function (x, i) { return i === 0 || x === d[i - 1] + 1; });
    if (run && d.length >= 3) {
      return t("traffic.js.days.range", {from: t("traffic.js.day." + DAY_KEYS[d[0]]),
        to: t("traffic.js.day." + DAY_KEYS[d[d.length - 1]])});
    }
    return d.map(function (x) { return t("traffic.js.day." + DAY_KEYS[x]); }).join(t("traffic.js.list_sep"));
  }

  function hours(h) {
    if (!h || !Object.keys(h).length) return t("traffic.js.hours.always");
    var open = h.open || "00:00";
    var close = h.close || "24:00";
    var span;
    if (open === close || (open === "00:00" && close === "24:00")) span = t("traffic.js.hours.all_day");
    else if (close < open) span = t("traffic.js.hours.overnight", {open: open, close: close});
    else span = open + "–" + close;
    return days(h.days) + " " + span;
  }

  function chip(level) {
    return el("span", {class: "level-chip lv-" + (level || "none"), style: "background:" + COLOUR[level || "none"]},
      levelName(level));
  }

  function statusChip(prefix, st) {
    return el("span", {class: "st-chip st-" + st, "data-status": st}, t(prefix + st));
  }

  function rows(pairs) {
    var box = el("div", {class: "popup-rows"});
    pairs.forEach(function (p) {
      if (p === null) return;
      box.appendChild(el("span", {class: "k"}, p[0]));
      box.appendChild(el("span", {class: "v"}, p[1]));
    });
    return box;
  }

  /* ---- the map --------------------------------------------------------------------------------- */
  var map = L.map(mapEl, {attributionControl: false, zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 9, maxZoom: 18,
    fadeAnimation: !still, zoomAnimation: !still, markerZoomAnimation: !still});
  map.setView([30.565, 103.945], 13);

  var streetNames = {};
  var streetsLayer = L.geoJSON(null, {
    interactive: false,
    style: function (f) {
      var governed = f.properties.managed_by_district !== false;
      return {color: governed ? "#38bdf8" : "#94a3b8", weight: 1.2, opacity: 0.55, dashArray: governed ? null : "5 4",
        fillColor: "#38bdf8", fillOpacity: governed ? 0.035 : 0, className: "tf-street"};
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(el("span", {}, f.properties.name), {permanent: true, direction: "center", className: "street-label tf-street-label",
        interactive: false});
    }
  });
  var segmentsLayer = L.layerGroup();
  var signalsLayer = L.layerGroup();
  var parksLayer = L.layerGroup();
  var destLayer = L.layerGroup().addTo(map);

  function streetName(code) {
    if (!code) return t("traffic.js.no_street");
    return streetNames[code] || code;
  }

  /* an open popup survives the periodic redraw: remember which feature it was, reopen it on the new one */
  var openKey = null;
  var byKey = {};
  map.on("popupopen", function (e) { openKey = e.popup._source ? e.popup._source._tfKey || null : null; });
  map.on("popupclose", function () { openKey = null; });

  function keep(layer, key, attrs) {
    layer._tfKey = key;
    byKey[key] = layer;
    layer.on("add", function () {
      var node = layer.getElement ? layer.getElement() : null;
      if (!node) return;
      Object.keys(attrs).forEach(function (k) { node.setAttribute("data-" + k, attrs[k]); });
    });
    return layer;
  }

  /* segments coloured by level */
  function segmentPopup(p) {
    var box = el("div", {class: "tf-popup"});
    box.appendChild(el("div", {class: "popup-title"}, [el("strong", {}, p.name), " ", chip(p.level)]));
    box.appendChild(rows([
      [t("traffic.js.code"), p.code],
      [t("traffic.js.street"), streetName(p.street_code)],
      [t("traffic.js.tti"), p.tti === null ? t("traffic.js.no_reports") : fixed(p.tti, 2)],
      [t("traffic.js.speed"), p.speed_kmh === null ? "–" : fixed(p.speed_kmh, 1) + " km/h"],
      [t("traffic.js.free_speed"), fixed(p.free_speed_kmh, 0) + " km/h"],
      [t("traffic.js.length"), CB.number(Math.round(p.length_m)) + " m"],
      [t("traffic.js.samples"), CB.number(p.samples)]
    ]));
    return box;
  }

  function drawSegments(fc) {
    segmentsLayer.clearLayers();
    fc.features.forEach(function (f) {
      var p = f.properties;
      var level = p.level || "none";
      var latlngs = f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
      var line = L.polyline(latlngs, {color: COLOUR[level], weight: level === "none" ? 4 : 6, opacity: 0.95,
        lineCap: "round", dashArray: level === "none" ? "4 6" : null, bubblingMouseEvents: false,
        className: "tf-seg tf-seg-" + level});
      line.bindPopup(function () { return segmentPopup(p); }, {className: "cb-popup", maxWidth: 300});
      // names are data: a text node, never markup
      line.bindTooltip(el("span", {}, p.name + " · " + levelName(p.level) + (p.tti === null ? "" : " · TTI " + fixed(p.tti, 2))),
        {sticky: true});
      keep(line, "seg:" + p.code, {code: p.code, level: level});
      segmentsLayer.addLayer(line);
    });
  }

  /* intersections: a signal icon, a popup with the plan in force and the latest recommendation */
  var signalInfo = {};

  function planText(plan) {
    if (!plan || !plan.greens) return t("traffic.js.no_plan");
    return t("traffic.js.plan_line", {cycle: fixed(plan.cycle, 0),
      greens: plan.greens.map(function (g) { return fixed(g, 0); }).join(" / "),
      yellow: fixed(plan.yellow, 0)});
  }

  function signalPopup(p) {
    var info = signalInfo[p.code] || {};
    var box = el("div", {class: "tf-popup", "data-code": p.code});
    box.appendChild(el("div", {class: "popup-title"}, [el("strong", {}, p.name), " ",
      el("span", {class: "tag"}, t("traffic.js.signal"))]));
    var plan = info.plan || null;
    box.appendChild(rows([
      [t("traffic.js.code"), p.code],
      [t("traffic.js.street"), streetName(p.street_code)],
      [t("traffic.js.phases"), CB.number(p.phases)],
      [t("traffic.js.plan_in_force"), planText(plan)],
      plan && plan.source ? [t("traffic.js.plan_source"), plan.source === "registered"
        ? t("traffic.js.plan_registered") : plan.source] : null
    ]));
    var rec = info.recommendation;
    var sec = el("div", {class: "popup-section"});
    sec.appendChild(el("div", {class: "k"}, t("traffic.js.latest_rec")));
    if (!rec) {
      sec.appendChild(el("div", {class: "empty"}, t("traffic.js.no_rec")));
    } else {
      sec.appendChild(rows([
        [t("traffic.js.rec_status"), statusChip("traffic.js.rec.", rec.status)],
        [t("traffic.js.rec_plan"), planText(rec.plan)],
        [t("traffic.js.rec_by"), rec.controller + " · " + CB.shortTime(rec.created_at)],
        rec.applied_at ? [t("traffic.js.rec_applied"), CB.shortTime(rec.applied_at)]
          : (rec.pushed_at ? [t("traffic.js.rec_pushed"), CB.shortTime(rec.pushed_at)] : null)
      ]));
    }
    box.appendChild(sec);
    return box;
  }

  var signalIcons = {};
  function signalIcon(recStatus) {
    var cls = "tf-signal" + (recStatus ? " rec-" + recStatus : "");
    if (!signalIcons[cls]) {
      signalIcons[cls] = L.divIcon({className: cls, iconSize: [12, 26], iconAnchor: [6, 13], popupAnchor: [0, -12],
        html: "<span class=\"tf-signal-box\" aria-hidden=\"true\"><i></i><i></i><i></i></span>"});
    }
    return signalIcons[cls];
  }

  function drawSignals(fc) {
    signalsLayer.clearLayers();
    fc.features.forEach(function (f) {
      var p = f.properties;
      var c = f.geometry.coordinates;
      var rec = (signalInfo[p.code] || {}).recommendation;
      var marker = L.marker([c[1], c[0]], {icon: signalIcon(rec ? rec.status : null), title: p.name,
        alt: p.name, riseOnHover: true, bubblingMouseEvents: false, zIndexOffset: 500});
      marker.bindPopup(function () { return signalPopup(p); }, {className: "cb-popup", maxWidth: 340, minWidth: 240});
      keep(marker, "sig:" + p.code, {code: p.code});
      signalsLayer.addLayer(marker);
    });
  }

  /* car parks: size by shared spaces, colour by the share of them free now */
  function parkState(p) {
    if (!p.sharing_now || !p.shared_spaces) return "closed";
    var ratio = p.shared_free / p.shared_spaces;
    if (ratio <= 0) return "full";
    return ratio < 0.5 ? "tight" : "good";
  }

  function parkPopup(p) {
    var box = el("div", {class: "tf-popup", "data-code": p.code});
    box.appendChild(el("div", {class: "popup-title"}, [el("strong", {}, p.name), " ",
      el("span", {class: "tag"}, t("traffic.js.kind." + p.kind))]));
    box.appendChild(rows([
      [t("traffic.js.code"), p.code],
      p.owner ? [t("traffic.js.owner"), p.owner] : null,
      [t("traffic.js.street"), streetName(p.street_code)],
      [t("traffic.js.shared_free"), p.sharing_now
        ? t("traffic.js.free_of", {free: CB.number(p.shared_free), total: CB.number(p.shared_spaces)})
        : t("traffic.js.not_sharing_now", {total: CB.number(p.shared_spaces)})],
      [t("traffic.js.spaces_free"), t("traffic.js.free_of", {free: CB.number(p.free), total: CB.number(p.capacity)}) +
        (p.occupied_at ? " · " + CB.shortTime(p.occupied_at) : "")],
      [t("traffic.js.price"), t("traffic.js.price_value", {price: fixed(p.price_per_hour, 1)})],
      [t("traffic.js.opening"), hours(p.opening)],
      [t("traffic.js.sharing"), p.sharing && Object.keys(p.sharing).length
        ? hours(p.sharing) + " · " + t("traffic.js.max_stay", {h: fixed(p.sharing.max_hours, 0)})
        : t("traffic.js.sharing_with_opening")]
    ]));
    return box;
  }

  function drawParks(fc) {
    parksLayer.clearLayers();
    fc.features.forEach(function (f) {
      var p = f.properties;
      var c = f.geometry.coordinates;
      var state = parkState(p);
      var radius = Math.max(6, Math.min(16, 4 + Math.sqrt(p.shared_spaces || 0) * 0.8));
      var marker = L.circleMarker([c[1], c[0]], {radius: radius, color: "#e2e8f0", weight: 1.5, fillColor: PARK[state],
        fillOpacity: 0.85, bubblingMouseEvents: false, className: "tf-park tf-park-" + state});
      marker.bindPopup(function () { return parkPopup(p); }, {className: "cb-popup", maxWidth: 340, minWidth: 250});
      marker.bindTooltip(el("span", {}, [el("b", {}, "P "), p.name + " · " + (p.sharing_now
        ? t("traffic.js.free_of", {free: p.shared_free, total: p.shared_spaces}) : t("traffic.js.closed_short"))]),
      {direction: "top", offset: [0, -radius]});
      keep(marker, "park:" + p.code, {code: p.code, state: state, free: p.shared_free});
      parksLayer.addLayer(marker);
    });
  }

  /* legend and layer switcher: folded on a phone, where they would cover the map */
  var narrow = window.matchMedia("(max-width: 720px)").matches;
  var legend = L.control({position: "bottomleft"});
  legend.onAdd = function () {
    var box = el("details", {class: "legend tf-legend", id: "tf-legend", open: narrow ? null : ""},
      el("summary", {class: "legend-title tf-legend-toggle"}, t("traffic.js.legend.title")));
    var g1 = el("div", {class: "legend-group"}, el("div", {class: "legend-title"}, t("traffic.js.legend.congestion")));
    var lower = 1;
    LEVELS.forEach(function (lv) {
      var range = lv.below === null ? "TTI ≥ " + lower : "TTI " + lower + "–" + lv.below;
      g1.appendChild(el("div", {class: "legend-item", "data-level": lv.level}, [
        el("span", {class: "legend-line", style: "background:" + COLOUR[lv.level]}), levelName(lv.level),
        el("span", {class: "legend-range"}, range)]));
      if (lv.below !== null) lower = lv.below;
    });
    g1.appendChild(el("div", {class: "legend-item", "data-level": "none"}, [
      el("span", {class: "legend-line", style: "background:repeating-linear-gradient(90deg," + COLOUR.none +
        " 0 4px,transparent 4px 8px)"}), levelName(null)]));
    box.appendChild(g1);
    var g2 = el("div", {class: "legend-group"}, el("div", {class: "legend-title"}, t("traffic.js.legend.parking")));
    ["good", "tight", "full", "closed"].forEach(function (s) {
      g2.appendChild(el("div", {class: "legend-item"}, [el("span", {class: "legend-dot", style: "background:" + PARK[s]}),
        t("traffic.js.park." + s)]));
    });
    g2.appendChild(el("p", {class: "legend-note"}, t("traffic.js.legend.size")));
    box.appendChild(g2);
    box.appendChild(el("div", {class: "legend-group legend-item"}, [el("span", {class: "legend-signal"}),
      t("traffic.js.signal")]));
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  legend.addTo(map);

  var overlays = {};
  overlays[t("traffic.js.layer.segments")] = segmentsLayer;
  overlays[t("traffic.js.layer.signals")] = signalsLayer;
  overlays[t("traffic.js.layer.parks")] = parksLayer;
  overlays[t("traffic.js.layer.streets")] = streetsLayer;
  L.control.layers(null, overlays, {collapsed: narrow, position: "topright"}).addTo(map);
  streetsLayer.addTo(map);
  segmentsLayer.addTo(map);
  parksLayer.addTo(map);
  signalsLayer.addTo(map);

  /* ---- side panel: figures and charts ---------------------------------------------------------- */
  function stats(data) {
    var box = document.getElementById("tf-stats");
    var segs = data.segments.features.map(function (f) { return f.properties; });
    var reporting = segs.filter(function (p) { return p.level; });
    var jammed = reporting.filter(function (p) { return p.level === "congested" || p.level === "severe"; });
    var parks = data.car_parks.features.map(function (f) { return f.properties; });
    var sharedFree = 0;
    var sharedOpen = 0;
    var free = 0;
    var capacity = 0;
    parks.forEach(function (p) {
      if (p.sharing_now) { sharedFree += p.shared_free; sharedOpen += p.shared_spaces; }
      free += p.free;
      capacity += p.capacity;
    });
    var pushed = Object.keys(signalInfo).filter(function (k) {
      var r = signalInfo[k].recommendation;
      return r && (r.status === "pushed" || r.status === "recommended");
    }).length;
    var card = function (id, label, value, of, note) {
      return el("div", {class: "stat", id: id}, [
        el("div", {class: "stat-value"}, [CB.number(value), of === null ? null : el("small", {}, "/ " + CB.number(of))]),
        el("div", {class: "stat-label"}, label), note ? el("div", {class: "stat-note"}, note) : null]);
    };
    box.replaceChildren(
      card("stat-signals", t("traffic.js.stat.signals"), data.intersections.features.length, null,
        t("traffic.js.stat.pending", {n: pushed})),
      card("stat-jammed", t("traffic.js.stat.jammed"), jammed.length, segs.length,
        t("traffic.js.stat.reporting", {n: reporting.length})),
      card("stat-shared", t("traffic.js.stat.shared"), sharedFree, sharedOpen, t("traffic.js.stat.shared_note")),
      card("stat-free", t("traffic.js.stat.free"), free, capacity, t("traffic.js.stat.free_note"))
    );
  }

  var font = getComputedStyle(document.body).fontFamily;
  var encode = echarts.format.encodeHTML;
  function makeChart(id) {
    var box = document.getElementById(id);
    var chart = echarts.init(box, "dark", {renderer: "svg"});
    chart.on("finished", function () { box.setAttribute("data-rendered", "true"); });
    window.addEventListener("resize", function () { chart.resize(); });
    return {box: box, chart: chart};
  }
  var congestionChart = makeChart("congestion-chart");
  var parkingChart = makeChart("parking-chart");

  function emptyChart(c, text) {
    c.chart.clear();
    c.box.setAttribute("data-bars", "0");
    c.chart.setOption({backgroundColor: "transparent", title: {text: text, left: "center", top: "middle",
      textStyle: {color: "#94a3b8", fontSize: 13, fontWeight: "normal", fontFamily: font}}});
  }

  function drawCongestionChart(streets) {
    if (!streets.length) { emptyChart(congestionChart, t("traffic.js.chart.no_congestion")); return; }
    var sorted = streets.slice().sort(function (a, b) { return a.tti - b.tti; });  // worst at the top
    var names = sorted.map(function (s) { return streetName(s.street_code); });
    var top = Math.max(4.5, Math.ceil(Math.max.apply(null, sorted.map(function (s) { return s.tti; })) + 0.5));
    congestionChart.box.setAttribute("data-bars", String(sorted.length));
    congestionChart.chart.setOption({
      backgroundColor: "transparent", animation: !still, textStyle: {fontFamily: font},
      grid: {left: 8, right: 96, top: 8, bottom: 24, containLabel: true},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, formatter: function (items) {
        var s = sorted[items[0].dataIndex];
        return encode(names[items[0].dataIndex]) + "<br>TTI " + fixed(s.tti, 2) + " · " + encode(levelName(s.level)) +
          "<br>" + encode(t("traffic.js.chart.coverage", {n: s.segments, pct: Math.round(s.coverage * 100)})) +
          "<br>" + encode(t("traffic.js.length")) + " " + CB.number(Math.round(s.length_m)) + " m";
      }},
      // from 0, not from 1 (free flow): an axis starting above a value would draw it as a bar the wrong way
      xAxis: {type: "value", min: 0, max: top, name: "TTI", nameGap: 6, nameTextStyle: {color: "#94a3b8"},
        splitLine: {lineStyle: {color: "rgba(148,163,184,0.12)"}}},
      yAxis: {type: "category", data: names, axisTick: {show: false}, axisLabel: {color: "#e2e8f0"}},
      series: [{
        type: "bar", name: "TTI", barMaxWidth: 16,
        data: sorted.map(function (s) {
          return {value: Math.max(0, s.tti), level: s.level,
            itemStyle: {color: COLOUR[s.level], borderRadius: [0, 3, 3, 0]}};
        }),
        label: {show: true, position: "right", color: "#e2e8f0", formatter: function (x) {
          var s = sorted[x.dataIndex];
          return t("traffic.js.chart.bar_label", {tti: fixed(s.tti, 2), level: levelName(s.level),
            pct: Math.round(s.coverage * 100)});
        }},
        markLine: {silent: true, symbol: "none", label: {show: false},
          lineStyle: {type: "dashed", color: "rgba(148,163,184,0.45)", width: 1},
          data: LEVELS.filter(function (lv) { return lv.below !== null; }).map(function (lv) { return {xAxis: lv.below}; })}
      }]
    }, true);
  }

  function drawParkingChart(fc) {
    var per = {};
    fc.features.forEach(function (f) {
      var p = f.properties;
      var k = p.street_code || "";
      var s = per[k] || (per[k] = {occupied: 0, free: 0, held: 0, bookable: 0, closed: 0});
      s.occupied += p.capacity - p.free;
      s.free += p.free;
      if (p.sharing_now) {
        s.held += Math.max(0, p.shared_spaces - p.shared_free);
        s.bookable += p.shared_free;
      } else {
        s.closed += p.shared_spaces;
      }
    });
    var codes = Object.keys(per).sort();
    if (!codes.length) { emptyChart(parkingChart, t("traffic.js.chart.no_parks")); return; }
    var names = codes.map(streetName);
    parkingChart.box.setAttribute("data-bars", String(codes.length));
    var series = [
      ["occupied", "total", "#8b9bb4"], ["free", "total", "#38bdf8"],
      ["held", "shared", "#f59e0b"], ["bookable", "shared", "#22c55e"], ["closed", "shared", "#475569"]
    ].map(function (s) {
      // every bar carries its number; a count is never negative (nothing drawn the wrong way)
      return {type: "bar", name: t("traffic.js.chart." + s[0]), stack: s[1], barMaxWidth: 14, barGap: "30%",
        itemStyle: {color: s[2]}, emphasis: {focus: "series"},
        label: {show: true, position: "inside", fontSize: 10, color: "#0b1a2e",
          formatter: function (x) { return x.value > 0 ? CB.number(x.value) : ""; }},
        labelLayout: {hideOverlap: false},
        data: codes.map(function (c) { return Math.max(0, per[c][s[0]]); })};
    });
    parkingChart.chart.setOption({
      backgroundColor: "transparent", animation: !still, textStyle: {fontFamily: font},
      legend: {top: 0, left: 0, itemWidth: 10, itemHeight: 10, itemGap: 8, textStyle: {color: "#cbd5e1", fontSize: 11}},
      grid: {left: 8, right: 16, top: 44, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, formatter: function (items) {
        var c = codes[items[0].dataIndex];
        var s = per[c];
        return encode(streetName(c)) + "<br>" +
          encode(t("traffic.js.chart.total_line", {occupied: s.occupied, free: s.free})) + "<br>" +
          encode(t("traffic.js.chart.shared_line", {held: s.held, bookable: s.bookable, closed: s.closed}));
      }},
      xAxis: {type: "value", splitLine: {lineStyle: {color: "rgba(148,163,184,0.12)"}}},
      yAxis: {type: "category", data: names, inverse: true, axisTick: {show: false}, axisLabel: {color: "#e2e8f0"}},
      series: series
    }, true);
  }

  /* ---- loading and refresh --------------------------------------------------------------------- */
  var fitted = false;
  var updated = document.getElementById("tf-updated");
  var lastMap = null;

  function reopen() {
    if (openKey && byKey[openKey] && map.hasLayer(byKey[openKey])) byKey[openKey].openPopup();
  }

  // a list endpoint answers one page ({items, page, size, total}): read them all
  async function allItems(url) {
    var out = [];
    for (var page = 1; ; page++) {
      var p = await CB.getJSON(url + "?size=500&page=" + page);
      out = out.concat(p.items);
      if (!p.items.length || out.length >= p.total) return out;
    }
  }

  async function refresh() {
    try {
      var res = await Promise.all([CB.getJSON("/api/traffic/map"), allItems("/api/traffic/signals")]);
      var data = res[0];
      lastMap = data;
      signalInfo = {};
      res[1].forEach(function (s) { signalInfo[s.code] = s; });
      var key = openKey;
      byKey = {};
      drawSegments(data.segments);
      drawParks(data.car_parks);
      drawSignals(data.intersections);
      openKey = key;
      reopen();
      stats(data);
      drawCongestionChart(data.streets);
      drawParkingChart(data.car_parks);
      if (!fitted) {
        fitted = true;
        var all = L.featureGroup([].concat(segmentsLayer.getLayers(), parksLayer.getLayers(), signalsLayer.getLayers()));
        if (all.getLayers().length) map.fitBounds(all.getBounds(), {padding: [36, 36], maxZoom: 16});
        else status(t("traffic.js.no_data"));
      }
      if (statusEl.classList.contains("error") || statusEl.textContent === t("traffic.js.loading")) status("");
      updated.textContent = t("traffic.js.updated", {time: CB.shortTime(data.at), s: options.refresh_s || 45});
      mapEl.setAttribute("data-loaded", "true");
      mapEl.setAttribute("data-signals", String(data.intersections.features.length));
      mapEl.setAttribute("data-refreshed", String(Date.now()));
    } catch (err) {
      status(t("traffic.js.load_failed", {msg: err.message}), true);
    }
  }

  async function loadStreets() {
    try {
      var fc = await CB.getJSON("/api/geography/street.geojson?simplify=20");
      fc.features.forEach(function (f) { streetNames[f.properties.code] = f.properties.name; });
      streetsLayer.addData(fc);
      streetsLayer.bringToBack();
    } catch (err) {
      return;  // no geography loaded: the traffic layers stand on their own
    }
  }

  status(t("traffic.js.loading"));
  loadStreets().then(refresh);
  setInterval(function () { if (!document.hidden) refresh(); }, Math.max(30, options.refresh_s || 45) * 1000);

  /* ---- the parking request ---------------------------------------------------------------------- */
  var form = document.getElementById("parking-form");
  var dest = null;

  function shanghaiLocal(ms) {  // "YYYY-MM-DDTHH:MM" in Asia/Shanghai (UTC+8 all year)
    return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 16);
  }

  function setDest(latlng) {
    dest = {lon: Math.round(latlng.lng * 1e6) / 1e6, lat: Math.round(latlng.lat * 1e6) / 1e6};
    destLayer.clearLayers();
    L.circleMarker(latlng, {radius: 7, color: "#f59e0b", weight: 3, fillColor: "#fde68a", fillOpacity: 0.9,
      interactive: false, className: "tf-dest-pin"}).addTo(destLayer);
    var out = document.getElementById("pk-dest");
    out.textContent = dest.lon.toFixed(5) + ", " + dest.lat.toFixed(5);
    out.classList.add("set");
    out.classList.remove("invalid");
  }

  function clearRoute() {
    destLayer.eachLayer(function (l) { if (l._tfRoute) destLayer.removeLayer(l); });
  }

  /* errors in the page's language, each beside its input (CB.showErrors), with this form's own words for
   * the refusals the parking service names by field */
  function formErrors() {
    return {
      labels: {lon: t("traffic.form.destination"), lat: t("traffic.form.destination"),
        arrive_at: t("traffic.form.field.arrive_at"), hours: t("traffic.form.field.hours"),
        plate: t("traffic.form.field.plate"), max_walk_m: t("traffic.form.field.max_walk_m"),
        status: t("traffic.form.field.status"), idempotency_key: t("traffic.form.heading_short")},
      messages: {
        "arrive_at.value_error": t("traffic.form.err.arrive_window"),
        "arrive_at.conflict": t("traffic.form.err.already_holding"),
        "plate.conflict": t("traffic.form.err.plate_holding"),
        "max_walk_m.conflict": t("traffic.form.err.no_space"),
        "lon.value_error": t("traffic.form.err.outside"),
        "lat.value_error": t("traffic.form.err.outside"),
        "idempotency_key.conflict": t("traffic.form.err.resubmit"),
        "lon.missing_destination": t("traffic.form.need_destination")
      },
      box: document.getElementById("pk-error")
    };
  }

  function showError(err) {
    document.getElementById("pk-result").replaceChildren();
    var shown = CB.showErrors(form, err, formErrors());
    var box = document.getElementById("pk-error");
    box.setAttribute("data-field", shown.length && shown[0].field ? shown[0].field : "");
    document.getElementById("pk-dest").classList.toggle("invalid",
      shown.some(function (m) { return m.field === "lon" || m.field === "lat"; }));
  }

  function showAllocation(a) {
    var box = document.getElementById("pk-result");
    CB.clearErrors(form, document.getElementById("pk-error"));
    document.getElementById("pk-dest").classList.remove("invalid");
    var cancel = a.status === "held" ? el("button", {type: "button", class: "secondary", id: "pk-cancel"},
      t("traffic.form.cancel")) : null;
    box.replaceChildren(el("div", {class: "tf-ok", id: "pk-allocation", "data-code": a.code, "data-status": a.status}, [
      statusChip("traffic.js.alloc.", a.status),
      el("strong", {}, a.car_park_name),
      el("span", {}, t("traffic.form.walk", {m: CB.number(Math.round(a.walk_m))})),
      el("span", {}, t("traffic.form.cost", {price: fixed(a.price, 2)})),
      el("span", {}, t("traffic.form.window", {arrive: CB.shortTime(a.arrive_at), leave: CB.shortTime(a.leave_at)})),
      el("span", {class: "tf-hint"}, t("traffic.form.expires", {time: CB.shortTime(a.expires_at)})),
      el("span", {class: "tf-hint"}, t("traffic.form.code", {code: a.code})),
      cancel
    ]));
    if (cancel) {
      cancel.addEventListener("click", async function () {
        cancel.disabled = true;
        try {
          var done = await CB.request("POST", "/api/traffic/parking/allocations/" + encodeURIComponent(a.code) + "/cancel");
          clearRoute();
          showAllocation(done);
          form.dispatchEvent(new Event("change"));  // asking again after a cancellation is a new request
          refresh();
        } catch (err) {
          showError(err);
          cancel.disabled = false;
        }
      });
    }
    if (dest && a.status === "held") {
      var route = L.polyline([[dest.lat, dest.lon], [a.lat, a.lon]], {color: "#f59e0b", weight: 2.5, dashArray: "6 5",
        interactive: false, className: "tf-route"});
      route._tfRoute = true;
      destLayer.addLayer(route);
    }
  }

  if (form) {
    document.getElementById("pk-arrive").value = shanghaiLocal(Date.now() + 30 * 60 * 1000);
    map.on("click", function (e) {
      setDest(e.latlng);
      form.dispatchEvent(new Event("change"));  // a new destination is a new request: a new Idempotency-Key
    });
    // one request at a time, and the same filled-in form sent twice (a double click, a retry) is one hold
    CB.submitOnce(form, async function (ctx) {
      var box = document.getElementById("pk-result");
      if (!dest) {
        showError(new CB.HttpError(422, "", {detail: [{loc: ["body", "lon"], msg: "", type: "missing_destination"}]}));
        return;
      }
      var arrive = document.getElementById("pk-arrive").value;
      var payload = {lon: dest.lon, lat: dest.lat,
        // the field is read as Beijing time whatever the browser's zone: the API gets the offset
        arrive_at: arrive ? arrive + ":00+08:00" : null,
        hours: parseFloat(document.getElementById("pk-hours").value),
        max_walk_m: parseFloat(document.getElementById("pk-walk").value)};
      var plate = document.getElementById("pk-plate").value.trim();
      if (plate) payload.plate = plate;
      if (isNaN(payload.hours)) payload.hours = null;
      CB.clearErrors(form, document.getElementById("pk-error"));
      box.replaceChildren(el("span", {class: "tf-hint"}, t("traffic.form.sending")));
      clearRoute();
      try {
        showAllocation(await ctx.post("/api/traffic/parking/allocations", payload));
        refresh();
      } catch (err) {
        showError(err);
      }
    });
  }

  window.cbTraffic = {map: map, layers: {segments: segmentsLayer, signals: signalsLayer, parks: parksLayer,
    streets: streetsLayer}, refresh: refresh, last: function () { return lastMap; }};
})();
