"""CAP alerts: author, approve, issue, update, cancel, expire, import — and read them back.

Life cycle (`LIFECYCLE`, one table):

    draft ──approve──▶ approved ──issue──▶ issued ──(its Update issued)──▶ updated
      ▲                   │                   ├──(its Cancel issued)──▶ cancelled
      └──────withdraw─────┘                   └──(expires passed: job)──▶ expired

An Update or a Cancel is a new message (its own draft, approval and issue) that references the alert
it supersedes; issuing it moves that alert to updated/cancelled. The approver is recorded; an author
may approve their own alert only with a reason (a second person is the rule). Issuing allocates the
GB/T 35965.1 identifier, renders the CAP XML, and refuses unless it passes the official schema and our
profile (validate.py). Every change lands on the alert's timeline (`AlertLog`) and the audit log.

Imported CAP (upstream, e.g. the meteorological bureau) is validated, de-duplicated by (sender,
identifier), stored as issued with its XML as received, and applied to the alert it references.

Issued or imported, an alert raises `AlertIssued`; a weather warning also raises `WeatherWarningIssued`
once per grid its area touches (grids partition the district: each unit gets one factor). When it leaves
force (cancelled, updated, expired) it raises `WeatherWarningEnded`, and safety ends those factors at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybrain.alerts import areas
from citybrain.alerts.areas import AreaSpec, CircleIn
from citybrain.alerts.cap import render, validate
from citybrain.alerts.cap.identifiers import allocate, parse_cap_time, parse_references, reference_of
from citybrain.alerts.cap.models import (
    APPROVED,
    CANCELLED,
    DRAFT,
    EXPIRED,
    ISSUED,
    UPDATED,
    Alert,
    AlertLog,
)
from citybrain.alerts.cap.reference import (
    CAP_NS,
    COLOURS,
    EVENT_BY_WORD,
    EVENT_TYPES,
    REGION_CODE,
    SENDER_NAME_ZH,
    SEVERITY_TO_COLOUR,
    sender,
)
from citybrain.alerts.cap.schemas import AlertIn, CancelIn
from citybrain.alerts.domain_events import AlertIssued, WeatherWarningEnded, WeatherWarningIssued, warning_ref
from citybrain.core import audit
from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.bus import emit
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.policy import policy
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.transitions import Transition, TransitionTable

log = logging.getLogger(__name__)

STATE_NAMES = {DRAFT: "草稿", APPROVED: "已审核", ISSUED: "已发布", UPDATED: "已更新", CANCELLED: "已解除",
               EXPIRED: "已过期"}
LIFECYCLE: TransitionTable[str] = TransitionTable([
    Transition("approve", frozenset({DRAFT}), APPROVED, roles=tuple(COMMAND)),
    Transition("withdraw", frozenset({APPROVED}), DRAFT, roles=tuple(COMMAND)),
    Transition("issue", frozenset({APPROVED}), ISSUED, roles=tuple(COMMAND)),
    Transition("supersede", frozenset({ISSUED}), UPDATED, roles=(Role.ADMIN,)),
    Transition("cancel", frozenset({ISSUED}), CANCELLED, roles=(Role.ADMIN,)),
    Transition("expire", frozenset({ISSUED}), EXPIRED, roles=(Role.ADMIN,)),
], subject="alert", state_names=STATE_NAMES,
    action_names={"approve": "审核", "withdraw": "退回", "issue": "发布", "supersede": "更新",
                  "cancel": "解除", "expire": "过期"})
USER_ACTIONS = ("approve", "withdraw", "issue")
UNPUBLISHED = (DRAFT, APPROVED)


def _readable(_session: Session, actor: Actor, alert: Alert) -> bool:
    """Drafts and approved-but-unissued alerts are the command centre's; published ones every staff's."""
    return actor.role in COMMAND or alert.state not in UNPUBLISHED


READ = policy("alerts.read", STAFF, _readable, what="alert")
AUTHOR = policy("alerts.author", COMMAND, what="alert")
APPROVE = policy("alerts.approve", COMMAND, what="alert")
ISSUE = policy("alerts.issue", COMMAND, what="alert")
IMPORT = policy("alerts.import", COMMAND, what="alert")


# -- reading ------------------------------------------------------------------------------------------

def _locked(session: Session, alert_id: int) -> Alert | None:
    """The alert row, locked until commit on PostgreSQL and read afresh: two requests changing the same
    alert at once (a double issue, two approvals, two Cancels) then run one after the other, and the
    second sees the first's state (SQLite writers queue already: BEGIN IMMEDIATE)."""
    if not is_postgres(session):
        return session.get(Alert, alert_id)
    return session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update()
                          .execution_options(populate_existing=True))


