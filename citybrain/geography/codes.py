"""Area codes after GB/T 30428.1 (单元网格): 6-digit county (GB/T 2260) + 3-digit township
(GB/T 10114) + 3-digit community + 3-digit grid, so a grid code has 15 digits and every prefix is
the code of an ancestor."""

from __future__ import annotations

LEVELS = ("district", "street", "community", "grid")
CODE_LENGTH = {"district": 6, "street": 9, "community": 12, "grid": 15}
PARENT_LEVEL = {"street": "district", "community": "street", "grid": "community"}
LEVEL_OF_LENGTH = {n: lvl for lvl, n in CODE_LENGTH.items()}


def code_problem(code: str, level: str) -> str | None:
    """Why `code` is not a well-formed code for `level`, or None."""
    want = CODE_LENGTH[level]
    if not code.isascii() or not code.isdigit():
        return f"code {code!r} must be digits only (GB/T 30428.1)"
    if len(code) != want:
        return (f"code {code!r} has {len(code)} digits; a {level} code has {want} "
                "(6 county + 3 township + 3 community + 3 grid, GB/T 30428.1)")
    if level != "district" and code[-3:] == "000":
        return f"code {code!r}: the last three digits number the {level} within its parent and cannot be 000"
    if code[:2] == "00" or code[2:6] == "0000":
        return f"code {code!r}: the first six digits must be a county code (GB/T 2260)"
    return None


def parent_code(code: str) -> str | None:
    return code[:-3] if len(code) > CODE_LENGTH["district"] else None


def level_of(code: str) -> str | None:
    return LEVEL_OF_LENGTH.get(len(code))
