/* Delivery's block on an alert's page: how many people were reached, who has acknowledged and who has not
 * (names and numbers as the API masks them for the reader's role), counts by status and by channel.
 * window.CBDelivery.render(container, data) with data from GET /api/alerts/{source_kind}/{source_id}/delivery. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var SHOWN = 20;  // people waiting listed by name; the count says how many more
  var ORDER = ["pending", "sending", "sent", "delivered", "acknowledged", "failed", "dead"];

  function counts(obj) {
    return ORDER.filter(function (s) { return obj[s]; }).map(function (s) {
      return t("alerts.delivery.js.status." + s) + " " + CB.number(obj[s]);
    }).join(" · ") || "—";
  }

  function render(box, data) {
    box.textContent = "";
    box.appendChild(el("p", {class: "al-delivery-summary"}, t("alerts.delivery.js.summary", {
      people: CB.number(data.people), acked: CB.number(data.people_acknowledged),
      waiting: CB.number(data.people_not_acknowledged)})));
    box.appendChild(el("p", {}, counts(data.counts.status)));
    Object.keys(data.counts.channel).sort().forEach(function (ch) {
      box.appendChild(el("p", {class: "al-muted"}, t("alerts.delivery.js.channel." + ch) + "：" + counts(data.counts.channel[ch])));
    });
    var rows = data.messages.items.filter(function (m) { return !m.acked_at; });
    if (!rows.length) return;
    // one line per person: it stays readable at 360 px and with hundreds waiting
    box.appendChild(el("h3", {}, t("alerts.delivery.js.not_acked")));
    // key recipients first (the ones escalated to a call), then the rest in the order they were sent
    rows.sort(function (a, b) {
      return (b.key_recipient - a.key_recipient) || (b.escalation - a.escalation) || (a.id - b.id);
    });
    var shown = rows.slice(0, SHOWN);
    box.appendChild(el("ul", {class: "al-waiting"}, shown.map(function (m) {
      return el("li", {class: m.key_recipient ? "key" : ""}, [el("strong", {}, m.name),
        m.key_recipient ? el("span", {class: "al-key"}, t("alerts.live.js.key")) : null, el("span", {class: "al-muted"}, [
        t("alerts.delivery.js.kind." + m.kind), t("alerts.delivery.js.channel." + m.channel),
        t("alerts.delivery.js.status." + m.status)].join(" · "))]);
    })));
    var more = data.people_not_acknowledged - shown.length;
    if (more > 0) box.appendChild(el("p", {class: "al-muted"}, t("alerts.live.js.more", {n: CB.number(more)})));
  }

  window.CBDelivery = {render: render};
})();
