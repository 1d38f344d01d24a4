"""Every table of the alerts domain (its sub-packages' models), for Alembic and the bootstrap."""

from citybrain.alerts.campaigns.models import Campaign, CampaignTransition
from citybrain.alerts.delivery.models import AlertMessage, PushSubscription
from citybrain.alerts.targeting.models import Subscription

__all__ = ["AlertMessage", "Campaign", "CampaignTransition", "PushSubscription", "Subscription"]
