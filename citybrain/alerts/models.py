"""The alerts domain's tables, one import line per sub-package (bootstrap imports this module)."""

from citybrain.alerts.campaigns.models import Campaign, CampaignTransition
from citybrain.alerts.cap.models import Alert, AlertLog, IdentifierSequence
from citybrain.alerts.delivery.models import AlertMessage, PushSubscription, StrayReceipt
from citybrain.alerts.targeting.models import Subscription

__all__ = ["Alert", "AlertLog", "AlertMessage", "Campaign", "CampaignTransition", "IdentifierSequence",
           "PushSubscription", "StrayReceipt", "Subscription"]
