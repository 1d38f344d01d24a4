"""Dynamic risk grading (动态风险分级): inherent LEC level + dynamic factors → red/orange/yellow/blue.

    level = min(红, max(inherent, floors) + min(Σ steps, MAX_STEPS))

The inherent level comes from the unit's LEC assessment (grading/lec.py); the dynamic rules and the reasons
they leave are the pure functions of grading/rules.py. This module reads the counts behind them and stores
the result. The method is documented in docs/safety.md.

Grading is vectorised: one query per factor (each an indexed aggregate), numpy over the units, and one
bulk write of the units whose level or reasons changed. Re-grading every unit of the district is what
the hourly job and district-wide warnings do; a handler re-grades just the units an event touches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.clock import to_local
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.policy import policy
from citybrain.safety.accidents.models import Accident
from citybrain.safety.common import COMMAND
from citybrain.safety.domain_events import RiskLevelChanged, RiskRegraded
from citybrain.safety.equipment.models import Equipment
from citybrain.safety.factors.models import RiskFactor
from citybrain.safety.grading import lec
from citybrain.safety.grading import reference as ref
from citybrain.safety.grading.rules import Grading, apply_rules, reason_codes
from citybrain.safety.hazards.models import HazardPoint
from citybrain.safety.risk.models import RiskChange
from citybrain.safety.units.models import Unit
from citybrain.safety.units.service import get_unit

_FEW = 500  # below this many units, factor queries are restricted to them with IN (...)
_EVENT_EACH = 50  # up to this many changes raise one RiskLevelChanged each; more raise RiskRegraded


@dataclasses.dataclass
class RegradeResult:
    units: int
    changed: int
    raised: int
    lowered: int
    changed_ids: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {"units": self.units, "changed": self.changed, "raised": self.raised, "lowered": self.lowered}


def _positions(ids: NDArray[np.int64], wanted: Sequence[int]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Where each of `wanted` sits in the sorted `ids`, and which of them are there at all."""
    w = np.asarray(wanted, dtype=np.int64)
    if len(ids) == 0 or len(w) == 0:
        return np.zeros(len(w), dtype=np.int64), np.zeros(len(w), dtype=bool)
    pos = np.clip(np.searchsorted(ids, w), 0, len(ids) - 1)
    return pos, ids[pos] == w


def _restrict(col: Any, ids: NDArray[np.int64] | None) -> Any:
    return col.in_([int(i) for i in ids]) if ids is not None else col.isnot(None)


def _unit_rows(session: Session, unit_ids: Sequence[int] | None, area_code: str | None) -> list[Any]:
    t = Unit.__table__
    q = select(
        t.c.id,
        t.c.inherent_level,
        t.c.grid_code,
        t.c.risk_level,
        t.c.risk_flags,
        t.c.open_major,
        t.c.open_general,
        t.c.overdue_hd,
    ).where(t.c.active)
    if unit_ids is not None:
        q = q.where(t.c.id.in_([int(i) for i in unit_ids]))
    if area_code:
        q = q.where(t.c.grid_code.startswith(area_code, autoescape=True))
    return list(session.execute(q.order_by(t.c.id)).all())


