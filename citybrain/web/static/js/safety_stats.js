/* Hidden-danger statistics: the dynamic count over time, rankings by venue type and by community, and
 * the rectification status, for a period, a street and an industry (ECharts; data from
 * /api/safety/stats/hidden-dangers/*). */
(function () {
  "use strict";

  var t = CB.t;
  var el = CB.el;
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var form = document.getElementById("filters");
  var statusEl = document.getElementById("stats-status");
  var AXIS = {axisLabel: {color: "#94a3b8"}, axisLine: {lineStyle: {color: "#334155"}}};
  /* counts: a linear axis from zero (a value below one is no bar, never one pointing down as on a log
   * axis), whole numbers on the ticks */
  var COUNT_AXIS = Object.assign({type: "value", min: 0, minInterval: 1}, AXIS);
  /* every bar says its value (nothing for a zero, which draws no bar) */
  function barLabel(position) {
    return {show: true, position: position, color: "#e2e8f0", fontSize: 11,
      formatter: function (p) { return p.value > 0 ? CB.number(p.value) : ""; }};
  }
  function counts(items, key) { return items.map(function (i) { return Math.max(0, i[key] || 0); }); }

  function chart(id) { return echarts.init(document.getElementById(id), null, {renderer: "svg"}); }
  var charts = {timeline: chart("timeline-chart"), venue: chart("venue-chart"), community: chart("community-chart"),
    rect: chart("rect-chart")};

  /* each filter's name in words, from its <label> (errors name the field the way the page does) */
  function labels() {
    var out = {};
    [].forEach.call(form.elements, function (e) {
      var label = e.name && e.closest("label");
      if (label && label.firstChild) out[e.name] = label.firstChild.textContent.trim();
    });
    return out;
  }

  function query() {
    var params = new URLSearchParams();
    ["since", "until", "street", "industry"].forEach(function (name) {
      var v = form.elements[name].value;
      if (v) params.set(name, v);
    });
    return params;
  }

  function ranking(c, items, labelKey) {
    c.setOption({
      animation: !still, tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {textStyle: {color: "#94a3b8"}, top: 0},
      grid: {left: 110, right: 40, top: 28, bottom: 20},
      xAxis: COUNT_AXIS,
      yAxis: {type: "category", inverse: true, data: items.map(function (i) { return i[labelKey]; }),
        axisLabel: {color: "#94a3b8", interval: 0, fontSize: 11, width: 96, overflow: "truncate"}, axisLine: AXIS.axisLine},
      series: [
        {name: t("safety.js.found"), type: "bar", data: counts(items, "found"), itemStyle: {color: "#38bdf8"},
          label: barLabel("right")},
        {name: t("safety.js.outstanding"), type: "bar", data: counts(items, "outstanding"),
          itemStyle: {color: "#f59e0b"}, label: barLabel("right")},
        {name: t("safety.js.overdue"), type: "bar", data: counts(items, "overdue"),
          itemStyle: {color: "#ef4444"}, label: barLabel("right")}
      ]
    }, true);
  }

  function figure(box, value, label) {
    box.appendChild(el("div", {class: "stat"}, [el("div", {class: "stat-value"}, value), el("div", {class: "stat-label"}, label)]));
  }

  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }

  async function load() {
    CB.clearErrors(form, statusEl);
    statusEl.textContent = t("safety.js.loading");
    statusEl.className = "status";
    var q = query();
    var tq = new URLSearchParams(q);
    tq.set("bucket", form.elements.bucket.value);
    try {
      var res = await Promise.all([
        CB.getJSON("/api/safety/stats/hidden-dangers/timeline?" + tq),
        CB.getJSON("/api/safety/stats/hidden-dangers/by-venue-type?" + q),
        CB.getJSON("/api/safety/stats/hidden-dangers/by-community?limit=15&" + q),
        CB.getJSON("/api/safety/stats/hidden-dangers/rectification?" + q)
      ]);
      var tl = res[0].series;
      charts.timeline.setOption({
        animation: !still, tooltip: {trigger: "axis"}, legend: {textStyle: {color: "#94a3b8"}, top: 0},
        grid: {left: 50, right: 50, top: 30, bottom: 30},
        xAxis: Object.assign({type: "category", data: tl.map(function (r) { return r.period; })}, AXIS),
        yAxis: [COUNT_AXIS, Object.assign({}, COUNT_AXIS, {splitLine: {show: false}})],
        series: [
          {name: t("safety.js.found"), type: "bar", data: counts(tl, "found"), itemStyle: {color: "#38bdf8"},
            label: barLabel("top")},
          {name: t("safety.js.rectified"), type: "bar", data: counts(tl, "rectified"),
            itemStyle: {color: "#34d399"}, label: barLabel("top")},
          {name: t("safety.js.outstanding"), type: "line", yAxisIndex: 1, data: tl.map(function (r) { return r.outstanding; }),
            itemStyle: {color: "#f59e0b"}}
        ]
      }, true);
      ranking(charts.venue, res[1].items, "label");
      ranking(charts.community, res[2].items, "name");
      var r = res[3];
      var box = document.getElementById("rect-figures");
      box.textContent = "";
      figure(box, CB.number(r.found), t("safety.js.found"));
      figure(box, CB.number(r.rectified), t("safety.js.rectified"));
      figure(box, pct(r.rectification_rate), t("safety.js.rate"));
      figure(box, pct(r.timeliness_rate), t("safety.js.timeliness"));
      figure(box, CB.number(r.overdue), t("safety.js.overdue"));
      figure(box, CB.number(r.major), t("safety.js.major"));
      charts.rect.setOption({
        animation: !still, tooltip: {trigger: "item"}, legend: {textStyle: {color: "#94a3b8"}, bottom: 0},
        series: [{type: "pie", radius: ["40%", "70%"], label: {color: "#e2e8f0"}, data: [
          {name: t("safety.js.in_time"), value: r.in_time, itemStyle: {color: "#34d399"}},
          {name: t("safety.js.late"), value: r.late, itemStyle: {color: "#a78bfa"}},
          {name: t("safety.js.pending"), value: r.pending, itemStyle: {color: "#38bdf8"}},
          {name: t("safety.js.overdue"), value: r.overdue, itemStyle: {color: "#ef4444"}}
        ]}]
      }, true);
      statusEl.textContent = "";
      document.getElementById("timeline-chart").dataset.rendered = "true";
    } catch (e) {
      /* in the page's language, beside the filter it is about (a period before 2000, reversed dates) */
      statusEl.textContent = "";
      CB.showErrors(form, e, {box: statusEl, labels: labels()});
      statusEl.className = "status error";
    }
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
  load();
})();