def get_alert(session: Session, actor: Actor, alert_id: int, *, for_update: bool = False) -> Alert:
    READ.allow(session, actor)
    alert = _locked(session, alert_id) if for_update else session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("alert", alert_id)
    READ.allow(session, actor, alert, ident=alert_id)
    return alert


def in_force(alert: Alert, now: dt.datetime | None = None) -> bool:
    return alert.state == ISSUED and alert.expires > (now or utcnow())


def out(alert: Alert, actor: Actor | None = None) -> dict[str, Any]:
    kind = EVENT_TYPES.get(alert.event_type)
    colour = COLOURS.get(alert.level)
    actions = []
    if actor is not None:
        actions = [a for a in LIFECYCLE.allowed(alert.state, actor.role) if a in USER_ACTIONS]
        if alert.state == ISSUED and alert.msg_type != "Cancel" and actor.role in COMMAND | {Role.ADMIN}:
            actions += ["update", "cancel"]
        if alert.state == DRAFT and actor.role in COMMAND | {Role.ADMIN}:
            actions.append("edit")
    published = alert.state not in UNPUBLISHED and alert.identifier
    return {
        "id": alert.id, "identifier": alert.identifier, "sender": alert.sender, "sent": alert.sent,
        "msg_type": alert.msg_type, "cap_status": alert.cap_status, "references": alert.references,
        "refers_to_id": alert.refers_to_id, "state": alert.state, "origin": alert.origin, "level": alert.level,
        "level_name": f"{colour.zh} {colour.roman}" if colour else alert.level, "event_type": alert.event_type,
        "event_name": kind.zh if kind else alert.event_type, "texts": alert.texts or {}, "onset": alert.onset,
        "expires": alert.expires, "area": alert.area or {}, "area_codes": alert.area_codes or [],
        "author": alert.author_name, "approved_by": alert.approved_by_name, "approved_at": alert.approved_at,
        "approval_reason": alert.approval_reason, "issued_by": alert.issued_by_name,
        "in_force": in_force(alert), "actions": actions,
        "xml_url": render.public_path(alert.identifier or "") if published else None,
        "json_url": render.public_path(alert.identifier or "", "json") if published else None,
    }


ALERT_SORTS = {"id": Alert.id, "expires": Alert.expires, "sent": Alert.sent, "level": Alert.level}


def list_alerts(session: Session, actor: Actor, params: ListParams, state: str | None = None,
                in_force_only: bool = False) -> Page[Any]:
    READ.allow(session, actor)
    q = select(Alert).order_by(Alert.id.desc())
    if actor.role not in COMMAND and actor.role != Role.ADMIN:
        q = q.where(Alert.state.notin_(UNPUBLISHED))
    if state:
        q = q.where(Alert.state == state)
    if in_force_only:
        q = q.where(Alert.state == ISSUED, Alert.expires > utcnow())
    return paginate(session, q, params, ALERT_SORTS, to_out=lambda a: out(a, actor))


def timeline(session: Session, actor: Actor, alert_id: int) -> list[dict[str, Any]]:
    alert = get_alert(session, actor, alert_id)
    rows = session.scalars(select(AlertLog).where(AlertLog.alert_id == alert.id).order_by(AlertLog.id))
    return [{"at": r.at, "actor": r.actor_name, "action": r.action, "from_state": r.from_state,
             "to_state": r.to_state, "note": r.note} for r in rows]


def public_in_force(session: Session, now: dt.datetime | None = None, *, with_cancels: bool = False) -> list[Alert]:
    """Issued alerts not yet expired, most severe first then newest (the public feed and page).

    `with_cancels`: also the issued Cancel messages still within their expiry (the Atom feed carries
    them so aggregators learn of the cancellation)."""
    now = now or utcnow()
    q = select(Alert).where(Alert.state == ISSUED, Alert.expires > now)
    if not with_cancels:
        q = q.where(Alert.msg_type != "Cancel")
    rows = list(session.scalars(q))
    order = {c: i for i, c in enumerate(COLOURS)}
    rows.sort(key=lambda a: (order.get(a.level, 9), -(a.sent or now).timestamp()))
    return rows


