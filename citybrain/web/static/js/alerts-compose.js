/* The alert compose page: the form, and a map where the author draws polygons and circles (leaflet-geoman)
 * or picks streets and grids (their codes become the area's geocodes). Saves a draft (or an Update draft)
 * through the JSON API, then opens the alert's page to approve and issue it. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var options = JSON.parse(document.getElementById("alerts-options").textContent);
  var form = document.getElementById("al-form");
  var summary = document.getElementById("al-area-summary");
  var chips = document.getElementById("al-geocodes");
  var map = L.map("al-map").setView([30.55, 103.93], 11);
  var drawn = L.featureGroup().addTo(map);      // what the author drew (polygons, circles)
  var picked = L.layerGroup().addTo(map);       // outlines of the picked streets and grids
  var geocodes = {};                            // code -> name
  var streetLayer = null, gridLayer = null, names = {};

  map.pm.addControls({position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
    drawRectangle: true, drawPolygon: true, drawCircle: true, drawText: false, cutPolygon: false,
    rotateMode: false, editMode: true, dragMode: false, removalMode: true});
  map.pm.setGlobalOptions({allowSelfIntersection: false, pathOptions: {color: "#f59e0b"}});
  map.on("pm:create", function (e) { drawn.addLayer(e.layer); e.layer.on("pm:edit", refresh); refresh(); });
  map.on("pm:remove", function (e) { drawn.removeLayer(e.layer); refresh(); });

  function levelOf(code) { return {6: "district", 9: "street", 12: "community", 15: "grid"}[code.length] || ""; }

  function refresh() {
    chips.textContent = "";
    Object.keys(geocodes).forEach(function (code) {
      var b = el("button", {type: "button", class: "al-chip", "aria-label": t("alerts.js.remove", {name: geocodes[code]})},
        geocodes[code] + " ×");
      b.addEventListener("click", function () { delete geocodes[code]; drawPicked(); refresh(); });
      chips.appendChild(el("li", {}, b));
    });
    var spec = areaSpec();
    var n = spec.polygons.length + spec.circles.length;
    summary.textContent = t("alerts.js.area_summary", {shapes: n, places: spec.geocodes.length});
    schedulePreview(spec);
    var desc = document.getElementById("al-area-desc");
    if (!desc.dataset.touched) {
      desc.value = Object.keys(geocodes).map(function (c) { return geocodes[c]; }).join("、") || desc.value;
    }
  }

  /* what the area touches (streets, communities, grids), asked of the server a moment after each change */
  var previewTimer = null;
  function schedulePreview(spec) {
    var touched = document.getElementById("al-touched");
    clearTimeout(previewTimer);
    if (!spec.polygons.length && !spec.circles.length && !spec.geocodes.length) {
      touched.textContent = "";
      CBAlertPreview.recipients(document.getElementById("al-recipients"), null);
      return;
    }
    previewTimer = setTimeout(async function () {
      CBAlertPreview.recipients(document.getElementById("al-recipients"), spec);
      try {
        var res = await CB.postJSON("/api/alerts/area/preview", Object.assign({}, spec, {description: spec.description || "-"}));
        var by = {street: [], community: [], grid: []};
        res.touched.forEach(function (a) { if (by[a.level]) by[a.level].push(a.name); });
        touched.textContent = t("alerts.js.touched", {streets: by.street.length, communities: by.community.length,
          grids: by.grid.length, names: by.street.join("、")});
      } catch (err) { touched.textContent = err.message; }
    }, 400);
  }

  function drawPicked() {
    picked.clearLayers();
    [streetLayer, gridLayer].forEach(function (lyr) {
      if (!lyr) return;
      lyr.eachLayer(function (l) {
        if (geocodes[l.feature.properties.code]) {
          L.geoJSON(l.feature, {style: {color: "#f59e0b", weight: 2, fillOpacity: 0.25}, interactive: false}).addTo(picked);
        }
      });
    });
  }

  function ring(latlngs) {
    var pts = latlngs.map(function (p) { return [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]; });
    if (pts.length) pts.push(pts[0].slice());
    return pts;
  }

  function areaSpec() {
    var polygons = [], circles = [];
    drawn.eachLayer(function (l) {
      if (l instanceof L.Circle) {
        var c = l.getLatLng();
        circles.push({lon: Number(c.lng.toFixed(6)), lat: Number(c.lat.toFixed(6)), radius_m: Math.round(l.getRadius())});
      } else if (l instanceof L.Polygon) {
        var rings = l.getLatLngs();
        (Array.isArray(rings[0]) ? rings : [rings]).forEach(function (r) {
          if (Array.isArray(r[0])) r = r[0];
          polygons.push(ring(r));
        });
      }
    });
    return {description: document.getElementById("al-area-desc").value.trim(), polygons: polygons,
            circles: circles, geocodes: Object.keys(geocodes)};
  }

  function toggle(code) {
    if (geocodes[code]) delete geocodes[code]; else geocodes[code] = names[code] || code;
    drawPicked(); refresh();
  }

  async function loadAreas() {
    var streets = await CB.getJSON("/api/geography/street.geojson?simplify=30");
    var select = document.getElementById("al-street");
    streetLayer = L.geoJSON(streets, {
      style: {color: "#38bdf8", weight: 1, fillOpacity: 0.03},
      onEachFeature: function (f, l) {
        names[f.properties.code] = f.properties.name;
        l.bindTooltip(el("span", {}, f.properties.name), {sticky: true});  // a name is text, never markup
        if (f.properties.managed_by_district) select.appendChild(el("option", {value: f.properties.code}, f.properties.name));
      }
    }).addTo(map);
    streetLayer.eachLayer(function (l) { l.options.pmIgnore = true; });
    map.fitBounds(streetLayer.getBounds(), {padding: [10, 10]});
    (options.base && options.base.area.geocodes || []).forEach(function (c) { geocodes[c] = names[c] || c; });
    drawPicked(); refresh();
  }

  document.getElementById("al-add-street").addEventListener("click", function () {
    var code = document.getElementById("al-street").value;
    if (code && !geocodes[code]) toggle(code);
  });
  document.getElementById("al-grids").addEventListener("change", async function (ev) {
    if (!ev.target.checked) { if (gridLayer) map.removeLayer(gridLayer); return; }
    if (!gridLayer) {
      var grids = await CB.getJSON("/api/geography/grid.geojson?simplify=20");
      gridLayer = L.geoJSON(grids, {
        style: {color: "#22d3ee", weight: 0.6, fillOpacity: 0.02},
        onEachFeature: function (f, l) {
          names[f.properties.code] = f.properties.name;
          l.bindTooltip(el("span", {}, f.properties.name), {sticky: true});  // a name is text, never markup
          l.on("click", function () { toggle(f.properties.code); });
        }
      });
      gridLayer.eachLayer(function (l) { l.options.pmIgnore = true; });
    }
    gridLayer.addTo(map);
  });
  document.getElementById("al-area-desc").addEventListener("input", function (ev) { ev.target.dataset.touched = "1"; });

  /* the SMS as it will be sent, a moment after the Chinese text changes */
  var textTimer = null;
  function scheduleText() {
    clearTimeout(textTimer);
    textTimer = setTimeout(function () {
      CBAlertPreview.text(document.getElementById("al-text"), {
        headline: form.elements["zh.headline"].value.trim(), description: form.elements["zh.description"].value.trim(),
        instruction: form.elements["zh.instruction"].value.trim()});
    }, 400);
  }
  ["zh.headline", "zh.description", "zh.instruction"].forEach(function (name) {
    form.elements[name].addEventListener("input", scheduleText);
  });

  /* local "YYYY-MM-DDTHH:MM" (Beijing) <-> ISO with +08:00 */
  function toIso(v) { return v ? v + ":00+08:00" : null; }
  function fromIso(iso) {
    if (!iso) return "";
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return d.toISOString().slice(0, 16);
  }

  function fill(base) {
    form.elements.level.value = base.level;
    form.elements.event_type.value = base.event_type;
    if (base.cap_status) form.elements.cap_status.value = base.cap_status;
    form.elements.onset.value = fromIso(base.onset);
    form.elements.expires.value = fromIso(base.expires);
    ["zh", "en"].forEach(function (k) {
      var text = base.texts[k === "zh" ? "zh-CN" : "en"] || {};
      ["headline", "description", "instruction"].forEach(function (f) {
        document.getElementById("al-" + k + "-" + f).value = text[f] || "";
      });
    });
    var a = base.area || {};
    document.getElementById("al-area-desc").value = a.description || "";
    document.getElementById("al-area-desc").dataset.touched = "1";
    (a.polygons || []).forEach(function (r) {
      drawn.addLayer(L.polygon(r.slice(0, -1).map(function (p) { return [p[1], p[0]]; }), {color: "#f59e0b"}));
    });
    (a.circles || []).forEach(function (c) { drawn.addLayer(L.circle([c.lat, c.lon], {radius: c.radius_m, color: "#f59e0b"})); });
  }

  if (options.base) { fill(options.base); scheduleText(); }
  else {
    var later = new Date(Date.now() + 24 * 3600 * 1000);
    form.elements.expires.value = fromIso(later.toISOString());
  }

  var LABELS = {level: t("alerts.js.f.level"), expires: t("alerts.js.f.expires"), onset: t("alerts.js.f.onset"),
    area: t("alerts.js.f.area"), "area.description": t("alerts.js.f.area_description"),
    "zh.headline": t("alerts.js.f.zh_headline"), "zh.description": t("alerts.js.f.zh_description"),
    "en.headline": t("alerts.js.f.en_headline"), "en.description": t("alerts.js.f.en_description")};

  CB.submitOnce(form, async function (ctx) {
    var body = {
      level: form.elements.level.value, event_type: form.elements.event_type.value,
      cap_status: form.elements.cap_status.value, onset: toIso(form.elements.onset.value),
      expires: toIso(form.elements.expires.value),
      zh: {headline: form.elements["zh.headline"].value, description: form.elements["zh.description"].value,
           instruction: form.elements["zh.instruction"].value},
      en: {headline: form.elements["en.headline"].value, description: form.elements["en.description"].value,
           instruction: form.elements["en.instruction"].value},
      area: areaSpec()
    };
    var url = "/api/alerts", method = "POST";
    if (options.mode === "update") url = "/api/alerts/" + options.base.id + "/update";
    if (options.mode === "edit") { url = "/api/alerts/" + options.base.id; method = "PUT"; }
    try {
      var saved = method === "PUT" ? await CB.request("PUT", url, body) : await ctx.post(url, body);
      document.getElementById("al-status-line").textContent = t("alerts.js.saved");
      window.location.href = "/alerts/view/" + saved.id;
    } catch (err) {
      CB.showErrors(form, err, {labels: LABELS});
    }
  });

  loadAreas().catch(function (err) { summary.textContent = err.message; });
})();
