"""Scenarios: a network, its route files and a time window, by RESCO name or by explicit files.

The RESCO scenarios are read as data from the ``sumo_rl`` wheel (``sumo_rl/nets/RESCO/<name>/``):
the net file, the route files and the window (``begin``/``end``) come from the ``.sumocfg`` shipped
beside them, which carries RESCO's published windows (cologne* 25200–28800 s, ingolstadt*
57600–61200 s, grid4x4 and arterial4x4 0–3600 s). ``sumo_rl`` is located without importing it
(importing it needs ``SUMO_HOME`` and pulls in gymnasium).

Any other SUMO scenario runs from explicit files (:func:`from_files`) or its own ``.sumocfg``
(:func:`from_sumocfg`).
"""

from __future__ import annotations

import importlib.util
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from citybrain.traffic.errors import OptionError

#: The development maps of issue 7 (REFERENCE 7.1); the bench runs these by default.
DEV_SCENARIOS: tuple[str, ...] = ("cologne1", "cologne8", "ingolstadt1", "ingolstadt21", "grid4x4")


@dataclass(frozen=True)
class Scenario:
    name: str
    net: Path
    routes: tuple[Path, ...]
    begin: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.begin


def resco_dir() -> Path:
    """``sumo_rl/nets/RESCO`` inside the installed sumo-rl wheel."""
    spec = importlib.util.find_spec("sumo_rl")
    if spec is None or not spec.submodule_search_locations:
        raise OptionError(
            "scenario", "the sumo-rl package (which ships the RESCO scenarios) is not installed"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "nets" / "RESCO"


def resco_names() -> list[str]:
    """Names of the RESCO scenarios shipped in the installed sumo-rl."""
    root = resco_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.sumocfg")))


def scenario(name: str) -> Scenario:
    """A RESCO scenario by name (``cologne1``, ``ingolstadt21``, ``grid4x4`` …)."""
    names = resco_names()
    if name not in names:
        raise OptionError("scenario", f"unknown scenario {name!r}; known: {', '.join(names)}")
    cfg = next((resco_dir() / name).glob("*.sumocfg"))
    return from_sumocfg(cfg, name=name)


def from_sumocfg(path: Path | str, name: str | None = None) -> Scenario:
    """Net, routes and window from a ``.sumocfg`` file (paths relative to the file)."""
    cfg = Path(path)
    if not cfg.is_file():
        raise OptionError("sumocfg", f"no such file: {cfg}")
    try:
        root = ET.parse(cfg).getroot()
    except ET.ParseError as exc:
        raise OptionError("sumocfg", f"{cfg} is not valid XML: {exc}") from exc

    def value(tag: str) -> str | None:
        el = root.find(f".//{tag}")
        return None if el is None else el.get("value")

    net = value("net-file")
    routes = value("route-files")
    if not net or not routes:
        raise OptionError("sumocfg", f"{cfg} names no net-file or no route-files")
    begin = float(value("begin") or 0.0)
    end_text = value("end")
    if end_text is None:
        raise OptionError("sumocfg", f"{cfg} has no <end>; give the window explicitly")
    base = cfg.parent
    return from_files(
        base / net,
        [base / r.strip() for r in routes.split(",") if r.strip()],
        begin,
        float(end_text),
        name=name or cfg.stem,
    )


def from_files(
    net: Path | str, routes: Sequence[Path | str], begin: float, end: float, name: str | None = None
) -> Scenario:
    """A scenario from explicit files and window; every problem names its option."""
    net_path = Path(net)
    if not net_path.is_file():
        raise OptionError("net", f"no such file: {net_path}")
    if not routes:
        raise OptionError("routes", "at least one route file is needed")
    route_paths = tuple(Path(r) for r in routes)
    for r in route_paths:
        if not r.is_file():
            raise OptionError("routes", f"no such file: {r}")
    for label, v in (("begin", begin), ("end", end)):
        if not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise OptionError(label, f"{label} must be a time >= 0 s, got {v!r}")
    if end <= begin:
        raise OptionError("end", f"end ({end}) must be after begin ({begin})")
    return Scenario(name or net_path.name.split(".")[0], net_path, route_paths, float(begin), float(end))


def resolve(names: Iterable[str]) -> list[Scenario]:
    """Scenarios by name; ``all`` expands to every RESCO scenario shipped, ``dev`` to the 5 dev maps."""
    out: list[Scenario] = []
    for n in names:
        if n == "all":
            out.extend(scenario(x) for x in resco_names())
        elif n == "dev":
            out.extend(scenario(x) for x in DEV_SCENARIOS)
        else:
            out.append(scenario(n))
    return out


def _flow_departures(el: ET.Element) -> list[tuple[str, float]]:
    """Scheduled departures of a deterministic ``<flow>`` (``number``/``period``/``vehsPerHour``).

    Probabilistic flows (``probability``) have no schedule; they are left out (documented)."""
    fid = el.get("id", "")
    b = float(el.get("begin", "0"))
    e = float(el.get("end", "inf")) if el.get("end") else math.inf
    number = el.get("number")
    period = el.get("period")
    vph = el.get("vehsPerHour") or el.get("perHour")
    if period is not None and not period.startswith("exp("):
        step = float(period)
    elif vph is not None:
        step = 3600.0 / float(vph)
    elif number is not None and math.isfinite(e):
        step = (e - b) / max(int(number), 1)
    else:
        return []
    count = int(number) if number is not None else int(math.floor((e - b) / step + 1e-9))
    out = []
    for i in range(count):
        t = b + i * step
        if t >= e:
            break
        out.append((f"{fid}.{i}", t))
    return out


def scheduled_departures(routes: Iterable[Path], begin: float, end: float) -> dict[str, float]:
    """Every vehicle the route files schedule to depart in ``[begin, end)``: id → depart time.

    All vehicle-defining tags count: ``<vehicle>``, ``<trip>`` and deterministic ``<flow>``
    (RESCO's own never-departed check only looked at ``<vehicle>``; REFERENCE 7.1). Departures
    given as words (``triggered``…) have no time and are skipped.
    """
    out: dict[str, float] = {}
    for path in routes:
        for _event, el in ET.iterparse(path, events=("end",)):
            tag = el.tag
            if tag in ("vehicle", "trip"):
                try:
                    t = float(el.get("depart", ""))
                except ValueError:
                    el.clear()
                    continue
                if begin <= t < end:
                    out[el.get("id", "")] = t
                el.clear()
            elif tag == "flow":
                for vid, t in _flow_departures(el):
                    if begin <= t < end:
                        out[vid] = t
                el.clear()
    return out