def public_by_identifier(session: Session, identifier: str) -> Alert:
    """A published alert by its identifier (anyone): drafts and approved ones are 404."""
    alert = session.scalar(select(Alert).where(Alert.identifier == identifier, Alert.state.notin_(UNPUBLISHED),
                                               Alert.xml.is_not(None)).order_by(Alert.id).limit(1))
    if alert is None:
        raise NotFound("alert", identifier, "identifier")
    return alert


# -- writing ------------------------------------------------------------------------------------------

def _log(session: Session, alert: Alert, actor: Actor, action: str, before: str | None, note: str = "") -> None:
    session.add(AlertLog(alert_id=alert.id, actor_id=actor.id, actor_name=actor.username, action=action,
                         from_state=before, to_state=alert.state, note=note[:500]))
    audit.record(session, actor, action, "alerts_alert", alert.id, {"state": before} if before else None,
                 {"state": alert.state, "identifier": alert.identifier, "msg_type": alert.msg_type,
                  "note": note[:200]})


def _area(session: Session, spec: AreaSpec) -> tuple[dict[str, Any], list[str]]:
    geom = areas.area_geometry(session, spec)
    codes = areas.area_codes_touched(session, spec, geom)
    if not codes:
        raise ValidationFailed("the area touches no grid of the district", "area")
    return spec.model_dump(mode="json"), codes


def _check_times(data: AlertIn, now: dt.datetime) -> None:
    if data.expires <= now:
        raise ValidationFailed("expires must be in the future", "expires")
    if data.onset is not None and data.onset >= data.expires:
        raise ValidationFailed("onset must be before expires", "onset")


def _texts(data: AlertIn) -> dict[str, Any]:
    return {"zh-CN": data.zh.model_dump(), "en": data.en.model_dump()}


def _streets(codes: list[str]) -> str:
    return " " + " ".join(sorted({c[:9] for c in codes if len(c) >= 9})) + " "


def _replayed(first: Alert, actor: Actor, msg_type: str, refers_to: Alert | None) -> Alert:
    """The draft a repeated Idempotency-Key made first — only for the same author and the same kind of
    request (a new Alert, or an Update/Cancel of the same alert); any other reuse of the key is a 409."""
    if first.author_id != actor.id:
        raise Conflict("this Idempotency-Key was already used by someone else", "Idempotency-Key")
    if first.msg_type != msg_type or first.refers_to_id != (refers_to.id if refers_to else None):
        raise Conflict(f"this Idempotency-Key was already used for another request (a {first.msg_type}, "
                       f"alert {first.id}); send a new key", "Idempotency-Key")
    return first


def create(session: Session, actor: Actor, data: AlertIn, *, msg_type: str = "Alert",
           refers_to: Alert | None = None, idempotency_key: str | None = None,
           now: dt.datetime | None = None) -> Alert:
    """A new draft (an Alert, or an Update/Cancel of `refers_to`). The same `idempotency_key` from the
    same author gives back the first draft (a double click); from someone else it is a 409."""
    AUTHOR.allow(session, actor)
    if idempotency_key:
        first = session.scalar(select(Alert).where(Alert.idempotency_key == idempotency_key))
        if first is not None:
            return _replayed(first, actor, msg_type, refers_to)
    now = now or utcnow()
    _check_times(data, now)
    area, codes = _area(session, data.area)
    kind = EVENT_TYPES[data.event_type]
    alert = Alert(sender=sender(), sender_name=SENDER_NAME_ZH, cap_status=data.cap_status, msg_type=msg_type,
                  scope="Public", state=DRAFT, origin="authored", level=data.level, event_type=data.event_type,
                  category=kind.category, texts=_texts(data), onset=data.onset, expires=data.expires, area=area,
                  area_codes=codes, street_codes=_streets(codes)[:2000], author_id=actor.id,
                  author_name=actor.username, idempotency_key=idempotency_key)
    if refers_to is not None:
        alert.refers_to_id = refers_to.id
        assert refers_to.identifier and refers_to.sent
        own = reference_of(refers_to.sender, refers_to.identifier, refers_to.sent)
        alert.references = " ".join(dict.fromkeys([*refers_to.references.split(), own]))
    try:
        with session.begin_nested():  # two requests with one Idempotency-Key at once (PostgreSQL): one draft
            session.add(alert)
            session.flush()
    except IntegrityError:
        first = session.scalar(select(Alert).where(Alert.idempotency_key == idempotency_key)) \
            if idempotency_key else None
        if first is None:
            raise
        return _replayed(first, actor, msg_type, refers_to)
    _log(session, alert, actor, "create" if msg_type == "Alert" else f"draft_{msg_type.lower()}", None)
    return alert


