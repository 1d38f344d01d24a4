"""Targeting's reaction to an issued alert: a new Alert authored here (approved and issued through cap's
life cycle) goes to everyone its area reaches, in the transaction that issued it. Updates and Cancels are
delivery's (to everyone the original reached); imported alerts become draft proposals (campaigns)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.campaigns.sms import MAX_CHARS, SIGNATURE
from citybrain.alerts.cap.models import Alert
from citybrain.alerts.delivery.service import enqueue
from citybrain.alerts.domain_events import AlertIssued
from citybrain.alerts.recipients import KINDS
from citybrain.alerts.targeting.area import resolve
from citybrain.alerts.targeting.service import target
from citybrain.core.bus import DomainEvent
from citybrain.core.errors import ValidationFailed

CHANNELS = ("sms", "app")


def alert_text(alert: Alert) -> tuple[str, str]:
    """(subject, signed text ≤ 500 characters) of a new alert: its headline, then what to do."""
    zh = (alert.texts or {}).get("zh-CN", {})
    headline = zh.get("headline") or alert.event_type
    body = zh.get("instruction") or zh.get("description") or ""
    text = f"{SIGNATURE}{headline}" + (f"：{body}" if body else "")
    return headline[:300], text[:MAX_CHARS]


def on_alert_issued(session: Session, event: DomainEvent) -> None:
    assert isinstance(event, AlertIssued)
    if event.msg_type != "Alert" or event.origin != "authored":
        return
    alert = session.get(Alert, event.alert_id)
    if alert is None or alert.cap_status != "Actual":
        return
    try:
        area = resolve(session, AreaSpec.model_validate(alert.area))
    except (ValidationFailed, ValueError):  # an area reaching nobody in the district: nothing to send
        return
    recipients = target(session, area, KINDS, CHANNELS).recipients
    subject, text = alert_text(alert)
    enqueue(session, source_kind="alert", source_id=alert.id, recipients=recipients, subject=subject, text=text,
            priority=10 if alert.level in ("red", "orange") else 5)


HANDLERS = {AlertIssued: [on_alert_issued]}
