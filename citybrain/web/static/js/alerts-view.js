/* An alert's page: its area on the map; approve / withdraw / issue / cancel through the JSON API; the
 * delivery block (filled from the delivery sub-package's API when it exists). */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var options = JSON.parse(document.getElementById("alerts-options").textContent);
  var form = document.getElementById("al-actions");
  var map = L.map("al-map").setView([30.55, 103.93], 11);
  var group = L.featureGroup().addTo(map);
  var style = {color: options.hex, weight: 2, fillOpacity: 0.25};
  var area = options.area || {};

  (area.polygons || []).forEach(function (r) {
    L.polygon(r.map(function (p) { return [p[1], p[0]]; }), style).addTo(group);
  });
  (area.circles || []).forEach(function (c) { L.circle([c.lat, c.lon], Object.assign({radius: c.radius_m}, style)).addTo(group); });

  async function drawGeocodes() {
    var codes = area.geocodes || [];
    var grids = codes.filter(function (c) { return c.length !== 9; });
    // the streets for context (faint), the picked ones in the alert's colour
    var fc = await CB.getJSON("/api/geography/street.geojson?simplify=30");
    var outline = L.geoJSON(fc, {style: {color: "#38bdf8", weight: 1, fillOpacity: 0.02}, interactive: false}).addTo(map);
    outline.bringToBack();
    L.geoJSON(fc, {filter: function (f) { return codes.indexOf(f.properties.code) >= 0; }, style: style}).addTo(group);
    if (grids.length) {
      var gc = await CB.getJSON("/api/geography/grid.geojson?simplify=20");
      L.geoJSON(gc, {filter: function (f) { return grids.indexOf(f.properties.code) >= 0; }, style: style}).addTo(group);
    }
    map.fitBounds(group.getLayers().length ? group.getBounds() : outline.getBounds(), {padding: [10, 10]});
  }
  drawGeocodes().catch(function () { /* the map stays on the district */ });

  if (form) {
    form.addEventListener("click", async function (ev) {
      var b = ev.target.closest("button[data-action]");
      if (!b) return;
      var action = b.dataset.action, body;
      if (action === "approve") body = {reason: document.getElementById("al-reason").value};
      if (action === "cancel") {
        body = {reason_zh: document.getElementById("al-cancel-zh").value, reason_en: document.getElementById("al-cancel-en").value};
      }
      b.disabled = true;
      try {
        var res = await CB.postJSON("/api/alerts/" + options.id + "/" + action, body);
        window.location.href = "/alerts/view/" + res.id;
      } catch (err) {
        CB.showErrors(form, err, {labels: {reason: t("alerts.js.f.reason"), reason_zh: t("alerts.js.f.reason_zh"),
          reason_en: t("alerts.js.f.reason_en"), expires: t("alerts.js.f.expires")}});
      } finally { b.disabled = false; }
    });
  }

  var delivery = document.getElementById("alert-delivery");
  if (delivery && options.has_delivery) {
    CB.getJSON(delivery.dataset.src).then(function (data) {
      var body = document.getElementById("alert-delivery-body");
      if (window.CBDelivery) { window.CBDelivery.render(body, data); return; }
      var pre = el("pre", {class: "al-json"}, JSON.stringify(data, null, 2));
      body.appendChild(pre);
    }).catch(function () { delivery.hidden = true; });
  }
})();
