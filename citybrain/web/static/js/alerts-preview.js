/* Before an alert is issued: whom it reaches (POST /api/alerts/targeting/preview — counts by kind and by
 * street, names never codes, a sample masked by role) and the SMS as it will be sent (POST
 * /api/alerts/targeting/text — signature included, characters and segments as providers bill them).
 * Used by the compose page and by an alert's own page. window.CBAlertPreview.{recipients, text}. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  // the channels a new alert goes out on (targeting's handler: SMS and the app's inbox)
  var CHANNELS = ["sms", "app"];

  function kindName(k) { return t("alerts.delivery.js.kind." + k); }
  function channelName(c) { return t("alerts.delivery.js.channel." + c); }

  function list(title, rows) {
    return el("div", {class: "al-pv-list"}, [el("h3", {}, title), el("ul", {}, rows.map(function (r) {
      return el("li", {}, [el("span", {}, r[0]), el("strong", {}, CB.number(r[1]))]);
    }))]);
  }

  function drawRecipients(box, res) {
    box.textContent = "";
    if (!res.total) { box.appendChild(el("p", {class: "al-muted"}, t("alerts.preview.js.none"))); return; }
    box.appendChild(el("p", {class: "al-pv-total"}, t("alerts.preview.js.totals",
      {people: CB.number(res.people), total: CB.number(res.total)})));
    var cols = el("div", {class: "al-pv-cols"});
    cols.appendChild(list(t("alerts.preview.js.by_kind"),
      Object.keys(res.by_kind).map(function (k) { return [kindName(k), res.by_kind[k]]; })));
    cols.appendChild(list(t("alerts.preview.js.by_street"),
      res.by_street.map(function (s) { return [s.name, s.count]; })));
    box.appendChild(cols);
    if (!res.sample.length) return;
    box.appendChild(el("h3", {}, t("alerts.preview.js.sample")));
    box.appendChild(el("ul", {class: "al-waiting al-pv-sample"}, res.sample.map(function (s) {
      return el("li", {}, [el("strong", {}, s.name),
        el("span", {class: "al-muted"}, [kindName(s.kind), channelName(s.channel), s.street].join(" · "))]);
    })));
  }

  /* area: the AreaSpec as the alerts API takes it; resolves to the preview (or throws the API's error) */
  async function recipients(box, area) {
    if (!area || (!(area.polygons || []).length && !(area.circles || []).length && !(area.geocodes || []).length)) {
      box.textContent = "";
      box.appendChild(el("p", {class: "al-muted"}, t("alerts.preview.js.draw_first")));
      return null;
    }
    box.setAttribute("aria-busy", "true");
    try {
      var res = await CB.postJSON("/api/alerts/targeting/preview", {
        area: Object.assign({}, area, {description: area.description || "-"}), channels: CHANNELS});
      drawRecipients(box, res);
      return res;
    } catch (err) {
      box.textContent = "";
      box.appendChild(el("p", {class: "form-error"}, err.message));
      return null;
    } finally { box.removeAttribute("aria-busy"); }
  }

  /* zh: {headline, description, instruction} of the Chinese text */
  async function text(box, zh) {
    box.textContent = "";
    if (!zh.headline && !zh.instruction && !zh.description) {
      box.appendChild(el("p", {class: "al-muted"}, t("alerts.preview.js.type_first")));
      return null;
    }
    try {
      var res = await CB.postJSON("/api/alerts/targeting/text", zh);
      box.appendChild(el("p", {class: "al-sms"}, res.signed));
      box.appendChild(el("p", {class: "al-muted al-sms-length"},
        t("alerts.preview.js.length", {chars: res.chars, segments: res.segments})));
      if (res.cut) box.appendChild(el("p", {class: "form-error"}, t("alerts.preview.js.cut")));
      return res;
    } catch (err) {
      box.appendChild(el("p", {class: "form-error"}, err.message));
      return null;
    }
  }

  window.CBAlertPreview = {recipients: recipients, text: text};
})();
