"""Pydantic pieces the traffic sub-packages' schemas share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Lon = Field(ge=73.0, le=136.0, description="WGS-84 longitude")
Lat = Field(ge=3.0, le=54.0, description="WGS-84 latitude")
CODE = r"^[A-Za-z0-9_.:#-]+$"


class In(BaseModel):
    """An input body: unknown fields refused, strings stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
