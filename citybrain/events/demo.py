"""Demo data of the event hub: the category tree, the Shuangliu responsibility matrix, a few hundred
events of the past four months driven through the closed loop (deterministic: a fixed seed; times are
counted back from the current hour), and the 市民茶话吧 threads the district is known for.

Runs after directory (departments, users) and geography (grids). Idempotent: events carry the
idempotency keys ``demo-<n>``, threads are matched by title.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from citybrain.core import auth
from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.errors import DomainError
from citybrain.core.outbox import OutboxMessage
from citybrain.core.roles import Role
from citybrain.directory.public import department_by_code
from citybrain.events import catalogue, jobs
from citybrain.events.follow.service import rate
from citybrain.events.intake.service import intake
from citybrain.events.loop.service import transition
from citybrain.events.models import Event, Responsibility, Thread, ThreadPost
from citybrain.events.schemas import EventIn, TransitionIn
from citybrain.geography.public import children

N_EVENTS = 360
SEED = 510116
DAYS = 120

# (category, weight, description template, address hint)
MIX: list[tuple[str, int, str]] = [
    ("E0101", 14, "路边有一堆垃圾没人清理，已经发臭"), ("E0401", 10, "早晚高峰有摊贩占道经营，行人只能走机动车道"),
    ("E0403", 9, "机动车长期占用人行道和盲道"), ("E1101", 8, "楼下酒吧每晚放音乐到凌晨两点，严重扰民"),
    ("C0201", 7, "路面有坑，晚上电瓶车容易摔倒"), ("C0104", 6, "这一段路灯一直不亮"),
    ("E1104", 6, "下雨后商铺门口积水倒灌进店里"), ("E0404", 5, "共享单车堆在地铁口，堵住通道"),
    ("E1102", 5, "餐馆油烟直排，楼上住户无法开窗"), ("C0101", 4, "井盖破损，有安全隐患"),
    ("E0201", 4, "电杆上贴满了小广告"), ("E0302", 4, "工地没有覆盖，风一吹满街扬尘"),
    ("E0301", 4, "工地夜里十一点还在施工"), ("E1202", 3, "小区消防通道被车堵死"),
    ("E1301", 3, "超市在卖过期食品"), ("C0401", 3, "行道树被风吹歪，快倒了"),
    ("E0502", 2, "暴雨后下穿隧道积水很深"), ("E1201", 2, "厂房里电线乱拉，存放了很多纸箱"),
    ("E0304", 2, "有人在楼顶违法搭建"), ("E1501", 2, "垃圾站周边老鼠很多"), ("E1503", 2, "咨询老旧小区改造政策"),
]
CHANNELS = [("patrol", 38), ("hotline_12345", 26), ("citizen", 14), ("web", 6), ("open311", 3),
            ("police_110", 5), ("sensor", 4), ("inspection", 4)]
ROADS = ["棠湖东路", "棠湖西路", "双华路", "藏卫路", "花园路", "白衣上街", "航空路", "牧华路", "黄甲大道", "九江大道",
         "怡心路", "永安路", "彭镇老街", "黄龙大道", "西航港大道", "成新蒲快速路辅道"]

THREADS: list[dict[str, Any]] = [
    {
        "title": "暴雨后雨水倒灌进临街商铺，损失谁来赔？",
        "body": "上周暴雨，市政雨水管倒灌，我们一排七八家商铺都进了水，货物和装修都泡了。想问雨水管是谁在管，损失能不能赔偿？",
        "author": "商户刘女士", "category": "E1104",
        "posts": [
            (None, "隔壁王记", "我家冰柜也泡坏了，物业说不归他们管。"),
            ("swj", None, "区水务局已到现场核查：倒灌原因是下游雨水管道被施工单位渣土堵塞，已责令疏通并加装拍门。"),
            ("street-510116001", None, "东升街道已登记受损商户清单，组织施工单位、商户和保险公司三方协商。"),
        ],
        "resolution": "管道已疏通并加装防倒灌拍门；施工单位承担主要责任，与7家商户达成赔偿协议，街道跟踪兑付。",
        "resolved_by": "swj",
    },
    {
        "title": "物流园区积水，仓库货物被淹",
        "body": "西航港一物流园区地势低，连续降雨后园区道路和几个仓库进水，大量快递包裹被泡，园区排水设施是不是有问题？",
        "author": "物流公司员工", "category": "E1104",
        "posts": [
            ("yjj", None, "区应急局已将该园区列入汛期重点防范点位，督促园区制定防汛预案、储备抽排设备。"),
            ("swj", None, "经排查，园区内部排水管网与市政管网衔接处管径偏小，已纳入今年排水能力提升工程。"),
            (None, "园区租户", "希望能在主汛期前完工。"),
        ],
        "resolution": "园区已储备移动泵车2台并落实汛期值守；衔接管段扩径工程已立项，计划主汛期前完工。",
        "resolved_by": "swj",
    },
    {
        "title": "小区旁酒吧噪声扰民，投诉多次没解决",
        "body": "小区旁边新开的酒吧每晚驻唱到凌晨，低音炮震得窗户响，打过几次电话，来了就关小，走了又开大。",
        "author": "业主张先生", "category": "E1101",
        "posts": [
            (None, "同小区业主", "我家老人孩子都睡不好，希望彻底解决。"),
            ("gaj", None, "辖区派出所已对酒吧负责人进行警告，并依据噪声污染防治法责令其限期整改。"),
            ("sthjj", None, "区生态环境局已进行夜间噪声监测，边界噪声超标，已督促酒吧加装隔音设施。"),
        ],
        "resolution": "酒吧已完成隔声改造并承诺22时后停止驻唱；复测达标，街道和派出所将持续回访一个月。",
        "resolved_by": "gaj",
    },
]


def _weighted(rng: random.Random, items: list[tuple[Any, int]]) -> Any:
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items], k=1)[0]


def _grids(session: Session) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Grid centroids of the district: (governed, run by another administration)."""
    governed: list[tuple[float, float]] = []
    external: list[tuple[float, float]] = []
    for street in children(session, "510116"):
        bucket = governed if street.managed_by_district else external
        for community in children(session, street.code):
            for grid in children(session, community.code):
                bucket.append((grid.centroid_lon, grid.centroid_lat))
    return governed, external


