/* Log-in form: posts to /api/auth/login (which sets the citybrain_token cookie), then goes on. */
(function () {
  "use strict";

  var form = document.getElementById("login-form");
  var errorBox = document.getElementById("login-error");
  var button = form.querySelector("button[type=submit]");
  var buttonText = button.textContent;

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    form.classList.add("has-error");
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    form.classList.remove("has-error");
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearError();
    var username = form.username.value.trim();
    var password = form.password.value;
    if (!username || !password) {
      showError(CB.t("web.js.login.invalid"));
      return;
    }
    button.disabled = true;
    button.textContent = button.dataset.busy;
    try {
      await CB.postJSON("/api/auth/login", {username: username, password: password});
      window.location.assign(form.dataset.next || "/");
    } catch (err) {
      if (err instanceof CB.HttpError) {
        showError(err.status === 401 ? CB.t("web.js.login.failed")
          : err.status === 422 ? CB.t("web.js.login.invalid") : err.message);
      } else {
        showError(CB.t("web.js.login.network"));
      }
      form.password.value = "";
      form.password.focus();
      button.disabled = false;
      button.textContent = buttonText;
    }
  });
})();
