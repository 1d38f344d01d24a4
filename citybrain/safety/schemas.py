"""Pydantic models of the safety domain: every input is checked here, naming the field it is about.

The types shared by the aggregates' schemas. The same models serve the API, the bulk importer (one model
per row) and the demo, so a CSV row and a JSON body are refused for the same reasons with the same field
names.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from citybrain.core.clock import local_zone
from citybrain.core.types import EARLIEST, Latitude, Longitude

Colour = Literal["red", "orange", "yellow", "blue"]
PHONE = r"^[0-9+\- ]{3,30}$"
def as_instant(v: Any) -> Any:
    """Accept aware datetimes; a naive one or a bare date is local time (the configured zone) (a bare date is the
    end of that day, which is what a deadline written as a date means)."""
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
        v = dt.date.fromisoformat(v.strip())
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime.combine(v, dt.time(23, 59, 59), tzinfo=local_zone())
    if isinstance(v, str):
        try:
            v = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
        except ValueError:
            return v  # let pydantic word the error
    if isinstance(v, dt.datetime) and v.tzinfo is None:
        return v.replace(tzinfo=local_zone())
    return v


def not_before_2000(v: dt.datetime) -> dt.datetime:
    """Times before 2000 are typing mistakes (a 1970 epoch zero, a two-digit year), as the kit's
    `AwareDatetimeIn` says."""
    if v < EARLIEST:
        raise ValueError(f"must not be before 2000-01-01, got {v.date().isoformat()}")
    return v


def date_not_before_2000(v: dt.date | None) -> dt.date | None:
    if v is not None and v < EARLIEST.date():
        raise ValueError(f"must not be before 2000-01-01, got {v.isoformat()}")
    return v


Instant = Annotated[dt.datetime, BeforeValidator(as_instant), AfterValidator(not_before_2000)]


def blank_to_none(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


def one_of(table: dict[str, Any], what: str) -> Any:
    def check(v: str) -> str:
        if v not in table:
            raise ValueError(f"unknown {what} {v!r}; one of {sorted(table)}")
        return v

    return check


def finite(v: float) -> float:
    if math.isnan(v) or math.isinf(v):
        raise ValueError("must be a finite number")
    return v


def _admits_bool(annotation: Any) -> bool:
    if annotation is bool or annotation is Any:
        return True
    return any(_admits_bool(a) for a in get_args(annotation))


class InModel(BaseModel):
    """An input: unknown fields are refused, text is stripped, and a boolean is never taken for a number
    (pydantic's lax mode reads `true` as 1)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        if isinstance(v, bool) and info.field_name and not _admits_bool(cls.model_fields[info.field_name].annotation):
            raise ValueError("must be a number or text, not true/false")
        return v


OptStr = Annotated[str | None, BeforeValidator(blank_to_none)]
OptInt = Annotated[int | None, BeforeValidator(blank_to_none)]
OptFloat = Annotated[float | None, BeforeValidator(blank_to_none)]


class Position(InModel):
    """A point in the caller's CRS (the CRS stays free text: `core.geo.parse_crs` also takes aliases)."""

    lon: Longitude
    lat: Latitude
    crs: str = Field(default="wgs84", description="wgs84, gcj02 (AMap/Tencent) or bd09 (Baidu)")