def edit(session: Session, actor: Actor, alert_id: int, data: AlertIn) -> Alert:
    """New content for a draft (only drafts change; an issued alert is corrected by an Update)."""
    AUTHOR.allow(session, actor)
    alert = get_alert(session, actor, alert_id, for_update=True)
    if alert.state != DRAFT:
        raise Conflict(f"only a draft can be edited; this alert is {STATE_NAMES[alert.state]}: issue an Update",
                       "status")
    _check_times(data, utcnow())
    alert.area, alert.area_codes = _area(session, data.area)
    alert.street_codes = _streets(alert.area_codes)[:2000]
    alert.level, alert.event_type, alert.cap_status = data.level, data.event_type, data.cap_status
    alert.category = EVENT_TYPES[data.event_type].category
    alert.texts, alert.onset, alert.expires = _texts(data), data.onset, data.expires
    _log(session, alert, actor, "edit", DRAFT)
    return alert


def _source_for_derived(session: Session, actor: Actor, alert_id: int, now: dt.datetime | None = None) -> Alert:
    AUTHOR.allow(session, actor)
    source = get_alert(session, actor, alert_id, for_update=True)
    if source.state != ISSUED or source.msg_type == "Cancel":
        raise Conflict(f"only an alert in force can be updated or cancelled; this one is "
                       f"{STATE_NAMES.get(source.state, source.state)}", "status")
    if not in_force(source, now):  # past its expiry, the job has not moved it yet
        raise Conflict(f"this alert expired at {render.cap_time(source.expires)}: nothing to update or cancel",
                       "status")
    return source


def create_update(session: Session, actor: Actor, alert_id: int, data: AlertIn,
                  idempotency_key: str | None = None, now: dt.datetime | None = None) -> Alert:
    """A draft Update of an issued alert: new content that supersedes it once issued."""
    return create(session, actor, data, msg_type="Update", refers_to=_source_for_derived(session, actor, alert_id, now),
                  idempotency_key=idempotency_key, now=now)


def create_cancel(session: Session, actor: Actor, alert_id: int, data: CancelIn,
                  now: dt.datetime | None = None) -> Alert:
    """A draft Cancel of an issued alert (same area and expiry, the reason as its description)."""
    source = _source_for_derived(session, actor, alert_id, now)
    zh = (source.texts or {}).get("zh-CN") or {}
    en = (source.texts or {}).get("en") or {}
    body = AlertIn(level=source.level, event_type=source.event_type,  # type: ignore[arg-type]
                   cap_status=source.cap_status if source.cap_status in ("Actual", "Exercise", "Test") else "Actual",
                   expires=source.expires,
                   zh={"event": zh.get("event", ""), "headline": f"解除：{zh.get('headline', '')}"[:160],
                       "description": data.reason_zh, "instruction": ""},  # type: ignore[arg-type]
                   en={"event": en.get("event", ""), "headline": f"Cancelled: {en.get('headline', '')}"[:160],
                       "description": data.reason_en, "instruction": ""},  # type: ignore[arg-type]
                   area=AreaSpec.model_validate(source.area))
    return create(session, actor, body, msg_type="Cancel", refers_to=source, now=now)


def approve(session: Session, actor: Actor, alert_id: int, reason: str = "") -> Alert:
    """Approve a draft. A second person approves; the author only with a reason (recorded)."""
    APPROVE.allow(session, actor)
    alert = get_alert(session, actor, alert_id, for_update=True)
    LIFECYCLE.check(alert.state, "approve", actor.role)
    reason = reason.strip()
    if alert.author_id is not None and alert.author_id == actor.id and not reason:
        raise ValidationFailed("the author may not approve their own alert without a reason; ask a second person",
                               "reason")
    before = alert.state
    alert.state = APPROVED
    alert.approved_by_id, alert.approved_by_name, alert.approved_at = actor.id, actor.username, utcnow()
    alert.approval_reason = reason[:500]
    _log(session, alert, actor, "approve", before, reason)
    return alert


