"""The category tree (GB/T 30428.2 部件/事件 + the district's own classes) and the responsibility matrix:
loading the shipped defaults, and the data officer's edits (each one audited)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.policy import policy
from citybrain.core.roles import Role
from citybrain.directory.public import department_by_code
from citybrain.events.models import Event, EventCategory, Responsibility
from citybrain.events.schemas import CategoryIn, ResponsibilityIn
from citybrain.geography.public import area_by_code

DATA = Path(__file__).parent / "defaults"  # (not "data/": .gitignore ignores every data/ directory)


@lru_cache(maxsize=2)
def default_tree() -> dict[str, Any]:
    return yaml.safe_load((DATA / "categories.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def default_matrix() -> dict[str, Any]:
    return yaml.safe_load((DATA / "responsibility.yaml").read_text(encoding="utf-8"))


def load_default_categories(session: Session) -> int:
    """Insert the shipped categories that are missing (never overwrites an edit). Returns how many."""
    tree = default_tree()
    have = {c.code: c for c in session.scalars(select(EventCategory))}
    added = 0
    for c in tree["classes"]:
        if c["code"] not in have:
            row = EventCategory(code=c["code"], name=c["name"], name_en=c.get("en", ""), kind=c["kind"], level=1,
                                open311=False)
            session.add(row)
            have[c["code"]] = row
            added += 1
    session.flush()
    for s in tree["subcategories"]:
        if s["code"] in have:
            continue
        parent = have[s["parent"]]
        accept, dispatch, handle = s["limits"]
        session.add(EventCategory(
            code=s["code"], name=s["name"], name_en=s.get("en", ""), kind=parent.kind, level=2, parent_id=parent.id,
            filing_condition=s.get("filing", ""), handling_standard=s.get("standard", ""),
            closing_condition=s.get("closing", ""), default_priority=s.get("priority", "normal"),
            limit_unit=s.get("unit", "working_hours"), accept_limit=accept, dispatch_limit=dispatch,
            handle_limit=handle, appeal_kind=s.get("appeal", "help")))
        added += 1
    session.flush()
    invalidate()
    return added


def load_default_matrix(session: Session) -> int:
    """Insert the shipped Shuangliu matrix rows that are missing. Returns how many."""
    m = default_matrix()
    have = {(r.category_code, r.area_code) for r in session.scalars(select(Responsibility))}
    rows: list[tuple[str, str, str, str]] = [(cat, m["district"], dept, "区级职责") for cat, dept in m["rules"].items()]
    for street in m.get("streets", []):
        for cls in m.get("street_classes", []):
            rows.append((cls, street, f"street-{street}", "属地街道/镇负责市容环境"))
    added = 0
    for cat, area, dept, note in rows:
        if (cat, area) not in have:
            session.add(Responsibility(category_code=cat, area_code=area, department_code=dept, note=note))
            have.add((cat, area))
            added += 1
    session.flush()
    invalidate()
    return added


def category_out(c: EventCategory, parents: dict[int, str]) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "name_en": c.name_en, "kind": c.kind, "level": c.level,
            "parent_code": parents.get(c.parent_id or 0), "filing_condition": c.filing_condition,
            "handling_standard": c.handling_standard, "closing_condition": c.closing_condition,
            "default_priority": c.default_priority, "limit_unit": c.limit_unit, "accept_limit": c.accept_limit,
            "dispatch_limit": c.dispatch_limit, "handle_limit": c.handle_limit, "appeal_kind": c.appeal_kind,
            "open311": c.open311, "active": c.active}


def list_categories(session: Session, include_inactive: bool = False) -> list[dict[str, Any]]:
    cats = list(session.scalars(select(EventCategory).order_by(EventCategory.code)))
    parents = {c.id: c.code for c in cats}
    return [category_out(c, parents) for c in cats if include_inactive or c.active]


def tree(session: Session) -> list[dict[str, Any]]:
    flat = list_categories(session)
    classes = [dict(c, children=[]) for c in flat if c["level"] == 1]
    by_code = {c["code"]: c for c in classes}
    for c in flat:
        if c["level"] == 2 and c["parent_code"] in by_code:
            by_code[c["parent_code"]]["children"].append(c)
    return classes


# The reference data of the hub (categories and their case standards, the responsibility matrix) is the
# data officer's (数据管理员): district-wide, no place or department limits it. Everyone signed in reads it.
EDIT_CATEGORIES = policy("events.categories.edit", (Role.DATA_OFFICER,), what="category")
EDIT_RESPONSIBILITY = policy("events.responsibility.edit", (Role.DATA_OFFICER,), what="responsibility row")


def put_category(session: Session, actor: Actor, code: str, data: CategoryIn) -> dict[str, Any]:
    """Create or change the category `code` (the body must name the same code)."""
    EDIT_CATEGORIES.allow(session, actor)
    if data.code != code:
        raise ValidationFailed(f"the body's code {data.code!r} differs from the path's {code!r}", "code")
    return upsert_category(session, actor, data)


def upsert_category(session: Session, actor: Actor, data: CategoryIn) -> dict[str, Any]:
    parent = None
    if data.parent_code:
        parent = session.scalar(select(EventCategory).where(EventCategory.code == data.parent_code))
        if parent is None or parent.level != 1:
            raise ValidationFailed(f"unknown class {data.parent_code!r} (parent must be a 大类)", "parent_code")
    row = session.scalar(select(EventCategory).where(EventCategory.code == data.code))
    before = category_out(row, {}) if row else None
    if row is not None and (row.level == 2) != (parent is not None):
        raise Conflict(f"{data.code} is a {'sub-category' if row.level == 2 else 'class'}; "
                       "its level cannot change", "parent_code")
    fields = data.model_dump(exclude={"parent_code", "code"})
    fields["default_priority"] = data.default_priority.value
    fields["appeal_kind"] = data.appeal_kind.value
    if row is None:
        row = EventCategory(code=data.code, level=2 if parent else 1, parent_id=parent.id if parent else None)
        session.add(row)
    for k, v in fields.items():
        setattr(row, k, v)
    if parent is not None:
        row.parent_id, row.kind = parent.id, parent.kind
    session.flush()
    parents = {c.id: c.code for c in session.scalars(select(EventCategory).where(EventCategory.level == 1))}
    after = category_out(row, parents)
    audit.record(session, actor, "update" if before else "create", "event_category", data.code, before, after)
    invalidate()
    return after


def list_matrix(session: Session, category_code: str | None = None, area_code: str | None = None) -> list[dict[str, Any]]:
    q = select(Responsibility).order_by(Responsibility.category_code, Responsibility.area_code)
    if category_code:
        q = q.where(Responsibility.category_code == category_code)
    if area_code:
        q = q.where(Responsibility.area_code == area_code)
    return [{"id": r.id, "category_code": r.category_code, "area_code": r.area_code,
             "department_code": r.department_code, "note": r.note} for r in session.scalars(q)]


def set_responsibility(session: Session, actor: Actor, data: ResponsibilityIn) -> dict[str, Any]:
    EDIT_RESPONSIBILITY.allow(session, actor)
    if data.category_code != "*" and session.scalar(
            select(EventCategory.id).where(EventCategory.code == data.category_code)) is None:
        raise ValidationFailed(f"unknown category {data.category_code!r}", "category_code")
    if area_by_code(session, data.area_code) is None:
        raise ValidationFailed(f"unknown area {data.area_code!r}", "area_code")
    if department_by_code(session, data.department_code) is None:
        raise ValidationFailed(f"unknown department {data.department_code!r}", "department_code")
    row = session.scalar(select(Responsibility).where(Responsibility.category_code == data.category_code,
                                                      Responsibility.area_code == data.area_code))
    before = {"department_code": row.department_code} if row else None
    if row is None:
        row = Responsibility(category_code=data.category_code, area_code=data.area_code)
        session.add(row)
    row.department_code, row.note = data.department_code, data.note
    session.flush()
    audit.record(session, actor, "update" if before else "create", "event_responsibility", row.id, before,
                 {"category_code": row.category_code, "area_code": row.area_code,
                  "department_code": row.department_code})
    invalidate()
    return {"id": row.id, "category_code": row.category_code, "area_code": row.area_code,
            "department_code": row.department_code, "note": row.note}


def delete_responsibility(session: Session, actor: Actor, row_id: int) -> None:
    EDIT_RESPONSIBILITY.allow(session, actor)
    row = session.get(Responsibility, row_id)
    if row is None:
        raise NotFound("responsibility row", row_id)
    audit.record(session, actor, "delete", "event_responsibility", row.id,
                 {"category_code": row.category_code, "area_code": row.area_code,
                  "department_code": row.department_code}, None)
    session.delete(row)
    invalidate()


def category_in_use(session: Session, code: str) -> bool:
    return session.scalar(select(Event.id).where(Event.category_code == code).limit(1)) is not None


# ── a per-process cache for the hot path (intake): rebuilt from the database ─────────────────
# Each use checks a stamp of both tables (row counts and latest change) in one small query, so an edit
# made by any process, or a test emptying the tables, is seen at once; the rows are re-read only then.


@dataclasses.dataclass(frozen=True)
class CategoryView:
    """What intake needs of a category (a detached copy of the row)."""

    code: str
    name: str
    class_code: str
    level: int
    active: bool
    default_priority: str
    limit_unit: str
    accept_limit: float
    dispatch_limit: float
    handle_limit: float
    appeal_kind: str


@dataclasses.dataclass
class _Snapshot:
    stamp: tuple[Any, ...]
    categories: dict[str, CategoryView]
    matrix: dict[tuple[str, str], str]  # (category or class or "*", area) → department


_snapshots: dict[str, _Snapshot] = {}
_STAMP = select(
    select(func.count()).select_from(EventCategory).scalar_subquery(),
    select(func.max(EventCategory.updated_at)).scalar_subquery(),
    select(func.count()).select_from(Responsibility).scalar_subquery(),
    select(func.max(Responsibility.updated_at)).scalar_subquery(),
)


_generation = 0


def invalidate() -> None:
    """Forget the cached categories and matrix (they are re-read on next use anyway when changed)."""
    global _generation
    _generation += 1
    _snapshots.clear()


def snapshot(session: Session) -> _Snapshot:
    """The categories and the matrix as this transaction sees them (checked once per transaction)."""
    tx = session.get_transaction()
    memo = session.info.get("events.snapshot")
    if tx is not None and memo is not None and memo[0] is tx and memo[1] == _generation:
        return memo[2]  # type: ignore[no-any-return]
    snap = _load(session)
    if session.get_transaction() is not None:
        session.info["events.snapshot"] = (session.get_transaction(), _generation, snap)
    return snap


def _load(session: Session) -> _Snapshot:
    key = str(session.get_bind().engine.url)
    stamp = tuple(session.execute(_STAMP).one())
    snap = _snapshots.get(key)
    if snap is not None and snap.stamp == stamp:
        return snap
    rows = list(session.execute(select(EventCategory.id, EventCategory.code, EventCategory.name,
                                       EventCategory.parent_id, EventCategory.level, EventCategory.active,
                                       EventCategory.default_priority, EventCategory.limit_unit,
                                       EventCategory.accept_limit, EventCategory.dispatch_limit,
                                       EventCategory.handle_limit, EventCategory.appeal_kind)))
    codes = {r.id: r.code for r in rows}
    cats = {r.code: CategoryView(r.code, r.name, codes.get(r.parent_id or 0, ""), r.level, r.active,
                                 r.default_priority, r.limit_unit, r.accept_limit, r.dispatch_limit,
                                 r.handle_limit, r.appeal_kind) for r in rows}
    matrix = {(r.category_code, r.area_code): r.department_code
              for r in session.execute(select(Responsibility.category_code, Responsibility.area_code,
                                              Responsibility.department_code))}
    snap = _Snapshot(stamp, cats, matrix)
    _snapshots[key] = snap
    return snap
