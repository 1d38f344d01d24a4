"""The hazardous-chemical catalogue keyed by CAS number: critical quantity Q (临界量, GB 18218-2018
Table 1) and correction factor β (校正系数, Table 3/4).

Status of the figures (see REFERENCE.md §3.2): SO₂ Q = 20 t with β = 2 is the standard's worked example
(secondary); the β values of the toxic gases and of the classes are (secondary); every other critical
quantity is (unverified) — transcribed for CityBrain's demo and triage, to be checked against the text of
GB 18218-2018 Table 1 before a regulator relies on it. A third-party copy of Table 1 is known to be corrupt,
so entries are keyed and tested by CAS number, never by name alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from citybrain.core.errors import ValidationFailed

SECONDARY, UNVERIFIED = "secondary", "unverified"

# β by class (GB 18218-2018 Table 4; secondary), used when a substance has no β of its own.
BETA_BY_CLASS = {
    "explosive": 2.0,
    "flammable_gas": 1.5,
    "toxic_gas": 2.0,
    "highly_toxic_gas": 4.0,
    "other": 1.0,
}


@dataclass(frozen=True)
class Chemical:
    cas: str
    name_zh: str
    name_en: str
    critical_t: float  # Q, tonnes
    hazard: str  # key of BETA_BY_CLASS
    beta: float  # β for the R value
    status: str  # how sure we are of critical_t: secondary / unverified


def _c(
    cas: str, zh: str, en: str, q: float, hazard: str, beta: float | None = None, status: str = UNVERIFIED
) -> Chemical:
    return Chemical(cas, zh, en, q, hazard, beta if beta is not None else BETA_BY_CLASS[hazard], status)


CATALOGUE: dict[str, Chemical] = {
    c.cas: c
    for c in (
        # toxic gases with their own β (Table 3; β secondary)
        _c("7446-09-5", "二氧化硫", "sulphur dioxide", 20, "toxic_gas", 2, SECONDARY),
        _c("7664-41-7", "氨", "ammonia", 10, "toxic_gas", 2),
        _c("630-08-0", "一氧化碳", "carbon monoxide", 10, "toxic_gas", 2),
        _c("75-21-8", "环氧乙烷", "ethylene oxide", 10, "toxic_gas", 2),
        _c("7647-01-0", "氯化氢（无水）", "hydrogen chloride, anhydrous", 20, "toxic_gas", 3),
        _c("74-83-9", "溴甲烷", "methyl bromide", 10, "toxic_gas", 3),
        _c("7782-50-5", "氯", "chlorine", 5, "toxic_gas", 4),
        _c("7783-06-4", "硫化氢", "hydrogen sulphide", 5, "toxic_gas", 5),
        _c("7664-39-3", "氟化氢", "hydrogen fluoride", 1, "toxic_gas", 5),
        _c("10102-44-0", "二氧化氮", "nitrogen dioxide", 1, "toxic_gas", 10),
        _c("74-90-8", "氰化氢", "hydrogen cyanide", 1, "toxic_gas", 10),
        _c("75-44-5", "光气", "phosgene", 0.3, "highly_toxic_gas", 20),
        _c("7803-51-2", "磷化氢", "phosphine", 1, "highly_toxic_gas", 20),
        _c("624-83-9", "异氰酸甲酯", "methyl isocyanate", 0.75, "highly_toxic_gas", 20),
        # flammable gases (β 1.5)
        _c("1333-74-0", "氢", "hydrogen", 5, "flammable_gas"),
        _c("8006-14-2", "天然气", "natural gas", 50, "flammable_gas"),
        _c("74-82-8", "甲烷", "methane", 50, "flammable_gas"),
        _c("68476-85-7", "液化石油气", "liquefied petroleum gas", 50, "flammable_gas"),
        _c("74-86-2", "乙炔", "acetylene", 1, "flammable_gas"),
        _c("74-85-1", "乙烯", "ethylene", 50, "flammable_gas"),
        _c("75-01-4", "氯乙烯", "vinyl chloride", 50, "flammable_gas"),
        _c("106-99-0", "1,3-丁二烯", "1,3-butadiene", 5, "flammable_gas"),
        _c("115-10-6", "二甲醚", "dimethyl ether", 50, "flammable_gas"),
        # flammable liquids and others (β 1)
        _c("86290-81-5", "汽油", "gasoline", 200, "other"),
        _c("68334-30-5", "柴油", "diesel fuel", 5000, "other"),
        _c("67-56-1", "甲醇", "methanol", 500, "other"),
        _c("64-17-5", "乙醇", "ethanol", 500, "other"),
        _c("71-43-2", "苯", "benzene", 50, "other"),
        _c("108-88-3", "甲苯", "toluene", 500, "other"),
        _c("67-64-1", "丙酮", "acetone", 500, "other"),
        _c("141-78-6", "乙酸乙酯", "ethyl acetate", 500, "other"),
        _c("100-42-5", "苯乙烯", "styrene", 500, "other"),
        _c("75-15-0", "二硫化碳", "carbon disulphide", 50, "other"),
        _c("7782-44-7", "氧（压缩的或液化的）", "oxygen, compressed or liquefied", 200, "other"),
    )
}

_CAS_RE = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def cas_is_well_formed(cas: str) -> bool:
    """A CAS registry number's shape and its check digit (Σ position × digit mod 10, from the right)."""
    m = _CAS_RE.match(cas or "")
    if not m:
        return False
    digits = (m.group(1) + m.group(2))[::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(m.group(3))


def lookup(cas: str, field: str = "cas") -> Chemical:
    """The catalogue entry, or a 422 naming `field`: malformed numbers and unknown substances differ."""
    cas = (cas or "").strip()
    if not cas_is_well_formed(cas):
        raise ValidationFailed(
            f"{cas!r} is not a valid CAS number (NNNNNNN-NN-N with its check digit)", field
        )
    chem = CATALOGUE.get(cas)
    if chem is None:
        raise ValidationFailed(f"unknown chemical CAS {cas}: not in the GB 18218 catalogue", field)
    return chem


def catalogue() -> list[dict[str, Any]]:
    """The catalogue as the API shows it (`GET /api/safety/chemicals`)."""
    return [
        {"cas": c.cas, "name": c.name_zh, "name_en": c.name_en, "critical_t": c.critical_t, "beta": c.beta,
         "hazard": c.hazard, "status": c.status}
        for c in CATALOGUE.values()
    ]
