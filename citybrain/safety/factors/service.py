"""Dynamic risk factors: monitoring alarms, weather and seasonal warnings, as `safety_risk_factor` rows.

A factor applies to one unit, or to every unit in an area, while it lasts; recording or ending one
re-grades what it touches (through the domain events `RiskFactorRecorded` / `RiskFactorEnded`), and the
`safety.factor_expiry` job re-grades what a factor touched once it ends on its own.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import and_, literal, or_, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.core.geo import haversine_m
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import area_prefix, policy
from citybrain.geography.public import area_by_code, locate
from citybrain.safety.common import FACTORS, READ, area_clause
from citybrain.safety.domain_events import RiskFactorEnded, RiskFactorRecorded
from citybrain.safety.factors.models import RiskFactor
from citybrain.safety.factors.schemas import RiskFactorIn
from citybrain.safety.grading import reference as ref
from citybrain.safety.risk.service import regrade
from citybrain.safety.units.models import Unit
from citybrain.safety.units.service import get_unit


def nearest_unit(session: Session, lon: float, lat: float, radius_m: float) -> int | None:
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = session.execute(
        select(Unit.id, Unit.lon, Unit.lat).where(
            Unit.active, Unit.lat.between(lat - dlat, lat + dlat), Unit.lon.between(lon - dlon, lon + dlon)
        )
    ).all()
    if not rows:
        return None
    d = haversine_m(lon, lat, [r.lon for r in rows], [r.lat for r in rows])
    i = int(d.argmin())
    return int(rows[i].id) if d[i] <= radius_m else None


# Factors (alarms, weather and seasonal warnings) are recorded and ended by the command centre, the data
# officer and departments' handlers, district-wide; staff read those touching their area.
RECORD_FACTOR = policy("safety.risk_factors.record", FACTORS, what="risk factor")
END_FACTOR = policy("safety.risk_factors.end", FACTORS, what="risk factor")
READ_FACTOR = policy("safety.risk_factors.read", READ, what="risk factor")


def record_risk_factor(
    session: Session, actor: Actor, data: RiskFactorIn, now: dt.datetime | None = None
) -> tuple[RiskFactor, bool]:
    """Store a factor (idempotent on `source_ref`) and re-grade what it touches. Returns (factor, created)."""
    RECORD_FACTOR.allow(session, actor)
    now = now or utcnow()
    if data.source_ref:
        existing = session.scalar(select(RiskFactor).where(RiskFactor.source_ref == data.source_ref))
        if existing is not None:
            return existing, False
    starts = data.starts_at or now
    if data.ends_at is not None and data.ends_at <= starts:
        raise ValidationFailed("the factor must end after it starts", "ends_at")
    unit_id, area = data.unit_id, data.area_code
    if unit_id is not None:
        get_unit(session, unit_id, field="unit_id")
    elif data.kind == "alarm":
        if data.lon is None or data.lat is None:
            raise ValidationFailed("an alarm needs unit_id, or lon and lat to find its unit", "unit_id")
        loc = locate(session, data.lon, data.lat, data.crs)
        unit_id = nearest_unit(session, loc.lon, loc.lat, ref.ALARM_MATCH_RADIUS_M)
        area = area or loc.grid_code
    else:
        if not area:
            raise ValidationFailed("a warning needs the area it covers (area_code) or a unit_id", "area_code")
        if area_by_code(session, area) is None:
            raise ValidationFailed(f"no district, street, community or grid with code {area!r}", "area_code")
    factor = RiskFactor(
        kind=data.kind,
        level=ref.LEVEL_OF_COLOUR[data.level],
        title=data.title,
        unit_id=unit_id,
        area_code=area if unit_id is None else None,
        source_ref=data.source_ref,
        starts_at=starts,
        ends_at=data.ends_at,
    )
    session.add(factor)
    session.flush()
    audit.record(session, actor, "create", "safety_risk_factor", factor.id, None, audit.snapshot(factor))
    emit(
        session,
        RiskFactorRecorded(
            factor_id=factor.id, kind=factor.kind, unit_id=factor.unit_id, area_code=factor.area_code
        ),
    )
    return factor, True


def end_risk_factor(
    session: Session, actor: Actor, factor_id: int, now: dt.datetime | None = None
) -> RiskFactor:
    END_FACTOR.allow(session, actor)
    now = now or utcnow()
    factor = get_or_404(session, RiskFactor, factor_id, what="risk factor")
    if factor.ends_at is not None and factor.ends_at <= now:
        raise Conflict("the factor has already ended", "ends_at")
    before = {"ends_at": factor.ends_at}
    factor.ends_at, factor.expiry_handled = now, True
    session.flush()
    audit.record(session, actor, "end", "safety_risk_factor", factor.id, before, {"ends_at": now})
    emit(session, RiskFactorEnded(factor_id=factor.id, unit_id=factor.unit_id, area_code=factor.area_code))
    return factor


def end_factors_by_source(
    session: Session, actor: Actor, source_refs: list[str], now: dt.datetime | None = None
) -> list[RiskFactor]:
    """End now the factors fed with these `source_ref`s that are still running (a cancelled or replaced
    warning); each end re-grades what the factor touched. Already ended ones are left as they are."""
    END_FACTOR.allow(session, actor)
    now = now or utcnow()
    if not source_refs:
        return []
    rows = list(session.scalars(
        select(RiskFactor).where(RiskFactor.source_ref.in_(source_refs),
                                 RiskFactor.ends_at.is_(None) | (RiskFactor.ends_at > now))
        .order_by(RiskFactor.id)))
    for factor in rows:
        before = {"ends_at": factor.ends_at}
        factor.ends_at, factor.expiry_handled = now, True
        session.flush()
        audit.record(session, actor, "end", "safety_risk_factor", factor.id, before, {"ends_at": now})
        emit(session, RiskFactorEnded(factor_id=factor.id, unit_id=factor.unit_id, area_code=factor.area_code))
    return rows


def factor_out(f: RiskFactor, session: Session | None = None) -> dict[str, Any]:
    """A factor; given a session, its area is named too (pages show names, not codes)."""
    area = area_by_code(session, f.area_code) if session is not None and f.area_code else None
    return {
        "id": f.id,
        "kind": f.kind,
        "level": ref.LEVEL_COLOUR[f.level],
        "title": f.title,
        "unit_id": f.unit_id,
        "area_code": f.area_code,
        "area_name": area.name if area is not None else None,
        "source_ref": f.source_ref,
        "starts_at": f.starts_at,
        "ends_at": f.ends_at,
    }


def expire_factors(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-grade what factors touched once they end on their own (the job's half of `end_risk_factor`)."""
    now = now or utcnow()
    rows = list(
        session.scalars(
            select(RiskFactor).where(
                RiskFactor.expiry_handled.is_(False),
                RiskFactor.ends_at.isnot(None),
                RiskFactor.ends_at <= now,
            )
        )
    )
    changed = 0
    for f in rows:
        f.expiry_handled = True
    session.flush()
    units = sorted({f.unit_id for f in rows if f.unit_id is not None})
    if units:
        changed += regrade(session, units, cause="risk factors ended", now=now).changed
    for area in sorted({f.area_code for f in rows if f.unit_id is None and f.area_code}):
        changed += regrade(session, area_code=area, cause="risk factors ended", now=now).changed
    return {"factors_ended": len(rows), "units_changed": changed}


