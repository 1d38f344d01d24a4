"""Pydantic pieces the traffic sub-packages' schemas share."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator

from citybrain.core.types import Latitude, Longitude

# the kit's strict WGS-84 types, narrowed to China (a point elsewhere is a typing mistake here)
ChinaLon = Annotated[Longitude, Field(ge=73.0, le=136.0), WithJsonSchema(
    {"type": "number", "minimum": 73.0, "maximum": 136.0, "description": "WGS-84 longitude (经度) in China"})]
ChinaLat = Annotated[Latitude, Field(ge=3.0, le=54.0), WithJsonSchema(
    {"type": "number", "minimum": 3.0, "maximum": 54.0, "description": "WGS-84 latitude (纬度) in China"})]
CODE = r"^[A-Za-z0-9_.:#-]+$"


def _has_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return True
    if isinstance(v, list | tuple):
        return any(_has_bool(x) for x in v)
    if isinstance(v, dict):
        return any(_has_bool(x) for x in v.values())
    return False


class In(BaseModel):
    """An input body: unknown fields refused, strings stripped, no boolean where a number belongs
    (Pydantic's lax mode would read ``true`` as 1: a mistake, never a count or a speed)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or "bool" in repr(field.annotation) or not _has_bool(v):
            return v
        if isinstance(v, dict) and isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            return v  # a nested body checks its own fields
        raise ValueError("a number is expected here, not true/false")
