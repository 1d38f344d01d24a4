"""`citybrain demo` for emergency command: types, plans, resources, a road network, the duty roster,
cameras, the committee and headquarters, the drill year, two past incidents and one in progress.

Idempotent: everything is looked up by its code or title first, and a second run writes nothing.
Runs after the directory, geography and event hub demos; it adds (the directory's idempotent way) the
departments its plans name, so it also works on a database where those demos did not run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.clock import local_zone
from citybrain.core.roles import Role
from citybrain.directory.public import Department, catalogue, ensure_department
from citybrain.emergency import demo_data as data
from citybrain.emergency.dispatch import service as dispatch
from citybrain.emergency.dispatch.models import Camera, DispatchSession
from citybrain.emergency.dispatch.schemas import CameraIn, DecisionIn, RollCallIn, SessionIn
from citybrain.emergency.drill import service as drills
from citybrain.emergency.drill.models import Drill, DrillPlanItem
from citybrain.emergency.drill.schemas import BodyIn, DrillIn, PlanItemIn, YearPlanIn
from citybrain.emergency.duty import service as duty
from citybrain.emergency.duty.models import DutyShift
from citybrain.emergency.duty.schemas import ShiftIn
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.incident.models import Incident, IncidentLog, Task
from citybrain.emergency.incident.schemas import Figures, IncidentIn, LogIn
from citybrain.emergency.plan import service as plans
from citybrain.emergency.plan.schemas import IncidentTypeIn
from citybrain.emergency.resource import roads_demo
from citybrain.emergency.resource import service as resources
from citybrain.emergency.resource.models import Deployment, Resource, RoadNetwork
from citybrain.emergency.resource.schemas import ResourceIn, SupplyIn
from citybrain.events.public import EventCategory

DEMO = Actor(None, "demo", Role.ADMIN)
STREET_OFFICES = ("street-510116001", "street-510116002", "street-510116111")


def _place(p: Any) -> tuple[float, float]:
    return data.PLACES[p] if isinstance(p, str) else p


def _departments(session: Session) -> int:
    """The departments the plans name: the directory's catalogue plus a few the plans add."""
    specs = [(s.code, s.name, s.name_en, s.kind, s.phone, s.area_code) for s in catalogue.ALL]
    specs += [(*d, None) for d in data.EXTRA_DEPARTMENTS]
    wanted = {c for p in data.PLANS for c in incidents.plan_department_codes(plans.document_from_data(p))}
    wanted |= {m for b in data.BODIES for m in b[5]} | {"zhzx", *STREET_OFFICES}
    have = set(session.scalars(select(Department.code)))
    added = 0
    for code, name, name_en, kind, phone, area in specs:
        if code not in wanted or code in have:
            continue
        ensure_department(session, code, name, name_en=name_en, kind=kind, area_code=area, phone=phone, actor=DEMO)
        added += 1
    session.flush()
    missing = wanted - set(session.scalars(select(Department.code)))
    for code in sorted(missing):  # not in any catalogue (should not happen): a placeholder, named as such
        session.add(Department(code=code, name=code, kind="bureau"))
    session.flush()
    return added


def _types_and_plans(session: Session) -> None:
    for code, name, name_en, cat in data.INCIDENT_TYPES:
        plans.ensure_incident_type(session, DEMO, IncidentTypeIn(code=code, name=name, name_en=name_en, category=cat))
    plans.import_plans(session, DEMO, data.PLANS, note="演示数据")


