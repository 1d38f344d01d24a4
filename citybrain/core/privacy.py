"""Masking of personal data (phones, ID numbers) for roles that may not see it."""

from __future__ import annotations

import re

from citybrain.core.roles import Role

# Who sees personal data in full: people who must call or identify the person to do their job.
SEES_PERSONAL_DATA = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.DEPT_HANDLER})


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 else digits[:3] + "****"
    return "*" * len(digits)


def mask_id_number(idn: str | None) -> str | None:
    if not idn:
        return idn
    if len(idn) <= 8:
        return idn[:1] + "*" * (len(idn) - 1)
    return idn[:6] + "*" * (len(idn) - 10) + idn[-4:]


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def may_see_personal(role: str | Role | None) -> bool:
    return role is not None and Role(role) in SEES_PERSONAL_DATA


def phone_for(role: str | Role | None, phone: str | None) -> str | None:
    return phone if may_see_personal(role) else mask_phone(phone)


def id_number_for(role: str | Role | None, idn: str | None) -> str | None:
    return idn if may_see_personal(role) else mask_id_number(idn)
