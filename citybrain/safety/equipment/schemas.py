"""Shapes of special equipment (特种设备)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from citybrain.safety.grading import reference as ref
from citybrain.safety.schemas import InModel, OptStr, blank_to_none, date_not_before_2000, one_of


class EquipmentIn(InModel):
    """Special equipment (特种设备)."""

    kind: str
    registration_no: str = Field(min_length=3, max_length=40, description="使用登记证编号")
    unit_id: int | None = None
    unit_credit_code: OptStr = None
    equipment_code: OptStr = Field(default=None, max_length=40)
    model: str = Field(default="", max_length=100)
    location: str = Field(default="", max_length=200)
    last_inspection: Annotated[dt.date | None, BeforeValidator(blank_to_none), AfterValidator(date_not_before_2000)] = None
    next_due: Annotated[dt.date | None, BeforeValidator(blank_to_none), AfterValidator(date_not_before_2000)] = None
    status: Literal["in_use", "stopped", "scrapped"] = "in_use"

    _kind = field_validator("kind")(one_of(ref.EQUIPMENT_KINDS, "equipment kind"))

    @field_validator("next_due")
    @classmethod
    def _after_last(cls, v: dt.date | None, info: ValidationInfo) -> dt.date | None:
        last = info.data.get("last_inspection")
        if v is not None and last is not None and v < last:
            raise ValueError(f"next inspection {v} is before the last one {last}")
        return v


class EquipmentInspectionIn(InModel):
    inspected_on: Annotated[dt.date, AfterValidator(date_not_before_2000)]
    next_due: Annotated[dt.date | None, AfterValidator(date_not_before_2000)] = None
    passed: bool = True

