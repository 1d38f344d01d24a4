"""The text of a risk prompt: templates with variables, the sender's signature, and length counted the way
Chinese SMS providers bill it.

Counting (UCS-2, as for any text with Chinese characters): one message carries up to 70 characters
*including* the signature 【双流应急】; a longer text is sent as concatenated segments of 67 characters each
(3 characters of each go to the concatenation header, UDH); providers refuse texts over 500 characters.

Characters outside the Basic Multilingual Plane (emoji, CJK Extension B–G ideographs, mathematical
letters) need two UCS-2 code units (a surrogate pair); a well-known SMPP client splits segments by code
unit and can cut a pair in two, so the phone shows garbage. We therefore **normalise** the ones that have
a plain equivalent (Unicode NFKC maps e.g. 𝟏 → 1, 𝐀 → A) and **refuse** the rest (emoji, rare
ideographs such as 𠀀), naming the character — a silent deletion could change a name or a place.
"""

from __future__ import annotations

import math
import string
import unicodedata
from dataclasses import dataclass
from typing import Any

from citybrain.core.errors import ValidationFailed

SIGNATURE = "【双流应急】"
SINGLE = 70  # characters in a one-part message, signature included
PER_SEGMENT = 67  # characters per part of a concatenated message
MAX_CHARS = 500


@dataclass(frozen=True)
class Length:
    chars: int  # signature included
    segments: int
    normalised: list[str]  # "𝟏→1" for each character replaced


def normalise_bmp(text: str, field: str = "text") -> tuple[str, list[str]]:
    """`text` with every character outside the BMP replaced by its NFKC equivalent; refused, naming the
    first one and its position, if it has none inside the BMP."""
    out: list[str] = []
    changed: list[str] = []
    for i, ch in enumerate(text):
        if ord(ch) <= 0xFFFF:
            out.append(ch)
            continue
        plain = unicodedata.normalize("NFKC", ch)
        if plain and all(ord(c) <= 0xFFFF for c in plain):
            out.append(plain)
            changed.append(f"{ch}→{plain}")
            continue
        name = unicodedata.name(ch, f"U+{ord(ch):04X}")
        raise ValidationFailed(
            f"character {ch!r} ({name}, U+{ord(ch):04X}) at position {i + 1} is outside the Basic Multilingual "
            "Plane and has no plain equivalent: SMS gateways split it across segments; write it another way",
            field)
    return "".join(out), changed


def length(body: str) -> Length:
    """The billed length of `body` once signed: characters and segments (BMP text assumed)."""
    n = len(SIGNATURE) + len(body)
    return Length(n, 1 if n <= SINGLE else math.ceil(n / PER_SEGMENT), [])


def check(body: str, field: str = "text") -> tuple[str, Length]:
    """The body normalised and its length; refused, naming `field`, when empty or over 500 characters."""
    text, changed = normalise_bmp(body.strip(), field)
    if not text:
        raise ValidationFailed("the text is empty", field)
    n = length(text)
    if n.chars > MAX_CHARS:
        raise ValidationFailed(f"the text is {n.chars} characters with the signature {SIGNATURE}; "
                               f"at most {MAX_CHARS}", field)
    return text, Length(n.chars, n.segments, changed)


def signed(body: str) -> str:
    return SIGNATURE + body


def variables_of(template: str, field: str = "template") -> list[str]:
    """The variables a template uses, in order of first use: `{street}`, `{time}` … (plain names only)."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as e:
        raise ValidationFailed(f"the template's braces do not match: {e}", field) from None
    for _, name, spec, conv in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conv:
            raise ValidationFailed(f"{{{name}}} is not a plain variable like {{street}}", field)
        if name not in names:
            names.append(name)
    return names


def render(template: str, variables: dict[str, Any], field: str = "variables") -> str:
    """The template with its variables filled in; a missing or blank one is an error naming it."""
    values: dict[str, str] = {}
    for name in variables_of(template):
        v = variables.get(name)
        if v is None or str(v).strip() == "":
            raise ValidationFailed(f"the template needs the variable {{{name}}}", f"{field}.{name}")
        values[name] = str(v).strip()
    return template.format_map(values)
