"""Demo alerts for Shuangliu: three in force (so the feed and the map are never empty) and some history.

In force: a yellow rainstorm warning along the 江安河 (a corridor drawn on the map), a blue road-icing
warning for 黄水镇 and 永安镇 (geocodes), an orange fog warning around 双流国际机场 (a circle).
History: last July's red rainstorm warning for 黄龙溪镇 (expired) and an orange gale warning for 彭镇
(cancelled). All go through the service: drafted by the duty officer, approved by the administrator,
issued, validated against the official CAP schema like any other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from shapely.geometry import LineString
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec, CircleIn
from citybrain.alerts.cap import service
from citybrain.alerts.cap.models import Alert
from citybrain.alerts.cap.schemas import AlertIn, CancelIn, InfoText
from citybrain.core.auth import Actor, User
from citybrain.core.db import utcnow
from citybrain.core.roles import Role

AIRPORT = (103.947, 30.578)  # 双流国际机场 (WGS-84, REFERENCE)
# the 江安河 corridor, roughly from 九江 past 四川大学江安校区 towards 东升 (WGS-84), ~700 m each side
JIANGAN_LINE = [(103.885, 30.640), (103.915, 30.612), (103.945, 30.590), (103.975, 30.568), (104.000, 30.548)]


def _actor(session: Session, username: str, role: Role) -> Actor:
    u = session.scalar(select(User).where(User.username == username))
    if u is not None:
        return Actor(u.id, u.username, Role(u.role), u.department_id, u.area_code)
    return Actor(None, username, role)


def _corridor() -> list[tuple[float, float]]:
    band = LineString(JIANGAN_LINE).buffer(0.007, quad_segs=4).simplify(0.0005)
    return [(round(x, 6), round(y, 6)) for x, y in shapely.get_coordinates(band.exterior)]


def _alert(level: str, kind: str, expires: dt.datetime, zh: tuple[str, str, str], en: tuple[str, str, str],
           area: AreaSpec, onset: dt.datetime | None = None) -> AlertIn:
    return AlertIn(level=level, event_type=kind, expires=expires, onset=onset,  # type: ignore[arg-type]
                   zh=InfoText(headline=zh[0], description=zh[1], instruction=zh[2]),
                   en=InfoText(headline=en[0], description=en[1], instruction=en[2]), area=area)


def _publish(session: Session, author: Actor, approver: Actor, data: AlertIn, at: dt.datetime) -> Alert:
    alert = service.create(session, author, data, now=at)
    service.approve(session, approver, alert.id)
    return service.issue(session, approver, alert.id, now=at)


def seed(session: Session, tracker: Any) -> list[str] | None:
    if session.scalar(select(func.count()).select_from(Alert)):
        return ["alerts: demo alerts already there, left as they are"]
    advance = tracker.task("alerts: CAP warnings", 5)
    duty = _actor(session, "duty", Role.DUTY_OFFICER)
    admin = _actor(session, "admin", Role.ADMIN)
    now = utcnow().replace(microsecond=0)

    # history first: last July's red rainstorm (expired) and an orange gale cancelled early
    july = now.replace(month=7, day=12, hour=6, minute=30, second=0) if now.month > 7 else \
        now.replace(year=now.year - 1, month=7, day=12, hour=6, minute=30, second=0)
    _publish(session, duty, admin, _alert(
        "red", "rainstorm", july + dt.timedelta(hours=18),
        ("黄龙溪镇暴雨红色预警", "预计未来3小时黄龙溪镇降雨量将达100毫米以上，府河、鹿溪河水位快速上涨。",
         "沿河低洼地带群众立即转移；古镇景区停止营业；停止户外作业。"),
        ("Red rainstorm warning for Huanglongxi", "Over 100 mm of rain expected within 3 hours; the Fu and Luxi "
         "rivers are rising fast.", "Leave low ground by the rivers now; the old town closes; stop outdoor work."),
        AreaSpec(description="黄龙溪镇", geocodes=["510116111"])), july)
    advance(1)
    gale_at = now - dt.timedelta(days=20)
    gale = _publish(session, duty, admin, _alert(
        "orange", "gale", gale_at + dt.timedelta(hours=12),
        ("彭镇大风橙色预警", "预计未来6小时彭镇将出现10级以上阵风。", "加固临时搭建物，停止高空作业。"),
        ("Orange gale warning for Pengzhen", "Gusts of force 10 or more expected within 6 hours.",
         "Secure temporary structures; stop work at height."),
        AreaSpec(description="彭镇", geocodes=["510116108"])), gale_at)
    cancel = service.create_cancel(session, duty, gale.id, CancelIn(
        reason_zh="冷空气路径东移，大风影响减弱，解除预警。", reason_en="The cold air moved east; the gale has eased."),
        now=gale_at + dt.timedelta(hours=3))
    service.approve(session, admin, cancel.id)
    service.issue(session, admin, cancel.id, now=gale_at + dt.timedelta(hours=3))
    service.expire_due(session, now)
    advance(1)

    # in force now
    _publish(session, duty, admin, _alert(
        "yellow", "rainstorm", now + dt.timedelta(hours=12),
        ("江安河沿线暴雨黄色预警", "预计未来6小时江安河沿线累计降雨量将达50毫米以上，河道水位上涨。",
         "沿河群众注意防范，远离河堤；地下车库、下穿隧道做好排水准备。"),
        ("Yellow rainstorm warning along the Jiang'an River", "Over 50 mm of rain expected along the Jiang'an "
         "River within 6 hours; the river is rising.", "Keep away from the river banks; prepare pumps for "
         "underground car parks and underpasses."),
        AreaSpec(description="江安河沿线（九江街道、西航港街道、东升街道）", polygons=[_corridor()])), now)
    advance(1)
    _publish(session, duty, admin, _alert(
        "blue", "freeze", now + dt.timedelta(hours=20),
        ("黄水镇、永安镇道路结冰蓝色预警", "预计今夜到明晨黄水镇、永安镇丘陵路段将出现道路结冰。",
         "车辆减速慢行，注意防滑；老人儿童减少外出。"),
        ("Blue road-icing warning for Huangshui and Yong'an", "Icy roads expected on the hill roads of Huangshui "
         "and Yong'an tonight and early tomorrow.", "Drive slowly; older people and children should stay in."),
        AreaSpec(description="黄水镇、永安镇", geocodes=["510116115", "510116112"])), now)
    advance(1)
    lon, lat = AIRPORT
    _publish(session, duty, admin, _alert(
        "orange", "fog", now + dt.timedelta(hours=8),
        ("双流国际机场周边大雾橙色预警", "预计未来6小时双流国际机场及周边能见度将低于200米。",
         "机场高速及周边道路车辆开启雾灯、减速慢行；旅客关注航班动态。"),
        ("Orange fog warning around Shuangliu International Airport", "Visibility below 200 m expected around "
         "the airport within 6 hours.", "Use fog lights and slow down on the airport expressway; check flights."),
        AreaSpec(description="双流国际机场及周边5公里", circles=[CircleIn(lon=lon, lat=lat, radius_m=5_000)])), now)
    advance(1)
    total = session.scalar(select(func.count()).select_from(Alert))
    return [f"alerts: {total} CAP messages (3 in force: 江安河 rainstorm, 黄水/永安 icing, airport fog; "
            "an expired and a cancelled one)"]
