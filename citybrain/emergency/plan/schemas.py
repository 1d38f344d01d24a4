"""The plan document (what is imported, exported, versioned) and the API's shapes for types and plans.

A plan document names departments by their directory codes (`yjj`, `xf`, `link-scal` …), so it can
be moved between installations. Structure follows 国办发〔2024〕5号's 应急响应 chapter: who leads, who
supports, which linkage units (联动单位) join, the level triggers (Ⅰ–Ⅳ), and the procedure (处置流程)
as ordered steps, each done by a role (a working group such as 抢险救援组) that one department fills,
with a deadline in minutes after activation.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from citybrain.emergency.inputs import In
from citybrain.emergency.levels import Category, LevelIn, Metric

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$"
MAX_DEADLINE_MINUTES = 30 * 24 * 60


class ResourceKind(StrEnum):
    RESCUE_TEAM = "rescue_team"  # 救援队伍
    EXPERT = "expert"  # 专家
    DEPOT = "depot"  # 物资储备库
    SHELTER = "shelter"  # 避难场所


class _Strict(In):
    pass


class Trigger(_Strict):
    """A machine-checkable condition, e.g. deaths >= 3."""

    metric: Metric
    op: Literal[">=", ">"] = ">="
    value: float = Field(ge=0)

    def met(self, figures: dict[str, float]) -> bool:
        have = float(figures.get(self.metric.value) or 0)
        return have >= self.value if self.op == ">=" else have > self.value


class LevelRule(_Strict):
    """One response level: it applies when any of its triggers is met."""

    level: LevelIn
    name: str = Field(default="", max_length=60)
    triggers: list[Trigger] = Field(default_factory=list, max_length=20)
    actions: str = Field(default="", max_length=4000)  # the response measures (响应措施), as text


class PlanRole(_Strict):
    """A working group (工作组) of the plan and the department that fills it."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=60)
    department: str | None = Field(default=None, max_length=40)


class PlanStep(_Strict):
    """One step of the procedure: who does what, within how many minutes of activation."""

    role: str = Field(min_length=1, max_length=40)
    action: str = Field(min_length=1, max_length=500)
    deadline_minutes: int = Field(ge=0, le=MAX_DEADLINE_MINUTES)
    levels: list[LevelIn] = Field(default_factory=list, max_length=4)  # empty: at every level


class PlanNeed(_Strict):
    """A resource the plan calls for: `count` of a kind (with a specialty), or a quantity of an item."""

    kind: ResourceKind
    specialty: str | None = Field(default=None, max_length=60)
    count: int = Field(default=1, ge=1, le=1000)
    item: str | None = Field(default=None, max_length=60)  # depots: the supply item
    quantity: float | None = Field(default=None, gt=0)  # depots: how much of the item
    levels: list[LevelIn] = Field(default_factory=list, max_length=4)


class PlanDocument(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    incident_type: str = Field(min_length=1, max_length=40)
    kind: Literal["general", "special", "department", "unit"] = "special"
    lead_department: str = Field(min_length=1, max_length=40)
    supporting_departments: list[str] = Field(default_factory=list, max_length=100)
    linkage_units: list[str] = Field(default_factory=list, max_length=50)
    roles: list[PlanRole] = Field(min_length=1, max_length=100)
    levels: list[LevelRule] = Field(min_length=1, max_length=4)
    steps: list[PlanStep] = Field(min_length=1, max_length=500)
    needs: list[PlanNeed] = Field(default_factory=list, max_length=100)


class PlanSaveIn(_Strict):
    document: PlanDocument
    note: str = Field(default="", max_length=500)


class IncidentTypeIn(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_\-]{1,39}$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=120)
    category: Category
    description: str = Field(default="", max_length=2000)


class IncidentTypeOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    category: str
    category_name: str
    description: str
    plan_codes: list[str] = []


class PlanVersionOut(BaseModel):
    version: int
    note: str
    created_by: str
    created_at: dt.datetime
    digest: str


class PlanOut(BaseModel):
    id: int
    code: str
    title: str
    kind: str
    incident_type: str
    incident_type_name: str
    category: str
    lead_department: str
    lead_department_name: str
    current_version: int
    updated_at: dt.datetime
    versions: list[PlanVersionOut] = []
    document: dict[str, Any] | None = None


class PlanSaved(BaseModel):
    code: str
    version: int
    created: bool  # a new plan
    changed: bool  # a new version was written (False: the document equals the current version)


class ImportResult(BaseModel):
    plans: list[PlanSaved]
