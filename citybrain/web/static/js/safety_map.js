/* The four-colour safety risk map: units coloured by their current level, hazard points, the same
 * aggregated to grids/communities/streets (choropleth) and to h3 hot-spot cells; the counts per colour,
 * units per street (ECharts), the active dynamic factors, and a unit's reasons on click. Data come from
 * /api/safety/*; the map follows risk changes live through /api/feed. */
(function () {
  "use strict";

  var t = CB.t;
  var el = CB.el;
  var options = JSON.parse(document.getElementById("safety-options").textContent || "{}");
  var COLOURS = ["red", "orange", "yellow", "blue"];
  var HEX = {};
  COLOURS.forEach(function (c) { HEX[c] = (options.levels && options.levels[c]) ? options.levels[c].hex : c; });

  var statusEl = document.getElementById("map-status");
  function status(text, isError) {
    statusEl.textContent = text || "";
    statusEl.className = "status" + (isError ? " error" : "");
  }

  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map("safety-map", {attributionControl: false, zoomSnap: 0.25, minZoom: 8, maxZoom: 18,
    fadeAnimation: !still, zoomAnimation: !still, markerZoomAnimation: !still, preferCanvas: true});
  map.setView([30.5, 103.95], 11);

  function levelName(colour) { return t("safety.js.level." + colour); }

  /* ---- choropleths and hot spots ---------------------------------------------------------- */
  function areaStyle(f) {
    var p = f.properties;
    return {color: "#94a3b8", weight: 0.8, opacity: 0.8, fillColor: p.fill, fillOpacity: p.units ? 0.45 : 0.08};
  }

  function areaPopup(p) {
    var box = el("div", {}, [el("strong", {}, p.name || p.cell), el("br")]);
    box.appendChild(el("div", {}, t("safety.js.units") + ": " + CB.number(p.units)));
    COLOURS.forEach(function (c) {
      box.appendChild(el("div", {class: "level-row"}, [
        el("span", {class: "level-dot", style: "background:" + HEX[c]}), levelName(c) + " " + CB.number(p[c] || 0)]));
    });
    box.appendChild(el("div", {}, t("safety.js.index") + ": " + p.index));
    return box;
  }

  function geoLayer(url, style) {
    var layer = L.geoJSON(null, {
      style: style,
      onEachFeature: function (f, l) { l.bindPopup(function () { return areaPopup(f.properties); }); }
    });
    layer.reload = function () {
      return CB.getJSON(url).then(function (fc) { layer.clearLayers(); layer.addData(fc); return fc; });
    };
    return layer;
  }

  var areas = {
    street: geoLayer("/api/safety/risk-map/areas.geojson?level=street&simplify_m=20", areaStyle),
    community: geoLayer("/api/safety/risk-map/areas.geojson?level=community&simplify_m=10", areaStyle),
    grid: geoLayer("/api/safety/risk-map/areas.geojson?level=grid&simplify_m=5", areaStyle)
  };
  var hexes = geoLayer("/api/safety/risk-map/hexes.geojson?res=8", function (f) {
    var w = f.properties.index;
    return {color: f.properties.fill, weight: 0.5, fillColor: f.properties.fill, fillOpacity: Math.min(0.85, 0.15 + w / 10)};
  });

  /* ---- units and hazard points ------------------------------------------------------------ */
  var units = L.layerGroup();
  var points = L.layerGroup();

  function loadUnits() {
    var b = map.getBounds();
    var url = "/api/safety/risk-map/units.geojson?limit=5000&bbox=" +
      [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
    return CB.getJSON(url).then(function (fc) {
      units.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties;
        var c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], {radius: p.level >= 3 ? 6 : 4, color: "#0b1a2e", weight: 1,
          fillColor: p.fill, fillOpacity: 0.95})
          .bindTooltip(el("span", {}, p.name + " · " + levelName(p.colour)))  // a text node: names are data
          .on("click", function () { showUnit(p.id); })
          .addTo(units);
      });
      status(fc.truncated ? t("safety.js.truncated", {n: fc.features.length}) : "");
    });
  }

  function loadPoints() {
    return CB.getJSON("/api/safety/risk-map/hazard-points.geojson").then(function (fc) {
      points.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties;
        var c = f.geometry.coordinates;
        var label = (p.kind === "fire" ? t("safety.js.fire_point") : t("safety.js.hazchem_point")) + " · " + p.name;
        if (p.major_hazard) label += " · " + t("safety.js.major_hazard", {grade: p.grade});
        L.marker([c[1], c[0]], {icon: L.divIcon({className: "", iconSize: [14, 14],
          html: "<div style=\"width:12px;height:12px;transform:rotate(45deg);border:1px solid #0b1a2e;background:" +
            p.fill + "\"></div>"})}).bindTooltip(el("span", {}, label)).addTo(points);
      });
    });
  }

  /* ---- legend and layer control ----------------------------------------------------------- */
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var box = el("div", {class: "legend"}, el("div", {class: "legend-title"}, t("safety.js.legend")));
    COLOURS.forEach(function (c) {
      box.appendChild(el("div", {class: "legend-item"}, [el("span", {class: "swatch", style: "background:" + HEX[c]}),
        levelName(c)]));
    });
    return box;
  };
  legend.addTo(map);

  var overlays = {};
  overlays[t("safety.js.layer.units")] = units;
  overlays[t("safety.js.layer.points")] = points;
  overlays[t("safety.js.layer.hexes")] = hexes;
  var bases = {};
  bases[t("safety.js.layer.street")] = areas.street;
  bases[t("safety.js.layer.community")] = areas.community;
  bases[t("safety.js.layer.grid")] = areas.grid;
  /* on a phone the layer list folds into Leaflet's button, leaving the map visible */
  L.control.layers(bases, overlays, {collapsed: window.matchMedia("(max-width: 720px)").matches}).addTo(map);
  areas.community.addTo(map);
  units.addTo(map);
  points.addTo(map);

  /* ---- side panels ------------------------------------------------------------------------ */
  function loadSummary() {
    return CB.getJSON("/api/safety/risk-map/summary").then(function (s) {
      var box = document.getElementById("summary");
      box.textContent = "";
      s.by_level.forEach(function (row) {
        box.appendChild(el("div", {class: "stat"}, [
          el("div", {class: "stat-value", style: "color:" + HEX[row.colour]}, CB.number(row.units)),
          el("div", {class: "stat-label"}, levelName(row.colour))]));
      });
    });
  }

  var chart = echarts.init(document.getElementById("street-chart"), null, {renderer: "svg"});
  function loadStreetChart(fc) {
    var feats = fc.features.slice().sort(function (a, b) { return b.properties.units - a.properties.units; });
    chart.setOption({
      animation: !still, tooltip: {trigger: "axis"}, legend: {textStyle: {color: "#94a3b8"}, top: 0},
      grid: {left: 80, right: 12, top: 28, bottom: 20},
      /* a linear axis from zero: a count below one is no bar at all, never a bar pointing down (a log axis
       * draws 0 < x < 1 below its base) */
      xAxis: {type: "value", min: 0, minInterval: 1, axisLabel: {color: "#94a3b8"}},
      yAxis: {type: "category", inverse: true, data: feats.map(function (f) { return f.properties.name; }),
        axisLabel: {color: "#e2e8f0", interval: 0}},
      series: COLOURS.map(function (c) {
        return {name: levelName(c), type: "bar", stack: "units", itemStyle: {color: HEX[c]},
          label: {show: true, position: "inside", color: "#0f172a", fontSize: 11,
            formatter: function (p) { return p.value > 0 ? CB.number(p.value) : ""; }},
          data: feats.map(function (f) { return Math.max(0, f.properties[c] || 0); })};
      })
    }, true);
  }

  function loadFactors() {
    return CB.getJSON("/api/safety/risk-factors?active=true&size=20").then(function (page) {
      var rows = page.items;  /* a list endpoint answers one page: {items, page, size, total} */
      var box = document.getElementById("factors");
      box.textContent = "";
      if (!rows.length) { box.appendChild(el("p", {class: "empty"}, t("safety.js.none_active"))); return; }
      var list = el("ul", {class: "reason-list"});
      rows.forEach(function (f) {
        list.appendChild(el("li", {class: "level-row"}, [el("span", {class: "level-dot", style: "background:" + HEX[f.level]}),
          f.title + (f.area_name || f.area_code ? " (" + (f.area_name || f.area_code) + ")" : "") + " · " + CB.time(f.starts_at)]));
      });
      box.appendChild(list);
    });
  }

  function showUnit(id) {
    var box = document.getElementById("unit");
    box.textContent = t("safety.js.loading");
    Promise.all([CB.getJSON("/api/safety/units/" + id), CB.getJSON("/api/safety/units/" + id + "/risk")])
      .then(function (res) {
        var u = res[0];
        var r = res[1];
        box.textContent = "";
        box.appendChild(el("div", {class: "level-row"}, [el("span", {class: "level-dot", style: "background:" + HEX[r.colour]}),
          el("strong", {}, u.name), " · " + r.label]));
        var dl = el("dl");
        [[u.venue_label, u.industry_label], [u.credit_code, u.address]].forEach(function (pair) {
          dl.appendChild(el("dt", {}, pair[0] || ""));
          dl.appendChild(el("dd", {}, pair[1] || ""));
        });
        box.appendChild(dl);
        box.appendChild(el("div", {}, t("safety.js.reasons") + ":"));
        var list = el("ul", {class: "reason-list"});
        r.reasons.forEach(function (x) {
          list.appendChild(el("li", {}, x.text + (x.code === "inherent" ? "" : " (" + x.effect + ")")));
        });
        box.appendChild(list);
      })
      .catch(function (e) { box.textContent = CB.errorMessages(e).map(function (m) { return m.text; }).join("\n"); });
  }

  var fitted = false;

  function reloadAll() {
    status(t("safety.js.loading"));
    var tasks = [loadSummary(), loadFactors(), loadPoints(), loadUnits()];
    Object.keys(areas).forEach(function (k) {
      if (map.hasLayer(areas[k]) || k === "street") {
        tasks.push(areas[k].reload().then(function (fc) {
          if (k !== "street") return;
          loadStreetChart(fc);
          if (!fitted && fc.features.length) {  // the first time: frame the district's streets
            fitted = true;
            map.fitBounds(L.geoJSON(fc).getBounds(), {padding: [10, 10]});
          }
        }));
      }
    });
    if (map.hasLayer(hexes)) tasks.push(hexes.reload());
    return Promise.all(tasks)
      .then(function () {
        if (statusEl.textContent === t("safety.js.loading")) status("");
        document.getElementById("safety-map").dataset.loaded = "true";
      })
      .catch(function (e) {
        status(CB.errorMessages(e).map(function (m) { return m.text; }).join("\n"), true);
      });
  }

  map.on("moveend", function () { loadUnits().catch(function () {}); });
  map.on("baselayerchange overlayadd", function (e) {
    if (e.layer && e.layer.reload) e.layer.reload().catch(function (err) {
      status(CB.errorMessages(err).map(function (m) { return m.text; }).join("\n"), true);
    });
  });
  window.addEventListener("resize", function () { chart.resize(); });
  reloadAll();

  /* live: re-read when levels change anywhere (any API process writes to the shared feed) */
  if (window.EventSource) {
    var pending = null;
    var feed = new EventSource("/api/feed?topics=RiskLevelChanged,RiskRegraded,RiskFactorRecorded,RiskFactorEnded");
    ["RiskLevelChanged", "RiskRegraded", "RiskFactorRecorded", "RiskFactorEnded"].forEach(function (topic) {
      feed.addEventListener(topic, function () {
        if (pending) clearTimeout(pending);
        pending = setTimeout(reloadAll, 1500);
      });
    });
  }
})();
