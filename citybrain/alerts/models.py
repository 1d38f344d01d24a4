"""Every table of the alerts domain (its sub-packages' models), for Alembic and the bootstrap."""

from citybrain.alerts.delivery.models import AlertMessage, PushSubscription

__all__ = ["AlertMessage", "PushSubscription"]
