"""Shapes of the unit registry API (and of the importer's rows)."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from citybrain.core.errors import ValidationFailed
from citybrain.core.types import Latitude, Longitude
from citybrain.safety.grading import reference as ref
from citybrain.safety.schemas import PHONE, InModel, OptFloat, OptInt, OptStr, Position, one_of
from citybrain.safety.units import credit_code


class UnitIn(Position):
    """A production and business unit (生产经营单位)."""

    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(
        description="统一社会信用代码 (GB 32100), 18 characters with its check character"
    )
    industry: str
    venue_type: str
    scale: str = "small"
    address: str = Field(default="", max_length=300)
    employees: OptInt = Field(default=None, ge=0)
    fire_key_unit: bool | None = Field(
        default=None, description="消防安全重点单位; default from the venue type"
    )
    safety_officer: OptStr = Field(default=None, max_length=60)
    safety_officer_phone: OptStr = Field(default=None, pattern=PHONE)
    contact_phone: OptStr = Field(default=None, pattern=PHONE)
    lec_l: OptFloat = Field(default=None, description="LEC likelihood; all three or none (venue default)")
    lec_e: OptFloat = None
    lec_c: OptFloat = None

    _industry = field_validator("industry")(one_of(ref.INDUSTRIES, "industry"))
    _venue = field_validator("venue_type")(one_of(ref.VENUE_TYPES, "venue type"))
    _scale = field_validator("scale")(one_of(ref.SCALES, "scale"))

    @field_validator("credit_code")
    @classmethod
    def _credit(cls, v: str) -> str:
        try:
            return credit_code.normalise(v)
        except ValidationFailed as exc:
            raise ValueError(exc.msg) from None

    @field_validator("lec_l", "lec_e", "lec_c")
    @classmethod
    def _lec(cls, v: float | None, info: ValidationInfo) -> float | None:
        scale: dict[float, str] = {"lec_l": ref.LEC_L, "lec_e": ref.LEC_E, "lec_c": ref.LEC_C}[
            str(info.field_name)
        ]
        if v is not None and v not in scale:
            raise ValueError(f"{v:g} is not on the LEC scale {sorted(scale)}")
        return v


class UnitPatch(InModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    industry: str | None = None
    venue_type: str | None = None
    scale: str | None = None
    address: str | None = Field(default=None, max_length=300)
    lon: Longitude | None = None
    lat: Latitude | None = None
    crs: str = "wgs84"
    employees: int | None = Field(default=None, ge=0)
    fire_key_unit: bool | None = None
    safety_officer: str | None = Field(default=None, max_length=60)
    safety_officer_phone: str | None = Field(default=None, pattern=PHONE)
    contact_phone: str | None = Field(default=None, pattern=PHONE)
    lec_l: float | None = None
    lec_e: float | None = None
    lec_c: float | None = None
    active: bool | None = None

    @field_validator("industry")
    @classmethod
    def _industry(cls, v: str | None) -> str | None:
        return v if v is None else one_of(ref.INDUSTRIES, "industry")(v)

    @field_validator("venue_type")
    @classmethod
    def _venue(cls, v: str | None) -> str | None:
        return v if v is None else one_of(ref.VENUE_TYPES, "venue type")(v)

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: str | None) -> str | None:
        return v if v is None else one_of(ref.SCALES, "scale")(v)

