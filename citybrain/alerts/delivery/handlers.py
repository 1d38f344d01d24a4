"""Delivery's reactions: an issued Update or Cancel goes to everyone the alert it supersedes reached,
ahead of any new traffic (new Alerts are targeting's: it turns the area into recipients)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from citybrain.alerts.cap.models import Alert
from citybrain.alerts.delivery import service
from citybrain.alerts.domain_events import AlertIssued

SIGNATURE = "【双流应急】"
MARK = {"Update": "【更新】", "Cancel": "【解除】"}
MAX_CHARS = 500  # the most a Chinese SMS provider takes (REFERENCE.md)


def correction_text(alert: Alert | None, msg_type: str) -> tuple[str, str]:
    """(subject, text) of a correction: signature, what it is, the headline, then what to do."""
    zh = (alert.texts or {}).get("zh-CN", {}) if alert is not None else {}
    headline = zh.get("headline") or ("预警信息更新" if msg_type == "Update" else "预警解除")
    body = zh.get("instruction") or zh.get("description") or ""
    text = f"{SIGNATURE}{MARK.get(msg_type, '')}{headline}"
    if body:
        text += f"：{body}"
    return headline[:300], text[:MAX_CHARS]


def on_alert_issued(session: Session, event: AlertIssued) -> None:
    if event.msg_type not in MARK or event.refers_to_id is None:
        return
    subject, text = correction_text(session.get(Alert, event.alert_id), event.msg_type)
    service.enqueue_correction(session, original=("alert", event.refers_to_id), source=("alert", event.alert_id),
                               subject=subject, text=text)


HANDLERS = {AlertIssued: [on_alert_issued]}
