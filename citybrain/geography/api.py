"""Geography over HTTP: boundaries as GeoJSON, locate a point, area details, import.

Reading is public (no login): boundaries and codes are what a citizen's report form and the public
map need, and they carry no personal data. Importing needs the data_officer role (admin always may).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import shapely
from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.errors import PayloadTooLarge
from citybrain.core.roles import Role
from citybrain.core.web import get_session
from citybrain.geography import service
from citybrain.geography.models import Area
from citybrain.geography.schemas import AreaOut, CRSName, ImportOut, Level, LocationOut

router = APIRouter(prefix="/api/geography", tags=["geography"])

MAX_IMPORT_BYTES = 64 * 1024 * 1024


def _area_out(session: Session, area: Area, geometry: bool = False) -> AreaOut:
    props = service.area_properties(area, service.parent_code_of(session, area))
    geo = shapely.geometry.mapping(shapely.from_wkb(area.geometry_wkb)) if geometry else None
    return AreaOut(**props, label_point=(area.centroid_lon, area.centroid_lat), meta=area.meta or {}, geometry=geo)


@router.get("/locate", response_model=LocationOut)
def locate(
    lon: Annotated[float, Query(ge=-180, le=180, description="longitude in `crs`")],
    lat: Annotated[float, Query(ge=-90, le=90, description="latitude in `crs`")],
    crs: Annotated[CRSName, Query(description="CRS of the point: wgs84, gcj02 (AMap/Tencent) or bd09 (Baidu)")]
    = "wgs84",
    session: Session = Depends(get_session),
) -> LocationOut:
    """The grid, community, street and district of a point; 422 on field `location` outside the district."""
    try:
        loc = service.locate(session, lon, lat, crs)
    except service.OutsideDistrict as exc:
        raise service.OutsideDistrict(exc.msg, "location", loc="query") from None
    return LocationOut(**loc.as_dict())


@router.get("/areas/{code}", response_model=AreaOut)
def area(
    code: Annotated[str, Path(max_length=20)],
    geometry: Annotated[bool, Query(description="include the polygon (GeoJSON, WGS-84)")] = False,
    session: Session = Depends(get_session),
) -> AreaOut:
    return _area_out(session, service.get_area(session, code), geometry)


@router.get("/areas/{code}/children", response_model=list[AreaOut])
def area_children(code: Annotated[str, Path(max_length=20)], session: Session = Depends(get_session)) -> list[AreaOut]:
    parent = service.get_area(session, code)
    kids = session.scalars(select(Area).where(Area.parent_id == parent.id).order_by(Area.code))
    return [AreaOut(**service.area_properties(a, parent.code), label_point=(a.centroid_lon, a.centroid_lat),
                    meta=a.meta or {}) for a in kids]


@router.get(
    "/{level}.geojson",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}},
                     "description": "a GeoJSON FeatureCollection"}},
)
def level_geojson(
    level: Level,
    request: Request,
    simplify: Annotated[float | None, Query(ge=0, le=service.MAX_SIMPLIFY_M,
                                            description="simplify shared edges together, tolerance in metres")]
    = None,
    parent: Annotated[str | None, Query(max_length=20, description="only areas under this code")] = None,
    crs: Annotated[CRSName, Query(description="CRS of the coordinates returned")] = "wgs84",
    session: Session = Depends(get_session),
) -> Response:
    """All areas of one level as a FeatureCollection (properties code, name, level, parent_code,
    managed_by, managed_by_district, synthetic, households, area_km2)."""
    text = service.feature_collection(session, level, simplify, parent, crs)
    etag = '"' + hashlib.blake2b(text.encode(), digest_size=12).hexdigest() + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(text, media_type="application/geo+json", headers={"ETag": etag})


@router.post("/import", response_model=ImportOut)
async def import_areas(
    file: Annotated[UploadFile, File(description="a GeoJSON FeatureCollection")],
    level: Annotated[Level, Form()],
    crs: Annotated[CRSName, Form(description="CRS of the file's coordinates")] = "wgs84",
    replace: Annotated[bool, Form(description="update areas whose code exists")] = False,
    parent_code: Annotated[str | None, Form(max_length=20, description="every feature must be its child")] = None,
    actor: Actor = Depends(require(Role.DATA_OFFICER)),
    session: Session = Depends(get_session),
) -> ImportOut:
    """Import one level; all or nothing, every problem named by feature index and code (422)."""
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB", "file")
    n = service.import_geojson(session, data, level=level, crs=crs, replace=replace,
                               parent_code=parent_code or None, actor=actor)
    return ImportOut(level=level, imported=n, version=service.current_version(session))

