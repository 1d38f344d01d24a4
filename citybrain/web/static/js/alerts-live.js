/* Watching a delivery live (an alert's page, a campaign's page): the progress bars of delivered and
 * acknowledged, fed by GET /api/alerts/{kind}/{id}/delivery/stream (server-sent events, `progress`); on each
 * change the caller re-reads the delivery account (who has not acknowledged). Where the stream cannot be
 * opened or keeps failing, it falls back to asking every 5 seconds.
 * window.CBLive.watch(box, kind, id, onChange) */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;

  function bar(label, value, max, cls) {
    var pct = max ? Math.round(100 * value / max) : 0;
    return el("div", {class: "al-progress-row " + cls}, [
      el("span", {class: "al-progress-label"}, label),
      el("progress", {max: String(max || 1), value: String(value), "aria-label": label}),
      el("span", {class: "al-progress-num"}, CB.number(value) + " / " + CB.number(max) + " · " + pct + "%")]);
  }

  function draw(box, p, mode) {
    box.textContent = "";
    box.dataset.delivered = p.delivered;
    box.dataset.acked = p.people_acknowledged;
    box.dataset.total = p.total;
    var state = el("p", {class: "al-muted al-live-state"}, [el("span", {class: "al-live-dot " + mode, "aria-hidden": "true"}),
      t(mode === "live" ? "alerts.live.js.live" : "alerts.live.js.polling")]);
    if (!p.total) { box.appendChild(el("p", {class: "al-muted"}, t("alerts.live.js.idle"))); box.appendChild(state); return; }
    box.appendChild(bar(t("alerts.live.js.delivered"), p.delivered, p.total, "delivered"));
    box.appendChild(bar(t("alerts.live.js.acked"), p.people_acknowledged, p.people, "acked"));
    box.appendChild(el("p", {class: "al-progress-text", role: "status"}, t("alerts.live.js.progress", {
      delivered: CB.number(p.delivered), total: CB.number(p.total), acked: CB.number(p.people_acknowledged),
      people: CB.number(p.people)})));
    box.appendChild(state);
  }

  function watch(box, kind, id, onChange) {
    var url = "/api/alerts/" + kind + "/" + id + "/delivery";
    var timer = null, failures = 0;
    function changed(p, mode) { draw(box, p, mode); if (onChange) onChange(p); }

    function poll() {  // the fallback: the account itself carries the counts
      if (timer) return;
      var tick = async function () {
        try {
          var d = await CB.getJSON(url + "?size=1");
          var s = d.counts.status;
          changed({total: d.counts.total, delivered: (s.delivered || 0) + (s.acknowledged || 0),
                   people: d.people, people_acknowledged: d.people_acknowledged}, "polling");
        } catch (err) { /* try again at the next tick */ }
      };
      tick();
      timer = setInterval(tick, 5000);
    }

    if (!window.EventSource) { poll(); return; }
    var src = new EventSource(url + "/stream");
    src.addEventListener("progress", function (ev) { failures = 0; changed(JSON.parse(ev.data), "live"); });
    src.onerror = function () {
      failures += 1;
      if (failures >= 3 || src.readyState === EventSource.CLOSED) { src.close(); poll(); }
    };
    window.addEventListener("pagehide", function () { src.close(); if (timer) clearInterval(timer); });
  }

  window.CBLive = {watch: watch, draw: draw};
})();