def withdraw(session: Session, actor: Actor, alert_id: int, note: str = "") -> Alert:
    """Send an approved alert back to draft (the approval is forgotten)."""
    APPROVE.allow(session, actor)
    alert = get_alert(session, actor, alert_id, for_update=True)
    LIFECYCLE.check(alert.state, "withdraw", actor.role)
    before = alert.state
    alert.state = DRAFT
    alert.approved_by_id = alert.approved_by_name = alert.approved_at = None
    alert.approval_reason = ""
    _log(session, alert, actor, "withdraw", before, note)
    return alert


END_REASONS = {"supersede": "updated", "cancel": "cancelled", "expire": "expired"}


def _end(session: Session, alert: Alert, action: str, actor: Actor, at: dt.datetime, note: str) -> None:
    """The alert stops being in force; the weather warnings it raised end with it (safety's factors)."""
    LIFECYCLE.check(alert.state, action, None)
    before = alert.state
    alert.state = LIFECYCLE.next_state(before, action) or before
    alert.ended_at = at
    _log(session, alert, actor, action, before, note)
    grids = _warning_areas(alert)
    if grids:
        emit(session, WeatherWarningEnded(source_ref=_alert_ref(alert), area_codes=tuple(grids), ended_at=at,
                                          reason=END_REASONS[action]))


def _alert_ref(alert: Alert) -> str:
    return f"alerts.alert:{alert.id}"


def _warning_areas(alert: Alert) -> list[str]:
    """The areas an alert raises a `WeatherWarningIssued` for: its grids (else its streets), when it is a
    real (Actual) weather warning and not a Cancel; otherwise none."""
    kind = EVENT_TYPES.get(alert.event_type)
    if kind is None or not kind.weather or alert.msg_type == "Cancel" or alert.cap_status != "Actual":
        return []
    codes = alert.area_codes or []
    return [c for c in codes if len(c) == 15] or [c for c in codes if len(c) == 9]


def issue(session: Session, actor: Actor, alert_id: int, now: dt.datetime | None = None) -> Alert:
    """Publish an approved alert: identifier, sent, CAP XML validated (refused if invalid), events."""
    ISSUE.allow(session, actor)
    alert = get_alert(session, actor, alert_id, for_update=True)
    LIFECYCLE.check(alert.state, "issue", actor.role)
    now = now or utcnow()
    if alert.expires <= now:
        raise ValidationFailed("the alert has expired: set a later expires in an edited draft", "expires")
    source = _locked(session, alert.refers_to_id) if alert.refers_to_id else None
    if source is not None and source.state != ISSUED:
        raise Conflict(f"the alert this {alert.msg_type} refers to is {STATE_NAMES.get(source.state, source.state)}, "
                       "no longer in force", "references")
    if source is not None and not in_force(source, now):
        raise Conflict(f"the alert this {alert.msg_type} refers to expired at {render.cap_time(source.expires)}",
                       "references")
    identifier, entry = allocate(session, now)
    alert.identifier, alert.sent = identifier, entry.astimezone(dt.UTC)
    xml = render.to_bytes(render.alert_element(alert, entry))
    validate.check(xml, ours=True, what="the alert's CAP")
    alert.xml = xml.decode()
    before = alert.state
    alert.state, alert.issued_by_name = ISSUED, actor.username
    _log(session, alert, actor, "issue", before, identifier)
    if source is not None:
        _end(session, source, "supersede" if alert.msg_type == "Update" else "cancel", actor, now,
             f"{alert.msg_type} {identifier}")
    _raise_events(session, alert, source)
    return alert


