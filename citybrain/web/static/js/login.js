/* Log-in form: posts to /api/auth/login (which sets the citybrain_token cookie), then goes on.
 * Errors come from the server (422 missing field, 401, 429) and are shown by CB.showErrors in the
 * page's language, beside the field they name. */
(function () {
  "use strict";

  var form = document.getElementById("login-form");
  var errorBox = document.getElementById("login-error");
  var button = form.querySelector("button[type=submit]");
  var buttonText = button.textContent;

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    CB.clearErrors(form, errorBox);
    button.disabled = true;
    button.textContent = button.dataset.busy;
    try {
      await CB.postJSON("/api/auth/login", {username: form.username.value.trim(), password: form.password.value});
      window.location.assign(form.dataset.next || "/home");  // /home: each role's own start page
    } catch (err) {
      if (err instanceof CB.HttpError && err.status === 401) {
        // which of the two was wrong is not said (it would tell who has an account)
        errorBox.textContent = CB.t("web.js.login.failed");
        errorBox.hidden = false;
        form.classList.add("has-error");
      } else {
        CB.showErrors(form, err, {box: errorBox});
      }
      form.password.value = "";
      if (!form.querySelector("[aria-invalid=true]")) form.password.focus();
      button.disabled = false;
      button.textContent = buttonText;
    }
  });

  // follow a report by its number: the event hub's public page /report/<number>
  var follow = document.getElementById("follow-form");
  if (follow) {
    follow.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var number = follow.number.value.trim();
      if (number) window.location.assign("/report/" + encodeURIComponent(number));
    });
  }
})();