def grade(
    session: Session,
    unit_ids: Sequence[int] | None = None,
    *,
    area_code: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Grading, NDArray[np.int8], NDArray[np.int32], list[str]]:
    """Grade units (all active ones, some ids, or those in an area) without writing anything.

    Returns the grading, the stored level and flags before, and each unit's grid code.
    """
    session.flush()
    now = now or utcnow()
    rows = _unit_rows(session, unit_ids, area_code)
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    inherent = np.fromiter((r[1] for r in rows), dtype=np.int8, count=n)
    grids = [r[2] for r in rows]
    old_level = np.fromiter((r[3] for r in rows), dtype=np.int8, count=n)
    old_flags = np.fromiter((r[4] for r in rows), dtype=np.int32, count=n)
    few = ids if n <= _FEW else None
    counts = [np.fromiter((r[k] for r in rows), dtype=np.int32, count=n) for k in (5, 6, 7)]
    g = Grading(
        ids=ids,
        inherent=inherent,
        level=inherent.copy(),
        flags=np.zeros(n, np.int32),
        open_major=counts[0],
        open_general=counts[1],
        overdue=counts[2],
        accident_rank=np.zeros(n, np.int8),
        alarms=np.zeros(n, np.int32),
        hazard_grade=np.zeros(n, np.int8),
        warning_level=np.zeros(n, np.int8),
        equipment_overdue=np.zeros(n, np.int32),
    )
    if n == 0:
        return g, old_level, old_flags, grids
    # outstanding hidden dangers (major, general, marked overdue) come counted on the unit row: rollup.py
    # keeps the counts with every change of a hidden danger, so grading reads no hidden danger at all

    # accidents in the window: the worst grade per unit
    ac = Accident.__table__
    res = session.execute(
        select(ac.c.unit_id, ac.c.grade).where(
            ac.c.occurred_at >= now - dt.timedelta(days=ref.ACCIDENT_WINDOW_DAYS),
            ac.c.occurred_at <= now,
            _restrict(ac.c.unit_id, few),
        )
    ).all()
    if res:
        pos, ok = _positions(ids, [r[0] for r in res])
        ranks = np.array([ref.ACCIDENT_GRADE_RANK.get(r[1], 1) for r in res], dtype=np.int8)
        np.maximum.at(g.accident_rank, pos[ok], ranks[ok])

    # factors active now: alarms on units (recent ones), warnings on units or areas
    rf = RiskFactor.__table__
    active = and_(rf.c.starts_at <= now, or_(rf.c.ends_at.is_(None), rf.c.ends_at > now))
    res = session.execute(
        select(rf.c.unit_id).where(
            rf.c.kind == "alarm",
            active,
            rf.c.starts_at >= now - dt.timedelta(days=ref.ALARM_WINDOW_DAYS),
            _restrict(rf.c.unit_id, few),
        )
    ).all()
    if res:
        pos, ok = _positions(ids, [r[0] for r in res])
        np.add.at(g.alarms, pos[ok], 1)
    warnings: Sequence[Any] = session.execute(
        select(rf.c.unit_id, rf.c.area_code, rf.c.level).where(rf.c.kind.in_(("weather", "season")), active)
    ).all()
    if warnings:
        grid_arr = np.array(grids, dtype=str)
        for unit_id, area, lvl in warnings:
            if unit_id is not None:
                pos, ok = _positions(ids, [int(unit_id)])
                mask = np.zeros(n, dtype=bool)
                mask[pos[ok]] = True
            else:
                mask = np.char.startswith(grid_arr, str(area or ""))
            g.warning_level[mask] = np.maximum(g.warning_level[mask], int(lvl))

    # major hazard sources on the unit's sites: the best grade (1 is the most severe)
    hp = HazardPoint.__table__
    res = session.execute(
        select(hp.c.unit_id, func.min(hp.c.major_hazard_grade))
        .where(hp.c.is_major_hazard, _restrict(hp.c.unit_id, few))
        .group_by(hp.c.unit_id)
    ).all()
    if res:
        pos, ok = _positions(ids, [r[0] for r in res])
        g.hazard_grade[pos[ok]] = np.array([r[1] or 0 for r in res], dtype=np.int8)[ok]

    # special equipment in use past its inspection date
    eq = Equipment.__table__
    today = to_local(now).date()
    res = session.execute(
        select(eq.c.unit_id, func.count())
        .where(eq.c.status == "in_use", eq.c.next_due < today, _restrict(eq.c.unit_id, few))
        .group_by(eq.c.unit_id)
    ).all()
    if res:
        pos, ok = _positions(ids, [r[0] for r in res])
        g.equipment_overdue[pos[ok]] = np.array([r[1] for r in res], dtype=np.int32)[ok]

    apply_rules(g)
    return g, old_level, old_flags, grids


def regrade(
    session: Session,
    unit_ids: Sequence[int] | None = None,
    *,
    cause: str,
    area_code: str | None = None,
    now: dt.datetime | None = None,
) -> RegradeResult:
    """Grade and store: write the units whose level or reasons changed, and the level history."""
    now = now or utcnow()
    g, old_level, old_flags, _grids = grade(session, unit_ids, area_code=area_code, now=now)
    changed = (g.level != old_level) | (g.flags != old_flags)
    idx = np.nonzero(changed)[0]
    moved = idx[g.level[idx] != old_level[idx]]
    if len(idx):
        _write(session, g.ids[idx], old_level[idx], g.level[idx], g.flags[idx], now, cause[:120])
    _expire_loaded(session, set(g.ids[idx].tolist()))
    raised = int(np.count_nonzero(g.level[moved] > old_level[moved]))
    result = RegradeResult(len(g.ids), len(idx), raised, len(moved) - raised, g.ids[idx].tolist())
    _announce(session, g, old_level, moved, result, cause)
    return result


