"""Open311 GeoReport v2 over the event hub: services are our sub-categories, requests are our events.

The specification's facts we honour (open311/open311.github.io, GeoReport v2):
* service codes and request ids are strings; `status` is only ``open`` or ``closed``;
* POST requests is form-urlencoded with an `api_key`, a `service_code` and ``lat``/``long`` (WGS-84) or
  an ``address_string``; ``attribute[code]=value``; ``description`` at most 4000 characters;
* GET requests filters by ``service_request_id`` (comma list; overrides the rest), ``service_code``,
  ``start_date``/``end_date`` (W3C, at most 90 days apart; default the last 90 days) and ``status``;
  at most 1000 requests;
* datetimes are W3C with a time zone; errors are ``[{code, description}]`` with HTTP 400, 403 (bad
  api_key) or 404 (unknown resource).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.policy import policy
from citybrain.core.roles import Role
from citybrain.core.types import EARLIEST, LatitudeQuery, LongitudeQuery
from citybrain.events.common import category_names, department_names
from citybrain.events.follow.service import PUBLIC_CHANNELS, is_public
from citybrain.events.intake.service import intake, scoped_key
from citybrain.events.models import Event, EventCategory, id_from_number
from citybrain.events.open311.models import Open311Client, Open311Token
from citybrain.events.schemas import MAX_DESCRIPTION, PHONE_PATTERN, Channel, EventIn
from citybrain.events.states import STATUS_ZH, TERMINAL, Status
from citybrain.events.workcal import APPEAL_ZH

JURISDICTION_ID = "510116"
# GeoReport `requests` is public: only citizens' own public reports (`follow.service.PUBLIC_CHANNELS`)
PUBLIC_ONLY = Event.channel.in_(sorted(c.value for c in PUBLIC_CHANNELS))
MAX_RANGE = dt.timedelta(days=90)
MAX_ROWS = 1000


class Open311Error(Exception):
    """An error in the specification's format: HTTP status and description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# Attributes (GeoReport `attributes[]`): the 12345 tier for every service, and a few service-specific ones.
APPEAL_ATTRIBUTE = {
    "variable": True, "code": "appeal_kind", "datatype": "singlevaluelist", "required": False,
    "datatype_description": "诉求类型 (kind of appeal; sets the reply deadline)", "order": 1,
    "description": "诉求类型：咨询 / 求助 / 意见建议 / 投诉举报",
    "values": [{"key": k, "name": v} for k, v in APPEAL_ZH.items()],
}
EXTRA_ATTRIBUTES: dict[str, list[dict[str, Any]]] = {
    "E1104": [{"variable": True, "code": "water_depth_cm", "datatype": "number", "required": False,
               "datatype_description": "centimetres", "order": 2, "description": "积水深度（厘米）", "values": []}],
    "E0502": [{"variable": True, "code": "water_depth_cm", "datatype": "number", "required": False,
               "datatype_description": "centimetres", "order": 2, "description": "积水深度（厘米）", "values": []}],
    "E1101": [{"variable": True, "code": "noise_period", "datatype": "singlevaluelist", "required": False,
               "datatype_description": "", "order": 2, "description": "噪声时段",
               "values": [{"key": "day", "name": "白天 (06:00–22:00)"},
                          {"key": "night", "name": "夜间 (22:00–06:00)"}]}],
}


def w3c(t: dt.datetime | None) -> str | None:
    return to_local(t).isoformat(timespec="seconds") if t else None


def parse_w3c(value: str, field: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{field} must be a W3C datetime such as 2026-10-08T09:00:00+08:00") from None
    if t.tzinfo is None:
        raise Open311Error(400, f"{field} needs a time zone offset")
    if not EARLIEST <= t <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC):
        raise Open311Error(400, f"{field} must be between 2000 and 2100")
    return t


def check_jurisdiction(jurisdiction_id: str | None) -> None:
    if jurisdiction_id not in (None, "", JURISDICTION_ID):
        raise Open311Error(404, f"jurisdiction_id {jurisdiction_id!r} not found; this endpoint serves "
                                f"{JURISDICTION_ID} (双流区)")


