/* The duty officer's call list: key recipients who did not acknowledge a warning after a second channel.
 * "Reached" (they have it: counts as acknowledged) or "No answer" takes them off the list. Refreshed every 20 s. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var body = document.querySelector("#calls tbody");
  var status = document.getElementById("calls-status");

  function cell(label, content) { return el("td", {"data-label": label}, content); }

  async function mark(row, id, reached, button) {
    button.disabled = true;
    try {
      await CB.postJSON("/api/alerts/calls/" + id, {reached: reached}, {idempotencyKey: CB.uuid()});
      row.remove();
      status.textContent = t("alerts.delivery.js.marked");
    } catch (err) {
      button.disabled = false;
      status.textContent = CB.errorMessages(err).join(" ");
    }
  }

  async function load() {
    var items;
    try { items = await CB.getJSON("/api/alerts/calls"); } catch (err) {
      status.textContent = CB.errorMessages(err).join(" ");
      return;
    }
    body.textContent = "";
    status.textContent = items.length ? t("alerts.delivery.js.count", {n: items.length}) : t("alerts.delivery.js.empty");
    items.forEach(function (c) {
      var row = el("tr");
      var yes = el("button", {type: "button", class: "primary"}, t("alerts.delivery.js.reached"));
      var no = el("button", {type: "button"}, t("alerts.delivery.js.no_answer"));
      yes.addEventListener("click", function () { mark(row, c.message_id, true, yes); });
      no.addEventListener("click", function () { mark(row, c.message_id, false, no); });
      var phone = c.phone ? el("a", {href: "tel:" + c.phone}, c.phone) : "—";
      [cell(t("alerts.delivery.calls.name"), c.name), cell(t("alerts.delivery.calls.kind"), t("alerts.delivery.js.kind." + c.kind)),
       cell(t("alerts.delivery.calls.phone"), phone), cell(t("alerts.delivery.calls.subject"), c.subject),
       cell(t("alerts.delivery.calls.waiting"), t("alerts.delivery.js.minutes", {n: c.waiting_min})),
       cell(t("alerts.delivery.calls.action"), el("div", {style: "display:flex;gap:8px;flex-wrap:wrap"}, [yes, no]))].forEach(function (td) { row.appendChild(td); });
      body.appendChild(row);
    });
  }
  load();
  setInterval(load, 20000);
})();
