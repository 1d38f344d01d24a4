/* One campaign's page: approve / send / cancel through the JSON API, and its delivery — the progress bars
 * live (alerts-live.js) and who has not acknowledged, re-read on each change. */
(function () {
  "use strict";
  var options = JSON.parse(document.getElementById("alerts-options").textContent);
  var status = document.getElementById("cp-status");
  var box = document.getElementById("campaign-delivery");

  document.getElementById("cp-actions").addEventListener("click", async function (ev) {
    var b = ev.target.closest("button[data-action]");
    if (!b) return;
    b.disabled = true;
    try {
      await CB.postJSON("/api/alerts/campaigns/" + options.id + "/" + b.dataset.action, {});
      window.location.reload();
    } catch (err) {
      status.textContent = CB.errorMessages(err).map(function (m) { return m.text; }).join("；");
      status.classList.add("error");
    } finally { b.disabled = false; }
  });

  var loading = false, again = false;
  function load() {
    if (loading) { again = true; return; }
    loading = true;
    CB.getJSON(box.dataset.src).then(function (data) {
      CBDelivery.render(document.getElementById("campaign-delivery-body"), data);
    }).catch(function (err) { status.textContent = err.message; }).finally(function () {
      loading = false;
      if (again) { again = false; load(); }
    });
  }
  if (options.live) CBLive.watch(document.getElementById("al-progress"), "campaign", options.id, load);
  else load();
})();
