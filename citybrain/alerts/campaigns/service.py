"""Campaigns: compose a risk prompt from a template, approve it, send it — targeting and enqueueing in the
one transaction that marks it sent, so a campaign is either sent to everyone it targets or to no one.

Life cycle (one table): draft → approved → sent; a draft or an approved campaign may be cancelled. The
approver is recorded; every step is on the campaign's timeline and in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.campaigns import sms
from citybrain.alerts.campaigns.models import Campaign, CampaignTransition
from citybrain.alerts.campaigns.schemas import DEFAULT_KINDS, CampaignIn, TextIn
from citybrain.alerts.campaigns.templates import TEMPLATES
from citybrain.alerts.delivery.service import enqueue
from citybrain.alerts.recipients import Recipient
from citybrain.alerts.targeting.area import resolve
from citybrain.alerts.targeting.service import target
from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import policy
from citybrain.core.roles import COMMAND, Role
from citybrain.core.transitions import Transition, TransitionTable

READ = policy("alerts.campaigns.read", COMMAND | {Role.DEPT_HANDLER}, what="campaign")
COMPOSE = policy("alerts.campaigns.compose", COMMAND, what="campaign")

STATE_NAMES = {"draft": "草稿", "approved": "已审核", "sent": "已发送", "cancelled": "已取消"}
LIFECYCLE: TransitionTable[str] = TransitionTable([
    Transition("approve", frozenset({"draft"}), "approved", (Role.DUTY_OFFICER,)),
    Transition("send", frozenset({"approved"}), "sent", (Role.DUTY_OFFICER,)),
    Transition("cancel", frozenset({"draft", "approved"}), "cancelled", (Role.DUTY_OFFICER,)),
], subject="campaign", state_names=STATE_NAMES,
    action_names={"approve": "审核", "send": "发送", "cancel": "取消"})

SOURCE_KIND = "campaign"


# ── the text ────────────────────────────────────────────────────────────────────────────────────

def template_text(body: TextIn) -> tuple[str, str | None]:
    if body.template_code:
        t = TEMPLATES.get(body.template_code)
        if t is None:
            raise ValidationFailed(f"no template {body.template_code!r}; one of {sorted(TEMPLATES)}", "template_code")
        return t.text, t.code
    if not body.template or not body.template.strip():
        raise ValidationFailed("give a template code or a template text", "template")
    return body.template, None


def compose_text(body: TextIn) -> dict[str, Any]:
    """The rendered text and its billed length: a missing variable, a text over 500 characters or a
    character outside the BMP that cannot be normalised is a 422 naming the field."""
    template, _ = template_text(body)
    names = sms.variables_of(template)
    rendered = sms.render(template, dict(body.variables))
    text, n = sms.check(rendered, "text")
    return {"text": text, "signed": sms.signed(text), "chars": n.chars, "segments": n.segments,
            "normalised": n.normalised, "variables": names}


# ── the one line to delivery ──────────────────────────────────────────────────────────────────────

def deliver(session: Session, campaign: Campaign, recipients: Iterable[Recipient]) -> int:
    """Hand the campaign's messages to delivery in the caller's transaction; returns how many are new
    (one per (source, person, channel), so a repeat adds none)."""
    return enqueue(session, source_kind=SOURCE_KIND, source_id=campaign.id, recipients=recipients,
                   subject=campaign.title, text=sms.signed(campaign.text), priority=0)


# ── the life cycle ────────────────────────────────────────────────────────────────────────────────

def _step(session: Session, actor: Actor, c: Campaign, action: str, note: str = "") -> None:
    t = LIFECYCLE.check(c.status, action, actor.role if actor.role != Role.ADMIN else None)
    before = c.status
    c.status = t.target
    session.add(CampaignTransition(campaign_id=c.id, action=action, from_status=before, to_status=c.status,
                                   by=actor.username, note=note[:300]))
    audit.record(session, actor, action, "alerts_campaign", c.id, {"status": before}, {"status": c.status})


def create(session: Session, actor: Actor, body: CampaignIn, *, origin: str = "manual",
           source_ref: str | None = None) -> Campaign:
    COMPOSE.allow(session, actor)
    template, code = template_text(body)
    txt = compose_text(body)
    resolve(session, body.area)  # outside the district, an unknown geocode: refused now, not at sending
    c = Campaign(title=body.title.strip(), topic=TEMPLATES[code].topic if code else "general", template_code=code,
                 template=template, variables={k: str(v) for k, v in body.variables.items()}, text=txt["text"],
                 chars=txt["chars"], segments=txt["segments"], area=body.area.model_dump(mode="json"),
                 area_name=body.area.description, kinds=list(dict.fromkeys(body.kinds)),
                 channels=list(dict.fromkeys(body.channels)), status="draft", origin=origin,
                 source_ref=source_ref, created_by=actor.username)
    session.add(c)
    session.flush()
    session.add(CampaignTransition(campaign_id=c.id, action="create", from_status=None, to_status="draft",
                                   by=actor.username))
    audit.record(session, actor, "create", "alerts_campaign", c.id, None,
                 {"title": c.title, "text": c.text, "origin": origin})
    return c


def get(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    READ.allow(session, actor)
    return get_or_404(session, Campaign, campaign_id, what="campaign")


def approve(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    COMPOSE.allow(session, actor)
    c = get_or_404(session, Campaign, campaign_id, what="campaign")
    _step(session, actor, c, "approve")
    c.approved_by, c.approved_at = actor.username, utcnow()
    return c


def cancel(session: Session, actor: Actor, campaign_id: int, note: str = "") -> Campaign:
    COMPOSE.allow(session, actor)
    c = get_or_404(session, Campaign, campaign_id, what="campaign")
    _step(session, actor, c, "cancel", note)
    return c


def send(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    """Target the campaign's area and enqueue its messages in this transaction, then mark it sent."""
    COMPOSE.allow(session, actor)
    c = session.scalars(select(Campaign).where(Campaign.id == campaign_id).with_for_update()).first()
    if c is None:
        get_or_404(session, Campaign, campaign_id, what="campaign")
        raise AssertionError  # unreachable: get_or_404 raised
    LIFECYCLE.check(c.status, "send", actor.role if actor.role != Role.ADMIN else None)
    area = resolve(session, AreaSpec.model_validate(c.area))
    recipients = target(session, area, c.kinds, c.channels).recipients
    if not recipients:
        raise ValidationFailed("nobody in the area on these channels: the campaign would reach no one", "area")
    c.messages = deliver(session, c, recipients)
    c.recipients = len({r.person_key for r in recipients})
    _step(session, actor, c, "send", f"{len(recipients)} messages")
    c.sent_by, c.sent_at = actor.username, utcnow()
    return c


