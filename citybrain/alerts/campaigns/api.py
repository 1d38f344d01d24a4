"""HTTP: risk-prompt campaigns — templates, the text counter, compose, approve, send, cancel, list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from citybrain.alerts.campaigns import figures as campaign_figs
from citybrain.alerts.campaigns import service, sms
from citybrain.alerts.campaigns.models import Campaign
from citybrain.alerts.campaigns.schemas import (
    CampaignDetail,
    CampaignIn,
    CampaignOut,
    TemplateOut,
    TextIn,
    TextOut,
)
from citybrain.alerts.campaigns.templates import TEMPLATES
from citybrain.core.auth import Actor, require
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, Role
from citybrain.core.web import get_session

router = APIRouter(tags=["alerts: campaigns"])
READERS = (*COMMAND, Role.DEPT_HANDLER)


class CancelIn(BaseModel):
    note: str = Field(default="", max_length=300)


def out(actor: Actor, c: Campaign) -> dict[str, Any]:
    return {"id": c.id, "title": c.title, "topic": c.topic, "template_code": c.template_code, "text": c.text,
            "signed": sms.signed(c.text), "chars": c.chars, "segments": c.segments, "area": c.area,
            "area_name": c.area_name, "kinds": c.kinds, "channels": c.channels, "status": c.status,
            "origin": c.origin, "created_by": c.created_by, "approved_by": c.approved_by,
            "approved_at": c.approved_at, "sent_at": c.sent_at, "recipients": c.recipients,
            "messages": c.messages, "created_at": c.created_at, "actions": service.actions_for(actor, c)}


@router.get("/campaigns/templates", response_model=list[TemplateOut])
def templates(actor: Actor = Depends(require(*READERS))) -> list[dict[str, Any]]:
    return [{"code": t.code, "name": t.name, "topic": t.topic, "text": t.text, "variables": sms.variables_of(t.text)}
            for t in TEMPLATES.values()]


@router.post("/campaigns/text", response_model=TextOut)
def text(body: TextIn, actor: Actor = Depends(require(*READERS))) -> dict[str, Any]:
    """The rendered text with the signature, its characters and SMS segments (70 in one, 67 per part)."""
    return service.compose_text(body)


@router.get("/campaigns/figures")
def figures(actor: Actor = Depends(require(*READERS)), session: Session = Depends(get_session),
            year: int = Query(default_factory=lambda: to_local(utcnow()).year, ge=2000, le=2100)) -> dict[str, Any]:
    """A year of campaign messages: per month, channel, recipient kind and campaign — delivered, failed,
    acknowledged, and the median / 90th-percentile seconds to deliver and to acknowledge."""
    return campaign_figs.year_figures(session, actor, year)


@router.get("/campaigns/{campaign_id}/figures")
def one_campaign_figures(campaign_id: int, actor: Actor = Depends(require(*READERS)),
                         session: Session = Depends(get_session)) -> dict[str, Any]:
    """One campaign's messages by status, by channel × status and by recipient kind × status."""
    return campaign_figs.campaign_figures(session, actor, campaign_id)


@router.get("/campaigns", response_model=Page[CampaignOut])
def listing(actor: Actor = Depends(require(*READERS)), session: Session = Depends(get_session),
            params: ListParams = Depends(),
            status: str | None = Query(default=None, pattern="^(draft|approved|sent|cancelled)$"),
            origin: str | None = Query(default=None, pattern="^(manual|proposal|demo)$")) -> Page[Any]:
    page = service.page(session, actor, params, status, origin)
    return Page(items=[out(actor, c) for c in page.items], page=page.page, size=page.size, total=page.total)


@router.post("/campaigns", response_model=CampaignOut, status_code=201)
def create(body: CampaignIn, actor: Actor = Depends(require(*COMMAND)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    return out(actor, service.create(session, actor, body))


@router.get("/campaigns/{campaign_id}", response_model=CampaignDetail)
def detail(campaign_id: int, actor: Actor = Depends(require(*READERS)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    c = service.get(session, actor, campaign_id)
    return out(actor, c) | {"timeline": [
        {"action": t.action, "from_status": t.from_status, "to_status": t.to_status, "by": t.by, "at": t.at,
         "note": t.note} for t in service.timeline(session, c.id)]}


@router.post("/campaigns/{campaign_id}/approve", response_model=CampaignOut)
def approve(campaign_id: int, actor: Actor = Depends(require(*COMMAND)),
            session: Session = Depends(get_session)) -> dict[str, Any]:
    return out(actor, service.approve(session, actor, campaign_id))


@router.post("/campaigns/{campaign_id}/send", response_model=CampaignOut)
def send(campaign_id: int, actor: Actor = Depends(require(*COMMAND)),
         session: Session = Depends(get_session)) -> dict[str, Any]:
    """Target the area and enqueue every message in one transaction; only an approved campaign."""
    return out(actor, service.send(session, actor, campaign_id))


@router.post("/campaigns/{campaign_id}/cancel", response_model=CampaignOut)
def cancel(campaign_id: int, body: CancelIn | None = None, actor: Actor = Depends(require(*COMMAND)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    return out(actor, service.cancel(session, actor, campaign_id, body.note if body else ""))
