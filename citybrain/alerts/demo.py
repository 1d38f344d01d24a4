"""The alerts domain's demo data, by sub-package."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from citybrain.alerts.campaigns import demo as campaigns


def seed(session: Session, tracker: Any) -> list[str] | None:
    return campaigns.seed(session, tracker)
