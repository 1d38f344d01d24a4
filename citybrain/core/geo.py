"""Coordinate reference systems at the edge, and distances.

Stored coordinates are WGS-84. Callers state their CRS: `wgs84`, `gcj02` (AMap, Tencent; China's
obfuscated datum) or `bd09` (Baidu, a further offset of GCJ-02). GCJ-02 is not a projection PROJ
knows, so the published forward formula is implemented here and inverted by fixed-point iteration to
sub-centimetre precision (a one-step inverse is off by up to a few metres).
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from citybrain.core.errors import ValidationFailed

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8


class CRS(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def parse_crs(value: str | CRS | None, field: str = "crs") -> CRS:
    if value is None:
        return CRS.WGS84
    v = str(value).lower().replace("-", "").replace("_", "")
    aliases = {"wgs84": CRS.WGS84, "epsg4326": CRS.WGS84, "gcj02": CRS.GCJ02, "amap": CRS.GCJ02,
               "bd09": CRS.BD09, "baidu": CRS.BD09}
    if v not in aliases:
        raise ValidationFailed(f"unknown CRS {value!r}: use wgs84, gcj02 or bd09", field)
    return aliases[v]


def _delta(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def in_china_box(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    """The rough box where GCJ-02 applies; outside it the datum equals WGS-84 (and the formula diverges)."""
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lo, la = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside = in_china_box(lo, la)
    dlon, dlat = _delta(np.where(inside, lo, 105.0), np.where(inside, la, 35.0))
    return np.where(inside, lo + dlon, lo), np.where(inside, la + dlat, la)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < 1e-10) and np.all(np.abs(elat) < 1e-10):
            break
    return wlon, wlat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    blon, blat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(10):  # the closed form is approximate (~0.1 m); refine against the forward formula
        flon, flat = gcj02_to_bd09(glon, glat)
        elon, elat = flon - blon, flat - blat
        glon, glat = glon - elon, glat - elat
        if np.all(np.abs(elon) < 1e-10) and np.all(np.abs(elat) < 1e-10):
            break
    return glon, glat


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str | CRS = CRS.WGS84) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    c = parse_crs(crs)
    if c == CRS.WGS84:
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if c == CRS.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str | CRS) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    c = parse_crs(crs)
    if c == CRS.WGS84:
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    g = wgs84_to_gcj02(lon, lat)
    return g if c == CRS.GCJ02 else gcj02_to_bd09(*g)


def point_to_wgs84(lon: float, lat: float, crs: str | CRS = CRS.WGS84) -> tuple[float, float]:
    check_lon_lat(lon, lat)
    x, y = to_wgs84(lon, lat, crs)
    return float(x), float(y)


def check_lon_lat(lon: float, lat: float, field: str = "location") -> None:
    if not (isinstance(lon, int | float) and isinstance(lat, int | float)) or math.isnan(lon) or math.isnan(lat):
        raise ValidationFailed("longitude and latitude must be numbers", field)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationFailed(f"({lon}, {lat}) is not a longitude/latitude pair", field)


def haversine_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in metres (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
