"""HTTP: alarm rules (read by staff, edited by data officers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import STAFF
from citybrain.core.web import get_session
from citybrain.monitoring import policies
from citybrain.monitoring.rules import service
from citybrain.monitoring.rules.schemas import RuleIn, RuleOut, RulePatch

router = APIRouter(tags=["monitoring: rules"])


@router.get("/rules", response_model=Page[RuleOut])
def list_rules(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
               params: ListParams = Depends(), sensor_type: str | None = Query(default=None, max_length=30)
               ) -> Page[Any]:
    return service.list_rules(session, actor, params, sensor_type)


@router.post("/rules", response_model=RuleOut, status_code=201)
def create_rule(body: RuleIn, actor: Actor = Depends(require(*policies.EDITORS)),
                session: Session = Depends(get_session)) -> dict[str, Any]:
    """A rule; an unknown sensor type, sensor or field is a 422 naming it."""
    return service.rule_out(session, service.create(session, actor, body))


@router.get("/rules/{rule_id}", response_model=RuleOut)
def get_rule(rule_id: int, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
             ) -> dict[str, Any]:
    return service.rule_out(session, service.get_rule(session, actor, rule_id))


@router.patch("/rules/{rule_id}", response_model=RuleOut)
def update_rule(rule_id: int, body: RulePatch, actor: Actor = Depends(require(*policies.EDITORS)),
                session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.rule_out(session, service.update(session, actor, rule_id, body))
