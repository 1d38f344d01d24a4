"""The safety demo: thousands of synthetic units across the governed streets of 双流区, clustered at the
airport, the industrial parks and the old towns, with hazard points and their chemicals, special
equipment, GPS tracks, a year of inspections and hidden dangers, a few accidents and a seasonal
warning — so the risk map and the rankings have something to show.

Deterministic (one seeded random generator; times count back from today's date) and idempotent (a
second run finds the demo units and changes nothing). Every point is kept only if it falls in a grid
the district runs (`geography.public.locate_many`), whatever geography is loaded. Names, credit codes
and people are invented; the cluster centres are approximate and flagged so in docs/safety.md.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from citybrain.core.auth import SYSTEM
from citybrain.core.db import utcnow
from citybrain.core.geo import gcj02_to_wgs84
from citybrain.geography import public as geography
from citybrain.safety.common import h3_cell, local_day
from citybrain.safety.equipment.service import default_next_due
from citybrain.safety.factors.schemas import RiskFactorIn
from citybrain.safety.factors.service import record_risk_factor
from citybrain.safety.gps import service as gps
from citybrain.safety.gps.schemas import GpsDeviceIn, GpsTrackIn
from citybrain.safety.grading import lec
from citybrain.safety.grading import reference as ref
from citybrain.safety.grading.accident import grade
from citybrain.safety.grading.chemicals import CATALOGUE
from citybrain.safety.grading.major_hazard import Holding, assess
from citybrain.safety.grading.rules import GRADE_LEVEL
from citybrain.safety.inspections.escalation import link_pending_events
from citybrain.safety.models import (
    CLOSED,
    OPEN,
    RECTIFIED,
    RECTIFYING,
    Accident,
    Equipment,
    HazardChemical,
    HazardPoint,
    HiddenDanger,
    Inspection,
    Unit,
)
from citybrain.safety.risk.service import regrade
from citybrain.safety.stats import rollup
from citybrain.safety.units import credit_code

SEED = 510116
N_UNITS = 3000
DEMO = "demo"


def _wgs(lon: float, lat: float) -> tuple[float, float]:
    x, y = gcj02_to_wgs84(lon, lat)
    return float(x), float(y)


# (name, centre WGS-84, spread in degrees, share of units, venue-type weights)
INDUSTRIAL = {
    "factory": 8,
    "warehouse": 5,
    "chemical_store": 2,
    "chemical_plant": 1,
    "construction_site": 2,
    "gas_station": 1,
    "office": 1,
    "restaurant": 1,
}
AIRPORT = {
    "airport": 1,
    "transport_hub": 2,
    "warehouse": 6,
    "hotel": 5,
    "restaurant": 4,
    "gas_station": 2,
    "office": 3,
    "shopping_mall": 1,
    "chemical_store": 1,
}
TOWN = {
    "restaurant": 8,
    "shopping_mall": 2,
    "hotel": 3,
    "school": 1,
    "kindergarten": 1,
    "hospital": 1,
    "nursing_home": 1,
    "entertainment": 2,
    "office": 2,
    "residential": 3,
    "construction_site": 2,
    "gas_station": 1,
    "warehouse": 1,
    "factory": 1,
}
OLD_TOWN = {
    "scenic_area": 3,
    "restaurant": 10,
    "hotel": 4,
    "shopping_mall": 1,
    "entertainment": 1,
    "residential": 2,
}
CLUSTERS: list[tuple[str, tuple[float, float], float, float, dict[str, int]]] = [
    ("东升城区（棠湖公园）", _wgs(103.918481, 30.570315), 0.018, 0.22, TOWN),
    ("双流机场", (103.947, 30.578), 0.012, 0.12, AIRPORT),
    ("西航港经济开发区（近似）", (103.985, 30.535), 0.016, 0.16, INDUSTRIAL),
    ("西航港（川大江安校区）", _wgs(104.000076, 30.556682), 0.012, 0.10, TOWN),
    ("怡心（电子科大科技园）", (104.00872, 30.47083), 0.015, 0.10, TOWN),
    ("九江工业集中区（近似）", (103.905, 30.615), 0.015, 0.08, INDUSTRIAL),
    ("彭镇古镇", _wgs(103.870827, 30.5832), 0.008, 0.04, OLD_TOWN),
    ("黄龙溪古镇", _wgs(103.970525, 30.317805), 0.008, 0.04, OLD_TOWN),
]
BACKGROUND = {
    **TOWN,
    "factory": 3,
    "warehouse": 3,
    "construction_site": 3,
    "gas_station": 2,
}  # the rest, uniform

SUFFIX = {
    "chemical_plant": "化工有限公司",
    "chemical_store": "化工贸易有限公司",
    "gas_station": "加油站",
    "factory": "机械制造有限公司",
    "warehouse": "仓储物流有限公司",
    "construction_site": "建设项目部",
    "shopping_mall": "商贸城",
    "hotel": "酒店",
    "restaurant": "餐饮店",
    "entertainment": "KTV",
    "school": "小学",
    "kindergarten": "幼儿园",
    "hospital": "医院",
    "nursing_home": "养老院",
    "transport_hub": "客运站",
    "airport": "航空地面服务公司",
    "office": "科技有限公司",
    "scenic_area": "景区",
    "residential": "小区物业服务中心",
}
INDUSTRY_OF = {
    "chemical_plant": "hazchem",
    "chemical_store": "hazchem",
    "gas_station": "hazchem",
    "factory": "manufacturing",
    "warehouse": "logistics",
    "construction_site": "construction",
    "shopping_mall": "commerce",
    "hotel": "catering",
    "restaurant": "catering",
    "entertainment": "culture",
    "school": "education",
    "kindergarten": "education",
    "hospital": "health",
    "nursing_home": "health",
    "transport_hub": "transport",
    "airport": "aviation",
    "office": "other",
    "scenic_area": "culture",
    "residential": "other",
}
WORDS = [
    "蓝天",
    "锦江",
    "蜀都",
    "天府",
    "航港",
    "棠湖",
    "金桥",
    "牧马山",
    "白河",
    "永兴",
    "瑞丰",
    "华兴",
    "安泰",
    "恒通",
    "鑫源",
    "新川",
    "广都",
    "华阳",
    "宏达",
    "川西",
    "兴隆",
    "长城",
    "三星",
    "临港",
    "怡心",
    "东升",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志"
CHEMICALS: dict[str, list[tuple[str, float, float]]] = {  # venue type → [(cas, tonnes low, tonnes high)]
    "gas_station": [("86290-81-5", 20, 90), ("68334-30-5", 20, 90)],
    "chemical_store": [
        ("7664-41-7", 1, 25),
        ("67-56-1", 20, 700),
        ("68476-85-7", 5, 80),
        ("108-88-3", 10, 300),
        ("7782-50-5", 0.5, 8),
    ],
    "chemical_plant": [
        ("7446-09-5", 10, 260),
        ("7664-41-7", 5, 60),
        ("1333-74-0", 1, 12),
        ("71-43-2", 5, 90),
        ("7647-01-0", 5, 40),
        ("8006-14-2", 10, 80),
    ],
    "airport": [("86290-81-5", 100, 600)],
}
HD_TEXT = {
    "fire": [
        "疏散通道堆放杂物",
        "安全出口上锁",
        "灭火器过期失效",
        "消防栓无水",
        "应急照明损坏",
        "防火门常开",
    ],
    "electric": ["电气线路私拉乱接", "配电箱无漏电保护", "电缆老化破损"],
    "chemical": ["危化品超量储存", "禁忌物料混存", "气体报警仪失效", "储罐区防火堤破损"],
    "equipment": ["电梯超期未检", "起重机限位失效", "压力容器安全阀未校验"],
    "construction": ["临边防护缺失", "脚手架未验收", "塔吊司机无证"],
    "gas": ["燃气软管老化", "未安装燃气泄漏报警", "瓶装液化气违规存放"],
    "management": ["安全培训记录缺失", "未制定应急预案", "隐患排查台账不全"],
}
CATEGORY_BY_INDUSTRY = {
    "hazchem": ["chemical", "fire", "electric", "management"],
    "construction": ["construction", "electric", "equipment", "management"],
    "catering": ["gas", "fire", "electric"],
    "manufacturing": ["electric", "equipment", "fire", "management"],
}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _points(session: Session, rng: random.Random, n: int) -> list[tuple[float, float, int, str]]:
    """n points in governed grids: (lon, lat, index row, venue type), clustered, deterministic."""
    import shapely

    from citybrain.geography.public import Area

    idx = geography.index(session)
    shapes = [
        shapely.from_wkb(g)
        for g in session.scalars(
            select(Area.geometry_wkb).where(Area.level == "street", Area.managed_by_district)
        )
    ]
    if not shapes or not any(r[9] for r in idx.rows):
        return []
    w, s, e, nn = shapely.total_bounds(shapes).tolist()
    out: list[tuple[float, float, int, str]] = []
    plan: list[tuple[Any, ...]] = [(c[1], c[2], int(round(c[3] * n)), c[4]) for c in CLUSTERS]
    plan.append((None, None, n - sum(p[2] for p in plan), BACKGROUND))
    shortfall = 0  # what a cluster outside the loaded geography could not place goes to the background
    for centre, spread, want, weights in plan:
        if centre is None:
            want += shortfall
        got: list[tuple[float, float, int, str]] = []
        for _attempt in range(40 if centre is None else 8):
            if len(got) >= want:
                break
            k = max(64, 3 * (want - len(got)))
            if centre is None:
                lons = [rng.uniform(w, e) for _ in range(k)]
                lats = [rng.uniform(s, nn) for _ in range(k)]
            else:
                lons = [rng.gauss(centre[0], spread) for _ in range(k)]
                lats = [rng.gauss(centre[1], spread * 0.85) for _ in range(k)]
            hits = geography.locate_many(session, lons, lats, _index=idx)
            for lo, la, h in zip(lons, lats, hits.tolist(), strict=True):
                if h >= 0 and idx.rows[h][9] and len(got) < want:
                    got.append((round(lo, 6), round(la, 6), h, _pick(rng, weights)))
        shortfall += want - len(got) if centre is not None else 0
        out.extend(got)
    return out


def seed(session: Session, tracker: Any, n_units: int = N_UNITS) -> list[str] | None:
    have = session.scalar(select(func.count()).select_from(Unit).where(Unit.source == DEMO)) or 0
    if have:
        return [f"safety: {have} demo units already loaded, left as they are"]
    rng = random.Random(SEED)
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    idx = geography.index(session)
    points = _points(session, rng, n_units)
    if not points:
        return ["safety: no governed grids loaded (load the geography first); no demo units"]
    advance: Callable[[int], None] = tracker.task(
        "safety: units, hazard points, equipment, hidden dangers", 6
    )
    unit_ids = _units(session, rng, idx, points, today)
    advance(1)
    units = session.execute(
        select(
            Unit.id,
            Unit.venue_type,
            Unit.industry,
            Unit.lon,
            Unit.lat,
            Unit.street_code,
            Unit.community_code,
            Unit.grid_code,
            Unit.fire_key_unit,
        )
        .where(Unit.id.in_(unit_ids))
        .order_by(Unit.id)
    ).all()
    n_points, n_major = _hazard_points(session, rng, units)
    advance(1)
    n_equipment = _equipment(session, rng, units, today)
    advance(1)
    n_insp, n_hd = _inspections(session, rng, units, today)
    advance(1)
    _accidents_and_factors(session, rng, units, today)
    n_gps = _gps(session, rng, units, today)
    rollup.rebuild(session)
    regrade(session, cause="demo")
    events = link_pending_events(session, limit=40)
    advance(2)
    counts = dict(
        session.execute(
            select(Unit.risk_level, func.count()).where(Unit.source == DEMO).group_by(Unit.risk_level)
        ).all()
    )
    colours = ", ".join(f"{ref.LEVEL_ZH[lvl]} {counts.get(lvl, 0)}" for lvl in (4, 3, 2, 1))
    return [
        f"safety: {len(unit_ids)} units ({colours}), {n_points} hazard points ({n_major} major hazard "
        f"sources), {n_equipment} special equipment, {n_insp} inspections, {n_hd} hidden dangers, "
        f"{n_gps} GPS devices, {events} major hidden dangers sent to the event hub"
    ]


def _units(
    session: Session,
    rng: random.Random,
    idx: Any,
    points: list[tuple[float, float, int, str]],
    today: dt.datetime,
) -> list[int]:
    rows = []
    for n, (lon, lat, hit, venue) in enumerate(points, start=1):
        r = idx.rows[hit]
        l, e, c = (float(x) for x in ref.DEFAULT_LEC[venue])  # noqa: E741
        if rng.random() < 0.25:  # units assessed on their own differ from the venue default
            l = rng.choice([x for x in (0.5, 1, 3, 6) if x != l])  # noqa: E741
        d = l * e * c
        level = lec.level(d)
        created = today - dt.timedelta(days=400 + rng.randrange(2000))
        rows.append(
            dict(
                name=f"{rng.choice(WORDS)}{rng.choice(WORDS)}{SUFFIX[venue]}",
                credit_code=credit_code.make(f"91510116DM{n:07d}"),
                industry=INDUSTRY_OF[venue],
                venue_type=venue,
                scale=rng.choices(list(ref.SCALES), weights=[1, 3, 8, 10])[0],
                address=f"{r[5]}{r[3]}{rng.randint(1, 999)}号",
                lon=lon,
                lat=lat,
                grid_code=r[0],
                community_code=r[2],
                street_code=r[4],
                h3_r9=h3_cell(lon, lat),
                employees=rng.randint(3, 800),
                fire_key_unit=venue in ref.FIRE_KEY_VENUES,
                safety_officer=_person(rng),
                safety_officer_phone=_phone(rng),
                contact_phone=f"028-{rng.randrange(10**8):08d}",
                lec_l=float(l),
                lec_e=float(e),
                lec_c=float(c),
                inherent_d=float(d),
                inherent_level=level,
                risk_level=level,
                risk_flags=0,
                risk_updated_at=today,
                source=DEMO,
                active=True,
                created_at=created,
                updated_at=created,
            )
        )
    ids: list[int] = []
    for i in range(0, len(rows), 1000):
        ids.extend(session.execute(insert(Unit).returning(Unit.id), rows[i : i + 1000]).scalars())
    return ids


def _hazard_points(session: Session, rng: random.Random, units: Sequence[Any]) -> tuple[int, int]:
    n = major = 0
    for u in units:
        if u.venue_type in CHEMICALS and (u.venue_type != "airport" or rng.random() < 0.5):
            picks = rng.sample(
                CHEMICALS[u.venue_type], k=min(len(CHEMICALS[u.venue_type]), rng.randint(1, 3))
            )
            held = [(cas, round(rng.uniform(lo, hi), 1)) for cas, lo, hi in picks]
            people = rng.choice((0, 12, 40, 75, 160, 600))
            a = assess([Holding(cas, q) for cas, q in held], people)
            lon, lat = u.lon + rng.uniform(-4e-4, 4e-4), u.lat + rng.uniform(-4e-4, 4e-4)
            p = HazardPoint(
                kind="hazchem",
                unit_id=u.id,
                name=f"{'储罐区' if a.is_major else '危化品仓库'}{n + 1:04d}",
                description="演示数据",
                lon=lon,
                lat=lat,
                grid_code=u.grid_code,
                community_code=u.community_code,
                street_code=u.street_code,
                h3_r9=h3_cell(lon, lat),
                people_within_500m=people,
                s_value=a.s,
                r_value=a.r,
                is_major_hazard=a.is_major,
                major_hazard_grade=a.grade,
                own_level=GRADE_LEVEL[a.grade] if a.grade else ref.BLUE,
                source=DEMO,
            )
            session.add(p)
            session.flush()
            session.execute(
                insert(HazardChemical),
                [
                    {"point_id": p.id, "cas": cas, "name": CATALOGUE[cas].name_zh, "quantity_t": q}
                    for cas, q in held
                ],
            )
            n += 1
            major += int(a.is_major)
        if u.fire_key_unit and rng.random() < 0.12:
            what = rng.choice(["消防通道占用", "电动车违规充电点", "消防设施故障点", "易燃物堆放点"])
            session.add(
                HazardPoint(
                    kind="fire",
                    unit_id=u.id,
                    name=what,
                    description="演示数据",
                    lon=u.lon,
                    lat=u.lat,
                    grid_code=u.grid_code,
                    community_code=u.community_code,
                    street_code=u.street_code,
                    h3_r9=h3_cell(u.lon, u.lat),
                    own_level=rng.choice((ref.YELLOW, ref.YELLOW, ref.ORANGE)),
                    source=DEMO,
                )
            )
            n += 1
    session.flush()
    return n, major


def _equipment(session: Session, rng: random.Random, units: Sequence[Any], today: dt.datetime) -> int:
    wanted = {
        "hotel": ["elevator", "elevator", "boiler"],
        "shopping_mall": ["elevator"] * 4,
        "hospital": ["elevator", "elevator", "boiler", "pressure_vessel"],
        "office": ["elevator"],
        "factory": ["crane", "boiler", "pressure_vessel", "forklift"],
        "warehouse": ["forklift", "crane"],
        "chemical_plant": ["pressure_vessel"] * 3 + ["pressure_piping"],
        "construction_site": ["crane"],
        "residential": ["elevator"] * 2,
        "airport": ["elevator"] * 3 + ["forklift"] * 2,
        "scenic_area": ["amusement"],
        "nursing_home": ["elevator"],
    }
    rows = []
    for u in units:
        for k, kind in enumerate(wanted.get(u.venue_type, [])):
            if rng.random() < 0.5:
                continue
            last = (today - dt.timedelta(days=rng.randrange(30, 760))).date()
            rows.append(
                {
                    "unit_id": u.id,
                    "kind": kind,
                    "registration_no": f"DEMO-{u.id:05d}-{k:02d}",
                    "equipment_code": f"{rng.randrange(10**10):010d}",
                    "model": "演示型号",
                    "location": "演示位置",
                    "last_inspection": last,
                    "next_due": default_next_due(kind, last),
                    "status": "in_use",
                    "source": DEMO,
                }
            )
    if rows:
        session.execute(insert(Equipment), rows)
    return len(rows)


def _inspections(
    session: Session, rng: random.Random, units: Sequence[Any], today: dt.datetime
) -> tuple[int, int]:
    now = utcnow()
    n_insp = n_hd = 0
    hd_rows: list[dict[str, Any]] = []
    for u in units:
        risky = u.industry in ("hazchem", "construction", "manufacturing")
        for _ in range(rng.choices((0, 1, 2, 3, 4, 6), weights=(2, 4, 4, 3, 2, 1 + 2 * risky))[0]):
            visited = today - dt.timedelta(days=rng.randrange(1, 365), hours=rng.randrange(1, 10))
            items = ref.CHECKLISTS[u.venue_type]
            findings = rng.choices((0, 1, 2, 3), weights=(5, 4, 2, 1 + risky))[0]
            checklist = [
                {"item": code, "text": text, "result": "pass", "note": ""} for code, text in items[:6]
            ]
            for c in checklist[:findings]:
                c["result"] = "fail"
            insp = Inspection(
                unit_id=u.id,
                kind=rng.choice(("routine", "routine", "fire_patrol", "special")),
                visited_at=visited,
                inspector_id=None,
                inspector_name="demo_inspector",
                checklist=checklist,
                passed=len(checklist) - findings,
                failed=findings,
                notes="",
            )
            session.add(insp)
            session.flush()
            n_insp += 1
            for _f in range(findings):
                level = "major" if rng.random() < (0.06 if risky else 0.015) else "general"
                cat = rng.choice(CATEGORY_BY_INDUSTRY.get(u.industry, ["fire", "electric", "management"]))
                deadline = visited + dt.timedelta(
                    days=rng.choice((30, 45, 60) if level == "major" else (3, 7, 15))
                )
                age = (now - visited).days
                roll = rng.random()
                status, rect, late = OPEN, None, None
                if age > 20 and roll < 0.93 or age <= 20 and roll < 0.5:
                    took = (deadline - visited) * rng.uniform(0.2, 1.5 if roll < 0.15 else 1.0)
                    rect = min(visited + took, now - dt.timedelta(hours=1))
                    late = rect > deadline
                    status = (
                        CLOSED if rng.random() < 0.85 and rect < now - dt.timedelta(days=2) else RECTIFIED
                    )
                elif roll < 0.97:
                    status = rng.choice((OPEN, RECTIFYING))
                plan = (
                    {
                        "goal": "消除重大事故隐患",
                        "measures": "停产整改、专项治理",
                        "funds_yuan": 50000,
                        "people": "企业主要负责人",
                        "emergency_plan": "专项应急预案",
                    }
                    if level == "major" and status != OPEN
                    else None
                )
                hd_rows.append(
                    dict(
                        unit_id=u.id,
                        inspection_id=insp.id,
                        level=level,
                        category=cat,
                        description=rng.choice(HD_TEXT[cat]),
                        photos=[],
                        responsible_person=_person(rng),
                        responsible_phone=_phone(rng),
                        plan=plan,
                        found_at=visited,
                        deadline=deadline,
                        status=status,
                        overdue=status in (OPEN, RECTIFYING) and deadline < now,
                        escalation_level=0,
                        rectified_at=rect,
                        rectified_late=late,
                        rectified_by="demo_unit" if rect else None,
                        rectification_note="",
                        closed_at=rect + dt.timedelta(days=1) if status == CLOSED and rect else None,
                        verified_by="demo_inspector" if status == CLOSED else None,
                        reported_by="demo_inspector",
                        street_code=u.street_code,
                        community_code=u.community_code,
                        grid_code=u.grid_code,
                        industry=u.industry,
                        venue_type=u.venue_type,
                        found_day=local_day(visited),
                        rectified_day=local_day(rect) if rect else None,
                        created_at=visited,
                        updated_at=visited,
                    )
                )
                n_hd += 1
    for i in range(0, len(hd_rows), 2000):
        session.execute(insert(HiddenDanger), hd_rows[i : i + 2000])
    return n_insp, n_hd


def _accidents_and_factors(
    session: Session, rng: random.Random, units: Sequence[Any], today: dt.datetime
) -> None:
    risky = [u for u in units if u.industry in ("hazchem", "construction", "manufacturing")]
    for k in range(6):
        u = rng.choice(risky or units)
        deaths, injuries = (0, rng.randint(1, 3)) if k else (1, 4)
        session.add(
            Accident(
                unit_id=u.id,
                occurred_at=today - dt.timedelta(days=rng.randrange(10, 330)),
                deaths=deaths,
                serious_injuries=injuries,
                direct_loss_yuan=rng.randrange(50_000, 900_000),
                grade=grade(deaths, injuries, 0),
                description="演示数据："
                + rng.choice(["物体打击", "机械伤害", "高处坠落", "起重伤害", "触电"]),
            )
        )
    session.flush()
    record_risk_factor(
        session,
        SYSTEM,
        RiskFactorIn(
            kind="season",
            level="yellow",
            title="汛期安全生产提示（演示）",
            area_code="510116",
            source_ref="demo:season:flood",
        ),
    )


def _gps(session: Session, rng: random.Random, units: Sequence[Any], today: dt.datetime) -> int:
    carriers = [u for u in units if u.venue_type in ("chemical_store", "gas_station", "warehouse")][:6]
    for k, u in enumerate(carriers):
        code = f"DEMO-HAZ-TRUCK-{k + 1:02d}"
        gps.register_device(
            session,
            SYSTEM,
            GpsDeviceIn(code=code, kind="vehicle", name=f"危化品运输车 {k + 1}", unit_id=u.id),
        )
        start = today - dt.timedelta(hours=6)
        lon, lat = u.lon, u.lat
        heading = rng.uniform(0, 2 * np.pi)
        fixes = []
        for i in range(60):
            heading += rng.uniform(-0.3, 0.3)
            lon += 0.0009 * np.cos(heading)
            lat += 0.0008 * np.sin(heading)
            fixes.append(
                {"lon": round(lon, 6), "lat": round(lat, 6), "at": start + dt.timedelta(seconds=30 * i)}
            )
        if k == 0:  # one cold-start glitch: a fix 8 km away, to show the flag
            fixes[30] = {**fixes[30], "lon": fixes[30]["lon"] + 0.08}
        gps.ingest(session, SYSTEM, code, GpsTrackIn(fixes=fixes))
    return len(carriers)
