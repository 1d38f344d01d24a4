"""HTTP: the reference tables the rules use and the calculations that store nothing (GB 18218, 493号)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from citybrain.core.auth import Actor, require
from citybrain.safety.common import READ
from citybrain.safety.grading import reference as ref
from citybrain.safety.grading.accident import grade, grade_zh
from citybrain.safety.grading.chemicals import catalogue
from citybrain.safety.grading.major_hazard import Holding, assess
from citybrain.safety.hazards.schemas import MajorHazardIn

router = APIRouter(tags=["safety: reference"])


@router.get("/reference")
def reference(_a: Actor = Depends(require(*READ))) -> dict[str, Any]:
    """The tables the rules use: levels, LEC scales and bands, industries, venue types, equipment kinds,
    dynamic rules, accident grades."""
    return ref.as_dict()


@router.get("/chemicals")
def chemicals(_a: Actor = Depends(require(*READ))) -> list[dict[str, Any]]:
    """The GB 18218 catalogue by CAS, with how sure we are of each critical quantity."""
    return catalogue()


@router.post("/major-hazard/assess")
def assess_major_hazard(body: MajorHazardIn, _a: Actor = Depends(require(*READ))) -> dict[str, Any]:
    """GB 18218: S = Σ q/Q and, for a major hazard source, R = α·Σ β q/Q and its grade (nothing stored)."""
    return assess([Holding(c.cas, c.quantity_t) for c in body.chemicals], body.people_within_500m).as_dict()


@router.get("/accident-grade")
def accident_grade(
    deaths: int = Query(0, ge=0),
    serious_injuries: int = Query(0, ge=0),
    direct_loss_yuan: float = Query(0, ge=0),
    _a: Actor = Depends(require(*READ)),
) -> dict[str, str]:
    return {"grade": (g := grade(deaths, serious_injuries, direct_loss_yuan)), "grade_zh": grade_zh(g)}
