"""Masking of personal data (phones, ID numbers) for roles that may not see it."""

from __future__ import annotations

import re
from typing import Any

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


# ── masking whole documents (audit snapshots, feed payloads) ──────────────────────────────────────
_PHONE_KEYS = re.compile(r"(^|_)(phone|phones|mobile|tel|telephone|contact_number)($|_)", re.I)
_ID_KEYS = re.compile(r"(^|_)(id_number|id_card|idcard|id_no|identity_number)($|_)", re.I)
# inside free text: a mainland mobile number, a resident ID number (18 characters, the last may be X)
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")


def mask_text(text: str) -> str:
    """Phone and ID numbers written inside a text (a note, a description), masked."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def mask_personal(value: Any, role: str | Role | None) -> Any:
    """`value` (a snapshot, a payload: dicts, lists, texts) as `role` may see it.

    Roles that may see personal data get it unchanged. For the others, recursively: a value under a key
    naming a phone or an ID number is masked, and phone and ID numbers written inside any text too.
    """
    if may_see_personal(role):
        return value
    return _mask(value, None)


def _mask(value: Any, key: str | None) -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v, key) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and key and _PHONE_KEYS.search(key):
        return mask_phone(str(value))
    if not isinstance(value, str):
        return value
    if key and _PHONE_KEYS.search(key):
        return mask_phone(value)
    if key and _ID_KEYS.search(key):
        return mask_id_number(value)
    return mask_text(value)
