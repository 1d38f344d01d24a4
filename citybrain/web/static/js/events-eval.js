/* 综合评价: /api/events/evaluation as two ECharts charts (volume; on-time closure, rework and
 * satisfaction) and a table. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var form = document.getElementById("eval-form");
  var status = document.getElementById("eval-status");
  var tbody = document.querySelector("#eval-table tbody");
  var volume = echarts.init(document.getElementById("chart-volume"), "dark");
  var rates = echarts.init(document.getElementById("chart-rates"), "dark");
  window.addEventListener("resize", function () { volume.resize(); rates.resize(); });

  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
  function num(x) { return x === null || x === undefined ? "—" : String(x); }

  async function load() {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) p.set(k, v); });
    status.textContent = t("events.js.loading");
    try {
      var data = await CB.getJSON("/api/events/evaluation?" + p.toString());
      var rows = data.rows.slice(0, 20);
      var names = rows.map(function (r) { return r.name; });
      volume.setOption({
        backgroundColor: "transparent", tooltip: {trigger: "axis"}, grid: {left: 120, right: 20, top: 30, bottom: 20},
        title: {text: t("events.js.volume"), left: 0, textStyle: {fontSize: 13}},
        xAxis: {type: "value"}, yAxis: {type: "category", data: names, inverse: true},
        series: [{type: "bar", name: t("events.js.volume"), data: rows.map(function (r) { return r.volume; })}]
      }, true);
      rates.setOption({
        backgroundColor: "transparent", tooltip: {trigger: "axis"}, legend: {top: 0},
        grid: {left: 120, right: 20, top: 40, bottom: 20},
        xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
        yAxis: {type: "category", data: names, inverse: true},
        series: [
          {type: "bar", name: t("events.js.on_time"), data: rows.map(function (r) { return r.on_time_closure_rate === null ? null : +(r.on_time_closure_rate * 100).toFixed(1); })},
          {type: "bar", name: t("events.js.rework"), data: rows.map(function (r) { return r.rework_rate === null ? null : +(r.rework_rate * 100).toFixed(1); })},
          {type: "bar", name: t("events.js.satisfaction") + " (×20)", data: rows.map(function (r) { return r.satisfaction === null ? null : r.satisfaction * 20; })}
        ]
      }, true);
      tbody.replaceChildren.apply(tbody, data.rows.map(function (r) {
        return el("tr", null, [el("td", null, r.name), el("td", null, num(r.volume)), el("td", null, num(r.accepted)),
          el("td", null, num(r.closed)), el("td", null, pct(r.on_time_closure_rate)), el("td", null, pct(r.rework_rate)),
          el("td", null, num(r.overdue_open)), el("td", null, num(r.mean_accept_hours)),
          el("td", null, num(r.mean_handle_hours)), el("td", null, num(r.satisfaction))]);
      }));
      status.textContent = t("events.js.total", {n: CB.number(data.total.volume)});
      document.getElementById("chart-volume").dataset.rendered = "true";
    } catch (err) {
      status.textContent = t("events.js.error", {msg: err.message});
    }
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
  load();
})();
