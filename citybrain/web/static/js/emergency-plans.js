/* The plan library: import a plan file (JSON or YAML) through the API; errors name the field. */
(function () {
  "use strict";

  var form = document.getElementById("plan-import");
  if (!form) return;
  var statusEl = document.getElementById("import-status");

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) return;
    var yaml = /\.ya?ml$/i.test(file.name);
    statusEl.classList.remove("error");
    statusEl.textContent = CB.t("emergency.js.working");
    try {
      var resp = await fetch("/api/emergency/plans/import?format=" + (yaml ? "yaml" : "json"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": yaml ? "application/yaml" : "application/json", "Accept": "application/json"},
        body: await file.text()
      });
      var body = await resp.json();
      if (!resp.ok) {
        var d = body && body.detail && body.detail[0];
        var where = d && d.loc ? d.loc.slice(1).join(".") : "";
        throw new Error((where ? where + ": " : "") + (d ? d.msg : resp.statusText));
      }
      statusEl.textContent = body.plans.map(function (p) {
        return p.code + " v" + p.version + (p.changed ? "" : " (" + CB.t("emergency.js.unchanged") + ")");
      }).join("; ");
      setTimeout(function () { window.location.reload(); }, 1200);
    } catch (err) {
      statusEl.classList.add("error");
      statusEl.textContent = err.message || String(err);
    }
  });
})();
