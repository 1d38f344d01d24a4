"""The alerts domain's tables, one import line per sub-package (bootstrap imports this module)."""

from citybrain.alerts.cap.models import Alert, AlertLog, IdentifierSequence
from citybrain.alerts.delivery.models import AlertMessage, PushSubscription, StrayReceipt

__all__ = ["Alert", "AlertLog", "AlertMessage", "IdentifierSequence", "PushSubscription", "StrayReceipt"]
