"""The base of emergency command's input shapes: unknown fields refused, text trimmed, and no `true`/`false`
where a number belongs (issue #13 item 6) — Pydantic's lax mode would read `true` as 1 injured person.
Coordinates and times use the shared kit (`core.types`)."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def _takes_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_takes_bool(a) for a in typing.get_args(annotation))
    return False


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        if isinstance(v, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _takes_bool(field.annotation):
                raise ValueError("give a value of the right kind, not true/false")
        return v
