"""What the directory API takes and returns."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from citybrain.directory.models import DEPARTMENT_KINDS

DepartmentKind = Literal["bureau", "street_office", "command_centre", "linkage_unit", "external_admin"]
assert set(DepartmentKind.__args__) == set(DEPARTMENT_KINDS)  # type: ignore[attr-defined]

CODE_PATTERN = r"^[a-z][a-z0-9\-]{1,39}$"
PHONE_PATTERN = r"^[0-9+\- ]{3,30}$"
AREA_PATTERN = r"^[0-9]{6,15}$"


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN, description="stable code other domains route by, e.g. 'yjj'")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=120)
    kind: DepartmentKind = "bureau"
    area_code: str | None = Field(default=None, pattern=AREA_PATTERN,
                                  description="the street/town a street office serves")
    parent_code: str | None = Field(default=None, pattern=CODE_PATTERN)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)


class DepartmentPatch(BaseModel):
    """Fields to change; the code never changes (other domains route by it)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=120)
    kind: DepartmentKind | None = None
    area_code: str | None = Field(default=None, pattern=AREA_PATTERN)
    parent_code: str | None = Field(default=None, pattern=CODE_PATTERN)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    name_en: str
    kind: str
    area_code: str | None
    parent_id: int | None
    phone: str | None
    created_at: dt.datetime


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80, description="a person, or the duty room (值班室)")
    title: str = Field(default="", max_length=80)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    email: str | None = Field(default=None, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    on_duty: bool = Field(default=False, description="warnings and dispatches go to the department's duty contacts")


class ContactOut(BaseModel):
    id: int
    department_code: str
    name: str
    title: str
    phone: str | None = Field(description="masked unless the reader's role may see personal data")
    email: str | None
    on_duty: bool
