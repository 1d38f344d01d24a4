"""How alerts reacts to other domains' (and its own) domain events: the handler table, by sub-package."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citybrain.alerts.campaigns.handlers import HANDLERS as CAMPAIGN_HANDLERS
from citybrain.alerts.delivery.handlers import HANDLERS as DELIVERY_HANDLERS
from citybrain.alerts.targeting.handlers import HANDLERS as TARGETING_HANDLERS

HANDLERS: dict[Any, list[Callable[..., None]]] = {}
for table in (DELIVERY_HANDLERS, TARGETING_HANDLERS, CAMPAIGN_HANDLERS):
    for event_type, handlers in table.items():
        HANDLERS.setdefault(event_type, []).extend(handlers)