def _working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return (local + dt.timedelta(minutes=rng.randint(0, 13 * 60))).astimezone(dt.UTC)


def seed(session: Session, tracker: Any) -> list[str] | None:
    added_c = catalogue.load_default_categories(session)
    added_m = catalogue.load_default_matrix(session)
    governed, external = _grids(session)
    if not governed:
        return [f"events: {added_c} categories, {added_m} matrix rows; no grids, so no demo events"]
    have = set(session.scalars(select(Event.idempotency_key).where(Event.idempotency_key.like("demo-%"))))
    rng = random.Random(SEED)
    end = utcnow().replace(minute=0, second=0, microsecond=0)
    advance = tracker.task("events: demo reports", N_EVENTS)
    made = 0
    last_message = session.scalar(select(func.max(OutboxMessage.id))) or 0
    for i in range(N_EVENTS):
        plan = _plan(rng, governed, external, end)
        if f"demo-{i}" not in have:
            made += _one(session, i, plan, end)
        advance(1)
    # The demo back-fills months of history; the dispatch notices of that history were due then, not
    # now, so the worker must not send them today. (Overdue escalations for the events still open are
    # queued below, as they would be on a live system.)
    session.execute(delete(OutboxMessage).where(OutboxMessage.id > last_message))
    jobs.check_deadlines(session)
    threads = _threads(session)
    handlers = ensure_handlers(session)
    return [f"events: {added_c} categories, {added_m} matrix rows, {made} demo events, {threads} tea-bar threads, "
            f"{len(handlers)} more department handlers"] + [
        f"  {name:<24} dept_handler  {HANDLER_PASSWORD:<28} {code}" for name, code in handlers]


HANDLER_PASSWORD = "Shuangliu-dept_handler-2026"  # the demo's pattern, Shuangliu-<role>-2026


def receiving_departments(session: Session) -> list[str]:
    """Every department the responsibility matrix (or a demo event) sends work to."""
    codes = set(session.scalars(select(Responsibility.department_code).distinct()))
    codes |= {c for c in session.scalars(select(Event.department_code).distinct()) if c}
    return sorted(codes)


def ensure_handlers(session: Session) -> list[tuple[str, str]]:
    """A demo handler (部门处置人员) for every receiving department that has none, so every queue has
    someone to work it: (username, department code) of those created."""
    made: list[tuple[str, str]] = []
    for code in receiving_departments(session):
        dept = department_by_code(session, code)
        if dept is None:
            continue
        has = session.scalar(select(auth.User.id).where(auth.User.department_id == dept.id,
                                                        auth.User.role == Role.DEPT_HANDLER.value).limit(1))
        if has is not None:
            continue
        username = f"{code.replace('-', '_')}_handler"[:60]
        if session.scalar(select(auth.User.id).where(auth.User.username == username)) is not None:
            continue
        auth.create_user(session, username, HANDLER_PASSWORD, Role.DEPT_HANDLER.value, department_id=dept.id,
                         display_name=f"{dept.name}处置员")
        made.append((username, code))
    return made


def _plan(rng: random.Random, governed: list[tuple[float, float]], external: list[tuple[float, float]],
          end: dt.datetime) -> dict[str, Any]:
    """Every random draw for one event, drawn in a fixed order so the demo is the same every time."""
    cat, _, text = rng.choices(MIX, weights=[m[1] for m in MIX], k=1)[0]
    pool = external if external and rng.random() < 0.04 else governed
    lon, lat = pool[rng.randrange(len(pool))]
    day = (end - dt.timedelta(days=rng.uniform(0, DAYS))).date()
    return {
        "category": cat, "text": text, "channel": _weighted(rng, CHANNELS),
        "lon": lon + rng.uniform(-0.0008, 0.0008), "lat": lat + rng.uniform(-0.0008, 0.0008),
        "road": rng.choice(ROADS), "no": rng.randint(1, 300), "at": _working_time(rng, day),
        "fate": rng.random(), "gaps": [rng.uniform(0.1, 1) for _ in range(8)], "late": rng.random(),
        "sat": rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 12, 8, 5])[0], "rated": rng.random() < 0.55,
        "phone": f"139{rng.randint(10000000, 99999999)}",
    }


