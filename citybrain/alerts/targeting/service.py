"""Targeting (定向): who inside an area a warning or a risk prompt reaches, on which channels.

Sources, in the order of `recipients.KINDS` (the first source that yields a person on a channel keeps
them; later ones are de-duplicated away, per (person, channel) and per (channel, address)):

- contacts of hazard points and of units (enterprises, venues) inside the area — `safety.public`;
- departments and linkage units (联动单位) by role: the on-duty contacts of the bureaus, linkage units
  and the command centre, and of the street offices of the streets the area touches — `directory.public`;
- grid workers (网格员) of the grids the area touches, and street/community staff of its streets and
  communities — the users' roles and areas;
- the duty roster (值班表) now — `emergency.public.on_duty_now`;
- responders with the app (department handlers, inspectors) — channel `app`;
- residents who subscribed to an area that touches this one (`Subscription`, confirmed).

Geotargeting is exact: a located recipient (a site contact, a subscriber's point) is targeted only when
the point lies inside the area or on its boundary — nobody outside it, let alone 160 m outside (the US
Wireless Emergency Alerts rule). A subscriber's circle is targeted when it meets the area.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.alerts.recipients import CHANNELS, KINDS, Recipient
from citybrain.alerts.targeting.area import TargetArea, circle, metres_outside, resolve, with_touched
from citybrain.alerts.targeting.models import Subscription
from citybrain.alerts.targeting.schemas import PreviewIn, SubscriptionIn
from citybrain.core import audit
from citybrain.core.auth import Actor, User
from citybrain.core.db import utcnow
from citybrain.core.errors import NotFound, ValidationFailed
from citybrain.core.outbox import enqueue as outbox_enqueue
from citybrain.core.policy import policy
from citybrain.core.privacy import mask_name, may_see_personal
from citybrain.core.roles import COMMAND, Role
from citybrain.directory.public import warning_contacts
from citybrain.emergency.public import on_duty_now
from citybrain.geography.public import area_by_code, index, locate_many
from citybrain.safety.public import contacts_in_area

PREVIEW = policy("alerts.targeting.preview", COMMAND | {Role.DEPT_HANDLER, Role.STREET_STAFF})
# residents subscribe (citizens; admins may manage any subscription)
SUBSCRIBE = policy("alerts.subscriptions.manage", {Role.CITIZEN}, what="subscription")

DEPARTMENT_KINDS = ("bureau", "linkage_unit", "command_centre")
RESPONDER_ROLES = (Role.DEPT_HANDLER.value, Role.INSPECTOR.value)
MAX_SUBSCRIPTION_RADIUS_M = 5_000.0
_DEG_PER_M = 1 / 95_000  # ≥ degrees per metre of longitude or latitude at Shuangliu's latitude (30.5° N)


@dataclass(frozen=True)
class Targeting:
    """The de-duplicated recipients of an area, in KINDS order, and the area they came from."""

    area: TargetArea
    recipients: list[Recipient]


# ── the sources ───────────────────────────────────────────────────────────────────────────────────

def _sites(session: Session, area: TargetArea, kinds: set[str]) -> Iterator[Recipient]:
    want = {"hazard": "hazard_contact" in kinds, "unit": "unit_contact" in kinds}
    if not any(want.values()):
        return
    for c in contacts_in_area(session, area.geometry):
        if want[c.kind]:
            yield Recipient(f"phone:{c.phone}", c.contact_name, f"{c.kind}_contact", "sms", c.phone,
                            c.street_code or None, key=c.kind == "hazard")


def _departments(session: Session, area: TargetArea) -> Iterator[Recipient]:
    streets = area.codes(9)
    pairs = warning_contacts(session, DEPARTMENT_KINDS)
    pairs += [(c, d) for c, d in warning_contacts(session, ("street_office",)) if (d.area_code or "") in streets]
    for c, d in pairs:
        street = d.area_code if d.kind == "street_office" else None
        who = c.name if c.name.startswith(d.name) else f"{d.name} {c.name}"
        if c.phone:
            yield Recipient(f"contact:{c.id}", who, "department", "sms", c.phone, street, key=True)
        if c.email:
            yield Recipient(f"contact:{c.id}", who, "department", "email", c.email, street, key=True)


def _users(session: Session, roles: Iterable[str], area_codes: set[str] | None) -> list[Any]:
    q = select(User.id, User.display_name, User.phone, User.area_code, User.role).where(
        User.active.is_(True), User.role.in_(list(roles)))
    if area_codes is not None:
        q = q.where(User.area_code.in_(sorted(area_codes)))
    return list(session.execute(q.order_by(User.id)).all())


def _user_recipients(rows: list[Any], kind: str, key: bool = False) -> Iterator[Recipient]:
    for u in rows:
        street = u.area_code[:9] if u.area_code and len(u.area_code) >= 9 else None
        yield Recipient(f"user:{u.id}", u.display_name, kind, "app", str(u.id), street, key=key)
        if u.phone:
            yield Recipient(f"user:{u.id}", u.display_name, kind, "sms", u.phone, street, key=key)


def _duty(session: Session) -> Iterator[Recipient]:
    for s in on_duty_now(session):
        person = f"user:{s.user_id}" if s.user_id else f"phone:{s.phone}" if s.phone else f"duty:{s.id}"
        if s.user_id:
            yield Recipient(person, s.person_name, "duty", "app", str(s.user_id), None, key=True)
        if s.phone:
            yield Recipient(person, s.person_name, "duty", "sms", s.phone, None, key=True)


# columns of a subscriber row, read as plain tuples (100,000 rows: attribute access per row would cost
# more than the geometry)
_SUB_COLS = (Subscription.id, Subscription.user_id, Subscription.name, Subscription.phone, Subscription.area_code,
             Subscription.lon, Subscription.lat, Subscription.radius_m, Subscription.street_code)
ID, USER, NAME, PHONE, AREA, LON, LAT, RADIUS, STREET = range(9)


def _rows(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    # through the Core connection: plain column reads need no ORM result processing
    return [tuple(r) for r in session.connection().execute(stmt)]


def subscribers_in(session: Session, area: TargetArea) -> list[tuple[Any, ...]]:
    """Confirmed subscriptions whose area touches `area`: an administrative area it touches, or a circle
    that meets it (its centre inside, or within its radius of the boundary). Tuples in `_SUB_COLS` order."""
    minx, miny, maxx, maxy = area.geometry.bounds
    pad = MAX_SUBSCRIPTION_RADIUS_M * _DEG_PER_M
    live = (Subscription.active.is_(True), Subscription.confirmed.is_(True))
    by_code = _rows(session, select(*_SUB_COLS).where(
        *live, Subscription.area_code.in_(sorted(area.touched) + ["510116"])))
    near = _rows(session, select(*_SUB_COLS).where(
        *live, Subscription.area_code.is_(None),
        Subscription.lon.between(minx - pad, maxx + pad), Subscription.lat.between(miny - pad, maxy + pad)))
    if not near:
        return by_code
    cols = list(zip(*near, strict=True))
    x = np.asarray(cols[LON], float)
    y = np.asarray(cols[LAT], float)
    r = np.asarray([v or 0.0 for v in cols[RADIUS]], float)
    shapely.prepare(area.geometry)
    inside = shapely.intersects_xy(area.geometry, x, y)
    maybe = ~inside & (r > 0)
    if maybe.any():  # a circle meets the area: its centre lies within its radius of it
        idx = np.flatnonzero(maybe)
        inside[idx] = metres_outside(area.geometry, x[idx], y[idx]) <= r[idx]
    return by_code + [row for row, hit in zip(near, inside.tolist(), strict=True) if hit]


def _residents(session: Session, area: TargetArea) -> Iterator[Recipient]:
    rows = subscribers_in(session, area)
    unplaced = [s for s in rows if not s[STREET] and s[LON] is not None]
    placed: dict[int, str] = {}
    if unplaced:  # points stored without their street: locate them all at once
        idx = index(session)
        hits = locate_many(session, [s[LON] for s in unplaced], [s[LAT] for s in unplaced], _index=idx)
        streets = [row[4] for row in idx.rows]
        placed = {s[ID]: streets[h] for s, h in zip(unplaced, hits.tolist(), strict=True) if h >= 0}
    for sid, user, name, phone, code, _lon, _lat, _r, street in rows:
        where = street or placed.get(sid) or (code[:9] if code and len(code) >= 9 else None)
        who = name or "订阅居民"
        if user is not None and phone is None:
            yield Recipient(f"user:{user}", who, "resident", "app", str(user), where)
        if phone:
            yield Recipient(f"phone:{phone}", who, "resident", "sms", phone, where)


def _sources(session: Session, area: TargetArea, kinds: set[str]) -> Iterator[Recipient]:
    yield from _sites(session, area, kinds)
    if "department" in kinds:
        yield from _departments(session, area)
    if "grid_worker" in kinds:
        yield from _user_recipients(_users(session, [Role.GRID_WORKER.value], area.codes(15)), "grid_worker")
    if "community_staff" in kinds:
        places = area.codes(9) | area.codes(12)
        yield from _user_recipients(_users(session, [Role.STREET_STAFF.value], places), "community_staff")
    if "duty" in kinds:
        yield from _duty(session)
    if "responder" in kinds:
        rows = _users(session, RESPONDER_ROLES, None)
        yield from (r for r in _user_recipients(rows, "responder") if r.channel == "app")
    if "resident" in kinds:
        yield from _residents(session, area)


def target(session: Session, area: TargetArea, kinds: Iterable[str] = KINDS,
           channels: Iterable[str] = ("sms", "app")) -> Targeting:
    """Everyone `area` reaches among `kinds`, on `channels`, each (person, channel) once — and each
    (channel, address) once, so one phone number gets one SMS whoever it belongs to."""
    kind_set = set(kinds)
    unknown = kind_set - set(KINDS)
    if unknown:
        raise ValidationFailed(f"unknown recipient kinds {sorted(unknown)}; one of {list(KINDS)}", "kinds")
    chan_set = set(channels)
    if chan_set - set(CHANNELS):
        raise ValidationFailed(f"unknown channels {sorted(chan_set - set(CHANNELS))}", "channels")
    seen_person: set[tuple[str, str]] = set()
    seen_address: set[tuple[str, str]] = set()
    out: list[Recipient] = []
    for r in _sources(session, area, kind_set):  # the sources run in KINDS order: the first kind keeps a person
        channel = r.channel
        if channel not in chan_set:
            continue
        k1, k2 = (r.person_key, channel), (channel, r.address)
        if k1 in seen_person or k2 in seen_address:
            continue
        seen_person.add(k1)
        seen_address.add(k2)
        out.append(r)
    return Targeting(area, out)


# ── the preview ───────────────────────────────────────────────────────────────────────────────────

DISTRICT_WIDE = "全区"


def summary(actor: Actor, targeting: Targeting, sample: int = 10) -> dict[str, Any]:
    """Counts by kind, channel and street (names, never codes) and a sample of names, masked for roles
    that may not see personal data (core.privacy)."""
    rs = targeting.recipients
    names = targeting.area.names
    by_kind = Counter(r.kind for r in rs)
    by_street = Counter(names.get(r.street_code or "", DISTRICT_WIDE) for r in rs)
    show = may_see_personal(actor.role)
    picks = random.Random(len(rs)).sample(rs, min(sample, len(rs))) if rs else []
    return {
        "total": len(rs),
        "people": len({r.person_key for r in rs}),
        "by_kind": {k: by_kind[k] for k in KINDS if by_kind[k]},
        "by_channel": dict(Counter(r.channel for r in rs)),
        "by_street": [{"name": n, "count": c} for n, c in by_street.most_common()],
        "sample": [{"name": r.name if show else (mask_name(r.name) or ""), "kind": r.kind, "channel": r.channel,
                    "street": names.get(r.street_code or "", DISTRICT_WIDE)} for r in picks],
        "streets_touched": [names[c] for c in sorted(targeting.area.codes(9))],
    }


def preview(session: Session, actor: Actor, body: PreviewIn) -> dict[str, Any]:
    """`POST /api/alerts/targeting/preview`: whom this area, these kinds and channels would reach."""
    PREVIEW.allow(session, actor)
    area = resolve(session, body.area)
    return summary(actor, target(session, area, body.kinds, body.channels), body.sample)


# ── residents' subscriptions ─────────────────────────────────────────────────────────────────────

CODE_TTL_MINUTES = 30
MAX_ATTEMPTS = 5


def _hash(sub_id: int, code: str) -> str:
    return hashlib.sha256(f"{sub_id}:{code}".encode()).hexdigest()


def subscribe(session: Session, actor: Actor, body: SubscriptionIn) -> tuple[Subscription, str | None]:
    """A subscription for the actor's account (in the app; the login itself confirms it) or for a phone
    number (confirmed by the six-digit code sent to it by SMS through the outbox). Returns the
    subscription and the code (the caller never shows it: it is for tests of the confirm step)."""
    SUBSCRIBE.allow(session, actor)
    if (body.area_code is None) == (body.circle is None):
        raise ValidationFailed("give either an area code or a circle", "area_code")
    sub = Subscription(user_id=actor.id, name=body.name, phone=body.phone, area_code=body.area_code,
                       active=True, confirmed=body.phone is None, attempts=0)
    if body.area_code is not None:
        if area_by_code(session, body.area_code) is None:
            raise ValidationFailed(f"no area has the code {body.area_code!r}", "area_code")
        sub.street_code = body.area_code[:9] if len(body.area_code) >= 9 else None
    else:
        c = body.circle
        assert c is not None
        if c.radius_m > MAX_SUBSCRIPTION_RADIUS_M:
            raise ValidationFailed(f"a subscription's radius is at most {MAX_SUBSCRIPTION_RADIUS_M:.0f} m",
                                   "circle.radius_m")
        touched = with_touched(session, circle(c.lon, c.lat, c.radius_m), field_name="circle")
        sub.lon, sub.lat, sub.radius_m = c.lon, c.lat, c.radius_m
        hit = int(locate_many(session, [c.lon], [c.lat])[0])
        streets = sorted(touched.codes(9))
        sub.street_code = (index(session).rows[hit][4] or None) if hit >= 0 else (streets[0] if streets else None)
    session.add(sub)
    session.flush()
    code = None
    if body.phone:
        code = f"{secrets.randbelow(1_000_000):06d}"
        sub.code_hash = _hash(sub.id, code)
        sub.code_expires_at = utcnow() + dt.timedelta(minutes=CODE_TTL_MINUTES)
        outbox_enqueue(session, "sms", body.phone, "预警订阅确认",
                       {"text": f"【双流应急】您的预警订阅确认码 {code}，{CODE_TTL_MINUTES} 分钟内有效。"},
                       dedup_key=f"alerts.subscription:{sub.id}")
    audit.record(session, actor, "create", "alerts_subscription", sub.id, None,
                 {"area_code": sub.area_code, "radius_m": sub.radius_m, "phone": sub.phone})
    return sub, code


def _own(session: Session, actor: Actor, sub_id: int) -> Subscription:
    sub = session.get(Subscription, sub_id)
    if sub is None or not sub.active or (sub.user_id != actor.id and actor.role != Role.ADMIN):
        raise NotFound("subscription", sub_id)
    return sub


def confirm(session: Session, actor: Actor, sub_id: int, code: str) -> Subscription:
    SUBSCRIBE.allow(session, actor)
    sub = _own(session, actor, sub_id)
    if sub.confirmed:
        return sub
    if sub.attempts >= MAX_ATTEMPTS or sub.code_expires_at is None or sub.code_expires_at < utcnow():
        raise ValidationFailed("the confirmation code has expired; subscribe again", "code")
    sub.attempts += 1
    if sub.code_hash != _hash(sub.id, code):
        raise ValidationFailed("the confirmation code is wrong", "code")
    sub.confirmed, sub.code_hash = True, None
    audit.record(session, actor, "confirm", "alerts_subscription", sub.id, None, {"confirmed": True})
    return sub


def unsubscribe(session: Session, actor: Actor, sub_id: int) -> None:
    SUBSCRIBE.allow(session, actor)
    sub = _own(session, actor, sub_id)
    sub.active = False
    audit.record(session, actor, "delete", "alerts_subscription", sub.id, {"active": True}, {"active": False})


def my_subscriptions(session: Session, actor: Actor) -> list[Subscription]:
    SUBSCRIBE.allow(session, actor)
    return list(session.scalars(select(Subscription).where(
        Subscription.user_id == actor.id, Subscription.active.is_(True)).order_by(Subscription.id)))


__all__ = ["Targeting", "confirm", "my_subscriptions", "preview", "subscribe", "summary", "target",
           "unsubscribe"]
