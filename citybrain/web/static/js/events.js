/* The department workbench: the caller's queue from /api/events, filtered and paged (the kit's list
 * shape: ?page=&size= in, {items, page, size, total} out); every cell is set as text (CB.el), never as HTML. */
(function () {
  "use strict";
  var t = CB.t, el = CB.el;
  var form = document.getElementById("ev-filters");
  var tbody = document.querySelector("#ev-table tbody");
  var status = document.getElementById("ev-status");
  var SIZE = 50, page = 1, total = 0;

  function params() {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) p.set(k, v); });
    p.set("page", page);
    p.set("size", SIZE);
    return p;
  }

  function row(e) {
    var due = el("td", {class: e.overdue ? "ev-overdue" : null}, CB.time(e.due_at));
    return el("tr", {"data-id": e.id}, [
      el("td", null, el("a", {href: "/events/" + e.id}, e.number)),
      el("td", null, e.category_name || e.category_code),
      el("td", null, el("span", {class: "ev-status s-" + e.status}, t("events.js.status." + e.status))),
      el("td", null, t("events.js.priority." + e.priority)),
      el("td", null, e.street_name || ""),
      el("td", null, e.department_name || e.department_code || ""),
      el("td", null, CB.time(e.created_at)),
      due,
      el("td", null, (e.description || "").slice(0, 60))
    ]);
  }

  async function load() {
    status.textContent = t("events.js.loading");
    try {
      var data = await CB.getJSON("/api/events?" + params().toString());
      total = data.total;
      tbody.replaceChildren.apply(tbody, data.items.map(row));
      // a card per row on a phone (the `cards` table class): each cell says which column it is
      var heads = Array.prototype.map.call(document.querySelectorAll("#ev-table thead th"),
                                           function (th) { return th.textContent; });
      tbody.querySelectorAll("tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) { td.setAttribute("data-label", heads[i] || ""); });
      });
      status.textContent = data.items.length ? t("events.js.total", {n: CB.number(total)}) : t("events.js.empty");
      form.dataset.loaded = "true";
    } catch (err) {
      status.textContent = t("events.js.error", {msg: err.message});
      status.classList.add("error");
    }
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); page = 1; load(); });
  document.getElementById("ev-prev").addEventListener("click", function () {
    if (page > 1) { page -= 1; load(); }
  });
  document.getElementById("ev-next").addEventListener("click", function () {
    if (page * SIZE < total) { page += 1; load(); }
  });
  var q = new URLSearchParams(location.search);
  q.forEach(function (v, k) { if (form.elements[k]) form.elements[k].value = v; });
  load();
})();
