"""Scope cases of the event hub (events, photos, follow-up, tea bar, reference data, Open311 and the pages):
see tests/security/matrix.py.

In scope: an event reported by the world's citizen at IN_POINT (东升街道, grid 510116001001001), handled by
应急管理局 (world.dept_in). Out of scope: an event reported by nobody in particular at OUT_POINT (西航港街道),
handled by 生态环境局 (world.dept_out). Everything is built through the hub's own services.
"""

from __future__ import annotations

import io
import itertools
import random
from typing import Any

from tests.security.matrix import ROLES, STAFF, Case
from tests.security.world import IN_COMMUNITY, IN_POINT, IN_STREET, OUT_POINT

_n = itertools.count(1)
EVERY = frozenset(ROLES)
PLACE = frozenset({"street_staff", "community_staff", "grid_worker"})
DEPT = frozenset({"dept_handler", "inspector"})
# who meets a 404 on an event that is not theirs: everyone but the district-wide roles
EVENT_SCOPED = PLACE | DEPT | {"citizen"}
CATEGORY = "E1101"
NEXT = {"reported": "accept", "accepted": "dispatch", "dispatched": "start", "in_progress": "handle",
        "handled": "verify", "verified": "close"}  # 噪声扰民: a sub-category of the shipped tree


def _setup(world: Any) -> dict[str, Any]:
    from citybrain.events import catalogue
    from citybrain.events.open311 import service as open311

    with world.session() as s:
        catalogue.load_default_categories(s)
        _, key = open311.issue_key(s, None, "matrix client")
    catalogue.invalidate()
    return {"api_key": key}


def _ready(world: Any) -> dict[str, Any]:
    return world.once("events", _setup)


def _event(world: Any, inside: bool = True, status: str = "reported", channel: str = "citizen",
           photo: bool = False) -> dict[str, Any]:
    """An event in (or out of) scope, driven by the admin to `status`; its id, number and access code."""
    from citybrain.events.intake.service import intake
    from citybrain.events.loop.service import transition
    from citybrain.events.schemas import EventIn, TransitionIn

    _ready(world)
    lon, lat = IN_POINT if inside else OUT_POINT
    dept = world.dept_in.code if inside else world.dept_out.code
    reporter = world.actor("citizen") if inside else world.actor("admin")
    with world.session() as s:
        photos = [_photo(world, s)] if photo else []
        ev = intake(s, reporter, EventIn(channel=channel, category_code=CATEGORY, lon=lon, lat=lat,
                                         address="棠湖路 1 号" if inside else "航港路 9 号",
                                         description=f"矩阵事件 {next(_n)}", photos=photos,
                                         reporter_name="张三", reporter_phone="13912345678"))
        admin = world.actor("admin")
        # a trusted channel (110) is accepted, maybe dispatched, at intake: go on from where it is
        while ev.status != status:
            action = NEXT[ev.status]
            body = TransitionIn(note="矩阵" if action == "handle" else "",
                                department_code=dept if action == "dispatch" else None)
            transition(s, admin, ev.id, action, body)
        ev.department_code = dept  # the department whose work it is, whatever the matrix routed
        return {"event_id": ev.id, "number": ev.number, "access_code": ev.access_code,
                "photo_id": photos[0] if photos else None}


def _png() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (8, 8), tuple(random.randrange(256) for _ in range(3)))  # noqa: S311
    img.putpixel((0, 0), (next(_n) % 256, next(_n) % 256, next(_n) % 256))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _photo(world: Any, s: Any) -> int:
    from citybrain.events.photos.service import store

    settings = world.cache["app"].state.settings
    return store(s, None, _png(), settings.data_dir, settings.max_upload_bytes).id


def _thread(world: Any, inside: bool) -> dict[str, Any]:
    from citybrain.events.schemas import ThreadIn
    from citybrain.events.teabar import service as teabar

    ev = _event(world, inside, "dispatched")
    with world.session() as s:
        th = teabar.create_thread(s, None, ThreadIn(title="夜里噪声", body="何时处理？", event_number=ev["number"]))
        return {"thread_id": th.id}


