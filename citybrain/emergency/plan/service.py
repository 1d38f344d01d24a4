"""Incident types and plans: validate, save as a new version, import/export, and read a plan's rules.

Saving a plan never edits a version: a changed document becomes version n+1 and `current_version`
moves to it; an incident keeps the id of the version it ran under. Saving an unchanged document
writes nothing (imports are idempotent).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.policy import policy
from citybrain.core.roles import STAFF, Role
from citybrain.emergency.common import departments_by_codes
from citybrain.emergency.levels import LEVELS, Level, rank
from citybrain.emergency.plan.models import IncidentType, Plan, PlanVersion
from citybrain.emergency.plan.schemas import (
    IncidentTypeIn,
    PlanDocument,
    PlanNeed,
    PlanSaved,
    PlanStep,
    ResourceKind,
)

EDITORS = (Role.ADMIN, Role.DUTY_OFFICER)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
KIND_ORDER = {"special": 0, "department": 1, "general": 2, "unit": 3}
# The plan library is the command centre's to edit; the data officer may add incident types; all staff read.
PLAN_EDIT = policy("emergency.plan.edit", EDITORS, what="plan")
TYPE_ADD = policy("emergency.incident_type.add", {*EDITORS, Role.DATA_OFFICER}, what="incident type")
PLAN_READ = policy("emergency.plan.read", STAFF, what="plan")


# --- incident types -------------------------------------------------------------------------------

def create_incident_type(session: Session, actor: Actor, data: IncidentTypeIn) -> IncidentType:
    TYPE_ADD.allow(session, actor)
    if type_by_code(session, data.code) is not None:
        raise Conflict(f"incident type {data.code!r} exists", "code")
    it = IncidentType(code=data.code, name=data.name, name_en=data.name_en, category=data.category.value,
                      description=data.description)
    session.add(it)
    session.flush()
    audit.record(session, actor, "create", "emergency_incident_type", it.code, None, data.model_dump(mode="json"))
    return it


def ensure_incident_type(session: Session, actor: Actor, data: IncidentTypeIn) -> IncidentType:
    return type_by_code(session, data.code) or create_incident_type(session, actor, data)


def type_by_code(session: Session, code: str) -> IncidentType | None:
    return session.scalar(select(IncidentType).where(IncidentType.code == code))


def require_type(session: Session, code: str, field: str = "incident_type") -> IncidentType:
    it = type_by_code(session, code)
    if it is None or not it.active:
        known = session.scalars(select(IncidentType.code).where(IncidentType.active).order_by(IncidentType.code))
        raise ValidationFailed(f"unknown incident type {code!r}; known: {', '.join(known) or 'none yet'}", field)
    return it


TYPE_SORT = {"code": IncidentType.code, "name": IncidentType.name, "category": IncidentType.category}
PLAN_SORT = {"code": Plan.code, "title": Plan.title, "updated_at": Plan.updated_at}


def _incident_types(category: str | None = None) -> Select[Any]:
    q = select(IncidentType).where(IncidentType.active).order_by(IncidentType.category, IncidentType.code)
    return q.where(IncidentType.category == category) if category else q


def list_incident_types(session: Session, category: str | None = None) -> list[IncidentType]:
    return list(session.scalars(_incident_types(category)))


def incident_types_page(session: Session, params: ListParams, category: str | None = None,
                        to_out: Callable[[IncidentType], Any] | None = None, *,
                        actor: Actor | None = None) -> Page[Any]:
    """The active incident types by category and code; `to_out` gets each with its plans' codes known."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        PLAN_READ.allow(session, actor)
    return paginate(session, _incident_types(category), params, TYPE_SORT, to_out)


def plan_codes_by_type(session: Session) -> dict[int, list[str]]:
    """The codes of each incident type's plans, by incident type id (for the incident type list)."""
    codes: dict[int, list[str]] = {}
    for type_id, code in session.execute(select(Plan.incident_type_id, Plan.code).order_by(Plan.code)):
        codes.setdefault(type_id, []).append(code)
    return codes


# --- plan documents --------------------------------------------------------------------------------

def _pydantic_field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def document_from_data(data: Any, prefix: str = "") -> PlanDocument:
    """Validate raw data (from JSON/YAML) as a plan document; the error names the first bad field."""
    try:
        return PlanDocument.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        first = errs[0]
        more = f" (and {len(errs) - 1} more problems)" if len(errs) > 1 else ""
        field = _pydantic_field(tuple(first.get("loc", ())))
        raise ValidationFailed(f"{first.get('msg', 'invalid')}{more}", prefix + field) from None


def canonical(doc: PlanDocument) -> dict[str, Any]:
    return doc.model_dump(mode="json")