def _resources(session: Session, advance: Any) -> None:
    have = set(session.scalars(select(Resource.code)))

    def add(r: ResourceIn) -> None:
        if r.code not in have:
            resources.create_resource(session, DEMO, r)
        advance(1)

    for i, (code, name, spec, place, head, equip, org, dept) in enumerate(data.TEAMS):
        lon, lat = _place(place)
        add(ResourceIn(code=code, kind="rescue_team", name=name, specialty=spec, organisation=org, department=dept,
                       lon=lon, lat=lat, headcount=head, equipment=equip, contact_name=f"{name}值班室",
                       contact_phone=f"028-8588{i:04d}"))
    for code, name, spec, org, place, person, phone in data.EXPERTS:
        lon, lat = _place(place)
        add(ResourceIn(code=code, kind="expert", name=name, specialty=spec, organisation=org, lon=lon, lat=lat,
                       contact_name=person, contact_phone=phone))
    for code, name, place, items in data.DEPOTS:
        lon, lat = _place(place)
        add(ResourceIn(code=code, kind="depot", name=name, lon=lon, lat=lat, department="yjj",
                       supplies=[SupplyIn(item=i, unit=u, quantity=q) for i, u, q in items]))
    for code, name, spec, place, cap in data.SHELTERS:
        lon, lat = _place(place)
        add(ResourceIn(code=code, kind="shelter", name=name, specialty=spec, lon=lon, lat=lat, capacity=cap,
                       occupancy=0))


def _road_network(session: Session) -> None:
    if session.scalar(select(RoadNetwork.id).limit(1)) is None:
        resources.load_network(session, DEMO, roads_demo.NAME, roads_demo.network())


def _roster(session: Session, today: dt.date) -> None:
    """Yesterday, today and tomorrow, 08:00–08:00 Beijing time: a leader and an officer per department."""
    depts = ["zhzx", "yjj", "xf", "gaj", "wjj", "swj", "jtysj", "sthjj"]
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    by_code = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(depts)))}
    for day in range(-1, 2):
        start = dt.datetime.combine(today + dt.timedelta(days=day), dt.time(8), local_zone())
        for i, code in enumerate(depts):
            dept = by_code.get(code)
            if dept is None:
                continue
            for j, post in enumerate(("leader", "officer")):
                exists = session.scalar(select(DutyShift.id).where(
                    DutyShift.department_id == dept.id, DutyShift.post == post,
                    DutyShift.starts_at == start.astimezone(dt.UTC)))
                if exists:
                    continue
                n = (i * 2 + j + day * 3) % len(surnames)
                duty.add_shift(session, DEMO, ShiftIn(
                    department=code, post=post, person_name=surnames[n] + ("主任" if post == "leader" else "值班"),
                    phone=f"1390{i:02d}{j}{day + 1}{n:03d}", starts_at=start,
                    ends_at=start + dt.timedelta(days=1)))


def _cameras(session: Session) -> None:
    have = set(session.scalars(select(Camera.code)))
    for code, name, place, owner, dept, kind in data.CAMERAS:
        if code in have:
            continue
        lon, lat = _place(place)
        dispatch.create_camera(session, DEMO, CameraIn(
            code=code, name=name, lon=lon, lat=lat, owner=owner, department=dept, kind=kind,
            stream_url=f"https://video.shuangliu.example/live/{code}"))


def _bodies(session: Session) -> None:
    for code, name, kind, parent, office, members in data.BODIES:
        if drills.body_by_code(session, code) is None:
            drills.save_body(session, DEMO, BodyIn(code=code, name=name, kind=kind, parent=parent,
                                                   office_department=office, members=members))


def _drill_year(session: Session, today: dt.date) -> int:
    year = today.year
    have = {(i.body_id, i.month) for i in session.scalars(select(DrillPlanItem).where(DrillPlanItem.year == year))}
    bodies = {b.code: b for b in drills.list_bodies(session)}
    items = [PlanItemIn(body=b, month=m, theme=theme, incident_type=it, lead_department=lead)
             for m, b, theme, it, lead, _ in data.DRILL_YEAR if (bodies[b].id, m) not in have]
    if items:
        drills.set_year_plan(session, DEMO, YearPlanIn(year=year, items=items))
    held = 0
    titles = set(session.scalars(select(Drill.title)))
    plan_items = {(i.body_id, i.month): i for i in drills.year_plan(session, year)}
    members = drills.members_of(session, [b.id for b in bodies.values()])
    codes = {d.id: d.code for d in session.scalars(select(Department))}
    for month, body, theme, itype, _lead, place in data.DRILL_YEAR:
        if (year, month) >= (today.year, today.month) or theme in titles:
            continue
        lon, lat = _place(place)
        at = dt.datetime(year, month, 18, 9, 30, tzinfo=local_zone())
        b = bodies[body]
        parts = [{"department": codes[d], "people": 6 + (d * 7) % 30} for d in members[b.id]]
        drills.record_drill(session, DEMO, DrillIn(
            body=body, plan_item_id=plan_items[(b.id, month)].id, title=theme,
            scenario=f"模拟{theme.replace('演练', '')}情景，检验预案、联动和物资保障。", form="practical",
            incident_type=itype, lon=lon, lat=lat, held_at=at, status="done", participants=parts,
            timeline=[{"at": at, "text": "演练开始，指挥中心接报"},
                      {"at": at + dt.timedelta(minutes=8), "text": "启动应急响应，通知成员单位"},
                      {"at": at + dt.timedelta(minutes=25), "text": "救援力量到达现场"},
                      {"at": at + dt.timedelta(minutes=70), "text": "演练结束，现场讲评"}],
            summary="演练达到预期目的；发现的问题已列入整改。",
            findings=[{"text": f"{theme}中，部分成员单位到场时间超过预案要求", "department": parts[-1]["department"]
                       if parts else None}]))
        held += 1
    return held