def _responsibility_row(world: Any) -> dict[str, Any]:
    from citybrain.events import catalogue
    from citybrain.events.schemas import ResponsibilityIn

    _ready(world)
    with world.session() as s:
        row = catalogue.set_responsibility(s, world.actor("admin"), ResponsibilityIn(
            category_code=CATEGORY, area_code=IN_COMMUNITY, department_code="yjj"))  # an upsert: the same row each time
    return {"row_id": row["id"]}


def _open311_request(world: Any) -> dict[str, Any]:
    from citybrain.events.open311 import service as open311

    key = _ready(world)["api_key"]
    with world.session() as s:
        out = open311.create_request(s, {"api_key": key, "service_code": CATEGORY, "lat": str(IN_POINT[1]),
                                         "long": str(IN_POINT[0]), "description": "夜间施工噪声"})
    return {"fmt": "json", "request_id": out[0]["service_request_id"], "token": out[0]["token"]}


def _report_body(world: Any, p: Any) -> dict[str, Any]:
    _ready(world)
    return {"channel": "web", "category_code": CATEGORY, "lon": IN_POINT[0], "lat": IN_POINT[1],
            "description": "楼下酒吧噪声", "address": "棠湖路 1 号"}


def _public_body(world: Any, p: Any) -> dict[str, Any]:
    body = _report_body(world, p)
    del body["channel"]
    return body


JSON = {"fmt": "json"}


def _json(world: Any) -> dict[str, Any]:
    _ready(world)
    return dict(JSON)


