"""Outbox channel ``traffic.signal``: pushes a recommended plan to its signal through the signal-controller
adapter that ``CITYBRAIN_SIGNAL_ADAPTER`` chooses (``sumo`` by default, ``log``; see
``signals/adapters.py``). Delivery is idempotent per message: the adapter writes the plan whole under the
recommendation's id, and the recommendation's status moves to ``applied`` once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from citybrain.config import get_settings
from citybrain.core.adapters import SIGNAL_ADAPTERS, SignalControllerAdapter
from citybrain.core.outbox import OutboxMessage, channels, register_channel
from citybrain.traffic.signals import adapters


def signal_adapter() -> SignalControllerAdapter:
    """The adapter the settings choose (a ConfigError naming CITYBRAIN_SIGNAL_ADAPTER if unknown)."""
    adapters.register()
    return SIGNAL_ADAPTERS.chosen(get_settings())


class SignalChannel:
    name = "traffic.signal"

    def send(self, session: Session, message: OutboxMessage) -> dict[str, Any] | None:
        from citybrain.traffic.signals import service

        receipt = signal_adapter().apply(message.body)
        service.mark_applied(session, int(message.body["recommendation_id"]), receipt)
        return receipt


def register() -> None:
    adapters.register()
    if SignalChannel.name not in channels():
        register_channel(SignalChannel())


register()