def _findings_to_events(session: Session) -> int:
    """Turn the drills' findings into events, each under the category its nature calls for
    (`drills.category_for_finding`), when the event hub has categories."""
    if session.scalar(select(EventCategory.code).limit(1)) is None:
        return 0
    done = 0
    for d in session.scalars(select(Drill).order_by(Drill.id)):
        try:
            with session.begin_nested():
                done += len(drills.findings_to_events(session, DEMO, d.id))
        except Exception:  # noqa: BLE001 - e.g. a drill place the demo geography does not cover
            continue
    return done


@dataclasses.dataclass(frozen=True)
class Story:
    """A past incident, replayed through the services and then moved back to when it happened."""

    title: str
    incident_type: str
    place: tuple[float, float]
    address: str
    level: str
    reported: dt.datetime
    figures: dict[str, float]
    minutes: dict[str, float]  # verified, activated, accepted, on_scene, stood_down (after the report)
    summary: str
    raise_to: str | None = None
    later_figures: dict[str, float] | None = None  # reported during the response, before raising the level


def _stories(today: dt.date) -> list[Story]:
    def when(month: int, day: int, hour: int, minute: int) -> dt.datetime:
        t = dt.datetime(today.year, month, day, hour, minute, tzinfo=local_zone())
        return t if t.date() < today else t.replace(year=today.year - 1)

    return [
        Story("7·15 强降雨城市内涝", "waterlogging", (103.9240, 30.5720), "东升街道棠湖西路下穿隧道", "IV",
              when(7, 15, 6, 40), {"evacuated": 620, "trapped": 3, "affected_area_km2": 2.4},
              {"verified": 6, "activated": 14, "accepted": 19, "on_scene": 31, "stood_down": 540},
              "强降雨致东升街道多处积水，转移群众6200人，救出被困3人，无人员伤亡。排水抢险队31分钟到场；"
              "暴露下穿隧道水位监测缺失，已列入整改。", raise_to="III",
              later_figures={"evacuated": 6200, "affected_area_km2": 8.5}),
        Story("机场高速货车侧翻危化品泄漏", "hazchem_leak", (103.9600, 30.5800), "机场高速双流段", "IV",
              when(3, 9, 22, 5), {"injured": 2, "evacuated": 180},
              {"verified": 4, "activated": 11, "accepted": 15, "on_scene": 22, "stood_down": 260},
              "货车侧翻致少量稀硫酸泄漏，2人轻伤，疏散周边群众180人；危化救援队22分钟到场完成堵漏洗消。"),
    ]


