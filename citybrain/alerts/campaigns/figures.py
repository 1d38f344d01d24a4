"""Figures of risk-prompt campaigns (item 9): messages per campaign and per month, delivered / failed /
acknowledged, time to deliver and to acknowledge, by channel and by recipient kind.

Read from delivery's message rows through `alerts.delivery.stats` (one pass per grouping), named with
the campaigns' titles here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.alerts.campaigns.models import Campaign
from citybrain.alerts.campaigns.service import READ, SOURCE_KIND
from citybrain.alerts.delivery.stats import figures as delivery_figures
from citybrain.alerts.delivery.stats import status_counts
from citybrain.core.auth import Actor
from citybrain.core.clock import local_zone
from citybrain.core.lookup import get_or_404


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    zone = local_zone()
    return (dt.datetime(year, 1, 1, tzinfo=zone).astimezone(dt.UTC),
            dt.datetime(year + 1, 1, 1, tzinfo=zone).astimezone(dt.UTC))


def year_figures(session: Session, actor: Actor, year: int) -> dict[str, Any]:
    """One year's campaign messages, grouped four ways, with the totals."""
    READ.allow(session, actor)
    since, until = _year_bounds(year)
    common: dict[str, Any] = {"source_kind": SOURCE_KIND, "since": since, "until": until}
    by_source = delivery_figures(session, group_by=("source",), **common)
    ids = [f["source_id"] for f in by_source]
    titles = {i: t for i, t in session.execute(select(Campaign.id, Campaign.title).where(Campaign.id.in_(ids)))}
    campaigns = [f | {"title": titles.get(f["source_id"], f"#{f['source_id']}")} for f in by_source]
    total = delivery_figures(session, group_by=(), **common)
    return {
        "year": year,
        "total": total[0] if total else None,
        "months": delivery_figures(session, group_by=("month",), **common),
        "channels": delivery_figures(session, group_by=("channel",), **common),
        "kinds": delivery_figures(session, group_by=("kind",), **common),
        "campaigns": sorted(campaigns, key=lambda f: -int(f["total"])),
    }


def campaign_figures(session: Session, actor: Actor, campaign_id: int) -> dict[str, Any]:
    READ.allow(session, actor)
    c = get_or_404(session, Campaign, campaign_id, what="campaign")
    return status_counts(session, SOURCE_KIND, c.id) | {"id": c.id, "title": c.title}
