"""A year of risk-prompt campaigns for Shuangliu (item 9's demo): floods in the rainy season, freezes in
winter, festivals, the airport — targeted for real over the demo's units, staff and subscribed residents
of the nine governed streets, with receipts as SMS gateways and the app report them.

Over 4,000 messages, as the district reports for a year. Everything is written in bulk (targeting's
vectorised tests, delivery's bulk insert, one UPDATE per batch for the receipts), so it takes seconds.
Idempotent: a second run finds the demo campaigns and leaves them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.campaigns import sms
from citybrain.alerts.campaigns.models import Campaign, CampaignTransition
from citybrain.alerts.campaigns.service import SOURCE_KIND, deliver
from citybrain.alerts.campaigns.templates import TEMPLATES
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.targeting.area import resolve
from citybrain.alerts.targeting.models import Subscription
from citybrain.alerts.targeting.service import target
from citybrain.core.clock import local_zone
from citybrain.core.db import utcnow
from citybrain.geography.public import Area

SEED = 20260714
SUBSCRIBERS = 150
# risk prompts go to hazard sites, key departments, streets and grids, and subscribed residents
KINDS = ["hazard_contact", "department", "grid_worker", "community_staff", "resident"]

# the nine streets and towns the district runs (REFERENCE 1.2)
STREETS = {"东升": "510116001", "西航港": "510116002", "九江": "510116005", "黄甲": "510116006",
           "怡心": "510116017", "彭镇": "510116108", "黄龙溪": "510116111", "永安": "510116112",
           "黄水": "510116115"}
RIVERSIDE = ["黄龙溪", "彭镇", "九江", "东升", "永安", "黄水"]  # along the 府河, 杨柳河 and 金马河
AIRPORT = ["西航港", "黄甲", "东升"]
LEVEL = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}


@dataclass(frozen=True)
class Planned:
    month: int
    day: int
    hour: int
    template: str
    title: str
    streets: tuple[str, ...]
    level: str = "yellow"
    when: str = ""


def _plan() -> list[Planned]:
    p: list[Planned] = []
    rains = [(6, 3, "yellow"), (6, 18, "orange"), (6, 27, "yellow"), (7, 4, "orange"), (7, 11, "red"),
             (7, 22, "orange"), (8, 2, "yellow"), (8, 9, "red"), (8, 19, "orange"), (8, 30, "yellow"),
             (9, 6, "blue"), (9, 17, "yellow")]
    for i, (m, d, lvl) in enumerate(rains):
        streets = tuple(RIVERSIDE[(i + k) % len(RIVERSIDE)] for k in range(2 if lvl in ("red", "orange") else 1))
        p.append(Planned(m, d, 17, "rainstorm", f"暴雨{LEVEL[lvl]}预警风险提示", streets, lvl, f"{m}月{d}日"))
        if lvl in ("red", "orange"):
            p.append(Planned(m, d, 18, "flood_hazard", "防汛隐患点值守提示", streets[:1], lvl, f"{m}月{d}日20时"))
    for m, d, lvl in ((12, 14, "blue"), (12, 28, "yellow"), (1, 8, "yellow"), (1, 21, "orange"), (2, 6, "blue")):
        p.append(Planned(m, d, 9, "freeze", f"低温冰冻{LEVEL[lvl]}预警提示", ("东升", "九江", "怡心"), lvl,
                         f"{m}月{d}日夜间"))
    for m, d in ((7, 28), (8, 12), (8, 24)):
        p.append(Planned(m, d, 10, "heat", "高温橙色预警提示", ("西航港", "黄甲"), "orange", f"{m}月{d}日起"))
    for m, d, name, streets in ((1, 26, "春节", ("黄龙溪", "东升", "彭镇")), (2, 10, "元宵节", ("黄龙溪", "彭镇")),
                                (4, 3, "清明节", ("永安", "黄水")), (4, 29, "五一", ("黄龙溪", "东升")),
                                (5, 30, "端午节", ("黄龙溪", "九江")), (9, 28, "国庆节", ("黄龙溪", "东升", "彭镇")),
                                (10, 5, "中秋节", ("东升",))):
        p.append(Planned(m, d, 15, "festival", f"{name}节日安全提示", streets, "blue", name))
    for m, d, what in ((1, 20, "春节"), (2, 8, "元宵节"), (4, 15, "风筝季"), (9, 10, "开学季"), (11, 11, "无人机")):
        p.append(Planned(m, d, 11, "airport", f"机场净空保护提示（{what}）", tuple(AIRPORT), "blue", f"{what}期间"))
    return p


def _when(now: dt.datetime, item: Planned) -> dt.datetime:
    """The most recent local time with the plan's month, day and hour that is not in the future."""
    zone = local_zone()
    local_now = now.astimezone(zone)
    t = dt.datetime(local_now.year, item.month, item.day, item.hour, tzinfo=zone)
    if t > local_now:
        t = t.replace(year=local_now.year - 1)
    return t.astimezone(dt.UTC)