# ── clients and keys ─────────────────────────────────────────────────────────────────────────

def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# Issuing an Open311 client's key: the data officer (or the CLI, run by whoever runs the server).
ISSUE_KEY = policy("events.open311.issue_key", (Role.DATA_OFFICER,), what="client")


def issue_key(session: Session, actor: Actor | None, name: str) -> tuple[Open311Client, str]:
    if actor is not None:
        ISSUE_KEY.allow(session, actor)
    key = secrets.token_urlsafe(24)
    client = Open311Client(name=name[:100], key_hash=_digest(key))
    session.add(client)
    session.flush()
    audit.record(session, actor, "create", "open311_client", client.id, None, {"name": client.name})
    return client, key


def client_for_key(session: Session, api_key: str | None) -> Open311Client:
    if not api_key:
        raise Open311Error(403, "api_key is required to submit a service request")
    client = session.scalar(select(Open311Client).where(Open311Client.key_hash == _digest(api_key)))
    if client is None or not client.active:
        raise Open311Error(403, "api_key is not valid")
    return client


# ── services ─────────────────────────────────────────────────────────────────────────────────

def _services(session: Session) -> list[tuple[EventCategory, str]]:
    cats = list(session.scalars(select(EventCategory).order_by(EventCategory.code)))
    classes = {c.id: c.name for c in cats if c.level == 1}
    return [(c, classes.get(c.parent_id or 0, "")) for c in cats if c.level == 2 and c.active and c.open311]


def services(session: Session) -> list[dict[str, Any]]:
    return [{"service_code": c.code, "service_name": c.name, "description": c.filing_condition,
             "metadata": True, "type": "realtime", "keywords": c.name_en, "group": group}
            for c, group in _services(session)]


def attributes_for(code: str) -> list[dict[str, Any]]:
    return [APPEAL_ATTRIBUTE, *EXTRA_ATTRIBUTES.get(code, [])]


def service_definition(session: Session, code: str) -> dict[str, Any]:
    if code not in {c.code for c, _ in _services(session)}:
        raise Open311Error(404, f"service_code {code!r} not found")
    return {"service_code": code, "attributes": attributes_for(code)}


# ── requests ─────────────────────────────────────────────────────────────────────────────────

# the form's lat/long are text: the kit's query-parameter types read them (finite, in range)
_COORDINATE = {"lat": TypeAdapter(LatitudeQuery), "long": TypeAdapter(LongitudeQuery)}


def _coordinate(form: dict[str, str], name: str) -> float | None:
    v = form.get(name)
    if v is None or v == "":
        return None
    try:
        return float(_COORDINATE[name].validate_python(v))
    except ValidationError as exc:
        raise Open311Error(400, f"{name}: {exc.errors()[0].get('msg', 'not a coordinate')}") from None


def _attributes(code: str, form: dict[str, str]) -> dict[str, str]:
    defs = {a["code"]: a for a in attributes_for(code)}
    given = {k[len("attribute["):-1]: v for k, v in form.items() if k.startswith("attribute[") and k.endswith("]")}
    out: dict[str, str] = {}
    for k, v in given.items():
        a = defs.get(k)
        if a is None:
            raise Open311Error(400, f"attribute[{k}] is not an attribute of service {code}")
        if a["datatype"] in ("singlevaluelist", "multivaluelist"):
            keys = {x["key"] for x in a["values"]}
            vals = v.split(",") if a["datatype"] == "multivaluelist" else [v]
            if any(x not in keys for x in vals):
                raise Open311Error(400, f"attribute[{k}] must be one of {sorted(keys)}")
        elif a["datatype"] == "number":
            try:
                float(v)
            except ValueError:
                raise Open311Error(400, f"attribute[{k}] must be a number") from None
        if len(v) > 500:
            raise Open311Error(400, f"attribute[{k}] is longer than 500 characters")
        out[k] = v
    missing = [c for c, a in defs.items() if a["required"] and c not in out]
    if missing:
        raise Open311Error(400, f"required attribute(s) missing: {', '.join(missing)}")
    return out


