/* The plan library: import a plan file (JSON or YAML) through the API. One request per chosen file (a double
 * click imports once; a plan document that did not change adds no version anyway); errors are shown in the
 * page's language, naming the field. */
(function () {
  "use strict";

  var form = document.getElementById("plan-import");
  if (!form) return;
  var statusEl = document.getElementById("import-status");

  CB.submitOnce(form, async function (sub) {
    var file = form.elements.file.files[0];
    if (!file) {
      CB.showErrors(form, new CB.HttpError(422, "", {detail: [{loc: ["body", "file"], type: "missing", msg: ""}]}),
                    {labels: {file: CB.t("emergency.js.field.file")}});
      return;
    }
    var yaml = /\.ya?ml$/i.test(file.name);
    statusEl.textContent = CB.t("emergency.js.working");
    try {
      var resp = await fetch("/api/emergency/plans/import?format=" + (yaml ? "yaml" : "json"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": yaml ? "application/yaml" : "application/json", "Accept": "application/json",
                  "Idempotency-Key": sub.idempotencyKey},
        body: await file.text()
      });
      var body = null;
      try { body = await resp.json(); } catch (e) { body = null; }
      if (!resp.ok) throw new CB.HttpError(resp.status, resp.statusText, body, null);
      statusEl.textContent = body.plans.map(function (p) {
        return p.code + " v" + p.version + (p.changed ? "" : " (" + CB.t("emergency.js.unchanged") + ")");
      }).join("; ");
      setTimeout(function () { window.location.reload(); }, 1200);
    } catch (err) {
      statusEl.textContent = "";
      CB.showErrors(form, err);
    }
  });
})();
