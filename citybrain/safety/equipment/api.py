"""HTTP: special equipment (特种设备)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import get_session
from citybrain.safety.common import READ, REGISTRY
from citybrain.safety.equipment import service
from citybrain.safety.equipment.schemas import EquipmentIn, EquipmentInspectionIn
from citybrain.safety.outputs import EquipmentOut

router = APIRouter(tags=["safety: special equipment"])


@router.post("/equipment", status_code=201, response_model=EquipmentOut)
def create_equipment(
    body: EquipmentIn, actor: Actor = Depends(require(*REGISTRY)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.equipment_out(service.register_equipment(session, actor, body))


@router.get("/equipment", response_model=Page[EquipmentOut])
def list_equipment(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    unit_id: int | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
    params: ListParams = Depends(),
) -> Page[dict[str, Any]]:
    return service.list_equipment(session, actor, params, unit_id=unit_id, kind=kind, overdue=overdue)


@router.post("/equipment/{equipment_id}/inspections", response_model=EquipmentOut)
def inspect_equipment(
    equipment_id: int,
    body: EquipmentInspectionIn,
    actor: Actor = Depends(require(*REGISTRY)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return service.equipment_out(service.record_equipment_inspection(session, actor, equipment_id, body))