def _subscribers(session: Session, rng: random.Random) -> int:
    """Residents who subscribed to their home's surroundings: random points in the governed grids."""
    grids = session.execute(select(Area.code, Area.geometry_wkb).where(
        Area.level == "grid", func.substr(Area.code, 1, 9).in_(list(STREETS.values())))).all()
    if not grids:
        return 0
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
    given = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红梅兰"
    rows: list[dict[str, Any]] = []
    phones: set[str] = set()
    while len(rows) < SUBSCRIBERS:
        code, wkb = grids[rng.randrange(len(grids))]
        poly = shapely.from_wkb(wkb)
        minx, miny, maxx, maxy = poly.bounds
        xs = np.array([rng.uniform(minx, maxx) for _ in range(8)])
        ys = np.array([rng.uniform(miny, maxy) for _ in range(8)])
        inside = shapely.contains_xy(poly, xs, ys)
        if not inside.any():
            continue
        k = int(np.flatnonzero(inside)[0])
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if phone in phones:
            continue
        phones.add(phone)
        radius = rng.choice([0.0, 0.0, 300.0, 500.0, 1000.0])
        rows.append({"name": rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2)))),
                     "phone": phone, "lon": float(xs[k]), "lat": float(ys[k]), "radius_m": radius,
                     "street_code": code[:9], "confirmed": True, "active": True, "attempts": 0})
    session.execute(insert(Subscription), rows)
    return len(rows)


def _receipts(session: Session, rng: random.Random, campaign_id: int, at: dt.datetime) -> None:
    """Back-date the campaign's messages and give them the receipts a gateway would have sent."""
    ids = session.execute(select(AlertMessage.id, AlertMessage.channel, AlertMessage.key_recipient)
                          .where(AlertMessage.source_kind == SOURCE_KIND, AlertMessage.source_id == campaign_id)).all()
    changes: list[dict[str, Any]] = []
    for mid, channel, key in ids:
        sent = at + dt.timedelta(seconds=rng.uniform(1, 25 if channel == "sms" else 3))
        row: dict[str, Any] = {"id": mid, "created_at": at, "next_attempt_at": at, "sent_at": sent, "attempts": 1,
                               "segments": 1 if channel == "sms" else 0}
        r = rng.random()
        fail = 0.045 if channel == "sms" else 0.015
        if r < fail:
            row |= {"status": "failed", "last_error": rng.choice(["UNDELIV 空号", "MK:0001 关机", "DB:0141 停机"]),
                    "sent_at": sent}
        else:
            delivered = sent + dt.timedelta(seconds=rng.lognormvariate(1.8 if channel == "sms" else 0.3, 0.7))
            row |= {"status": "delivered", "delivered_at": delivered}
            if rng.random() < (0.64 if key else 0.18):
                row |= {"status": "acknowledged", "ack_via": "app" if channel == "app" else rng.choice(["link", "keyword"]),
                        "acked_at": delivered + dt.timedelta(seconds=rng.lognormvariate(6.2 if key else 7.0, 0.9))}
        changes.append(row)
    keys = ("status", "delivered_at", "acked_at", "ack_via", "last_error")
    for row in changes:
        for k in keys:
            row.setdefault(k, None)
    if changes:
        session.execute(update(AlertMessage), changes)


