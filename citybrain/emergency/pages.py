"""HTML pages of emergency command: the incident list, the incident command page, the plan library,
a plan's page, and the response-time figures. Pages check who is looking and render a template; the
live parts (map, tasks, log, charts) are drawn by /static/js/emergency*.js from our JSON API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.clock import local_zone
from citybrain.core.errors import NotFound
from citybrain.core.i18n import t
from citybrain.core.roles import COMMAND, Role
from citybrain.emergency.common import departments_by_codes, local
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.levels import (
    LEVEL_LABELS_ZH,
    LEVEL_NUMERALS,
    Category,
    Level,
    Metric,
    rank,
)
from citybrain.emergency.plan import service as plans
from citybrain.emergency.plan.api import plan_out
from citybrain.web.render import PageUser, language, page_user, render

pages = APIRouter(include_in_schema=False)
JS = ["emergency.js."]


def _gate(request: Request) -> PageUser | Response:
    return page_user(request, "emergency.forbidden", "emergency.staff_only")


def _actor(user: PageUser) -> Actor:
    return Actor(user.id, user.username, Role(user.role), user.department_id, user.area_code)


def _session(request: Request) -> Session:
    return request.app.state.read_session_maker()  # type: ignore[no-any-return]


# --- words in the page's language (the English mode is complete: issue #13 item 7) ----------------------------

def _level(lv: Level | str | None, lang: str) -> str:
    """Ⅱ级 重大 / Ⅱ serious: the same words the pages' scripts use (EM.level)."""
    if not lv:
        return "—"
    v = Level(lv)
    return f"{LEVEL_NUMERALS[v]}{t('emergency.js.level_suffix', lang)} {t('emergency.js.level.' + v.value, lang)}"


def _category(cat: str, lang: str) -> str:
    return t(f"emergency.category.{cat}", lang)


def _metric(m: Metric | str, lang: str) -> str:
    return t(f"emergency.js.metric.{Metric(m).value}", lang)


def _named(obj: Any, lang: str) -> str:
    """A department's or an incident type's name in the page's language (its English name when it has one)."""
    return (getattr(obj, "name_en", "") or obj.name) if lang == "en" else obj.name


def _not_found(request: Request, what: str) -> Response:
    lang = language(request)
    return render(request, "notice.html", {"heading": t("emergency.not_found", lang), "message": what},
                  status_code=404, csp=True)


@pages.get("/emergency")
def index(request: Request) -> Response:
    gate = _gate(request)
    if not isinstance(gate, PageUser):
        return gate
    lang = language(request)
    with _session(request) as session:
        rows = []
        for inc in incidents.list_incidents(session, limit=200, actor=_actor(gate)):
            rows.append({"id": inc.id, "number": inc.number, "title": inc.title, "status": inc.status,
                         "level": _level(inc.response_level, lang), "suggested": _level(inc.suggested_level, lang),
                         "reported": local(inc.reported_at), "address": inc.address or inc.street_name,
                         "category": _category(inc.category, lang)})
        counts = incidents.counts_by_status(session, _actor(gate))
    return render(request, "emergency/index.html", {"incidents": rows, "counts": counts,
                                                    "can_command": Role(gate.role) in COMMAND,
                                                    "js_prefixes": JS}, csp=True)


@pages.get("/emergency/incidents/{incident_id}")
def incident_page(request: Request, incident_id: int) -> Response:
    gate = _gate(request)
    if not isinstance(gate, PageUser):
        return gate
    with _session(request) as session:
        try:
            inc = incidents.incident_for(session, _actor(gate), incident_id)
        except NotFound:
            return _not_found(request, f"#{incident_id}")
        header = {"id": inc.id, "number": inc.number, "title": inc.title}
    return render(request, "emergency/incident.html", {
        "incident": header, "can_command": Role(gate.role) in COMMAND, "role": gate.role,
        "department_id": gate.department_id,
        "metrics": {m: _metric(m, language(request)) for m in Metric},
        "levels": [(lv.value, _level(lv, language(request))) for lv in LEVEL_LABELS_ZH], "js_prefixes": JS},
        csp=True)


@pages.get("/emergency/plans")
def plan_library(request: Request) -> Response:
    gate = _gate(request)
    if not isinstance(gate, PageUser):
        return gate
    lang = language(request)
    with _session(request) as session:
        groups: dict[str, dict[str, Any]] = {}
        for cat in Category:
            groups[cat.value] = {"name": _category(cat.value, lang), "types": []}
        plan_rows = {p.code: plan_out(session, p) for p in plans.list_plans(session)}
        by_type: dict[str, list[Any]] = {}
        for p in plan_rows.values():
            by_type.setdefault(p.incident_type, []).append(p)
        for it in plans.list_incident_types(session):
            groups[it.category]["types"].append({"code": it.code, "name": _named(it, lang),
                                                 "plans": by_type.get(it.code, [])})
    return render(request, "emergency/plans.html", {"groups": groups, "can_edit": Role(gate.role) in COMMAND,
                                                    "js_prefixes": JS}, csp=True)


@pages.get("/emergency/plans/{code}")
def plan_page(request: Request, code: str, version: int | None = None) -> Response:
    gate = _gate(request)
    if not isinstance(gate, PageUser):
        return gate
    with _session(request) as session:
        try:
            plan = plans.get_plan(session, code)
            pv = plans.plan_version(session, plan, version) if version else plans.current_version(session, plan)
        except NotFound:
            return _not_found(request, code)
        doc = plans.document_of(pv)
        codes = incidents.plan_department_codes(doc)
        lang = language(request)
        depts = {c: _named(d, lang) for c, d in departments_by_codes(session, codes).items()}
        info = plan_out(session, plan, full=True)
    roles = {r.code: r for r in doc.roles}
    steps = [{"order": i + 1, "role": roles[s.role].name if s.role in roles else s.role,
              "department": depts.get(roles[s.role].department or "", roles[s.role].department or "")
              if s.role in roles else "", "action": s.action, "deadline": s.deadline_minutes,
              "levels": ", ".join(s.levels) or t("emergency.all_levels", lang)}
             for i, s in enumerate(doc.steps)]
    levels = [{"level": _level(r.level, lang), "name": r.name or LEVEL_LABELS_ZH[r.level],
               "triggers": [_trigger_text(tr, lang) for tr in r.triggers],
               "actions": r.actions} for r in sorted(doc.levels, key=lambda r: rank(r.level))]
    return render(request, "emergency/plan.html", {
        "plan": info, "version": pv.version, "doc": doc, "depts": depts, "steps": steps, "levels": levels,
        "needs": doc.needs, "zone": local_zone(), "js_prefixes": JS}, csp=True)


def _trigger_text(tr: Any, lang: str) -> str:
    op = "≥" if tr.op == ">=" else ">"
    if tr.metric == Metric.ECONOMIC_LOSS_YUAN and tr.value >= 10_000 and lang != "en":
        return f"直接经济损失 {op} {tr.value / 10_000:g} 万元"
    return f"{_metric(tr.metric, lang)} {op} {tr.value:g}"


@pages.get("/emergency/figures")
def figures_page(request: Request) -> Response:
    gate = _gate(request)
    if not isinstance(gate, PageUser):
        return gate
    return render(request, "emergency/figures.html", {"js_prefixes": JS}, csp=True)