def digest(doc: PlanDocument) -> str:
    text = json.dumps(canonical(doc), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Checked:
    doc: PlanDocument
    incident_type: IncidentType
    departments: dict[str, Any]  # code -> Department


def check_document(session: Session, doc: PlanDocument, prefix: str = "") -> Checked:
    """Check what the schema cannot: types and departments exist, every step's role has a department."""
    it = type_by_code(session, doc.incident_type)
    if it is None:
        require_type(session, doc.incident_type, prefix + "incident_type")
    assert it is not None
    codes = {doc.lead_department, *doc.supporting_departments, *doc.linkage_units}
    codes |= {r.department for r in doc.roles if r.department}
    depts = departments_by_codes(session, codes)

    def need_dept(code: str, field: str) -> None:
        if code not in depts:
            raise ValidationFailed(f"no department with code {code!r}", prefix + field)

    need_dept(doc.lead_department, "lead_department")
    for i, c in enumerate(doc.supporting_departments):
        need_dept(c, f"supporting_departments[{i}]")
    for i, c in enumerate(doc.linkage_units):
        need_dept(c, f"linkage_units[{i}]")
    roles: dict[str, int] = {}
    for i, r in enumerate(doc.roles):
        if r.code in roles:
            raise ValidationFailed(f"role {r.code!r} is defined twice", prefix + f"roles[{i}].code")
        roles[r.code] = i
        if r.department:
            need_dept(r.department, f"roles[{i}].department")
    levels: set[Level] = set()
    for i, rule in enumerate(doc.levels):
        if rule.level in levels:
            raise ValidationFailed(f"level {rule.level} is defined twice", prefix + f"levels[{i}].level")
        levels.add(rule.level)
    for i, step in enumerate(doc.steps):
        if step.role not in roles:
            raise ValidationFailed(
                f"step {i + 1} names role {step.role!r}, which the plan does not define "
                f"(roles: {', '.join(roles) or 'none'})", prefix + f"steps[{i}].role")
        role = doc.roles[roles[step.role]]
        if not role.department:
            raise ValidationFailed(
                f"step {i + 1} is for role {role.code!r} ({role.name}), which has no department: "
                f"set roles[{roles[step.role]}].department", prefix + f"steps[{i}].role")
        for lv in step.levels:
            if lv not in levels:
                raise ValidationFailed(f"step {i + 1} applies at level {lv}, which the plan does not define",
                                       prefix + f"steps[{i}].levels")
    for i, need in enumerate(doc.needs):
        if need.kind == ResourceKind.DEPOT and (not need.item or need.quantity is None):
            raise ValidationFailed("a supply need names the item and its quantity", prefix + f"needs[{i}].item")
    return Checked(doc, it, depts)


def save_plan(session: Session, actor: Actor, doc: PlanDocument, note: str = "",
              checked: Checked | None = None) -> tuple[Plan, PlanVersion, PlanSaved]:
    """Create the plan or add a version; an unchanged document adds nothing."""
    PLAN_EDIT.allow(session, actor)
    checked = checked or check_document(session, doc)
    lead = checked.departments[doc.lead_department]
    dig = digest(doc)
    plan = session.scalar(select(Plan).where(Plan.code == doc.code).with_for_update())
    created = plan is None
    if plan is None:
        plan = Plan(code=doc.code, title=doc.title, incident_type_id=checked.incident_type.id, kind=doc.kind,
                    lead_department_id=lead.id, current_version=0)
        session.add(plan)
        session.flush()
    else:
        current = current_version(session, plan)
        if current.digest == dig:
            return plan, current, PlanSaved(code=plan.code, version=current.version, created=False, changed=False)
    before = {"version": plan.current_version, "title": plan.title}
    number = (session.scalar(select(func.max(PlanVersion.version)).where(PlanVersion.plan_id == plan.id)) or 0) + 1
    version = PlanVersion(plan_id=plan.id, version=number, document=canonical(doc), digest=dig, note=note,
                          created_by=actor.username)
    session.add(version)
    plan.title, plan.kind, plan.incident_type_id = doc.title, doc.kind, checked.incident_type.id
    plan.lead_department_id, plan.current_version = lead.id, number
    session.flush()
    audit.record(session, actor, "create" if created else "new_version", "emergency_plan", plan.code,
                 None if created else before, {"version": number, "title": plan.title, "note": note})
    return plan, version, PlanSaved(code=plan.code, version=number, created=created, changed=True)


def current_version(session: Session, plan: Plan) -> PlanVersion:
    return plan_version(session, plan, plan.current_version)


def plan_version(session: Session, plan: Plan, version: int) -> PlanVersion:
    pv = session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.version == version))
    if pv is None:
        raise NotFound(f"version {version} of plan", plan.code, "version")
    return pv


def versions(session: Session, plan: Plan) -> list[PlanVersion]:
    return list(session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                                .order_by(PlanVersion.version.desc())))


def get_plan(session: Session, code: str, *, actor: Actor | None = None) -> Plan:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        PLAN_READ.allow(session, actor)
    plan = session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise NotFound("plan", code)
    return plan


