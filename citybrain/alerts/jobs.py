"""The alerts domain's worker jobs and queues (collected from its sub-packages)."""

from citybrain.alerts.delivery.jobs import DRAINS as DELIVERY_DRAINS
from citybrain.alerts.delivery.jobs import JOBS as DELIVERY_JOBS

JOBS = [*DELIVERY_JOBS]
DRAINS = [*DELIVERY_DRAINS]
