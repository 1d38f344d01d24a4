"""统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters and a check character.

Layout: 登记管理部门代码 (1) + 机构类别代码 (1) + 登记管理机关行政区划码 (6) + 主体标识码 (9) + 校验码 (1).
The alphabet is the digits and the capitals without I, O, S, V, Z (31 symbols, valued 0–30); the
weight of position i (1-based) is 3^(i-1) mod 31, and the check value is 31 − (Σ value × weight mod 31),
with 31 written as 0.
"""

from __future__ import annotations

from citybrain.core.errors import ValidationFailed

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def check_character(first17: str) -> str:
    total = sum(VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({ch for ch in code if ch not in VALUE})
    if bad:
        return f"characters {''.join(bad)!r} are not allowed (digits and capitals except I, O, S, V, Z)"
    if not code[2:8].isdigit():
        return "characters 3–8 must be the six-digit administrative division code"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def normalise(code: str, field: str = "credit_code") -> str:
    """The code upper-cased and stripped, or a 422 naming `field` with what is wrong."""
    code = (code or "").strip().upper()
    why = problem(code)
    if why:
        raise ValidationFailed(f"invalid unified social credit code {code!r}: {why}", field)
    return code


def make(first17: str) -> str:
    """A complete code from its first 17 characters (demo data and tests)."""
    return first17 + check_character(first17)