def seed(session: Session, tracker: Any) -> list[str] | None:
    have = session.scalar(select(func.count()).select_from(Campaign).where(Campaign.origin == "demo"))
    if have:
        return [f"alerts: {have} demo campaigns already loaded, left as they are"]
    if session.scalar(select(func.count()).select_from(Area).where(Area.code == STREETS["东升"])) == 0:
        return ["alerts: no geography, no demo campaigns"]
    rng = random.Random(SEED)
    residents = _subscribers(session, rng)
    now = utcnow().replace(microsecond=0)
    plan = sorted(_plan(), key=lambda p: _when(now, p))
    advance = tracker.task("alerts: a year of risk-prompt campaigns", len(plan))
    total = 0
    for item in plan:
        at = _when(now, item)
        names = [n if n in ("彭镇",) else (n + ("镇" if n in ("黄龙溪", "永安", "黄水") else "街道")) for n in item.streets]
        variables = {"time": item.when, "level": LEVEL[item.level], "street": "、".join(names), "title": item.title}
        template = TEMPLATES[item.template]
        text, n = sms.check(sms.render(template.text, variables))
        spec = AreaSpec(description="、".join(names), geocodes=[STREETS[s] for s in item.streets])
        c = Campaign(title=item.title, topic=template.topic, template_code=template.code, template=template.text,
                     variables=variables, text=text, chars=n.chars, segments=n.segments,
                     area=spec.model_dump(mode="json"), area_name=spec.description, kinds=KINDS,
                     channels=["sms", "app"], status="sent", origin="demo", created_by="demo_duty",
                     approved_by="demo_leader", approved_at=at - dt.timedelta(minutes=20), sent_by="demo_duty",
                     sent_at=at, created_at=at - dt.timedelta(minutes=45))
        session.add(c)
        session.flush()
        recipients = target(session, resolve(session, spec), KINDS, ["sms", "app"]).recipients
        c.messages = deliver(session, c, recipients)
        c.recipients = len({r.person_key for r in recipients})
        total += c.messages
        for action, frm, to, by, when in (("create", None, "draft", "demo_duty", c.created_at),
                                          ("approve", "draft", "approved", "demo_leader", c.approved_at),
                                          ("send", "approved", "sent", "demo_duty", at)):
            session.add(CampaignTransition(campaign_id=c.id, action=action, from_status=frm, to_status=to, by=by,
                                           at=when))
        _receipts(session, rng, c.id, at)
        advance(1)
    # what the duty officer finds waiting: proposals from a warning and an alarm, one approved, not sent
    for title, code, streets, status, origin in (
            ("风险提示：暴雨黄色预警", "rainstorm", ("黄龙溪",), "draft", "proposal"),
            ("告警风险提示：黄龙溪河道水位超警戒", "alarm", ("黄龙溪",), "draft", "proposal"),
            ("机场净空保护提示（周末）", "airport", ("西航港",), "approved", "demo")):
        variables = {"time": "今日", "level": "黄色", "street": "黄龙溪镇" if "黄龙溪" in streets else "西航港街道",
                     "title": "河道水位超警戒"}
        template = TEMPLATES[code]
        text, n = sms.check(sms.render(template.text, variables))
        spec = AreaSpec(description=variables["street"], geocodes=[STREETS[s] for s in streets])
        session.add(Campaign(title=title, topic=template.topic, template_code=code, template=template.text,
                             variables=variables, text=text, chars=n.chars, segments=n.segments,
                             area=spec.model_dump(mode="json"), area_name=spec.description, kinds=KINDS,
                             channels=["sms", "app"], status=status, origin=origin, created_by="system",
                             approved_by="demo_leader" if status == "approved" else None,
                             approved_at=now if status == "approved" else None,
                             source_ref=f"demo:{title}" if origin == "proposal" else None))
    session.flush()
    return [f"alerts: {len(plan)} campaigns over a year, {total} messages with receipts, {residents} subscribed "
            "residents; 2 proposals wait in the duty officer's inbox"]
