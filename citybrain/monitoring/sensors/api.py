"""HTTP: sensor types and the sensor registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.errors import PayloadTooLarge
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import STAFF
from citybrain.core.web import get_session
from citybrain.monitoring import policies
from citybrain.monitoring.reference import TYPES
from citybrain.monitoring.sensors import service
from citybrain.monitoring.sensors.schemas import ImportOut, SensorIn, SensorOut, SensorPatch, SensorTypeOut

router = APIRouter(tags=["monitoring: sensors"])
EDITORS = tuple(policies.EDITORS)


@router.get("/types", response_model=list[SensorTypeOut])
def types(actor: Actor = Depends(require(*STAFF))) -> list[dict[str, Any]]:
    """Sensor types with their unit, valid range, default interval and raw-data retention."""
    return [{"code": t.code, "name": t.name, "name_en": t.name_en, "unit": t.unit, "low": t.low, "high": t.high,
             "interval_s": t.interval_s, "retention_days": t.retention_days} for t in TYPES.values()]


@router.get("/sensors", response_model=Page[SensorOut])
def list_sensors(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                 params: ListParams = Depends(), type: str | None = Query(default=None, max_length=30),
                 street: str | None = Query(default=None, max_length=20)) -> Page[Any]:
    return service.list_sensors(session, actor, params, type, street)


@router.post("/sensors", response_model=SensorOut, status_code=201)
def register(body: SensorIn, actor: Actor = Depends(require(*EDITORS)),
             session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.outs(session, [service.register(session, actor, body)])[0]


def _upload(request: Request, file: UploadFile = File(..., description="UTF-8 CSV or .xlsx (first sheet), first "
                                                                           "row the header")
            ) -> bytes:
    limit = request.app.state.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes", "file")
    return content


@router.post("/sensors/import", response_model=ImportOut)
def import_sensors(actor: Actor = Depends(require(*EDITORS)), content: bytes = Depends(_upload),
                   session: Session = Depends(get_session)) -> Any:
    """Register or update sensors from a CSV or an .xlsx workbook; good rows are kept, each bad row is reported
    with its errors."""
    return service.import_csv(session, actor, content)


@router.get("/sensors/{code}", response_model=SensorOut)
def get_sensor(code: str, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
               ) -> dict[str, Any]:
    """A sensor with its last reading (time in the configured zone) and its state."""
    policies.READ.allow(session, actor)
    return service.outs(session, [service.get_sensor(session, code)])[0]


@router.patch("/sensors/{code}", response_model=SensorOut)
def update(code: str, body: SensorPatch, actor: Actor = Depends(require(*EDITORS)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.outs(session, [service.update(session, actor, code, body)])[0]
