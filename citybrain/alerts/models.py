"""The alerts domain's tables, gathered from its sub-packages (for Alembic and the tests)."""

from citybrain.alerts.campaigns.models import Campaign, CampaignTransition
from citybrain.alerts.targeting.models import Subscription

__all__ = ["Campaign", "CampaignTransition", "Subscription"]
