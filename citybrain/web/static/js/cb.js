/* CityBrain page helpers shared by every page: translations, JSON fetches, times, safe DOM building.
 *
 *   CB.t("web.js.loading")                 translated text (keys the server put in #cb-strings)
 *   CB.t("web.js.managed_by", {name: x})   with {placeholders}
 *   await CB.getJSON("/api/outbox")        same-origin fetch; throws CB.HttpError with the API's message
 *   CB.time(iso), CB.shortTime(iso)        a UTC timestamp shown in Asia/Shanghai (full, or MM-DD hh:mm)
 *   CB.el("td", {class: "x"}, "text")      an element whose text is set with textContent (never HTML)
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

  function HttpError(status, message) {
    this.name = "HttpError";
    this.status = status;
    this.message = message;
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

  async function request(method, url, payload) {
    var opts = {method: method, credentials: "same-origin", headers: {"Accept": "application/json"}};
    if (payload !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(payload);
    }
    var resp = await fetch(url, opts);
    var body = null;
    var type = resp.headers.get("content-type") || "";
    if (type.indexOf("json") >= 0) {
      body = await resp.json();
    }
    if (!resp.ok) {
      throw new HttpError(resp.status, errorMessage(body, resp.status + " " + resp.statusText));
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

  window.CB = {
    lang: lang, t: t, HttpError: HttpError, time: time, shortTime: shortTime, el: el, number: number,
    getJSON: function (url) { return request("GET", url); },
    postJSON: function (url, payload) { return request("POST", url, payload); }
  };
})();
