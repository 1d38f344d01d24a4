"""Shared input types (rule 7): points and times validated once, the same way at every edge.

`Longitude`/`Latitude` are for JSON bodies: strict (a boolean or a string is refused, not coerced), finite
and in range, and every refusal names the field. Query strings arrive as text, so query parameters use
`LongitudeQuery`/`LatitudeQuery`: the same checks after the text is read as a number.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    WithJsonSchema,
)

from citybrain.core.geo import point_to_wgs84

CRSName = Literal["wgs84", "gcj02", "bd09"]
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # older times are typing mistakes, not reports


def _in_range(default_name: str, low: float, high: float) -> Callable[[float, ValidationInfo], float]:
    def check(v: float, info: ValidationInfo) -> float:
        name = info.field_name or default_name
        if not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v}")
        if not low <= v <= high:
            raise ValueError(f"{name} must be between {low:g} and {high:g} degrees, got {v:g}")
        return v

    return check


def _schema(low: float, high: float, what: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "number", "minimum": low, "maximum": high, "description": what})


_check_lon = _in_range("lon", -180, 180)
_check_lat = _in_range("lat", -90, 90)
_LON_DOC = "longitude (经度), degrees, in the stated CRS"
_LAT_DOC = "latitude (纬度), degrees, in the stated CRS"

Longitude = Annotated[float, Strict(), AfterValidator(_check_lon), _schema(-180, 180, _LON_DOC)]
Latitude = Annotated[float, Strict(), AfterValidator(_check_lat), _schema(-90, 90, _LAT_DOC)]
# query parameters are text: read as a number first, then the same checks ("nan" and "inf" still fail)
LongitudeQuery = Annotated[float, AfterValidator(_check_lon), _schema(-180, 180, _LON_DOC)]
LatitudeQuery = Annotated[float, AfterValidator(_check_lat), _schema(-90, 90, _LAT_DOC)]


class PointIn(BaseModel):
    """A point as the caller sent it, in its stated CRS (converted to WGS-84 at the edge by `wgs84()`)."""

    model_config = ConfigDict(extra="forbid")

    lon: Longitude
    lat: Latitude
    crs: CRSName = Field(default="wgs84", description="wgs84, gcj02 (AMap/Tencent) or bd09 (Baidu)")

    def wgs84(self) -> tuple[float, float]:
        return point_to_wgs84(self.lon, self.lat, self.crs)


def _not_before_2000(v: dt.datetime, info: ValidationInfo) -> dt.datetime:
    if v < EARLIEST:
        raise ValueError(f"{info.field_name or 'time'} must not be before 2000-01-01, got {v.isoformat()}")
    return v


AwareDatetimeIn = Annotated[AwareDatetime, AfterValidator(_not_before_2000)]
"""A time with its zone stated (a naive time is refused: whose 08:00 would it be?), 2000-01-01 or later."""

__all__ = ["AwareDatetimeIn", "CRSName", "Latitude", "LatitudeQuery", "Longitude", "LongitudeQuery", "PointIn"]