def create_request(session: Session, form: dict[str, str], idempotency_key: str | None = None
                   ) -> list[dict[str, Any]]:
    """POST requests: validate as the specification says, then intake through the event hub.

    ``idempotency_key`` (the ``Idempotency-Key`` header, an extension of GeoReport v2): a phone that lost
    the answer and posts the same request again with the same key gets the first request's id and token,
    not a second report; the same key with another request from the same client is a 409."""
    import re

    check_jurisdiction(form.get("jurisdiction_id"))
    client = client_for_key(session, form.get("api_key"))
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    if code not in {c.code for c, _ in _services(session)}:
        raise Open311Error(400, f"service_code {code!r} is not a service of this jurisdiction")
    lat, lon = _coordinate(form, "lat"), _coordinate(form, "long")
    address = (form.get("address_string") or "").strip()
    address_id = (form.get("address_id") or "").strip()
    if (lat is None) != (lon is None):
        raise Open311Error(400, "give both lat and long")
    if lat is None and not address and not address_id:
        raise Open311Error(400, "a location is required: lat & long, address_string or address_id")
    description = form.get("description") or ""
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    if len(address) > 300:
        raise Open311Error(400, "address_string is longer than 300 characters")
    phone = (form.get("phone") or "").strip() or None
    if phone and not re.match(PHONE_PATTERN, phone):
        raise Open311Error(400, "phone is not a phone number")
    name = " ".join(x for x in ((form.get("last_name") or "").strip(), (form.get("first_name") or "").strip()) if x)
    if len(name) > 60:
        raise Open311Error(400, "first_name/last_name are too long")
    attrs = _attributes(code, form)
    for extra in ("media_url", "email", "device_id", "account_id", "address_id"):
        v = (form.get(extra) or "").strip()
        if v:
            if len(v) > 500:
                raise Open311Error(400, f"{extra} is longer than 500 characters")
            attrs[extra] = v
    appeal = attrs.get("appeal_kind")
    try:
        data = EventIn(channel=Channel.OPEN311, category_code=code, lon=lon, lat=lat,
                       address=(address or address_id)[:300], description=description, reporter_name=name or None,
                       reporter_phone=phone, appeal_kind=appeal, attributes=attrs)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ())) or "request"
        raise Open311Error(400, f"{where}: {err.get('msg', 'invalid')}") from None
    actor = Actor(None, f"open311:{client.name}"[:80], Role.CITIZEN)
    from citybrain.core.errors import Conflict, DomainError

    if idempotency_key is not None and not (0 < len(idempotency_key) <= 100 and idempotency_key.isprintable()):
        raise Open311Error(400, "Idempotency-Key must be 1 to 100 printable characters")
    try:
        if idempotency_key is not None:
            data = data.model_copy(update={"idempotency_key": idempotency_key})
            data = data.model_copy(update={"idempotency_key": scoped_key(session, None, data,
                                                                         f"open311-client:{client.id}")})
        ev = intake(session, actor, data)
    except Conflict as exc:
        raise Open311Error(409, f"{exc.field or 'request'}: {exc.msg}") from None
    except DomainError as exc:
        raise Open311Error(400, f"{exc.field or 'request'}: {exc.msg}") from None
    token = session.scalar(select(Open311Token.token).where(
        Open311Token.event_id == ev.id, Open311Token.client_id == client.id).limit(1)) if ev.replayed else None
    if token is None:
        token = secrets.token_hex(16)
        session.add(Open311Token(token=token, event_id=ev.id, client_id=client.id))
    notice = ("已转属地管理机构办理 (transferred to the administration of that area)"
              if ev.status == Status.TRANSFER else "已受理，请凭编号查询进度 (keep the request id to follow it)")
    return [{"service_request_id": ev.number, "token": token, "service_notice": notice, "account_id": None}]