def list_risk_factors(session: Session, actor: Actor, params: ListParams, *, active: bool = True
                      ) -> Page[dict[str, Any]]:
    """Factors, the newest first; `active`: only those in force now. Street, community and grid staff see
    those on a unit of their area and the warnings covering (or lying in) their area."""
    READ_FACTOR.allow(session, actor)
    now = utcnow()
    stmt = select(RiskFactor)
    prefix = area_prefix(actor)
    if prefix is not None:
        stmt = stmt.outerjoin(Unit, Unit.id == RiskFactor.unit_id).where(or_(
            and_(RiskFactor.unit_id.is_not(None),
                 area_clause(actor, Unit.grid_code, Unit.community_code, Unit.street_code)),
            and_(RiskFactor.unit_id.is_(None),
                 or_(RiskFactor.area_code.is_(None), RiskFactor.area_code.startswith(prefix, autoescape=True),
                     literal(prefix).startswith(RiskFactor.area_code)))))
    if active:
        stmt = stmt.where(RiskFactor.starts_at <= now, RiskFactor.ends_at.is_(None) | (RiskFactor.ends_at > now))
    return paginate(session, stmt.order_by(RiskFactor.id.desc()), params,
                    {"id": RiskFactor.id, "level": RiskFactor.level, "starts_at": RiskFactor.starts_at},
                    lambda f: factor_out(f, session))