CASES = [
    # intake
    Case("POST", "/api/events", EVERY, body=_report_body),
    Case("POST", "/api/events/report", None, body=_public_body),
    # queue, detail, map layer, duplicates
    Case("GET", "/api/events", EVERY),
    Case("GET", "/api/events/{event_id}", EVERY, EVENT_SCOPED, make=lambda w: _event(w, True, "dispatched"),
         make_out=lambda w: _event(w, False, "dispatched")),
    Case("GET", "/api/events/geojson", STAFF),
    Case("GET", "/api/events/{event_id}/duplicates", STAFF, PLACE | DEPT,
         make=lambda w: _event(w, True, "dispatched"), make_out=lambda w: _event(w, False, "dispatched")),
    # the closed loop: `verify` (核查) is the field's and the command centre's; a handler may not verify
    Case("POST", "/api/events/{event_id}/actions/{action}",
         frozenset({"duty_officer", "street_staff", "community_staff", "grid_worker"}), PLACE,
         make=lambda w: {**_event(w, True, "handled"), "action": "verify"},
         make_out=lambda w: {**_event(w, False, "handled"), "action": "verify"}, body=lambda w, p: {},
         note="each step's roles are the table in events/states.py; verify stands for them"),
    Case("POST", "/api/events/{event_id}/relocate", frozenset({"duty_officer", "street_staff", "community_staff"}),
         frozenset({"street_staff", "community_staff"}), make=lambda w: _event(w, True, "accepted"),
         make_out=lambda w: _event(w, False, "accepted"),
         body=lambda w, p: {"lon": IN_POINT[0], "lat": IN_POINT[1]}),
    # figures
    Case("GET", "/api/events/evaluation",
         frozenset({"duty_officer", "data_officer", "dept_handler", "street_staff", "community_staff"})),
    # photos: the original to those who may see the event (an internal case: no public copy either)
    Case("POST", "/api/events/photos", None, files=lambda w, p: {"file": ("p.png", _png(), "image/png")}),
    Case("GET", "/api/events/photos/{photo_id}", EVERY, EVENT_SCOPED,
         make=lambda w: _event(w, True, "dispatched", photo=True),
         make_out=lambda w: _event(w, False, "dispatched", channel="police_110", photo=True)),
    Case("GET", "/api/events/public/{number}/photos/{photo_id}", None,
         make=lambda w: _event(w, True, "dispatched", photo=True)),
    # the reporter's follow-up
    Case("GET", "/api/events/public/{number}", None, make=lambda w: _event(w, True, "dispatched")),
    Case("POST", "/api/events/public/{number}/rating", None, make=lambda w: _event(w, True, "closed"),
         body=lambda w, p: {"access_code": p["access_code"], "satisfaction": 5}),
    # 市民茶话吧
    Case("GET", "/api/events/threads", None),
    Case("POST", "/api/events/threads", None, body=lambda w, p: {"title": "公园路灯", "body": "晚上太黑"}),
    Case("GET", "/api/events/threads/{thread_id}", None, make=lambda w: _thread(w, True)),
    Case("POST", "/api/events/threads/{thread_id}/posts", None, make=lambda w: _thread(w, True),
         body=lambda w, p: {"body": "同感"}),
    Case("POST", "/api/events/threads/{thread_id}/resolution",
         frozenset({"duty_officer", "dept_handler", "street_staff", "community_staff"}),
         frozenset({"dept_handler", "street_staff", "community_staff"}), make=lambda w: _thread(w, True),
         make_out=lambda w: _thread(w, False), body=lambda w, p: {"resolution": "已加装路灯"}),
    # reference data: read by staff (categories and the calendar by anyone), written by the data officer
    Case("GET", "/api/events/categories", None),
    Case("PUT", "/api/events/categories/{code}", frozenset({"data_officer"}),
         make=lambda w: {"code": f"ZM{next(_n)}"},
         body=lambda w, p: {"code": p["code"], "name": "矩阵大类", "kind": "event"}),
    Case("GET", "/api/events/responsibility", STAFF),
    Case("PUT", "/api/events/responsibility", frozenset({"data_officer"}),
         body=lambda w, p: {"category_code": CATEGORY, "area_code": IN_STREET, "department_code": "yjj"}),
    Case("DELETE", "/api/events/responsibility/{row_id}", frozenset({"data_officer"}), make=_responsibility_row),
    Case("GET", "/api/events/responsibility/unowned", STAFF),
    Case("GET", "/api/events/responsibility/route", STAFF,
         query=lambda w, p: {"category_code": CATEGORY, "area_code": IN_STREET}),
    Case("GET", "/api/events/calendar", None, query=lambda w, p: {"year": 2026}),
    Case("GET", "/api/events/calendar/deadline", None,
         query=lambda w, p: {"start": "2026-10-08T09:00:00+08:00", "amount": 3, "unit": "working_days"}),
    # Open311 GeoReport v2: public, citizens' appeals only; keys issued by the data officer
    Case("GET", "/api/open311/v2/discovery.{fmt}", None, make=_json),
    Case("GET", "/api/open311/v2/services.{fmt}", None, make=_json),
    Case("GET", "/api/open311/v2/services/{service_code}.{fmt}", None,
         make=lambda w: {**_json(w), "service_code": CATEGORY}),
    Case("POST", "/api/open311/v2/requests.{fmt}", None, make=_json,
         form=lambda w, p: {"api_key": _ready(w)["api_key"], "service_code": CATEGORY, "lat": str(IN_POINT[1]),
                            "long": str(IN_POINT[0]), "description": "路灯不亮"}),
    Case("GET", "/api/open311/v2/requests.{fmt}", None, make=_json),
    Case("GET", "/api/open311/v2/requests/{request_id}.{fmt}", None, make=_open311_request),
    Case("GET", "/api/open311/v2/tokens/{token}.{fmt}", None, make=_open311_request),
    Case("POST", "/api/open311/clients", frozenset({"data_officer"}), body=lambda w, p: {"name": "矩阵应用"}),
    # pages
    Case("GET", "/events", EVERY, page=True, note="a citizen is sent on to /report"),
    Case("GET", "/events/evaluation",
         frozenset({"duty_officer", "data_officer", "dept_handler", "street_staff", "community_staff"}),
         page=True),
    Case("GET", "/events/{event_id}", EVERY, EVENT_SCOPED, page=True, make=lambda w: _event(w, True, "dispatched"),
         make_out=lambda w: _event(w, False, "dispatched")),
    Case("GET", "/report", None),
    Case("GET", "/report/{number}", None, make=lambda w: _event(w, True, "dispatched")),
    Case("GET", "/teabar", None),
    Case("GET", "/teabar/{thread_id}", None, make=lambda w: _thread(w, True)),
]