def _raise_events(session: Session, alert: Alert, source: Alert | None) -> None:
    assert alert.identifier
    emit(session, AlertIssued(alert_id=alert.id, identifier=alert.identifier, msg_type=alert.msg_type,
                              level=alert.level, event_type=alert.event_type, area_codes=tuple(alert.area_codes),
                              refers_to_id=source.id if source else None, expires=alert.expires,
                              origin=alert.origin))
    grids = _warning_areas(alert)
    if not grids:
        return
    kind = EVENT_TYPES[alert.event_type]
    title = ((alert.texts or {}).get("zh-CN") or {}).get("headline") or f"{kind.zh}{COLOURS[alert.level].zh}预警"
    for code in grids:
        emit(session, WeatherWarningIssued(source_ref=warning_ref(_alert_ref(alert), code), level=alert.level,
                                           title=title[:200], area_code=code, kind="weather",
                                           starts_at=alert.onset or alert.sent, ends_at=alert.expires))


def expire_due(session: Session, now: dt.datetime | None = None) -> int:
    """The worker's job: issued alerts past their expiry become expired. Returns how many."""
    now = now or utcnow()
    n = 0
    for alert in session.scalars(select(Alert).where(Alert.state == ISSUED, Alert.expires <= now)
                                 .with_for_update(skip_locked=True)):
        _end(session, alert, "expire", SYSTEM, now, "")
        n += 1
    return n


# -- import -------------------------------------------------------------------------------------------