def _backdate(session: Session, inc: Incident, story: Story) -> None:
    """Place a replayed incident at the time it happened, with the story's intervals."""
    base = story.reported

    def at(key: str, plus: float = 0.0) -> dt.datetime:
        return base + dt.timedelta(minutes=story.minutes[key] + plus)

    inc.reported_at, inc.occurred_at = base, base - dt.timedelta(minutes=3)
    inc.verified_at, inc.activated_at, inc.stood_down_at = at("verified"), at("activated"), at("stood_down")
    inc.closed_at = at("stood_down") + dt.timedelta(days=5)
    for t in session.scalars(select(Task).where(Task.incident_id == inc.id)):
        allowed = (t.deadline_at - t.created_at) if t.deadline_at else None
        t.created_at = inc.activated_at if t.level == story.level else at("activated", 60)
        t.deadline_at = t.created_at + allowed if allowed is not None else None
        if t.accepted_at:
            t.accepted_at = at("accepted", (t.step_order or 0) % 5)
        if t.done_at:
            t.done_at = at("stood_down", -30)
    for dep in session.scalars(select(Deployment).where(Deployment.incident_id == inc.id)):
        dep.dispatched_at = at("activated", 1)
        dep.arrived_at = at("on_scene") if dep.arrived_at else None
        dep.released_at = at("stood_down") if dep.released_at else None
    levels_seen = 0
    for e in session.scalars(select(IncidentLog).where(IncidentLog.incident_id == inc.id).order_by(IncidentLog.id)):
        status = str((e.data or {}).get("status"))
        if e.kind == "status":
            e.at = {"reported": base, "verified": inc.verified_at, "stood_down": inc.stood_down_at}.get(
                status, inc.verified_at)
        elif e.kind == "level":
            e.at = at("activated", 60 * levels_seen)
            levels_seen += 1
        elif e.kind == "task":
            e.at = at("accepted", 2) if (e.data or {}).get("to") == "accepted" else at("stood_down", -30)
        elif e.kind == "resource":
            e.at = {"dispatched": at("activated", 1), "arrived": at("on_scene")}.get(status, inc.stood_down_at)
        elif e.kind == "summary":
            e.at = inc.closed_at
        else:
            e.at = at("on_scene", 20)
    session.flush()


def _replay(session: Session, story: Story) -> None:
    if session.scalar(select(Incident.id).where(Incident.title == story.title)) is not None:
        return
    lon, lat = story.place
    inc = incidents.create_incident(session, DEMO, IncidentIn(
        incident_type=story.incident_type, title=story.title, lon=lon, lat=lat, address=story.address,
        figures=Figures(**story.figures)))
    incidents.verify(session, DEMO, inc.id, "值班员电话核实")
    _, tasks, _ = incidents.activate(session, DEMO, inc.id, story.level)
    for t in tasks[: max(1, len(tasks) - 1)]:
        incidents.accept_task(session, DEMO, t.id)
    for t in tasks[:2]:
        incidents.complete_task(session, DEMO, t.id, "已完成")
    if story.later_figures:
        incidents.add_log(session, DEMO, inc.id, LogIn(kind="figures", figures=Figures(**story.later_figures)))
    if story.raise_to:
        incidents.change_level(session, DEMO, inc.id, story.raise_to, "积水范围扩大，转移人数增加")
    _, needs = resources.recommend(session, inc)
    for need in needs[:2]:
        for f in need["found"][:1]:
            if f.resource.kind == "rescue_team" and f.resource.status == "available":
                dep = resources.dispatch(session, DEMO, inc.id, f.resource.id)
                resources.arrive(session, DEMO, dep.id)
    incidents.add_log(session, DEMO, inc.id, LogIn(kind="decision", text="扩大警戒范围，加强现场监测"))
    incidents.stand_down(session, DEMO, inc.id, "险情消除，现场恢复正常")
    incidents.close(session, DEMO, inc.id, story.summary, "完善监测预警；加强联动单位演练。")
    # the replay ran just now: move it back to when it happened
    session.flush()
    _backdate(session, inc, story)