def _sqlite_cursor(session: Session) -> tuple[Any, Any]:
    """The DBAPI cursor of the session's own connection (same transaction) and the stored form of a time."""
    conn = session.connection()
    dialect = conn.dialect
    to_db = Unit.__table__.c.risk_updated_at.type._cached_bind_processor(dialect)  # type: ignore[attr-defined]
    return conn.connection.driver_connection.cursor(), to_db  # type: ignore[union-attr]


def _pg_array(values: NDArray[Any]) -> str:
    """An array literal: psycopg adapts a list of 100,000 ints several times slower than this text."""
    return "{" + ",".join(map(str, values.tolist())) + "}"


def _write(
    session: Session,
    ids: NDArray[np.int64],
    before: NDArray[np.int8],
    after: NDArray[np.int8],
    flags: NDArray[np.int32],
    now: dt.datetime,
    cause: str,
) -> None:
    """Store the new level and reasons of the changed units, and a history row where the level moved."""
    if is_postgres(session):
        # one statement: the rows travel once, the UPDATE is heap-only (no indexed column changes)
        session.execute(
            text(
                "WITH v AS (SELECT * FROM unnest(CAST(:ids AS integer[]), CAST(:before AS smallint[]), "
                "CAST(:after AS smallint[]), CAST(:flags AS integer[])) AS v(id, before, after, flags)), "
                "changed AS (UPDATE safety_unit AS u SET risk_level = v.after, risk_flags = v.flags, "
                "risk_updated_at = :now FROM v WHERE u.id = v.id) "
                "INSERT INTO safety_risk_change (unit_id, at, from_level, to_level, flags, cause) "
                "SELECT v.id, :now, v.before, v.after, v.flags, :cause FROM v WHERE v.before <> v.after"
            ),
            {
                "ids": _pg_array(ids),
                "before": _pg_array(before),
                "after": _pg_array(after),
                "flags": _pg_array(flags),
                "now": now,
                "cause": cause,
            },
        )
        return
    # SQLite: prepared statements run over tuples by the driver, without per-row ORM work
    cur, to_db = _sqlite_cursor(session)
    stamp = to_db(now) if to_db else now
    n = len(ids)
    cur.executemany(
        "UPDATE safety_unit SET risk_level = ?, risk_flags = ?, risk_updated_at = ? WHERE id = ?",
        zip(after.tolist(), flags.tolist(), [stamp] * n, ids.tolist(), strict=True),
    )
    moved = before != after
    cur.executemany(
        "INSERT INTO safety_risk_change (unit_id, at, from_level, to_level, flags, cause) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        zip(
            ids[moved].tolist(),
            [stamp] * int(moved.sum()),
            before[moved].tolist(),
            after[moved].tolist(),
            flags[moved].tolist(),
            [cause] * int(moved.sum()),
            strict=True,
        ),
    )
    cur.close()


def _expire_loaded(session: Session, ids: set[int]) -> None:
    """Units loaded in this session went stale under the bulk UPDATE: reload their risk on next access."""
    if not ids:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Unit) and obj.id in ids:
            session.expire(obj, ["risk_level", "risk_flags", "risk_updated_at"])


def _announce(
    session: Session,
    g: Grading,
    old_level: NDArray[np.int8],
    moved: NDArray[np.int64],
    result: RegradeResult,
    cause: str,
) -> None:
    if len(moved) <= _EVENT_EACH:
        for i in moved.tolist():
            lvl = int(g.level[i])
            emit(
                session,
                RiskLevelChanged(
                    unit_id=int(g.ids[i]),
                    from_level=int(old_level[i]),
                    to_level=lvl,
                    colour=ref.LEVEL_COLOUR[lvl],
                    reasons=reason_codes(int(g.flags[i])),
                ),
            )
    else:
        emit(
            session,
            RiskRegraded(
                cause=cause[:120],
                units=result.units,
                changed=result.changed,
                raised=result.raised,
                lowered=result.lowered,
            ),
        )


