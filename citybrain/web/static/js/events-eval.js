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
      // every bar carries its value, every category its name (interval 0: none skipped), and the value
      // axis starts at 0, so a value below one is a short bar to the right, never a bar pointing down
      var cat = {type: "category", data: names, inverse: true, axisLabel: {interval: 0, width: 110, overflow: "truncate"}};
      var label = function (fmt) { return {show: true, position: "right", formatter: fmt || "{c}"}; };
      volume.setOption({
        backgroundColor: "transparent", tooltip: {trigger: "axis"}, grid: {left: 120, right: 20, top: 30, bottom: 20},
        title: {text: t("events.js.volume"), left: 0, textStyle: {fontSize: 13}},
        xAxis: {type: "value", min: 0}, yAxis: cat,
        series: [{type: "bar", name: t("events.js.volume"), label: label(),
                  data: rows.map(function (r) { return r.volume; })}]
      }, true);
      rates.setOption({
        backgroundColor: "transparent", tooltip: {trigger: "axis"}, legend: {top: 0},
        grid: {left: 120, right: 20, top: 40, bottom: 20},
        xAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
        yAxis: cat,
        series: [
          {type: "bar", name: t("events.js.on_time"), label: label("{c}%"), data: rows.map(function (r) { return r.on_time_closure_rate === null ? null : +(r.on_time_closure_rate * 100).toFixed(1); })},
          {type: "bar", name: t("events.js.rework"), label: label("{c}%"), data: rows.map(function (r) { return r.rework_rate === null ? null : +(r.rework_rate * 100).toFixed(1); })},
          {type: "bar", name: t("events.js.satisfaction") + " (×20)",
           label: label(function (p) { return p.value === null ? "" : (p.value / 20).toFixed(1); }), data: rows.map(function (r) { return r.satisfaction === null ? null : r.satisfaction * 20; })}
        ]
      }, true);
      var heads = Array.prototype.map.call(document.querySelectorAll("#eval-table thead th"),
                                           function (th) { return th.textContent; });
      tbody.replaceChildren.apply(tbody, data.rows.map(function (r) {
        var cells = [r.name, num(r.volume), num(r.accepted), num(r.closed), pct(r.on_time_closure_rate),
          pct(r.rework_rate), num(r.overdue_open), num(r.mean_accept_hours), num(r.mean_handle_hours), num(r.satisfaction)];
        return el("tr", null, cells.map(function (v, i) { return el("td", {"data-label": heads[i] || ""}, v); }));
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
