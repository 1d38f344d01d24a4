"""Geography over HTTP: boundaries as GeoJSON, locate a point, area details, import.

Reading is public (no login): boundaries and codes are what a citizen's report form and the public
map need, and they carry no personal data. Importing needs the data_officer role (admin always may).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import Role
from citybrain.core.types import CRSName, LatitudeQuery, LongitudeQuery
from citybrain.core.web import get_session
from citybrain.geography import service
from citybrain.geography.schemas import AreaOut, ImportOut, Level, LocationOut

router = APIRouter(prefix="/api/geography", tags=["geography"])


@router.get("/locate", response_model=LocationOut)
def locate(
    lon: Annotated[LongitudeQuery, Query(description="longitude in `crs`")],
    lat: Annotated[LatitudeQuery, Query(description="latitude in `crs`")],
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
    return service.read_area(session, code, geometry)


@router.get("/areas/{code}/children", response_model=Page[AreaOut])
def area_children(code: Annotated[str, Path(max_length=20)], session: Session = Depends(get_session),
                  params: ListParams = Depends()) -> Page[AreaOut]:
    return service.children_page(session, code, params)


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
def import_areas(
    file: Annotated[UploadFile, File(description="a GeoJSON FeatureCollection")],
    level: Annotated[Level, Form()],
    crs: Annotated[CRSName, Form(description="CRS of the file's coordinates")] = "wgs84",
    replace: Annotated[bool, Form(description="update areas whose code exists")] = False,
    parent_code: Annotated[str | None, Form(max_length=20, description="every feature must be its child")] = None,
    actor: Actor = Depends(require(Role.DATA_OFFICER)),
    session: Session = Depends(get_session),
) -> ImportOut:
    """Import one level; all or nothing, every problem named by feature index and code (422).

    A plain `def`: reading the upload and writing the areas block, so FastAPI runs it in a thread."""
    return service.import_upload(session, actor, file.file, level=level, crs=crs, replace=replace,
                                 parent_code=parent_code or None)

