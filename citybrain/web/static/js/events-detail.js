/* The event page: its place on a map (street outlines from /api/geography, no base tiles) and the
 * action forms, posted as JSON to /api/events/{id}/actions/{action}. */
(function () {
  "use strict";
  var t = CB.t;
  var mapEl = document.getElementById("ev-map");
  if (mapEl && window.L && mapEl.dataset.lon) {
    var lon = parseFloat(mapEl.dataset.lon), lat = parseFloat(mapEl.dataset.lat);
    var map = L.map(mapEl, {attributionControl: false}).setView([lat, lon], 15);
    CB.getJSON("/api/geography/street.geojson?simplify=20").then(function (fc) {
      L.geoJSON(fc, {style: {color: "#38bdf8", weight: 1.5, fillOpacity: 0.05, interactive: false}}).addTo(map);
      mapEl.dataset.loaded = "true";
    }).catch(function () { mapEl.dataset.loaded = "error"; /* outlines are decoration */ });
    L.circleMarker([lat, lon], {radius: 9, color: "#f59e0b", weight: 3, fillOpacity: 0.6,
      className: "ev-marker"}).addTo(map);
    L.circle([lat, lon], {radius: 250, color: "#94a3b8", weight: 1, dashArray: "4 4", fill: false}).addTo(map);
  }

  var box = document.getElementById("ev-actions");
  if (!box) return;
  var eventId = box.dataset.event;
  var status = document.getElementById("ev-act-status");

  async function upload(file) {
    var fd = new FormData();
    fd.append("file", file);
    var resp = await fetch("/api/events/photos", {method: "POST", body: fd, credentials: "same-origin"});
    var body = await resp.json();
    if (!resp.ok) throw new CB.HttpError(resp.status, (body.detail && body.detail[0] && body.detail[0].msg) || resp.status);
    return body.id;
  }

  box.querySelectorAll("form[data-action]").forEach(function (form) {
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var payload = {};
      var fd = new FormData(form);
      if (fd.get("note")) payload.note = fd.get("note");
      if (fd.get("reply")) payload.reply = fd.get("reply");
      if (fd.get("department_code")) payload.department_code = fd.get("department_code");
      if (fd.get("into_id")) payload.into_id = parseInt(fd.get("into_id"), 10);
      try {
        var file = form.elements.photo && form.elements.photo.files[0];
        if (file) payload.photos = [await upload(file)];
        await CB.postJSON("/api/events/" + eventId + "/actions/" + form.dataset.action, payload);
        status.textContent = t("events.js.done");
        location.reload();
      } catch (err) {
        status.textContent = t("events.js.error", {msg: err.message});
        status.classList.add("error");
      }
    });
  });
})();
