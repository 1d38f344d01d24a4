/* CityBrain page helpers shared by every page: translations, JSON fetches, times, safe DOM building.
 *
 *   CB.t("web.js.loading")                 translated text (keys the server put in #cb-strings)
 *   CB.t("web.js.managed_by", {name: x})   with {placeholders}
 *   await CB.getJSON("/api/outbox")        same-origin fetch; throws CB.HttpError with the API's message
 *   CB.time(iso), CB.shortTime(iso)        a UTC timestamp shown in Asia/Shanghai (full, or MM-DD hh:mm)
 *   CB.el("td", {class: "x"}, "text")      an element whose text is set with textContent (never HTML)
 *   CB.showErrors(form, err, labels)       an API error shown in the page's language, each message beside its input
 *   CB.submitOnce(form, handler)           double-click protection and an Idempotency-Key per filled-in form
 * See docs/ui.md ("Errors in forms", "Create forms").
 */
(function () {
  "use strict";

  var stringsEl = document.getElementById("cb-strings");
  var strings = stringsEl ? JSON.parse(stringsEl.textContent || "{}") : {};
  var lang = document.documentElement.lang || "zh-CN";

  function t(key, fmt) {
    var text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (fmt) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(fmt, name) ? String(fmt[name]) : m;
      });
    }
    return text;
  }

  function HttpError(status, message, body, retryAfter) {
    this.name = "HttpError";
    this.status = status;
    this.message = message;
    this.body = body || null;          // the API's error body, for CB.showErrors
    this.retryAfter = retryAfter || null;
  }
  HttpError.prototype = Object.create(Error.prototype);

  /* The first message of our API's error body {"detail": [{"loc": [...], "msg": "..."}]}. */
  function errorMessage(body, fallback) {
    if (body && Array.isArray(body.detail) && body.detail.length && body.detail[0].msg) {
      return body.detail[0].msg;
    }
    if (body && typeof body.detail === "string") return body.detail;
    return fallback;
  }

  async function request(method, url, payload, options) {
    var opts = {method: method, credentials: "same-origin", headers: {"Accept": "application/json"}};
    if (options && options.idempotencyKey) opts.headers["Idempotency-Key"] = options.idempotencyKey;
    if (options && options.headers) Object.assign(opts.headers, options.headers);
    if (payload instanceof FormData) {
      opts.body = payload;  // multipart (photos): the browser sets the boundary
    } else if (payload !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(payload);
    }
    var resp = await fetch(url, opts);
    var body = null;
    var type = resp.headers.get("content-type") || "";
    if (type.indexOf("json") >= 0) {
      try { body = await resp.json(); } catch (e) { body = null; }
    }
    if (!resp.ok) {
      var retry = parseInt(resp.headers.get("retry-after") || "", 10);
      throw new HttpError(resp.status, errorMessage(body, resp.status + " " + resp.statusText), body,
                          isNaN(retry) ? null : retry);
    }
    return body;
  }

  var timeFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
  });

  var shortFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });

  function formatWith(format, iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : format.format(d);
  }

  function time(iso) { return formatWith(timeFormat, iso); }

  function shortTime(iso) { return formatWith(shortFormat, iso); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
      });
    }
    [].concat(children === undefined ? [] : children).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  function number(n) {
    return new Intl.NumberFormat(lang === "en" ? "en-GB" : "zh-CN").format(n);
  }

  /* ---- errors in the user's language ----
   * Our API answers every 4xx as {"detail": [{"loc": [..., "field"], "msg", "type", "ctx"?}]}. The text
   * shown comes from web.js.err.<type> in the page's language, prefixed by the field's label (from
   * `labels`, else the <label> of the form's input of that name, else web.js.field.<name>); the API's
   * own English `msg` is shown only on an English page, and a 5xx never shows anything of the server's. */
  var TYPE_KEYS = {
    missing: "missing", value_error: "invalid", invalid: "invalid", assertion_error: "invalid",
    greater_than: "greater_than", greater_than_equal: "greater_than_equal",
    less_than: "less_than", less_than_equal: "less_than_equal",
    string_too_long: "string_too_long", string_too_short: "string_too_short",
    too_long: "too_long", too_short: "too_short",
    int_parsing: "number", int_type: "number", float_parsing: "number", float_type: "number",
    int_from_float: "number", decimal_parsing: "number", decimal_type: "number", finite_number: "number",
    bool_parsing: "bool", bool_type: "bool", string_type: "text", string_unicode: "text",
    datetime_parsing: "datetime", datetime_type: "datetime", datetime_from_date_parsing: "datetime",
    date_parsing: "datetime", date_type: "datetime", date_from_datetime_parsing: "datetime",
    time_parsing: "datetime", timezone_aware: "datetime",
    enum: "choice", literal_error: "choice", extra_forbidden: "extra_forbidden",
    json_invalid: "json_invalid", json_type: "json_invalid", model_attributes_type: "json_invalid",
    model_type: "json_invalid", dict_type: "json_invalid", list_type: "json_invalid",
    not_found: "not_found", conflict: "conflict", rate_limited: "rate_limited",
    control_characters: "control_characters", too_large: "too_large", out_of_range: "out_of_range",
    unauthorized: "unauthorized", forbidden: "forbidden"
  };
  var STATUS_KEYS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
                     413: "too_large", 429: "rate_limited"};
  var LIMIT_CTX = {greater_than: "gt", greater_than_equal: "ge", less_than: "lt", less_than_equal: "le",
                   string_too_long: "max_length", string_too_short: "min_length",
                   too_long: "max_length", too_short: "min_length"};
  var LOC_ROOTS = {body: 1, query: 1, path: 1, header: 1, cookie: 1, form: 1};
  var HAN = /[\u3400-\u9fff]/;

  function fieldOf(item) {
    var loc = (item && Array.isArray(item.loc)) ? item.loc : [];
    for (var i = loc.length - 1; i >= 0; i--) {  // the innermost name ("lon" in ["body", "point", "lon"])
      if (typeof loc[i] === "string" && !LOC_ROOTS[loc[i]]) return loc[i];
    }
    return null;
  }

  function labelFor(field, labels, form) {
    if (!field) return null;
    if (labels && Object.prototype.hasOwnProperty.call(labels, field)) return labels[field];
    var input = form ? inputFor(form, field) : null;
    if (input && input.id) {
      var lab = form.querySelector('label[for="' + input.id + '"]');
      if (lab && lab.textContent.trim()) return lab.textContent.trim().replace(/[:：*\s]+$/, "");
    }
    var key = "web.js.field." + field;
    return Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : null;
  }

  function limitOf(item, type) {
    var name = LIMIT_CTX[type];
    if (item.ctx && name && item.ctx[name] !== undefined) return item.ctx[name];
    var m = String(item.msg || "").match(/(-?\d+(?:\.\d+)?)(?!.*\d)/);  // the last number of the message
    return m ? m[1] : "";
  }

  function textFor(item, status, retryAfter, messages) {
    var type = item.type || "";
    var field = fieldOf(item);
    if (messages) {  // the page's own words for a (field, type) or a type
      var own = messages[(field || "") + "." + type] || messages[type];
      if (own) return own;
    }
    var msg = String(item.msg || "");
    if (status >= 500) return t("web.js.err.server");
    if (type === "rate_limited" || status === 429) {
      var m = msg.match(/(\d+)\s*s\b/);
      var retry = retryAfter || (m ? m[1] : null);
      return retry ? t("web.js.err.rate_limited", {retry: retry}) : t("web.js.err.rate_limited_soon");
    }
    var key = TYPE_KEYS[type] || STATUS_KEYS[status] || "invalid";
    if (key === "string_too_short" && String(limitOf(item, type)) === "1") key = "missing";  // an empty text
    // a message the server wrote in the page's language says more than a generic one
    if (msg && (key === "invalid" || key === "conflict" || key === "forbidden")) {
      if (lang === "en" ? !HAN.test(msg) : HAN.test(msg)) return msg.replace(/^Value error, /, "");
    }
    return t("web.js.err." + key, {limit: limitOf(item, type), status: status});
  }

  /* [{field, label, text}] for an error (a CB.HttpError, a network failure, or a raw status + body). */
  function errorMessages(err, labels, form, messages) {
    if (!(err instanceof HttpError)) return [{field: null, label: null, text: t("web.js.err.network")}];
    var status = err.status;
    if (status >= 500) return [{field: null, label: null, text: t("web.js.err.server")}];
    var body = err.body;
    var items = (body && Array.isArray(body.detail)) ? body.detail
      : [{loc: [], msg: body && typeof body.detail === "string" ? body.detail : "", type: ""}];
    if (!items.length) items = [{loc: [], msg: "", type: ""}];
    return items.map(function (item) {
      var field = fieldOf(item);
      var label = labelFor(field, labels, form);
      var text = textFor(item, status, err.retryAfter, messages);
      if (!STATUS_KEYS[status] && !TYPE_KEYS[item.type] && status !== 422 && status !== 400) {
        text = t("web.js.err.status", {status: status});
      }
      return {field: field, label: label,
              text: label ? t("web.js.err.with_field", {label: label, text: text}) : text};
    });
  }

  function inputFor(form, field) {
    var found = null;
    [].forEach.call(form.elements || [], function (e) { if (!found && e.name === field) found = e; });
    return found;
  }

  function clearErrors(form, box) {
    form.querySelectorAll(".field-error").forEach(function (n) { n.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
    box = box || form.querySelector(".form-error");
    if (box) { box.textContent = ""; box.hidden = true; }
    form.classList.remove("has-error");
  }

  /* Show `err` in `form`: each message beside the input named like its field, the rest in `box` (default:
   * the form's .form-error element). options: {labels: {field: label}, messages: {type or field.type: text},
   * box: element}. Returns the messages. */
  function showErrors(form, err, options) {
    options = options || {};
    var box = options.box || form.querySelector(".form-error");
    clearErrors(form, box);
    var list = errorMessages(err, options.labels, form, options.messages);
    var rest = [];
    list.forEach(function (m, i) {
      var input = m.field ? inputFor(form, m.field) : null;
      if (input && input.type !== "hidden") {
        var id = (input.id || input.name) + "-error-" + i;
        var p = el("p", {class: "field-error", id: id, role: "alert"}, m.text);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", id);
        input.insertAdjacentElement("afterend", p);
      } else {
        rest.push(m.text);
      }
    });
    if (rest.length && box) {
      box.textContent = rest.join("\n");
      box.hidden = false;
    } else if (rest.length) {
      form.insertAdjacentElement("afterbegin", el("p", {class: "field-error", role: "alert"}, rest.join("\n")));
    }
    form.classList.add("has-error");
    var first = form.querySelector("[aria-invalid=true]");
    if (first && first.focus) first.focus();
    return list;
  }

  /* ---- create forms: one request at a time, one Idempotency-Key per filled-in form ----
   * The key is renewed whenever the form's content changes (or the form is reset), so a second,
   * different submission is a new object while a double click or a retry of the same one is not. */
  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);  // crypto.randomUUID is missing on plain-http intranet hosts
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function submitOnce(form, handler) {
    var key = uuid();
    var busy = false;
    function renew() { key = uuid(); form.dataset.idempotencyKey = key; }
    form.dataset.idempotencyKey = key;
    form.addEventListener("input", renew);
    form.addEventListener("change", renew);
    form.addEventListener("reset", renew);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      if (busy) return;  // a second click while the first request runs
      busy = true;
      var buttons = form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])");
      buttons.forEach(function (b) {
        b.disabled = true;
        if (b.dataset.busy) { b.dataset.idle = b.textContent; b.textContent = b.dataset.busy; }
      });
      form.setAttribute("aria-busy", "true");
      var k = key;
      try {
        return await handler({
          form: form, idempotencyKey: k,
          post: function (url, payload) { return request("POST", url, payload, {idempotencyKey: k}); }
        });
      } finally {
        busy = false;
        form.removeAttribute("aria-busy");
        buttons.forEach(function (b) {
          b.disabled = false;
          if (b.dataset.idle !== undefined) { b.textContent = b.dataset.idle; delete b.dataset.idle; }
        });
      }
    });
  }

  /* ---- the menu button of narrow screens (base.html) ---- */
  var toggle = document.getElementById("nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var bar = toggle.closest(".topbar");
      var open = !bar.classList.contains("nav-open");
      bar.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.setAttribute("aria-label", t(open ? "web.js.nav.close" : "web.js.nav.open"));
    });
  }

  window.CB = {
    lang: lang, t: t, HttpError: HttpError, time: time, shortTime: shortTime, el: el, number: number,
    request: request,
    getJSON: function (url) { return request("GET", url); },
    postJSON: function (url, payload, options) { return request("POST", url, payload, options); },
    errorMessages: function (err, labels, form, messages) { return errorMessages(err, labels, form, messages); },
    showErrors: showErrors, clearErrors: clearErrors, submitOnce: submitOnce, uuid: uuid
  };
})();