def _request_out(ev: Event, names: dict[str, str], depts: dict[str, str]) -> dict[str, Any]:
    closed = Status(ev.status) in TERMINAL
    notes = ev.reply or STATUS_ZH[Status(ev.status)]
    return {
        "service_request_id": ev.number, "status": "closed" if closed else "open", "status_notes": notes,
        "service_name": names.get(ev.category_code, ev.category_code), "service_code": ev.category_code,
        "description": ev.description, "agency_responsible": depts.get(ev.department_code or "", ev.department_code or ""),
        "service_notice": "", "requested_datetime": w3c(ev.created_at), "updated_datetime": w3c(ev.updated_at),
        "expected_datetime": w3c(ev.final_due_at), "address": ev.address,
        "address_id": (ev.attributes or {}).get("address_id", ""), "zipcode": "",
        "lat": ev.lat, "long": ev.lon, "media_url": (ev.attributes or {}).get("media_url", ""),
    }


def _out(session: Session, rows: list[Event]) -> list[dict[str, Any]]:
    names = category_names(session)
    depts = department_names(session, [e.department_code for e in rows])
    return [_request_out(e, names, depts) for e in rows]


def list_requests(session: Session, params: dict[str, str]) -> list[dict[str, Any]]:
    check_jurisdiction(params.get("jurisdiction_id"))
    ids_param = (params.get("service_request_id") or "").strip()
    if ids_param:
        ids = [id_from_number(x) for x in ids_param.split(",") if x.strip()]
        if len(ids) > MAX_ROWS:
            raise Open311Error(400, f"at most {MAX_ROWS} service_request_id values")
        wanted = [i for i in ids if i is not None]
        rows = list(session.scalars(select(Event).where(Event.id.in_(wanted), PUBLIC_ONLY)
                                    .order_by(Event.id))) if wanted else []
        return _out(session, rows)
    now = utcnow()
    end = parse_w3c(params["end_date"], "end_date") if params.get("end_date") else now
    start = parse_w3c(params["start_date"], "start_date") if params.get("start_date") else end - MAX_RANGE
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_RANGE:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    conds: list[Any] = [Event.created_at >= start, Event.created_at <= end, PUBLIC_ONLY]
    codes = [c for c in (params.get("service_code") or "").split(",") if c]
    if codes:
        conds.append(Event.category_code.in_(codes))
    status = params.get("status")
    if status:
        wanted_status = set(status.split(","))
        if not wanted_status <= {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both (comma separated)")
        terminal = [s.value for s in TERMINAL]
        if wanted_status == {"open"}:
            conds.append(Event.status.not_in(terminal))
        elif wanted_status == {"closed"}:
            conds.append(Event.status.in_(terminal))
    rows = list(session.scalars(select(Event).where(*conds).order_by(Event.created_at.desc()).limit(MAX_ROWS)))
    return _out(session, rows)


def get_request(session: Session, request_id: str, jurisdiction_id: str | None = None) -> list[dict[str, Any]]:
    check_jurisdiction(jurisdiction_id)
    eid = id_from_number(request_id)
    ev = session.get(Event, eid) if eid is not None else None
    if ev is None or not is_public(ev):  # an internal case is as unknown as a missing one
        raise Open311Error(404, f"service_request_id {request_id!r} not found")
    return _out(session, [ev])


def token_lookup(session: Session, token: str, jurisdiction_id: str | None = None) -> list[dict[str, Any]]:
    check_jurisdiction(jurisdiction_id)
    row = session.get(Open311Token, token) if len(token) <= 40 else None
    ev = session.get(Event, row.event_id) if row is not None else None
    if row is None or ev is None or not is_public(ev):
        raise Open311Error(404, f"token {token!r} not found")
    return [{"service_request_id": f"SL{row.event_id:08d}", "token": token}]


def discovery(base_url: str) -> dict[str, Any]:
    return {
        "changeset": "2026-11-24T00:00:00+08:00",
        "contact": "双流区网络理政办 (Shuangliu District online governance office), dial 12345",
        "key_service": "API keys are issued by the district's data officer (citybrain events open311 issue-key)",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2", "url": base_url,
            "changeset": "2026-11-24T00:00:00+08:00", "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
