/* Risk-prompt campaigns: the list and the duty officer's proposal inbox, the compose form (live SMS
 * segment counter, live recipient preview) and the figures (ECharts). One file, by page. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var opts = JSON.parse(document.getElementById("alerts-options").textContent);
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function kindName(k) { return t("alerts.campaigns.js.kind." + k); }
  function channelName(c) { return t("alerts.campaigns.js.channel." + c); }
  function stateName(s) { return t("alerts.campaigns.js.state." + s); }
  function say(node, text, bad) { node.textContent = text || ""; node.classList.toggle("error", !!bad); }
  function failure(err) { return CB.errorMessages(err).map(function (m) { return m.text; }).join("；"); }

  /* ── the list and the inbox ─────────────────────────────────────────────────────────────────── */
  function actionButtons(c, reload, statusNode) {
    var box = el("div", {class: "al-actions"});
    (c.actions || []).forEach(function (a) {
      var b = el("button", {type: "button", class: a === "cancel" ? "danger" : null, "data-action": a},
        t("alerts.campaigns.js.action." + a));
      b.addEventListener("click", async function () {
        b.disabled = true;
        try {
          await CB.postJSON("/api/alerts/campaigns/" + c.id + "/" + a, {});
          say(statusNode, t("alerts.campaigns.js.done." + a, {title: c.title}));
          await reload();
        } catch (err) { say(statusNode, failure(err), true); b.disabled = false; }
      });
      box.appendChild(b);
    });
    return box;
  }

  async function listPage() {
    var inbox = document.getElementById("inbox"), inboxStatus = document.getElementById("inbox-status");
    var body = document.querySelector("#list tbody"), listStatus = document.getElementById("list-status");
    async function reload() {
      try {
        var props = await CB.getJSON("/api/alerts/campaigns?status=draft&origin=proposal&size=50");
        inbox.replaceChildren();
        document.getElementById("inbox-count").textContent = t("alerts.campaigns.js.count", {n: props.total});
        if (!props.items.length) inbox.appendChild(el("p", {class: "hint"}, t("alerts.campaigns.js.inbox_empty")));
        props.items.forEach(function (c) {
          inbox.appendChild(el("div", {class: "al-proposal"}, [
            el("strong", null, c.title),
            el("p", null, c.signed),
            el("p", {class: "hint"}, t("alerts.campaigns.js.proposal_meta",
              {area: c.area_name, time: CB.shortTime(c.created_at), chars: c.chars, segments: c.segments})),
            actionButtons(c, reload, inboxStatus)
          ]));
        });
        var page = await CB.getJSON("/api/alerts/campaigns?size=100");
        document.getElementById("list-count").textContent = t("alerts.campaigns.js.count", {n: page.total});
        body.replaceChildren();
        page.items.forEach(function (c) {
          body.appendChild(el("tr", null, [
            el("td", {"data-label": t("alerts.campaigns.js.col.title")}, c.title),
            el("td", {"data-label": t("alerts.campaigns.js.col.status")},
              el("span", {class: "st st-" + c.status}, stateName(c.status))),
            el("td", {"data-label": t("alerts.campaigns.js.col.area")}, c.area_name),
            el("td", {"data-label": t("alerts.campaigns.js.col.messages")}, CB.number(c.messages)),
            el("td", {"data-label": t("alerts.campaigns.js.col.time")}, CB.shortTime(c.sent_at || c.created_at)),
            el("td", {"data-label": t("alerts.campaigns.js.col.actions")}, actionButtons(c, reload, listStatus))
          ]));
        });
      } catch (err) { say(listStatus, failure(err), true); }
    }
    await reload();
  }

  /* ── compose ────────────────────────────────────────────────────────────────────────────────── */
  var VAR = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

  function variablesOf(text) {
    var out = [], m;
    VAR.lastIndex = 0;
    while ((m = VAR.exec(text)) !== null) if (out.indexOf(m[1]) < 0) out.push(m[1]);
    return out;
  }

  /* The count SMS providers bill: the signature included, 70 characters in one message, 67 per part of a
   * longer one. Counted in code points; a character outside the BMP is flagged (the server refuses or
   * normalises it). */
  function count(text) {
    var chars = Array.from(opts.signature + text);
    var astral = chars.filter(function (c) { return c.codePointAt(0) > 0xFFFF; });
    var n = chars.length;
    return {chars: n, segments: n <= opts.single ? 1 : Math.ceil(n / opts.per_segment), astral: astral};
  }

  async function composePage() {
    var form = document.getElementById("compose");
    var select = form.elements.template_code, textarea = document.getElementById("c-text");
    var varsBox = document.getElementById("c-vars"), signed = document.getElementById("c-signed");
    var counter = document.getElementById("c-counter"), statusNode = document.getElementById("c-status");
    var areaBox = document.getElementById("c-area");
    var values = {};
    var labels = {title: t("alerts.campaigns.js.field.title"), template: t("alerts.campaigns.js.field.text"),
      text: t("alerts.campaigns.js.field.text"), template_code: t("alerts.campaigns.js.field.template"),
      area: t("alerts.campaigns.js.field.area"), geocodes: t("alerts.campaigns.js.field.area"),
      description: t("alerts.campaigns.js.field.area"), kinds: t("alerts.campaigns.js.field.kinds"),
      channels: t("alerts.campaigns.js.field.channels")};

    select.appendChild(el("option", {value: ""}, t("alerts.campaigns.js.own_text")));
    Object.keys(opts.templates).forEach(function (code) {
      select.appendChild(el("option", {value: code}, opts.templates[code].name));
    });
    function checks(box, name, items, label, checked) {
      items.forEach(function (v) {
        var id = "c-" + name + "-" + v;
        box.appendChild(el("label", {for: id}, [
          el("input", {type: "checkbox", id: id, "data-group": name, value: v, checked: checked(v) ? "" : null}),
          label(v)]));
      });
    }
    checks(document.getElementById("c-kinds"), "kinds", opts.kinds, kindName,
      function (k) { return ["hazard_contact", "unit_contact", "department", "grid_worker", "community_staff", "resident"].indexOf(k) >= 0; });
    checks(document.getElementById("c-channels"), "channels", ["sms", "app"], channelName, function () { return true; });
    function picked(group) {
      return [].map.call(form.querySelectorAll("input[data-group=" + group + "]:checked"), function (i) { return i.value; });
    }

    function drawVariables() {
      var names = variablesOf(textarea.value);
      [].forEach.call(varsBox.querySelectorAll("input"), function (i) { values[i.dataset.var] = i.value; });
      varsBox.querySelectorAll("label").forEach(function (n) { n.remove(); });
      names.forEach(function (name) {
        var id = "c-var-" + name;
        var known = t("alerts.campaigns.js.var." + name);
        var input = el("input", {type: "text", id: id, name: "variables." + name, "data-var": name, maxlength: "60"});
        input.value = values[name] || "";
        varsBox.appendChild(el("label", {for: id}, [known.indexOf("alerts.") === 0 ? name : known, input]));
      });
      varsBox.hidden = !names.length;
    }

    function rendered() {
      return textarea.value.replace(VAR, function (whole, name) {
        var input = varsBox.querySelector("input[data-var=" + name + "]");
        return input && input.value.trim() ? input.value.trim() : whole;
      }).trim();
    }

    function drawCount() {
      var text = rendered();
      var n = count(text);
      signed.textContent = opts.signature + text;
      var over = n.chars > opts.max_chars;
      counter.textContent = t("alerts.campaigns.js.counter", {chars: n.chars, segments: n.segments, max: opts.max_chars}) +
        (over ? " · " + t("alerts.campaigns.js.too_long") : "") +
        (n.astral.length ? " · " + t("alerts.campaigns.js.astral", {chars: n.astral.join(" ")}) : "");
      counter.classList.toggle("over", over || n.astral.length > 0);
      counter.dataset.chars = String(n.chars);
      counter.dataset.segments = String(n.segments);
    }

    select.addEventListener("change", function () {
      var tpl = opts.templates[select.value];
      if (tpl) textarea.value = tpl.text;
      drawVariables(); drawCount();
    });
    textarea.addEventListener("input", function () { drawVariables(); drawCount(); });
    varsBox.addEventListener("input", drawCount);

    var streets = [];
    try {
      var kids = await CB.getJSON("/api/geography/areas/510116/children?size=50");
      streets = kids.items.filter(function (a) { return a.managed_by_district; });
    } catch (err) { say(statusNode, failure(err), true); }
    streets.forEach(function (s) {
      var id = "c-area-" + s.code;
      areaBox.appendChild(el("label", {for: id}, [el("input", {type: "checkbox", id: id, "data-group": "area",
        value: s.code, "data-name": s.name}), s.name]));
    });
    function area() {
      var boxes = form.querySelectorAll("input[data-group=area]:checked");
      var names = [].map.call(boxes, function (b) { return b.dataset.name; });
      return {description: names.join("、") || "-", geocodes: [].map.call(boxes, function (b) { return b.value; })};
    }

    var pvTimer = null, pvSeq = 0;
    var pvStatus = document.getElementById("pv-status");
    function list(id, pairs) {
      var ul = document.getElementById(id);
      ul.replaceChildren();
      pairs.forEach(function (p) { ul.appendChild(el("li", null, [el("span", null, p[0]), el("span", null, p[1])])); });
    }
    async function preview() {
      var a = area(), seq = ++pvSeq;
      if (!a.geocodes.length) {
        list("pv-kinds", []); list("pv-streets", []); list("pv-sample", []);
        document.getElementById("pv-total").textContent = "";
        say(pvStatus, t("alerts.campaigns.js.pick_area"));
        return;
      }
      say(pvStatus, t("alerts.campaigns.js.counting"));
      try {
        var p = await CB.postJSON("/api/alerts/targeting/preview",
          {area: a, kinds: picked("kinds"), channels: picked("channels"), sample: 8});
        if (seq !== pvSeq) return;
        document.getElementById("pv-total").textContent = t("alerts.campaigns.js.preview_total", {n: p.total, people: p.people});
        list("pv-kinds", Object.keys(p.by_kind).map(function (k) { return [kindName(k), CB.number(p.by_kind[k])]; }));
        list("pv-streets", p.by_street.map(function (s) {
          return [s.name === "全区" ? t("alerts.campaigns.js.district_wide") : s.name, CB.number(s.count)];
        }));
        list("pv-sample", p.sample.map(function (s) { return [s.name, kindName(s.kind) + " · " + channelName(s.channel)]; }));
        say(pvStatus, "");
      } catch (err) { if (seq === pvSeq) say(pvStatus, failure(err), true); }
    }
    form.addEventListener("change", function (ev) {
      var g = ev.target && ev.target.dataset ? ev.target.dataset.group : null;
      if (g === "area" || g === "kinds" || g === "channels") {
        clearTimeout(pvTimer);
        pvTimer = setTimeout(preview, 250);
      }
    });

    CB.submitOnce(form, async function (ctx) {
      CB.clearErrors(form);
      var variables = {};
      [].forEach.call(varsBox.querySelectorAll("input"), function (i) { if (i.value.trim()) variables[i.dataset.var] = i.value.trim(); });
      var tpl = opts.templates[select.value];
      var body = {title: form.elements.title.value.trim(), variables: variables, area: area(),
        kinds: picked("kinds"), channels: picked("channels")};
      if (tpl && tpl.text === textarea.value) body.template_code = select.value; else body.template = textarea.value;
      try {
        var c = await ctx.post("/api/alerts/campaigns", body);
        say(statusNode, t("alerts.campaigns.js.saved", {title: c.title}));
        window.location.assign("/alerts/campaigns");
      } catch (err) {
        CB.showErrors(form, err, {labels: labels});
      }
    });
    drawVariables(); drawCount(); preview();
  }

  /* ── figures ────────────────────────────────────────────────────────────────────────────────── */
  function labelled(pos) { return {show: true, position: pos, fontSize: 11}; }

  async function figuresPage() {
    var yearSel = document.getElementById("f-year"), statusNode = document.getElementById("f-status");
    var now = new Date().getFullYear();
    [now, now - 1, now - 2].forEach(function (y) { yearSel.appendChild(el("option", {value: String(y)}, String(y))); });
    var charts = {};
    ["months", "channels", "kinds", "times"].forEach(function (k) {
      charts[k] = echarts.init(document.getElementById("f-" + k), "dark");
    });
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    var series = function (rows) {
      return [
        {name: t("alerts.campaigns.js.delivered_only"), type: "bar", stack: "m", itemStyle: {color: "#38bdf8"},
          data: rows.map(function (r) { return r.delivered - r.acknowledged; })},
        {name: t("alerts.campaigns.js.acknowledged"), type: "bar", stack: "m", itemStyle: {color: "#34d399"},
          data: rows.map(function (r) { return r.acknowledged; })},
        {name: t("alerts.campaigns.js.failed"), type: "bar", stack: "m", itemStyle: {color: "#f87171"},
          data: rows.map(function (r) { return r.failed; }), label: labelled("top")}
      ];
    };
    function bars(chart, cats, rows, horizontal) {
      var cat = {type: "category", data: cats, axisLabel: {interval: 0, rotate: horizontal ? 0 : 30}};
      var val = {type: "value", min: 0, name: t("alerts.campaigns.js.messages")};
      chart.setOption({backgroundColor: "transparent", animation: !reduced, tooltip: {trigger: "axis"},
        legend: {top: 0}, grid: {left: 8, right: 16, top: 34, bottom: 8, containLabel: true},
        xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val, series: series(rows)}, true);
    }
    async function load() {
      try {
        var f = await CB.getJSON("/api/alerts/campaigns/figures?year=" + yearSel.value);
        var tot = f.total;
        say(statusNode, tot ? t("alerts.campaigns.js.year_total", {n: CB.number(tot.total), campaigns: f.campaigns.length,
          delivered: CB.number(tot.delivered), ack: CB.number(tot.acknowledged), failed: CB.number(tot.failed)})
          : t("alerts.campaigns.js.no_messages"));
        bars(charts.months, f.months.map(function (m) { return m.month; }), f.months, false);
        bars(charts.channels, f.channels.map(function (m) { return channelName(m.channel); }), f.channels, true);
        bars(charts.kinds, f.kinds.map(function (m) { return kindName(m.kind); }), f.kinds, true);
        charts.times.setOption({backgroundColor: "transparent", animation: !reduced, tooltip: {trigger: "axis"},
          legend: {top: 0, type: "scroll"}, grid: {left: 8, right: 16, top: 60, bottom: 8, containLabel: true},
          xAxis: {type: "category", data: f.channels.map(function (m) { return channelName(m.channel); })},
          yAxis: [{type: "value", min: 0, name: t("alerts.campaigns.js.seconds")},
                  {type: "value", min: 0, name: t("alerts.campaigns.js.minutes")}],
          series: [
            {name: t("alerts.campaigns.js.deliver_median"), type: "bar", itemStyle: {color: "#38bdf8"}, label: labelled("top"),
              data: f.channels.map(function (m) { return m.deliver_median_s; })},
            {name: t("alerts.campaigns.js.ack_median"), type: "bar", yAxisIndex: 1, itemStyle: {color: "#34d399"},
              label: labelled("top"), data: f.channels.map(function (m) {
                return m.ack_median_s === null ? null : Number((m.ack_median_s / 60).toFixed(1)); })}
          ]}, true);
        var body = document.querySelector("#f-campaigns tbody");
        body.replaceChildren();
        f.campaigns.forEach(function (c) {
          body.appendChild(el("tr", null, [
            el("td", {"data-label": t("alerts.campaigns.js.col.title")}, c.title),
            el("td", {"data-label": t("alerts.campaigns.js.col.messages")}, CB.number(c.total)),
            el("td", {"data-label": t("alerts.campaigns.js.delivered")}, CB.number(c.delivered)),
            el("td", {"data-label": t("alerts.campaigns.js.failed")}, CB.number(c.failed)),
            el("td", {"data-label": t("alerts.campaigns.js.acknowledged")}, CB.number(c.acknowledged)),
            el("td", {"data-label": t("alerts.campaigns.js.deliver_median")},
              c.deliver_median_s === null ? "—" : c.deliver_median_s + " s")
          ]));
        });
      } catch (err) { say(statusNode, failure(err), true); }
    }
    yearSel.addEventListener("change", load);
    await load();
  }

  if (document.getElementById("campaigns-page")) listPage();
  if (document.getElementById("compose-page")) composePage();
  if (document.getElementById("figures-page")) figuresPage();
})();