def _plans(incident_type: str | None = None, category: str | None = None) -> Select[Any]:
    q = select(Plan).join(IncidentType, IncidentType.id == Plan.incident_type_id).order_by(
        IncidentType.category, IncidentType.code, Plan.code)
    if incident_type:
        q = q.where(IncidentType.code == incident_type)
    if category:
        q = q.where(IncidentType.category == category)
    return q


def list_plans(session: Session, incident_type: str | None = None, category: str | None = None) -> list[Plan]:
    return list(session.scalars(_plans(incident_type, category)))


def plans_page(session: Session, params: ListParams, incident_type: str | None = None, category: str | None = None,
               to_out: Callable[[Plan], Any] | None = None, *, actor: Actor | None = None) -> Page[Any]:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        PLAN_READ.allow(session, actor)
    return paginate(session, _plans(incident_type, category), params, PLAN_SORT, to_out)


def plan_for_type(session: Session, incident_type_id: int) -> Plan | None:
    """The plan an incident of this type runs under: a special (专项) plan first, then the newest."""
    plans = list(session.scalars(select(Plan).where(Plan.incident_type_id == incident_type_id)))
    if not plans:
        return None
    return sorted(plans, key=lambda p: (KIND_ORDER.get(p.kind, 9), -p.updated_at.timestamp(), p.id))[0]


# --- import / export -------------------------------------------------------------------------------

def parse_text(text: str | bytes, fmt: str) -> Any:
    if len(text) > MAX_IMPORT_BYTES:
        raise ValidationFailed(f"the file is larger than {MAX_IMPORT_BYTES} bytes", "file")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed("the file is not UTF-8 text", "file") from None
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"not valid JSON: {exc}", "file") from None
    if fmt == "yaml":
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValidationFailed(f"not valid YAML: {exc}", "file") from None
    raise ValidationFailed(f"unknown format {fmt!r}: use json or yaml", "format")


def import_plans(session: Session, actor: Actor, data: Any, note: str = "imported") -> list[PlanSaved]:
    """One plan, a list of plans, or {"plans": [...]}. Every plan is checked before any is written."""
    PLAN_EDIT.allow(session, actor)
    if isinstance(data, dict) and "plans" in data and "code" not in data:
        data = data["plans"]
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(x, dict) for x in items):
        raise ValidationFailed("expected a plan document (an object) or a list of them", "file")
    many = isinstance(data, list)
    checked: list[Checked] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        prefix = f"plans[{i}]." if many else ""
        doc = document_from_data(raw, prefix)
        if doc.code in seen:
            raise ValidationFailed(f"plan {doc.code!r} appears twice in the file", prefix + "code")
        seen.add(doc.code)
        checked.append(check_document(session, doc, prefix))
    return [save_plan(session, actor, c.doc, note, c)[2] for c in checked]


def dump(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    raise ValidationFailed(f"unknown format {fmt!r}: use json or yaml", "format")


def export_plan(session: Session, code: str, version: int | None = None, *,
                actor: Actor | None = None) -> dict[str, Any]:
    plan = get_plan(session, code, actor=actor)
    pv = plan_version(session, plan, version) if version else current_version(session, plan)
    return dict(pv.document)


def export_all(session: Session, *, actor: Actor | None = None) -> dict[str, Any]:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        PLAN_READ.allow(session, actor)
    return {"plans": [dict(current_version(session, p).document) for p in list_plans(session)]}


# --- reading a plan's rules ------------------------------------------------------------------------

def document_of(pv: PlanVersion) -> PlanDocument:
    return PlanDocument.model_validate(pv.document)


def suggest_level(doc: PlanDocument, figures: dict[str, float]) -> tuple[Level | None, list[str]]:
    """The most severe level whose triggers are met, and the triggers met at that level."""
    for rule in sorted(doc.levels, key=lambda r: rank(r.level)):
        met = [f"{t.metric.value} {t.op} {t.value:g}" for t in rule.triggers if t.met(figures)]
        if met:
            return rule.level, met
    return None, []


def applies(levels: list[Level], level: Level) -> bool:
    return not levels or level in levels


def steps_at(doc: PlanDocument, level: Level) -> list[tuple[int, PlanStep, str]]:
    """(order, step, department code) of each step that applies at `level`; order is 1-based."""
    role_dept = {r.code: r.department for r in doc.roles}
    out = []
    for i, step in enumerate(doc.steps):
        dept = role_dept.get(step.role)
        if applies(step.levels, level) and dept:
            out.append((i + 1, step, dept))
    return out


def needs_at(doc: PlanDocument, level: Level) -> list[PlanNeed]:
    return [n for n in doc.needs if applies(n.levels, level)]


def level_names(doc: PlanDocument) -> dict[str, str]:
    return {r.level.value: r.name for r in doc.levels}


def defined_levels(doc: PlanDocument) -> list[Level]:
    return [lv for lv in LEVELS if lv in {r.level for r in doc.levels}]