def _one(session: Session, i: int, p: dict[str, Any], end: dt.datetime) -> int:
    channel = p["channel"]
    citizen = channel in ("citizen", "web", "open311", "hotline_12345")
    data = EventIn(channel=channel, category_code=p["category"], lon=p["lon"], lat=p["lat"],
                   address=f"{p['road']}{p['no']}号附近", description=p["text"], idempotency_key=f"demo-{i}",
                   reporter_name="市民" if citizen else None, reporter_phone=p["phone"] if citizen else None,
                   source_ref="demo")
    reporter = Actor(None, {"patrol": "网格员", "inspection": "安全检查员", "sensor": "物联感知平台",
                            "police_110": "110指挥中心", "hotline_12345": "12345话务员"}.get(channel, "市民"),
                     Role.ADMIN if not citizen or channel == "hotline_12345" else Role.CITIZEN)
    try:
        with session.begin_nested():
            ev = intake(session, reporter, data, at=p["at"])
    except DomainError:
        return 0  # a jittered point that fell outside every grid: skip it
    if ev.replayed:
        return 0
    _drive(session, ev, p, end)
    return 1


def _drive(session: Session, ev: Event, p: dict[str, Any], end: dt.datetime) -> None:
    """Take the event as far through the loop as its age and its fate allow."""
    duty = Actor(None, "duty", Role.ADMIN)
    t = ev.created_at
    gaps = iter(p["gaps"])
    fate, late = p["fate"], p["late"]

    def step(action: str, hours: float, actor: Actor, **body: Any) -> bool:
        nonlocal t
        t2 = t + dt.timedelta(hours=hours * next(gaps, 0.5))
        if t2 > end:
            return False
        try:
            transition(session, actor, ev.id, action, TransitionIn(**body), at=t2)
        except DomainError:
            return False
        t = t2
        return True

    if ev.status == "transfer":
        step("close", 20, duty, note=f"已转{ev.managed_by}办理")
        return
    if ev.status == "reported":
        if end - ev.created_at < dt.timedelta(days=4) and fate < 0.7:
            return  # recent citizen reports wait in the acceptance queue
        if fate < 0.06:
            step("reject", 3, duty, note="经核实不属于城市管理范围，已告知反映人向相关单位反映")
            return
        if not step("accept", 3, duty) or not step("dispatch", 2, duty):
            return
    handler = Actor(None, f"{ev.department_code}_handler", Role.ADMIN)
    if fate > 0.93 and step("return", 4, handler, note="经核实不属于本单位职责"):
        if not step("dispatch", 3, duty, department_code="cgj"):
            return
        handler = Actor(None, "cgj_handler", Role.ADMIN)
    if not step("start", 4, handler):
        return
    slow = 160 if late < 0.2 else 30  # one in five handled late
    if not step("handle", slow, handler, note="已到场处置完毕", reply="您反映的问题已处理，感谢监督。"):
        return
    verifier = Actor(None, "网格员核查", Role.ADMIN)
    if fate < 0.12:
        if not step("rework", 6, verifier, note="现场复核仍未整改到位") or \
                not step("handle", 24, handler, note="已再次整改"):
            return
    if not step("verify", 8, verifier) or not step("close", 4, duty):
        return
    if p["rated"] and ev.channel in ("citizen", "web", "open311", "hotline_12345"):
        rate(session, ev.number, ev.access_code, p["sat"])


def _threads(session: Session) -> int:
    made = 0
    for spec in THREADS:
        if session.scalar(select(Thread.id).where(Thread.title == spec["title"])) is not None:
            continue
        event = session.scalar(select(Event).where(Event.category_code == spec["category"],
                                                   Event.idempotency_key.like("demo-%")).order_by(Event.id).limit(1))
        th = Thread(title=spec["title"], body=spec["body"], author_name=spec["author"],
                    event_id=event.id if event else None, street_code=event.street_code if event else None,
                    created_at=utcnow() - dt.timedelta(days=12))
        session.add(th)
        session.flush()
        for k, (dept, name, text) in enumerate(spec["posts"]):
            session.add(ThreadPost(thread_id=th.id, department_code=dept, author_name=name or (dept or ""),
                                   body=text, created_at=th.created_at + dt.timedelta(days=1 + k)))
        th.status, th.resolution, th.resolved_by = "resolved", spec["resolution"], spec["resolved_by"]
        th.resolved_at = th.created_at + dt.timedelta(days=len(spec["posts"]) + 2)
        made += 1
    session.flush()
    return made
