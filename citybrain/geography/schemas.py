"""Pydantic models of the geography API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from citybrain.core.types import CRSName

Level = Literal["district", "street", "community", "grid"]
__all__ = ["AreaOut", "CRSName", "ImportOut", "Level", "LocationOut"]


class AreaOut(BaseModel):
    code: str = Field(description="GB/T 30428.1 code: 6 county + 3 township + 3 community + 3 grid digits")
    name: str
    level: Level
    parent_code: str | None
    managed_by: str = Field(description="the body that runs the unit, e.g. 双流区 or 四川天府新区成都直管区")
    managed_by_district: bool
    synthetic: bool = Field(description="true when the polygon was drawn for the demo, not surveyed")
    households: int | None
    area_km2: float | None = Field(description="geodesic area (WGS-84 ellipsoid)")
    label_point: tuple[float, float] = Field(description="a WGS-84 lon/lat point inside the area")
    meta: dict[str, Any] = Field(description="origin, source CRS, licence notice, method")
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON geometry, WGS-84, when asked for")


class LocationOut(BaseModel):
    lon: float = Field(description="WGS-84 longitude of the point")
    lat: float = Field(description="WGS-84 latitude of the point")
    grid_code: str
    grid_name: str
    community_code: str
    community_name: str
    street_code: str
    street_name: str
    district_code: str
    district_name: str
    managed_by: str
    managed_by_district: bool = Field(description="false in the streets run by 天府新区 or 高新区: transfer")


class ImportOut(BaseModel):
    level: Level
    imported: int
    version: int = Field(description="the geography version after the import")
