"""Shapes of hazard points and the GB 18218 assessment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from citybrain.core.errors import ValidationFailed
from citybrain.safety.grading import chemicals
from citybrain.safety.schemas import Colour, InModel, OptStr, Position, finite


class ChemicalIn(InModel):
    cas: str = Field(description="CAS registry number, e.g. 7446-09-5")
    quantity_t: float = Field(ge=0, description="tonnes present (maximum, by design capacity)")

    @field_validator("cas")
    @classmethod
    def _known(cls, v: str) -> str:
        try:
            return chemicals.lookup(v).cas
        except ValidationFailed as exc:
            raise ValueError(exc.msg) from None

    _q = field_validator("quantity_t")(finite)


class HazardPointIn(Position):
    """A fire hazard point (消防隐患点位) or a hazardous-chemical site (危化品隐患点位)."""

    kind: Literal["fire", "hazchem"]
    name: str = Field(min_length=1, max_length=200)
    unit_id: int | None = None
    unit_credit_code: OptStr = Field(default=None, description="links the unit by its credit code (imports)")
    description: str = Field(default="", max_length=4000)
    address: str = Field(default="", max_length=300)
    people_within_500m: int = Field(default=0, ge=0, description="for GB 18218's α")
    assessed_level: Colour | None = Field(default=None, description="an inspector's judgement of the point")
    chemicals: list[ChemicalIn] = Field(default_factory=list, max_length=200)


class MajorHazardIn(InModel):
    """A GB 18218 assessment without storing anything."""

    people_within_500m: int = Field(ge=0)
    chemicals: list[ChemicalIn] = Field(min_length=1, max_length=200)

