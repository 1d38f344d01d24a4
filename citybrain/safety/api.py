"""HTTP API of the safety domain (thin: parse, authorise, call the service) and its two pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from citybrain.core.roles import STAFF, Role
from citybrain.core.web import get_session
from citybrain.safety import gps, importer, riskmap, service, stats
from citybrain.safety import reference as ref
from citybrain.safety.chemicals import CATALOGUE
from citybrain.safety.hazard import Holding, assess
from citybrain.safety.models import Equipment, HazardPoint, Inspection, RiskFactor
from citybrain.safety.risk import explain, regrade
from citybrain.safety.schemas import (
    AccidentIn,
    ChemicalIn,
    EquipmentIn,
    EquipmentInspectionIn,
    GpsDeviceIn,
    GpsTrackIn,
    HazardPointIn,
    HiddenDangerIn,
    InspectionIn,
    MajorHazardIn,
    RiskFactorIn,
    TransitionIn,
    UnitIn,
    UnitPatch,
)

router = APIRouter(prefix="/api/safety", tags=["safety"])
pages = APIRouter(include_in_schema=False)

READ = tuple(STAFF)
REGISTRY = (Role.DATA_OFFICER, Role.INSPECTOR, Role.DEPT_HANDLER, Role.STREET_STAFF)
INSPECT = (Role.INSPECTOR, Role.STREET_STAFF, Role.GRID_WORKER, Role.DEPT_HANDLER)
VERIFY = (Role.INSPECTOR, Role.STREET_STAFF, Role.DEPT_HANDLER)
FACTORS = (Role.DUTY_OFFICER, Role.DATA_OFFICER, Role.DEPT_HANDLER)
ACCIDENTS = (Role.DUTY_OFFICER, Role.DEPT_HANDLER, Role.INSPECTOR)
COMMAND = (Role.DUTY_OFFICER, Role.DATA_OFFICER)


def _lang(request: Request) -> str:
    from citybrain.web.render import language

    return language(request)


# ── reference ────────────────────────────────────────────────────────────────────────────────────
@router.get("/reference")
def reference(_a: Actor = Depends(require(*READ))) -> dict[str, Any]:
    """The tables the rules use: levels, LEC scales and bands, industries, venue types, equipment kinds,
    dynamic rules, accident grades."""
    return {
        "levels": [
            {"level": k, "colour": v, "zh": ref.LEVEL_ZH[k], "en": ref.LEVEL_EN[k], "hex": ref.LEVEL_HEX[k]}
            for k, v in ref.LEVEL_COLOUR.items()
        ],
        "lec": {
            "l": ref.LEC_L,
            "e": ref.LEC_E,
            "c": ref.LEC_C,
            "bands": [
                {
                    "above": b.above if b.above != float("-inf") else None,
                    "zh": b.name_zh,
                    "en": b.name_en,
                    "colour": ref.LEVEL_COLOUR[b.level],
                }
                for b in ref.LEC_BANDS
            ],
        },
        "industries": ref.INDUSTRIES,
        "venue_types": ref.VENUE_TYPES,
        "scales": ref.SCALES,
        "hidden_danger_categories": ref.HIDDEN_DANGER_CATEGORIES,
        "equipment_kinds": {k: {"zh": v[0], "interval_months": v[1]} for k, v in ref.EQUIPMENT_KINDS.items()},
        "rules": [
            {"code": r.code, "zh": r.zh, "en": r.en, "floor": ref.LEVEL_COLOUR.get(r.floor), "steps": r.steps}
            for r in ref.RULES
        ],
        "max_steps": ref.MAX_STEPS,
        "accident_grades": [
            {
                "code": c,
                "zh": zh,
                "deaths_at_least": d,
                "serious_injuries_at_least": s,
                "direct_loss_yuan_at_least": loss,
            }
            for c, zh, d, s, loss in ref.ACCIDENT_GRADES
        ],
    }


@router.get("/chemicals")
def chemicals(_a: Actor = Depends(require(*READ))) -> list[dict[str, Any]]:
    """The GB 18218 catalogue by CAS, with how sure we are of each critical quantity."""
    return [
        {
            "cas": c.cas,
            "name": c.name_zh,
            "name_en": c.name_en,
            "critical_t": c.critical_t,
            "beta": c.beta,
            "hazard": c.hazard,
            "status": c.status,
        }
        for c in CATALOGUE.values()
    ]


@router.post("/major-hazard/assess")
def assess_major_hazard(body: MajorHazardIn, _a: Actor = Depends(require(*READ))) -> dict[str, Any]:
    """GB 18218: S = Σ q/Q and, for a major hazard source, R = α·Σ β q/Q and its grade (nothing stored)."""
    return assess([Holding(c.cas, c.quantity_t) for c in body.chemicals], body.people_within_500m).as_dict()


@router.get("/accident-grade")
def accident_grade(
    deaths: int = Query(0, ge=0),
    serious_injuries: int = Query(0, ge=0),
    direct_loss_yuan: float = Query(0, ge=0),
    _a: Actor = Depends(require(*READ)),
) -> dict[str, str]:
    from citybrain.safety.accident import grade, grade_zh

    g = grade(deaths, serious_injuries, direct_loss_yuan)
    return {"grade": g, "grade_zh": grade_zh(g)}


# ── units ────────────────────────────────────────────────────────────────────────────────────────
@router.post("/units", status_code=201)
def create_unit(
    body: UnitIn,
    request: Request,
    actor: Actor = Depends(require(*REGISTRY)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    unit = service.register_unit(session, actor, body)
    return service.unit_out(unit, actor.role, _lang(request))


@router.get("/units")
def list_units(
    request: Request,
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    street: str | None = None,
    community: str | None = None,
    grid: str | None = None,
    industry: str | None = None,
    venue_type: str | None = None,
    level: Literal["red", "orange", "yellow", "blue"] | None = None,
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    total, rows = service.list_units(
        session,
        street=street,
        community=community,
        grid=grid,
        industry=industry,
        venue_type=venue_type,
        level=ref.LEVEL_OF_COLOUR[level] if level else None,
        q=q,
        limit=limit,
        offset=offset,
    )
    lang = _lang(request)
    return {"total": total, "items": [service.unit_out(u, actor.role, lang) for u in rows]}


@router.get("/units/{unit_id}")
def get_unit(
    unit_id: int,
    request: Request,
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    unit = service.get_unit(session, unit_id)
    out = service.unit_out(unit, actor.role, _lang(request))
    out["hazard_points"] = [
        service.hazard_point_out(session, p, unit.risk_level)
        for p in session.scalars(select(HazardPoint).where(HazardPoint.unit_id == unit.id))
    ]
    out["equipment"] = [
        service.equipment_out(e)
        for e in session.scalars(select(Equipment).where(Equipment.unit_id == unit.id))
    ]
    out["checklist"] = service.checklist_for(unit.venue_type)
    return out


@router.patch("/units/{unit_id}")
def patch_unit(
    unit_id: int,
    body: UnitPatch,
    request: Request,
    actor: Actor = Depends(require(*REGISTRY)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    unit = service.update_unit(session, actor, unit_id, body)
    return service.unit_out(unit, actor.role, _lang(request))


@router.get("/units/{unit_id}/risk")
def unit_risk(
    unit_id: int,
    request: Request,
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """The unit's level and why: its LEC assessment and each dynamic factor that applies."""
    return explain(session, service.get_unit(session, unit_id), _lang(request))


