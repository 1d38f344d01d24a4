"""Pydantic pieces the traffic sub-packages' schemas share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from citybrain.core.types import Latitude, Longitude

# the kit's strict WGS-84 types, narrowed to China (a point elsewhere is a typing mistake here)
ChinaLon = Annotated[Longitude, Field(ge=73.0, le=136.0), WithJsonSchema(
    {"type": "number", "minimum": 73.0, "maximum": 136.0, "description": "WGS-84 longitude (经度) in China"})]
ChinaLat = Annotated[Latitude, Field(ge=3.0, le=54.0), WithJsonSchema(
    {"type": "number", "minimum": 3.0, "maximum": 54.0, "description": "WGS-84 latitude (纬度) in China"})]
CODE = r"^[A-Za-z0-9_.:#-]+$"


class In(BaseModel):
    """An input body: unknown fields refused, strings stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