def _live_incident(session: Session) -> None:
    title = "西航港工业园区化工仓库危化品泄漏"
    if session.scalar(select(Incident.id).where(Incident.title == title)) is not None:
        return
    lon, lat = data.PLACES["industrial_park"]
    inc = incidents.create_incident(session, DEMO, IncidentIn(
        incident_type="hazchem_leak", title=title, lon=lon + 0.002, lat=lat + 0.001,
        address="西航港街道工业园区某化工仓库", description="仓库内储罐阀门破裂，有刺激性气体逸出。",
        figures=Figures(injured=4, evacuated=260), warning_colour="yellow"))
    _, tasks, _ = incidents.activate(session, DEMO, inc.id, "IV", note="值班员确认")
    incidents.accept_task(session, DEMO, tasks[0].id)
    incidents.accept_task(session, DEMO, tasks[1].id)
    _, needs = resources.recommend(session, inc)
    for need in needs:
        if need["need"]["kind"] == "rescue_team":
            for i, f in enumerate(need["found"]):
                dep = resources.dispatch(session, DEMO, inc.id, f.resource.id)
                if i == 0:
                    resources.arrive(session, DEMO, dep.id)
    incidents.add_log(session, DEMO, inc.id, LogIn(kind="report", text="现场侦检：下风向200米处检出氯气，浓度下降"))
    incidents.add_log(session, DEMO, inc.id, LogIn(kind="photo", photo_ref="demo:photo/hazchem-scene-1.jpg",
                                                   text="现场照片"))
    if session.scalar(select(DispatchSession.id).where(DispatchSession.incident_id == inc.id)) is None:
        ds = dispatch.create_session(session, DEMO, SessionIn(
            title="危化品泄漏处置视频调度", kind="ad_hoc", topic="应急管理", incident_id=inc.id,
            scheduled_at=inc.reported_at, agenda=["现场情况通报", "疏散范围", "环境监测安排"],
            departments=["yjj", "xf", "gaj", "sthjj", "wjj", "street-510116002"]))
        dispatch.open_session(session, DEMO, ds.id)
        for code in ("yjj", "xf", "sthjj"):
            dispatch.roll_call(session, DEMO, ds.id, RollCallIn(department=code, person_name="值班负责人"))
        dispatch.add_decision(session, DEMO, ds.id, DecisionIn(text="疏散范围扩大至下风向500米", tasks=[
            {"department": "street-510116002", "title": "组织下风向500米内居民转移", "deadline_minutes": 40}]))


def _routine_session(session: Session, today: dt.date) -> None:
    title = "每周一应急管理视频调度会"
    if session.scalar(select(DispatchSession.id).where(DispatchSession.title == title)) is not None:
        return
    monday = today - dt.timedelta(days=today.weekday())
    ds = dispatch.create_session(session, DEMO, SessionIn(
        title=title, kind="routine", topic="应急管理",
        scheduled_at=dt.datetime.combine(monday, dt.time(9), local_zone()),
        agenda=["上周值班值守情况", "本周天气与风险研判", "安全生产隐患排查"], chaired_by="区应急局分管领导",
        departments=["yjj", "swj", "jtysj", "zjj", "street-510116001", "street-510116002", "street-510116111"]))
    dispatch.open_session(session, DEMO, ds.id)
    for code in ("yjj", "swj", "jtysj", "street-510116001", "street-510116002"):
        dispatch.roll_call(session, DEMO, ds.id, RollCallIn(department=code, person_name="分管负责人"))
    dispatch.add_decision(session, DEMO, ds.id, DecisionIn(text="开展低温雨雪冰冻天气防范检查", tasks=[
        {"department": "jtysj", "title": "检查除冰物资和撒布车辆", "deadline_minutes": 2 * 24 * 60},
        {"department": "street-510116111", "title": "排查沿河低洼地带隐患", "deadline_minutes": 3 * 24 * 60}]))
    dispatch.close_session(session, DEMO, ds.id, "会议听取各单位汇报，部署本周低温雨雪冰冻防范工作。")


def seed(session: Session, tracker: Any) -> list[str] | None:
    today = dt.datetime.now(local_zone()).date()
    step = tracker.task("应急指挥 emergency", 11)
    _departments(session)
    step(1)
    _types_and_plans(session)
    step(1)
    count = len(data.TEAMS) + len(data.EXPERTS) + len(data.DEPOTS) + len(data.SHELTERS)
    _resources(session, tracker.task("应急资源 resources", count))
    step(1)
    _road_network(session)
    step(1)
    _roster(session, today)
    step(1)
    _cameras(session)
    step(1)
    _bodies(session)
    step(1)
    _drill_year(session, today)
    _findings_to_events(session)
    step(1)
    for story in _stories(today):
        _replay(session, story)
    step(1)
    _live_incident(session)
    step(1)
    _routine_session(session, today)
    step(1)
    return None