def timeline(session: Session, campaign_id: int) -> list[CampaignTransition]:
    return list(session.scalars(select(CampaignTransition).where(CampaignTransition.campaign_id == campaign_id)
                                .order_by(CampaignTransition.id)))


def page(session: Session, actor: Actor, params: ListParams, status: str | None = None,
         origin: str | None = None) -> Page[Campaign]:
    READ.allow(session, actor)
    q = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if status:
        q = q.where(Campaign.status == status)
    if origin:
        q = q.where(Campaign.origin == origin)
    return paginate(session, q, params, sortable={"created_at": Campaign.created_at, "sent_at": Campaign.sent_at,
                                                  "title": Campaign.title})


def actions_for(actor: Actor, c: Campaign) -> list[str]:
    if actor.role not in (Role.ADMIN, Role.DUTY_OFFICER):
        return []
    return LIFECYCLE.allowed(c.status, None if actor.role == Role.ADMIN else actor.role)


# ── proposals: drafts for the duty officer, raised by warnings and alarms ───────────────────────────

SYSTEM = Actor(None, "system", Role.DUTY_OFFICER)


def propose(session: Session, *, source_ref: str, title: str, template_code: str, variables: dict[str, str],
            area: AreaSpec, kinds: list[str] | None = None) -> Campaign | None:
    """A draft campaign proposed by the system, once per `source_ref`; never sent automatically. None when
    it was proposed before or its area touches none of the district's grids."""
    if session.scalar(select(Campaign.id).where(Campaign.source_ref == source_ref)) is not None:
        return None
    body = CampaignIn(title=title[:120], template_code=template_code, variables=variables, area=area,
                      kinds=kinds or list(DEFAULT_KINDS), channels=["sms", "app"])
    try:
        with session.begin_nested():
            return create(session, SYSTEM, body, origin="proposal", source_ref=source_ref)
    except ValidationFailed:
        return None