@router.get("/units/{unit_id}/risk/history")
def unit_risk_history(
    unit_id: int, _a: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
) -> list[dict[str, Any]]:
    from citybrain.safety.models import RiskChange
    from citybrain.safety.risk import reason_codes

    service.get_unit(session, unit_id)
    rows = session.scalars(select(RiskChange).where(RiskChange.unit_id == unit_id).order_by(RiskChange.id))
    return [
        {
            "at": r.at,
            "from": ref.LEVEL_COLOUR.get(r.from_level or 0),
            "to": ref.LEVEL_COLOUR[r.to_level],
            "reasons": reason_codes(r.flags),
            "cause": r.cause,
        }
        for r in rows
    ]


# ── hazard points ───────────────────────────────────────────────────────────────────────────────
@router.post("/hazard-points", status_code=201)
def create_hazard_point(
    body: HazardPointIn, actor: Actor = Depends(require(*REGISTRY)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.hazard_point_out(session, service.save_hazard_point(session, actor, body))


@router.get("/hazard-points")
def list_hazard_points(
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    kind: Literal["fire", "hazchem"] | None = None,
    street: str | None = None,
    major_only: bool = False,
    limit: int = Query(200, ge=1, le=5000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    q = select(HazardPoint)
    if kind:
        q = q.where(HazardPoint.kind == kind)
    if street:
        q = q.where(HazardPoint.street_code == street)
    if major_only:
        q = q.where(HazardPoint.is_major_hazard)
    return [
        service.hazard_point_out(session, p)
        for p in session.scalars(q.order_by(HazardPoint.id).limit(limit).offset(offset))
    ]


@router.get("/hazard-points/near")
def near(
    lon: float = Query(ge=-180, le=180),
    lat: float = Query(ge=-90, le=90),
    radius_m: float = Query(1000, gt=0, le=100_000),
    crs: str = "wgs84",
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    from citybrain.core.geo import point_to_wgs84

    wlon, wlat = point_to_wgs84(lon, lat, crs)
    return service.hazard_points_near(session, wlon, wlat, radius_m)


@router.get("/hazard-points/{point_id}")
def get_hazard_point(
    point_id: int, _a: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    p = session.get(HazardPoint, point_id)
    if p is None:
        raise NotFound("hazard point", point_id)
    return service.hazard_point_out(session, p)


@router.put("/hazard-points/{point_id}/chemicals")
def put_chemicals(
    point_id: int,
    body: list[ChemicalIn],
    people_within_500m: int | None = Query(None, ge=0),
    actor: Actor = Depends(require(*REGISTRY)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return service.hazard_point_out(
        session, service.replace_chemicals(session, actor, point_id, body, people_within_500m)
    )


# ── special equipment ───────────────────────────────────────────────────────────────────────────
@router.post("/equipment", status_code=201)
def create_equipment(
    body: EquipmentIn, actor: Actor = Depends(require(*REGISTRY)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.equipment_out(service.register_equipment(session, actor, body))


@router.get("/equipment")
def list_equipment(
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    unit_id: int | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
    limit: int = Query(200, ge=1, le=5000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    today = dt.datetime.now(service.tz()).date()
    q = select(Equipment)
    if unit_id is not None:
        q = q.where(Equipment.unit_id == unit_id)
    if kind:
        q = q.where(Equipment.kind == kind)
    if overdue is True:
        q = q.where(Equipment.status == "in_use", Equipment.next_due < today)
    elif overdue is False:
        q = q.where(
            (Equipment.next_due >= today) | Equipment.next_due.is_(None) | (Equipment.status != "in_use")
        )
    return [
        service.equipment_out(e, today)
        for e in session.scalars(q.order_by(Equipment.id).limit(limit).offset(offset))
    ]


@router.post("/equipment/{equipment_id}/inspections")
def inspect_equipment(
    equipment_id: int,
    body: EquipmentInspectionIn,
    actor: Actor = Depends(require(*REGISTRY)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return service.equipment_out(service.record_equipment_inspection(session, actor, equipment_id, body))


# ── GPS ─────────────────────────────────────────────────────────────────────────────────────────
@router.post("/gps/devices", status_code=201)
def create_device(
    body: GpsDeviceIn, actor: Actor = Depends(require(*REGISTRY)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return gps.device_out(gps.register_device(session, actor, body))


@router.get("/gps/devices")
def list_devices(
    _a: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
) -> list[dict[str, Any]]:
    from citybrain.safety.models import GpsDevice

    return [gps.device_out(d) for d in session.scalars(select(GpsDevice).order_by(GpsDevice.code))]


@router.post("/gps/devices/{code}/fixes")
def post_fixes(
    code: str,
    body: GpsTrackIn,
    actor: Actor = Depends(require(*REGISTRY, Role.GRID_WORKER)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Store a track; impossible jumps come back flagged by index (or, with strict, refuse the track)."""
    return gps.ingest(session, actor, code, body)


@router.get("/gps/devices/{code}/track")
def get_track(
    code: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    include_flagged: bool = True,
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """The device's fixes in a period (times without a zone are Asia/Shanghai)."""
    from citybrain.safety.schemas import as_instant

    return gps.history(session, code, as_instant(since), as_instant(until), include_flagged)


# ── inspections and hidden dangers ───────────────────────────────────────────────────────────────
@router.get("/checklists")
def checklists(_a: Actor = Depends(require(*READ))) -> dict[str, list[dict[str, str]]]:
    return {v: service.checklist_for(v) for v in ref.CHECKLISTS}


@router.get("/checklists/{venue_type}")
def checklist(venue_type: str, _a: Actor = Depends(require(*READ))) -> list[dict[str, str]]:
    return service.checklist_for(venue_type)


@router.post("/inspections", status_code=201)
def create_inspection(
    body: InspectionIn, actor: Actor = Depends(require(*INSPECT)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    insp, found = service.record_inspection(session, actor, body)
    return {
        "id": insp.id,
        "unit_id": insp.unit_id,
        "kind": insp.kind,
        "visited_at": insp.visited_at,
        "passed": insp.passed,
        "failed": insp.failed,
        "checklist": insp.checklist,
        "hidden_dangers": [service.hidden_danger_out(h, actor.role) for h in found],
    }


@router.get("/inspections")
def list_inspections(
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    unit_id: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    q = select(Inspection)
    if unit_id is not None:
        q = q.where(Inspection.unit_id == unit_id)
    return [
        {
            "id": i.id,
            "unit_id": i.unit_id,
            "kind": i.kind,
            "visited_at": i.visited_at,
            "inspector": i.inspector_name,
            "passed": i.passed,
            "failed": i.failed,
            "notes": i.notes,
        }
        for i in session.scalars(q.order_by(Inspection.visited_at.desc()).limit(limit).offset(offset))
    ]


@router.post("/hidden-dangers", status_code=201)
def create_hidden_danger(
    body: HiddenDangerIn, actor: Actor = Depends(require(*INSPECT)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.hidden_danger_out(service.record_hidden_danger(session, actor, body), actor.role)


@router.get("/hidden-dangers")
def list_hidden_dangers(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    unit_id: int | None = None,
    status: Literal["open", "rectifying", "rectified", "closed"] | None = None,
    level: Literal["general", "major"] | None = None,
    street: str | None = None,
    community: str | None = None,
    overdue: bool | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    total, rows = service.list_hidden_dangers(
        session,
        unit_id=unit_id,
        status=status,
        level=level,
        street=street,
        community=community,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": [service.hidden_danger_out(h, actor.role) for h in rows]}


@router.get("/hidden-dangers/{hd_id}")
def get_hidden_danger(
    hd_id: int, actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    hd = service.get_hidden_danger(session, hd_id)
    return {
        **service.hidden_danger_out(hd, actor.role),
        "timeline": service.timeline(session, "safety_hidden_danger", hd.id),
    }


@router.post("/hidden-dangers/{hd_id}/transitions")
def transition(
    hd_id: int,
    body: TransitionIn,
    actor: Actor = Depends(require(*INSPECT)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """start (open → rectifying), rectify (→ rectified), verify (rectified → closed),
    reject (rectified → rectifying)."""
    if body.action in ("verify", "reject"):
        from citybrain.core.auth import check_role

        check_role(actor, VERIFY)
    return service.hidden_danger_out(service.transition(session, actor, hd_id, body), actor.role)


# ── accidents and risk factors ───────────────────────────────────────────────────────────────────
@router.post("/accidents", status_code=201)
def create_accident(
    body: AccidentIn, actor: Actor = Depends(require(*ACCIDENTS)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    from citybrain.core.audit import snapshot
    from citybrain.safety.accident import grade_zh

    acc = service.record_accident(session, actor, body)
    return {**snapshot(acc), "grade_zh": grade_zh(acc.grade)}


@router.post("/risk-factors", status_code=201)
def create_risk_factor(
    body: RiskFactorIn,
    response: Response,
    actor: Actor = Depends(require(*FACTORS)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Record a monitoring alarm or a weather/seasonal warning; the units it touches are re-graded.
    A repeated `source_ref` returns the first factor (200)."""
    factor, created = service.record_risk_factor(session, actor, body)
    if not created:
        response.status_code = 200
    return service.factor_out(factor)


@router.get("/risk-factors")
def list_risk_factors(
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    active: bool = True,
    limit: int = Query(200, ge=1, le=2000),
) -> list[dict[str, Any]]:
    from citybrain.core.db import utcnow

    now = utcnow()
    q = select(RiskFactor)
    if active:
        q = q.where(RiskFactor.starts_at <= now, RiskFactor.ends_at.is_(None) | (RiskFactor.ends_at > now))
    return [service.factor_out(f) for f in session.scalars(q.order_by(RiskFactor.id.desc()).limit(limit))]


@router.post("/risk-factors/{factor_id}/end")
def end_risk_factor(
    factor_id: int, actor: Actor = Depends(require(*FACTORS)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.factor_out(service.end_risk_factor(session, actor, factor_id))


@router.post("/risk/regrade")
def regrade_all(
    actor: Actor = Depends(require(*COMMAND)),
    session: Session = Depends(get_session),
    street: str | None = None,
) -> dict[str, Any]:
    """Re-grade every unit (or one street's) now."""
    from citybrain.core import audit

    result = regrade(session, area_code=street, cause=f"manual re-grading by {actor.username}")
    audit.record(session, actor, "regrade", "safety_unit", street or "all", None, result.as_dict())
    return result.as_dict()


# ── risk map ────────────────────────────────────────────────────────────────────────────────────
def _bbox(bbox: str | None) -> tuple[float, float, float, float] | None:
    if not bbox:
        return None
    try:
        w, s, e, n = (float(x) for x in bbox.split(","))
    except ValueError:
        raise ValidationFailed("bbox is west,south,east,north in degrees", "bbox") from None
    if not (w < e and s < n):
        raise ValidationFailed("bbox is west,south,east,north in degrees", "bbox")
    return w, s, e, n


@router.get("/risk-map/summary")
def risk_summary(
    _a: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return riskmap.summary(session)


@router.get("/risk-map/units.geojson")
def risk_units(
    request: Request,
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    street: str | None = None,
    level: Literal["red", "orange", "yellow", "blue"] | None = None,
    bbox: str | None = Query(None, description="west,south,east,north"),
    limit: int = Query(20000, ge=1, le=200000),
) -> dict[str, Any]:
    return riskmap.units_geojson(
        session,
        street=street,
        level=ref.LEVEL_OF_COLOUR[level] if level else None,
        bbox=_bbox(bbox),
        limit=limit,
        lang=_lang(request),
    )


@router.get("/risk-map/hazard-points.geojson")
def risk_points(
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    kind: Literal["fire", "hazchem"] | None = None,
) -> dict[str, Any]:
    return riskmap.hazard_points_geojson(session, kind)


@router.get("/risk-map/areas.geojson")
def risk_areas(
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    level: Literal["grid", "community", "street"] = "community",
    simplify_m: float = Query(0, ge=0, le=500),
) -> dict[str, Any]:
    return riskmap.areas_geojson(session, level, simplify_m / 111_320.0)


@router.get("/risk-map/hexes.geojson")
def risk_hexes(
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    res: int = Query(8, ge=5, le=9),
) -> dict[str, Any]:
    return riskmap.hexes_geojson(session, res)


# ── statistics ──────────────────────────────────────────────────────────────────────────────────
def _filters(
    since: dt.date | None = None,
    until: dt.date | None = None,
    street: str | None = None,
    industry: str | None = None,
) -> stats.Filters:
    if industry and industry not in ref.INDUSTRIES:
        raise ValidationFailed(f"unknown industry {industry!r}; one of {sorted(ref.INDUSTRIES)}", "industry")
    return stats.Filters(since, until, street, industry)


@router.get("/stats/hidden-dangers/timeline")
def stats_timeline(
    f: stats.Filters = Depends(_filters),
    bucket: Literal["day", "week", "month"] = "month",
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return stats.timeline(session, f, bucket)


@router.get("/stats/hidden-dangers/by-venue-type")
def stats_venue(
    f: stats.Filters = Depends(_filters),
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return stats.by_venue_type(session, f)


@router.get("/stats/hidden-dangers/by-community")
def stats_community(
    f: stats.Filters = Depends(_filters),
    limit: int = Query(20, ge=1, le=500),
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return stats.by_community(session, f, limit)


@router.get("/stats/hidden-dangers/rectification")
def stats_rectification(
    f: stats.Filters = Depends(_filters),
    _a: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return stats.rectification(session, f)


# ── bulk import ─────────────────────────────────────────────────────────────────────────────────
@router.post("/import/{kind}")
async def import_file(
    request: Request,
    kind: Literal["units", "hazard_points", "equipment"],
    file: UploadFile = File(..., description=".csv or .xlsx; first row the header"),
    skip_invalid: bool = Query(False, description="write the good rows and report the bad"),
    dry_run: bool = Query(False, description="check only"),
    actor: Actor = Depends(require(Role.DATA_OFFICER)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Bulk import with a row-by-row report; with any bad row nothing is written unless `skip_invalid`."""
    limit = request.app.state.settings.max_upload_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes", "file")
    report = importer.import_file(
        session,
        actor,
        kind,
        content,
        file.filename or "upload.csv",
        skip_invalid=skip_invalid,
        dry_run=dry_run,
    )
    return report.as_dict()


# ── pages ───────────────────────────────────────────────────────────────────────────────────────
def _page(request: Request, template: str) -> Response:
    from citybrain.web.render import page_user, render

    user = page_user(request, "safety.page.forbidden", "safety.page.staff_only")
    if isinstance(user, Response):
        return user
    return render(request, template, {**_options(request), "js_prefixes": ["safety.js."]}, csp=True)


def _options(request: Request) -> dict[str, Any]:
    from citybrain.geography.models import Area

    with request.app.state.session_maker() as session:
        streets = [
            (a.code, a.name)
            for a in session.scalars(
                select(Area).where(Area.level == "street", Area.managed_by_district).order_by(Area.code)
            )
        ]
    return {
        "options": {
            "industries": ref.INDUSTRIES,
            "streets": streets,
            "levels": {
                c: {"zh": ref.LEVEL_ZH[lvl], "hex": ref.LEVEL_HEX[lvl], "level": lvl}
                for lvl, c in ref.LEVEL_COLOUR.items()
            },
        }
    }


@pages.get("/safety")
def map_page(request: Request) -> Response:
    """The four-colour risk map (四色安全风险分布图)."""
    return _page(request, "safety/map.html")


@pages.get("/safety/stats")
def stats_page(request: Request) -> Response:
    """Hidden-danger statistics and charts."""
    return _page(request, "safety/stats.html")
