"""Small GeoJSON builders shared by the geography tests."""

from __future__ import annotations

from typing import Any

from shapely.geometry import box, mapping


def feature(code: str, name: str, geom: Any, **props: Any) -> dict[str, Any]:
    g = geom if isinstance(geom, dict) else mapping(geom)
    return {"type": "Feature", "geometry": g, "properties": {"code": code, "name": name, **props}}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


# a small district of three streets, WGS-84 (the same layout as citybrain.geography.testing)
DISTRICT = box(104.00, 30.40, 104.06, 30.42)
STREETS = {
    "510116001": ("东升街道", box(104.00, 30.40, 104.02, 30.42), None),
    "510116002": ("西航港街道", box(104.02, 30.40, 104.04, 30.42), None),
    "510116003": ("华阳街道", box(104.04, 30.40, 104.06, 30.42), "四川天府新区成都直管区"),
}


def district_fc() -> dict[str, Any]:
    return collection(feature("510116", "双流区", DISTRICT))


def streets_fc() -> dict[str, Any]:
    return collection(*(feature(code, name, g, **({"managed_by": by} if by else {}))
                        for code, (name, g, by) in STREETS.items()))
