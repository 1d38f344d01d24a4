"""The alerts demo: each sub-package's seed, in order (one line each)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from citybrain.alerts.campaigns import demo as campaigns_demo
from citybrain.alerts.cap import demo as cap_demo

SEEDS = [cap_demo.seed, campaigns_demo.seed]


def seed(session: Session, tracker: Any) -> list[str] | None:
    lines: list[str] = []
    for s in SEEDS:
        with session.begin_nested():
            lines += s(session, tracker) or []
    return lines
