/* Public pages: the citizen's report form (map click, photo upload), follow-up by number, rating,
 * and the tea-bar forms. */
(function () {
  "use strict";
  var t = CB.t;

  /* ---- report ---- */
  var report = document.getElementById("report-form");
  if (report) {
    var point = null;
    var mapEl = document.getElementById("rp-map");
    if (mapEl && window.L) {
      var map = L.map(mapEl, {attributionControl: false}).setView([30.50, 103.95], 10);
      var marker = null;
      CB.getJSON("/api/geography/street.geojson?simplify=20").then(function (fc) {
        var layer = L.geoJSON(fc, {style: function (f) {
          var own = f.properties.managed_by_district !== false;
          return {color: own ? "#38bdf8" : "#94a3b8", weight: 1.2, fillOpacity: own ? 0.06 : 0.02,
            className: "rp-street " + (own ? "rp-governed" : "rp-external")};
        }}).addTo(map);
        if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), {animate: false});
        mapEl.dataset.loaded = "true";
      }).catch(function () { mapEl.dataset.loaded = "error"; });
      map.on("click", function (e) {
        point = {lon: +e.latlng.lng.toFixed(6), lat: +e.latlng.lat.toFixed(6)};
        if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map);
        document.getElementById("rp-point").textContent = t("events.js.pick_point", point);
      });
    }
    var status = document.getElementById("rp-status");
    var labels = {location: t("events.js.field.location"), lon: t("events.js.field.location"),
                  lat: t("events.js.field.location"), file: t("events.js.field.photo")};
    // one request at a time, and an Idempotency-Key per filled-in form: a double click is one report, an
    // edited form after a success a new one (cb.submitOnce renews the key when the form changes)
    CB.submitOnce(report, async function (ctx) {
      CB.clearErrors(report);
      var fd = new FormData(report);
      var body = {category_code: fd.get("category_code"), description: fd.get("description"),
        address: fd.get("address") || ""};
      ["reporter_name", "reporter_phone", "appeal_kind"].forEach(function (k) { if (fd.get(k)) body[k] = fd.get(k); });
      if (point) { body.lon = point.lon; body.lat = point.lat; }
      try {
        var file = document.getElementById("rp-photo").files[0];
        if (file) {
          status.textContent = t("events.js.uploading");
          var up = new FormData();
          up.append("file", file);
          var pj = await CB.postJSON("/api/events/photos", up);
          body.photos = [pj.id];
        }
        var out = await ctx.post("/api/events/report", body);
        status.textContent = t("events.js.done");
        var a = document.getElementById("rp-number");
        a.textContent = out.number;
        a.setAttribute("href", "/report/" + encodeURIComponent(out.number));
        document.getElementById("rp-code").textContent = out.access_code;
        document.getElementById("rp-done").hidden = false;
      } catch (err) { status.textContent = ""; CB.showErrors(report, err, {labels: labels}); }
    });
  }

  var follow = document.getElementById("follow-form");
  if (follow) {
    follow.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var n = new FormData(follow).get("number").trim();
      if (n) location.href = "/report/" + encodeURIComponent(n);
    });
  }

  /* ---- rating ---- */
  var rate = document.getElementById("rate-form");
  if (rate) {
    CB.submitOnce(rate, async function () {
      CB.clearErrors(rate);
      var fd = new FormData(rate);
      try {
        await CB.postJSON("/api/events/public/" + encodeURIComponent(rate.dataset.number) + "/rating",
          {access_code: fd.get("access_code"), satisfaction: parseInt(fd.get("satisfaction"), 10),
            comment: fd.get("comment") || ""});
        location.reload();
      } catch (err) { CB.showErrors(rate, err, {box: document.getElementById("rate-status")}); }
    });
  }

  /* ---- tea bar ---- */
  function formJSON(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) { if (v) out[k] = v; });
    return out;
  }
  var thread = document.getElementById("thread-form");
  if (thread) {
    CB.submitOnce(thread, async function (ctx) {
      CB.clearErrors(thread);
      try {
        var th = await ctx.post("/api/events/threads", formJSON(thread));
        location.href = "/teabar/" + th.id;
      } catch (err) { CB.showErrors(thread, err, {box: document.getElementById("thread-status")}); }
    });
  }
  [["post-form", "/posts"], ["resolve-form", "/resolution"]].forEach(function (spec) {
    var form = document.getElementById(spec[0]);
    if (!form) return;
    CB.submitOnce(form, async function (ctx) {
      CB.clearErrors(form);
      try {
        await ctx.post("/api/events/threads/" + form.dataset.thread + spec[1], formJSON(form));
        location.reload();
      } catch (err) { CB.showErrors(form, err, {box: document.getElementById("post-status")}); }
    });
  });
})();
