/* Delivery's block on an alert's page: how many people were reached, who has acknowledged and who has not
 * (names and numbers as the API masks them for the reader's role), counts by status and by channel.
 * window.CBDelivery.render(container, data) with data from GET /api/alerts/{source_kind}/{source_id}/delivery. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
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
    box.appendChild(el("h3", {}, t("alerts.delivery.js.not_acked")));
    var tbody = el("tbody");
    rows.forEach(function (m) {
      tbody.appendChild(el("tr", {}, [
        el("td", {"data-label": t("alerts.delivery.js.calls.name")}, m.name),
        el("td", {"data-label": t("alerts.delivery.js.calls.kind")}, t("alerts.delivery.js.kind." + m.kind)),
        el("td", {"data-label": t("alerts.delivery.js.channel")}, t("alerts.delivery.js.channel." + m.channel)),
        el("td", {"data-label": t("alerts.delivery.js.state")}, t("alerts.delivery.js.status." + m.status))]));
    });
    box.appendChild(el("div", {class: "table-wrap"}, el("table", {class: "table cards"}, [el("thead", {}, el("tr", {}, [
      el("th", {}, t("alerts.delivery.js.calls.name")), el("th", {}, t("alerts.delivery.js.calls.kind")),
      el("th", {}, t("alerts.delivery.js.channel")), el("th", {}, t("alerts.delivery.js.state"))])), tbody])));
  }

  window.CBDelivery = {render: render};
})();