def _q(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _text(el: Any, tag: str) -> str:
    c = el.find(_q(tag))
    return "" if c is None or c.text is None else c.text.strip()


def _colour_of(info: Any) -> str:
    words = _text(info, "event") + _text(info, "headline")
    for code, c in COLOURS.items():
        if c.zh in words or c.zh[0] + "色" in words:
            return code
    for par in info.findall(_q("parameter")):
        value = _text(par, "value").lower()
        for code in COLOURS:
            if code in value:
                return code
    return SEVERITY_TO_COLOUR.get(_text(info, "severity"), "blue")


def _event_of(info: Any) -> str:
    words = _text(info, "event") + _text(info, "headline")
    for word, code in sorted(EVENT_BY_WORD.items(), key=lambda kv: -len(kv[0])):
        if word in words:
            return code
    return "other"


def _our_code(session: Session, code: str) -> str | None:
    """An upstream geocode as one of our area codes: our own codes as they are; a region above the
    district (510100 成都市, 510000 四川省) as the district; others (not ours) None."""
    code = code.strip()
    if not code.isdigit():
        return None
    if code.startswith(REGION_CODE) and len(code) in areas.GEOCODE_LENGTHS:
        return code if areas.geography.area_by_code(session, code) is not None else None
    stem = code.rstrip("0")
    if len(code) == 6 and stem and REGION_CODE.startswith(stem):
        return REGION_CODE if areas.geography.area_by_code(session, REGION_CODE) is not None else None
    return None


def _area_from_cap(session: Session, info: Any) -> AreaSpec:
    polygons: list[list[tuple[float, float]]] = []
    circles: list[CircleIn] = []
    codes: list[str] = []
    names: list[str] = []
    for area in info.findall(_q("area")):
        names.append(_text(area, "areaDesc"))
        for poly in area.findall(_q("polygon")):
            pairs = [p.split(",") for p in (poly.text or "").split()]
            polygons.append([(float(lon), float(lat)) for lat, lon in pairs])
        for circle in area.findall(_q("circle")):
            centre, radius = (circle.text or "").split()
            lat, lon = (float(v) for v in centre.split(","))
            circles.append(CircleIn(lon=lon, lat=lat, radius_m=max(float(radius) * 1000.0, 1.0)))
        for geo in area.findall(_q("geocode")):
            ours = _our_code(session, _text(geo, "value"))
            if ours:
                codes.append(ours)
    if not (polygons or circles or codes):
        raise ValidationFailed("the alert's areas name no place of the district (no polygon, circle or geocode "
                               "of ours)", "area")
    try:
        return AreaSpec(description="、".join(n for n in names if n)[:500] or "上级预警区域", polygons=polygons,
                        circles=circles, geocodes=list(dict.fromkeys(codes)))
    except ValueError as e:
        raise ValidationFailed(str(e), "area") from None


def _as_received(xml: str | bytes, root: Any) -> str:
    """The message's text to keep and serve (as UTF-8): its own bytes when it is UTF-8; otherwise (the
    bureau's GB2312/GBK) the parsed document written out again as UTF-8, declaration included, so the
    served bytes and the declared encoding agree."""
    if isinstance(xml, str):
        return xml
    declared = (root.getroottree().docinfo.encoding or "UTF-8").upper().replace("_", "-")
    if declared in ("UTF-8", "UTF8", "US-ASCII", "ASCII"):
        return xml.decode("utf-8-sig")
    return str(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8").decode("utf-8"))


def import_cap(session: Session, actor: Actor, xml: str | bytes, now: dt.datetime | None = None) -> tuple[Alert, bool]:
    """Accept an upstream CAP message. Returns (alert, duplicate): the same (sender, identifier) again
    is the stored alert, untouched. An Update/Cancel is applied to the alert it references; one that
    references nothing we hold is a 422 on `references`."""
    IMPORT.allow(session, actor)
    now = now or utcnow()
    root = validate.check(xml, ours=False, what="the imported CAP")
    sender, identifier = _text(root, "sender"), _text(root, "identifier")
    existing = session.scalar(select(Alert).where(Alert.sender == sender, Alert.identifier == identifier))
    if existing is not None:
        return existing, True
    msg_type = _text(root, "msgType")
    if msg_type not in ("Alert", "Update", "Cancel"):
        raise ValidationFailed(f"msgType {msg_type} is not imported (Alert, Update or Cancel only)", "msgType")
    sent = parse_cap_time(_text(root, "sent"), "sent")
    infos = root.findall(_q("info"))
    by_lang = {(_text(i, "language") or "en-US"): i for i in infos}
    zh = next((i for lang, i in by_lang.items() if lang.lower().startswith("zh")), infos[0])
    en = next((i for lang, i in by_lang.items() if lang.lower().startswith("en")), None)
    expires = parse_cap_time(_text(zh, "expires"), "expires")
    if expires <= now:
        raise ValidationFailed(f"the alert expired at {render.cap_time(expires)}: nothing imported", "expires")
    source: Alert | None = None
    if msg_type in ("Update", "Cancel"):
        refs = parse_references(_text(root, "references"))
        held = [session.scalar(select(Alert).where(Alert.sender == s, Alert.identifier == i)) for s, i, _ in refs]
        known = [a for a in held if a is not None]
        if not known:
            raise ValidationFailed(f"this {msg_type} references no alert we hold: "
                                   f"{' '.join(i for _, i, _ in refs)}", "references")
        source = _locked(session, max(known, key=lambda a: a.id).id)  # two Cancels at once: one applies
    spec = _area_from_cap(session, zh)
    area, codes = _area(session, spec)
    texts = {"zh-CN": {k: _text(zh, k) for k in ("event", "headline", "description", "instruction")}}
    if en is not None:
        texts["en"] = {k: _text(en, k) for k in ("event", "headline", "description", "instruction")}
    onset = _text(zh, "onset") or _text(zh, "effective")
    alert = Alert(identifier=identifier, sender=sender, sender_name=(_text(zh, "senderName") or sender)[:160], sent=sent,
                  cap_status=_text(root, "status"), msg_type=msg_type, scope=_text(root, "scope"),
                  references=_text(root, "references"), refers_to_id=source.id if source else None,
                  state=ISSUED, origin="imported", level=_colour_of(zh), event_type=_event_of(zh),
                  category=_text(zh, "category") or "Met", texts=texts,
                  onset=parse_cap_time(onset, "onset") if onset else None, expires=expires, area=area,
                  area_codes=codes, street_codes=_streets(codes)[:2000], author_id=actor.id,
                  author_name=(_text(zh, "senderName") or sender)[:80], issued_by_name=actor.username,
                  xml=_as_received(xml, root))
    try:
        with session.begin_nested():  # the same message imported twice at once: the second is the duplicate
            session.add(alert)
            session.flush()
    except IntegrityError:
        first = session.scalar(select(Alert).where(Alert.sender == sender, Alert.identifier == identifier))
        if first is None:
            raise
        return first, True
    _log(session, alert, actor, "import", None, f"{sender} {identifier}")
    if source is not None and source.state == ISSUED:
        _end(session, source, "supersede" if msg_type == "Update" else "cancel", actor, now,
             f"{msg_type} {identifier}")
    _raise_events(session, alert, source)
    return alert, False


def find_by_reference(session: Session, sender: str, identifier: str) -> Alert | None:
    return session.scalar(select(Alert).where(Alert.sender == sender, Alert.identifier == identifier))

