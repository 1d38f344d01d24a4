"""CAP 1.2 out: the XML of an alert (lxml), its JSON twin, and the Atom feed of the alerts in force.

Area conversion (CAP 1.2 §3.3.4): our polygons are GeoJSON ``[lon, lat]``; CAP writes "lat,lon" pairs
separated by spaces, first = last. A circle is "lat,lon radius" with the radius in kilometres. A geocode
carries its scheme in ``valueName`` (reference.GEOCODE_SCHEMES: GB/T 2260 for the district, GB/T 10114
for a street or town, GB/T 30428.1 for communities and grids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from lxml import etree

from citybrain.alerts.cap.identifiers import cap_time
from citybrain.alerts.cap.models import Alert
from citybrain.alerts.cap.reference import CAP_NS, COLOURS, EVENT_TYPES, GEOCODE_SCHEMES, LANGUAGES

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
# elements CAP allows more than once: lists in the JSON form
REPEATED = {"code", "info", "category", "responseType", "eventCode", "parameter", "resource", "area",
            "polygon", "circle", "geocode"}


def public_path(identifier: str, ext: str = "xml") -> str:
    """The public URL path of an alert's CAP: the identifier percent-encoded whole, so an imported one
    with "/", "?", "#" or "%" in it still names one path (the route takes the rest of the path)."""
    return f"/alerts/{quote(identifier, safe='')}.{ext}"


def page_link(identifier: str) -> str:
    """The alert's card on the public page (its anchor is the identifier)."""
    return f"/alerts#{quote(identifier, safe='')}"


def _fmt(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


def cap_polygon(ring: Sequence[Sequence[float]]) -> str:
    """A GeoJSON ring [[lon, lat], …] as a CAP polygon "lat,lon lat,lon …"."""
    return " ".join(f"{_fmt(lat)},{_fmt(lon)}" for lon, lat in ring)


def cap_circle(lon: float, lat: float, radius_m: float) -> str:
    return f"{_fmt(lat)},{_fmt(lon)} {_fmt(radius_m / 1000.0)}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _area(info: etree._Element, area: dict[str, Any], names: dict[str, str]) -> None:
    el = _sub(info, "area")
    _sub(el, "areaDesc", area.get("description") or "")
    for ring in area.get("polygons") or []:
        _sub(el, "polygon", cap_polygon(ring))
    for c in area.get("circles") or []:
        _sub(el, "circle", cap_circle(c["lon"], c["lat"], c["radius_m"]))
    for code in area.get("geocodes") or []:
        g = _sub(el, "geocode")
        _sub(g, "valueName", GEOCODE_SCHEMES.get(len(code), "GB/T 30428.1"))
        _sub(g, "value", code)


def alert_element(alert: Alert, sent: dt.datetime, area_names: dict[str, str] | None = None) -> etree._Element:
    """The CAP <alert> of an authored alert, as it is (or will be) issued at `sent`."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.identifier or "")
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", alert.cap_status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", alert.scope)
    if alert.references:
        _sub(root, "references", alert.references)
    colour = COLOURS[alert.level]
    kind = EVENT_TYPES.get(alert.event_type)
    for lang in LANGUAGES:
        text = (alert.texts or {}).get(lang) or {}
        info = _sub(root, "info")
        _sub(info, "language", lang)
        _sub(info, "category", alert.category)
        default_event = (f"{kind.zh}{colour.zh}预警" if lang == "zh-CN" else f"{colour.en} {kind.en} Warning") \
            if kind else ""
        _sub(info, "event", text.get("event") or default_event)
        if alert.msg_type == "Cancel":
            _sub(info, "responseType", "AllClear")
        _sub(info, "urgency", "Past" if alert.msg_type == "Cancel" else colour.urgency)
        _sub(info, "severity", colour.severity)
        _sub(info, "certainty", colour.certainty)
        code = _sub(info, "eventCode")
        _sub(code, "valueName", "CITYBRAIN-EVENT")
        _sub(code, "value", alert.event_type)
        if alert.onset:
            _sub(info, "onset", cap_time(alert.onset))
        _sub(info, "expires", cap_time(alert.expires))
        _sub(info, "senderName", alert.sender_name or alert.sender)
        for key in ("headline", "description", "instruction"):
            if text.get(key):
                _sub(info, key, text[key])
        par = _sub(info, "parameter")
        _sub(par, "valueName", "warningLevel")
        _sub(par, "value", f"{colour.code} {colour.roman}")
        _area(info, alert.area or {}, area_names or {})
    return root


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# -- JSON -------------------------------------------------------------------------------------------

def _to_obj(el: etree._Element) -> Any:
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        return (el.text or "").strip()
    out: dict[str, Any] = {}
    for c in children:
        name = etree.QName(c).localname
        value = _to_obj(c)
        if name in REPEATED:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def to_json(xml: str | bytes) -> dict[str, Any]:
    """The CAP JSON of an alert's XML: element names kept, repeatable elements as lists."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml,
                            parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return {"alert": _to_obj(root)}


# -- Atom -------------------------------------------------------------------------------------------

def atom_feed(alerts: Sequence[Alert], base_url: str, updated: dt.datetime) -> bytes:
    """The Atom feed (RFC 4287) of `alerts`: one entry each, linking to its CAP XML."""
    a = f"{{{ATOM_NS}}}"
    feed = etree.Element(f"{a}feed", nsmap={None: ATOM_NS})
    base = base_url.rstrip("/")

    def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{a}{tag}", {k: v for k, v in attrs.items()})
        if text is not None:
            el.text = text
        return el

    sub(feed, "id", f"{base}/alerts/feed.atom")
    sub(feed, "title", "双流区预警信息 · Shuangliu District warnings")
    sub(feed, "updated", cap_time(updated))
    author = sub(feed, "author")
    sub(author, "name", "双流区突发事件预警信息发布中心")
    sub(feed, "link", rel="self", href=f"{base}/alerts/feed.atom", type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=f"{base}/alerts", type="text/html")
    for alert in alerts:
        zh = (alert.texts or {}).get("zh-CN") or {}
        en = (alert.texts or {}).get("en") or {}
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:oid:{alert.sender},{alert.identifier}")
        title = zh.get("headline") or zh.get("event") or alert.identifier or ""
        sub(entry, "title", title + (f" / {en['headline']}" if en.get("headline") else ""))
        sub(entry, "updated", cap_time(alert.sent or updated))
        sub(entry, "published", cap_time(alert.sent or updated))
        sub(entry, "summary", zh.get("description") or title)
        ident = alert.identifier or ""
        sub(entry, "link", rel="alternate", href=base + public_path(ident), type=CAP_MEDIA_TYPE)
        sub(entry, "link", rel="related", href=base + page_link(ident), type="text/html")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
