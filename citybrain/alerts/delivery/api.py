"""HTTP of delivery: an alert's or a campaign's delivery account, the responder app's inbox (list, ack,
live stream), the providers' receipt callback, the duty officer's call list, push subscriptions."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from citybrain.alerts.delivery import service
from citybrain.alerts.delivery.models import STATUSES
from citybrain.alerts.delivery.schemas import (
    AckOut,
    CallbackIn,
    CallbackOut,
    CalledIn,
    CallOut,
    DeliveryOut,
    InboxOut,
    PushSubscriptionIn,
)
from citybrain.core.auth import Actor, require
from citybrain.core.db import utcnow
from citybrain.core.listing import ListParams, Page
from citybrain.core.privacy import phone_for
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.web import current_actor, get_session

router = APIRouter(tags=["alerts: delivery"])
EVERYONE = tuple(Role)


@router.get("/inbox", response_model=Page[InboxOut])
def inbox(actor: Actor = Depends(require(*EVERYONE)), session: Session = Depends(get_session),
          params: ListParams = Depends()) -> Any:
    """My in-app warnings and risk prompts, newest first (the responder app's inbox)."""
    return service.inbox(session, actor.id or 0, params)


@router.post("/inbox/{message_id}/ack", response_model=InboxOut)
def inbox_ack(message_id: int, actor: Actor = Depends(require(*EVERYONE)),
              session: Session = Depends(get_session)) -> dict[str, Any]:
    """Acknowledge one of my messages (收到); repeating it changes nothing. Someone else's message: 404."""
    return service.inbox_out(service.inbox_ack(session, actor.id or 0, message_id))


@router.get("/inbox/stream")
async def inbox_stream(request: Request, actor: Actor = Depends(current_actor),
                       last_event_id: int | None = Header(default=None, ge=0),
                       after: int | None = Query(default=None, ge=0)) -> StreamingResponse:
    """Server-sent events: each new message of my inbox as it is delivered (`event: message`, `id` = the
    message id). After a reconnect, `Last-Event-ID` (or `?after=`) replays what came since, from the
    database, so any API process can serve it. Without either, it starts from now."""
    maker = request.app.state.read_session_maker
    user_id = actor.id or 0

    def fetch(last: int | None) -> tuple[int, list[dict[str, Any]]]:
        with maker() as s:
            if last is None:
                from sqlalchemy import func, select

                from citybrain.alerts.delivery.models import AlertMessage

                return int(s.scalar(select(func.coalesce(func.max(AlertMessage.id), 0))) or 0), []
            rows = service.inbox_after(s, user_id, last)
            return (rows[-1].id if rows else last), [service.inbox_out(m) for m in rows]

    async def stream() -> Any:
        import datetime as dt

        last = last_event_id if last_event_id is not None else after
        deadline = utcnow() + dt.timedelta(minutes=30)
        if last is None:
            last, _ = await asyncio.to_thread(fetch, None)
        yield "retry: 3000\n: connected\n\n"
        while utcnow() < deadline:
            if await request.is_disconnected():
                break
            last, items = await asyncio.to_thread(fetch, last)
            for item in items:
                data = json.dumps(InboxOut(**item).model_dump(mode="json"), ensure_ascii=False)
                yield f"id: {item['id']}\nevent: message\ndata: {data}\n\n"
            if not items:
                yield ": keep-alive\n\n"
                await asyncio.sleep(1.0)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/{source_kind}/{source_id}/delivery", response_model=DeliveryOut)
def delivery(source_kind: str = Path(pattern="^(alert|campaign)$", description="alert | campaign"),
             source_id: int = Path(ge=1), actor: Actor = Depends(require(*STAFF)),
             session: Session = Depends(get_session), params: ListParams = Depends(),
             acknowledged: bool | None = Query(default=None, description="only who has (true) / has not (false)"),
             status: str | None = Query(default=None, pattern="^(" + "|".join(STATUSES) + ")$")) -> dict[str, Any]:
    """Who was reached, by which channel, and who has and has not acknowledged (names and numbers masked
    unless the role may see them)."""
    return service.delivery(session, actor.role, source_kind, source_id, params, acknowledged, status)


@router.get("/{source_kind}/{source_id}/delivery/stream")
async def delivery_stream(request: Request,
                          source_kind: str = Path(pattern="^(alert|campaign)$", description="alert | campaign"),
                          source_id: int = Path(ge=1), actor: Actor = Depends(require(*STAFF))) -> StreamingResponse:
    """Server-sent events for the duty officer watching a delivery: `event: progress` with the counts of
    `progress` (sent, delivered, failed, people acknowledged) at once and whenever they change, as the
    worker sends, receipts arrive and people acknowledge. Read from the database every second, so any API
    process can serve it; the page re-reads who has not acknowledged on each event."""
    maker = request.app.state.read_session_maker

    def fetch() -> dict[str, int]:
        with maker() as s:
            return service.progress(s, source_kind, source_id)

    async def stream() -> Any:
        import datetime as dt

        deadline = utcnow() + dt.timedelta(minutes=30)
        last: dict[str, int] | None = None
        yield "retry: 3000\n: connected\n\n"
        while utcnow() < deadline:
            if await request.is_disconnected():
                break
            now = await asyncio.to_thread(fetch)
            if now != last:
                last = now
                yield f"event: progress\ndata: {json.dumps(now)}\n\n"
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(1.0)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/delivery/receipts", response_model=CallbackOut)
def receipts(body: CallbackIn, session: Session = Depends(get_session),
             x_receipt_secret: str | None = Header(default=None)) -> dict[str, int]:
    """The cloud SMS provider's callback: delivery receipts and replies (a reply "1"/"收到" acknowledges).
    No login; the provider proves itself with the shared secret in `X-Receipt-Secret` (else 401)."""
    service.check_callback_secret(x_receipt_secret)
    return service.apply_callback(session, [(r.ref, r.stat) for r in body.receipts],
                                  [(r.sender, r.text) for r in body.replies])


@router.get("/calls", response_model=list[CallOut])
def calls(actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """The duty officer's call list: key recipients who have not acknowledged after the second channel."""
    now = utcnow()
    return [{"message_id": m.id, "source_kind": m.source_kind, "source_id": m.source_id, "subject": m.subject,
             "name": m.name, "kind": m.kind, "phone": phone_for(actor.role, m.address) if m.channel == "sms" else None,
             "channel": m.channel, "sent_at": m.sent_at,
             "waiting_min": round(((now - m.sent_at).total_seconds() if m.sent_at else 0) / 60, 1)}
            for m in service.call_list(session)]


@router.post("/calls/{message_id}", response_model=AckOut)
def called(message_id: int, body: CalledIn, actor: Actor = Depends(require(*COMMAND)),
           session: Session = Depends(get_session)) -> Any:
    """Rung: off the list; `reached: true` (the person has the warning) counts as acknowledged."""
    return service.mark_called(session, message_id, actor.id or 0, body.reached)


@router.get("/push/key")
def push_key(actor: Actor = Depends(require(*EVERYONE))) -> dict[str, str]:
    """The server's VAPID public key for this browser's push subscription; 404 where Web Push is off."""
    from citybrain.alerts.delivery.channels import vapid_public_key
    from citybrain.alerts.delivery.settings import delivery_settings
    from citybrain.core.errors import NotFound

    key = vapid_public_key(delivery_settings())
    if key is None:
        raise NotFound("Web Push key", "of this server (CITYBRAIN_ALERTS_VAPID_PRIVATE_KEY is not set)")
    return {"public_key": key}


@router.post("/push/subscriptions", status_code=201)
def push_subscription(body: PushSubscriptionIn, actor: Actor = Depends(require(*EVERYONE)),
                      session: Session = Depends(get_session)) -> dict[str, Any]:
    """Store this browser's Web Push subscription (best effort: never anyone's only channel)."""
    sub = service.add_push_subscription(session, actor.id or 0, body.endpoint, body.keys)
    return {"id": sub.id}
