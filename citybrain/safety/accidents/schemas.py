"""Shapes of accidents."""

from __future__ import annotations

from pydantic import Field

from citybrain.safety.schemas import InModel, Instant


class AccidentIn(InModel):
    unit_id: int | None = None
    occurred_at: Instant
    deaths: int = Field(default=0, ge=0)
    serious_injuries: int = Field(default=0, ge=0)
    direct_loss_yuan: float = Field(default=0, ge=0)
    description: str = Field(default="", max_length=4000)