def explain(
    session: Session, unit: Unit, lang: str = "zh-CN", now: dt.datetime | None = None
) -> dict[str, Any]:
    """Why a unit has its level: the inherent assessment and every dynamic factor with its count."""
    g, _old, _flags, _grids = grade(session, [unit.id], now=now)
    if len(g.ids) == 0:
        return {"unit_id": unit.id, "active": False, "reasons": []}
    zh = lang == "zh-CN"
    b = lec.band(unit.inherent_d)
    reasons: list[dict[str, Any]] = [
        {
            "code": "inherent",
            "effect": f"level {int(g.inherent[0])}",
            "text": (
                f"固有风险 LEC: D = {unit.lec_l:g}×{unit.lec_e:g}×{unit.lec_c:g} = "
                f"{unit.inherent_d:g}（{b.name_zh}）"
                if zh
                else f"inherent risk by LEC: D = {unit.lec_l:g}×{unit.lec_e:g}×{unit.lec_c:g} = "
                f"{unit.inherent_d:g} ({b.name_en})"
            ),
        }
    ]
    counts = {
        "major_hidden_danger": int(g.open_major[0]),
        "overdue_hidden_danger": int(g.overdue[0]),
        "many_open_hidden_dangers": int(g.open_general[0]),
        "recent_alarm": int(g.alarms[0]),
        "equipment_overdue": int(g.equipment_overdue[0]),
        "major_hazard_1": int(g.hazard_grade[0]),
        "major_hazard_2": int(g.hazard_grade[0]),
        "major_hazard_34": int(g.hazard_grade[0]),
        "weather_warning": int(g.warning_level[0]),
        "recent_accident": int(g.accident_rank[0]),
        "serious_accident": int(g.accident_rank[0]),
    }
    for r in ref.RULES:
        if int(g.flags[0]) & r.bit:
            effect = f"at least {ref.LEVEL_COLOUR[r.floor]}" if r.floor else f"+{r.steps} level"
            reasons.append(
                {"code": r.code, "effect": effect, "count": counts.get(r.code), "text": r.zh if zh else r.en}
            )
    lvl = int(g.level[0])
    return {
        "unit_id": unit.id,
        "level": lvl,
        "colour": ref.LEVEL_COLOUR[lvl],
        "label": ref.LEVEL_ZH[lvl] if zh else ref.LEVEL_EN[lvl],
        "inherent_level": int(g.inherent[0]),
        "inherent_d": unit.inherent_d,
        "max_steps": ref.MAX_STEPS,
        "reasons": reasons,
        "stored_level": unit.risk_level,
        "up_to_date": lvl == unit.risk_level,
    }


def history(session: Session, actor: Actor, unit_id: int) -> list[dict[str, Any]]:
    """The unit's level changes, oldest first, with their reasons and cause (a unit out of scope: 404)."""
    get_unit(session, unit_id, actor=actor)
    rows = session.scalars(select(RiskChange).where(RiskChange.unit_id == unit_id).order_by(RiskChange.id))
    return [{"at": r.at, "from": ref.LEVEL_COLOUR.get(r.from_level or 0), "to": ref.LEVEL_COLOUR[r.to_level],
             "reasons": reason_codes(r.flags), "cause": r.cause} for r in rows]


# re-grading the district is the command centre's call (and the data officer's, after an import)
REGRADE = policy("safety.risk.regrade", COMMAND)


def regrade_by_hand(session: Session, actor: Actor, street: str | None = None) -> dict[str, Any]:
    """Re-grade every unit (or one street's) now, on an officer's word, and record who asked."""
    REGRADE.allow(session, actor)
    result = regrade(session, area_code=street, cause=f"manual re-grading by {actor.username}")
    audit.record(session, actor, "regrade", "safety_unit", street or "all", None, result.as_dict())
    return result.as_dict()


def explain_unit(session: Session, actor: Actor, unit_id: int, lang: str = "zh-CN") -> dict[str, Any]:
    return explain(session, get_unit(session, unit_id, actor=actor), lang)
