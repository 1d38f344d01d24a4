/* Response-time figures over a period (median and 90th percentile per stage, minutes since the report per
 * incident) and the drill year's completion per headquarters, as ECharts charts. */
(function () {
  "use strict";

  var t = CB.t;
  var still = EM.still();
  var form = document.getElementById("period");
  var statusEl = document.getElementById("fig-status");
  var stages = echarts.init(document.getElementById("stages-chart"), "dark");
  var per = echarts.init(document.getElementById("per-chart"), "dark");
  var drills = echarts.init(document.getElementById("drill-chart"), "dark");

  function mins(s) { return s === null || s === undefined ? null : Number((s / 60).toFixed(1)); }

  /* Every bar carries its value; a linear axis from zero, so a value below one (half a minute) is a short
   * bar upwards, never a downward one as a log axis draws it (issue #13 item 9). */
  function labelled(position) {
    return {show: true, position: position, fontSize: 11,
      formatter: function (p) { return p.value === null || p.value === undefined ? "" : String(p.value); }};
  }

  function iso(d) { return d.toISOString().slice(0, 10); }

  var today = new Date();
  form.elements.end.value = iso(today);
  form.elements.start.value = iso(new Date(today.getTime() - 365 * 86400000));

  async function load() {
    var q = "?start=" + form.elements.start.value + "&end=" + form.elements.end.value;
    try {
      var f = await EM.report(statusEl, CB.getJSON("/api/emergency/figures/response-times" + q));
      statusEl.textContent = t("emergency.js.incidents_in_period", {n: f.incidents});
      stages.setOption({
        backgroundColor: "transparent", animation: !still,
        legend: {top: 0}, tooltip: {trigger: "axis"},
        grid: {left: 8, right: 40, top: 30, bottom: 30, containLabel: true},
        xAxis: {type: "value", min: 0, name: t("emergency.js.min"), nameLocation: "middle", nameGap: 22},
        yAxis: {type: "category", inverse: true, axisLabel: {interval: 0}, data: f.stages.map(function (s) {
          return t("emergency.js.stage." + s.key) + " (n=" + s.count + ")";
        })},
        series: [
          {name: t("emergency.js.p50"), type: "bar", data: f.stages.map(function (s) { return mins(s.p50_s); }),
            itemStyle: {color: "#38bdf8"}, label: labelled("right")},
          {name: t("emergency.js.p90"), type: "bar", data: f.stages.map(function (s) { return mins(s.p90_s); }),
            itemStyle: {color: "#f59e0b"}, label: labelled("right")}
        ]
      }, true);
      var keys = ["verified", "activated", "first_task_accepted", "first_on_scene", "stood_down"];
      per.setOption({
        backgroundColor: "transparent", animation: !still,
        legend: {top: 0, type: "scroll"}, tooltip: {trigger: "axis"},
        grid: {left: 8, right: 20, top: 64, bottom: 10, containLabel: true},
        xAxis: {type: "category", data: f.per_incident.map(function (i) { return i.number; }),
          axisLabel: {rotate: 30, interval: 0}},
        yAxis: {type: "value", min: 0, name: t("emergency.js.min_since_report")},
        series: keys.map(function (k) {
          return {name: t("emergency.js.milestone." + k), type: "bar", label: labelled("top"),
            data: f.per_incident.map(function (i) {
              var m = i.milestones.filter(function (x) { return x.key === k; })[0];
              var v = m ? mins(m.since_report_s) : null;
              return v === null ? null : Math.max(v, 0);  // a clock skew is no negative time
            })};
        })
      }, true);
    } catch (err) { /* EM.report showed it */ }
    try {
      var year = Number(form.elements.end.value.slice(0, 4));
      var c = await CB.getJSON("/api/emergency/drills/completion?year=" + year);
      document.getElementById("drill-year").textContent = String(year);
      var rows = c.bodies.filter(function (b) { return b.planned > 0; });
      drills.setOption({
        backgroundColor: "transparent", animation: !still,
        legend: {top: 0}, tooltip: {trigger: "axis"},
        grid: {left: 8, right: 40, top: 30, bottom: 30, containLabel: true},
        xAxis: {type: "value", min: 0, minInterval: 1},
        yAxis: {type: "category", inverse: true, axisLabel: {interval: 0, width: 120, overflow: "truncate"}, data: rows.map(function (b) { return b.name; })},
        series: [
          {name: t("emergency.js.planned"), type: "bar", data: rows.map(function (b) { return b.planned; }),
            itemStyle: {color: "#475569"}, label: labelled("right")},
          {name: t("emergency.js.due"), type: "bar", data: rows.map(function (b) { return b.due; }),
            itemStyle: {color: "#38bdf8"}, label: labelled("right")},
          {name: t("emergency.js.held"), type: "bar", data: rows.map(function (b) { return b.held; }),
            itemStyle: {color: "#34d399"}, label: labelled("right")}
        ]
      }, true);
      document.getElementById("drill-note").textContent = t("emergency.js.findings_note",
        {n: c.findings, e: c.findings_as_events});
    } catch (err) {
      document.getElementById("drill-note").textContent = err.message || String(err);
    }
  }

  window.EM_CHARTS = {stages: stages, per: per, drills: drills};  // the browser test reads their options
  form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
  window.addEventListener("resize", function () { stages.resize(); per.resize(); drills.resize(); });
  load();
})();
