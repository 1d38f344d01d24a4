"""Reference tables of CAP alerts: the colour table, the event types, codes of the publisher and areas.

THE colour table (one table, used everywhere; docs/alerts.md shows the same): the Chinese four
warning colours (突发事件应对法: 一级 红 highest … 四级 蓝) onto CAP 1.2 severity, urgency and
certainty. The mapping is a CityBrain design choice (REFERENCE 5.1): severity follows the colour one
step each; urgency is "act now" for red and orange, "within the hour" for yellow, "in the future" for
blue; certainty is "Likely" for a warning except blue, which warns of what is only possible.

| colour | 级别 | CAP severity | CAP urgency | CAP certainty |
|--------|------|--------------|-------------|---------------|
| red    | I    | Extreme      | Immediate   | Likely        |
| orange | II   | Severe       | Immediate   | Likely        |
| yellow | III  | Moderate     | Expected    | Likely        |
| blue   | IV   | Minor        | Future      | Possible      |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from citybrain.config import get_settings

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")  # CAP times are written in Beijing time, +08:00


@dataclass(frozen=True)
class Colour:
    code: str
    zh: str
    en: str
    roman: str  # 级别 I–IV
    severity: str
    urgency: str
    certainty: str
    hex: str  # badge colour on pages


COLOURS: dict[str, Colour] = {c.code: c for c in (
    Colour("red", "红色", "Red", "I", "Extreme", "Immediate", "Likely", "#d32f2f"),
    Colour("orange", "橙色", "Orange", "II", "Severe", "Immediate", "Likely", "#ef6c00"),
    Colour("yellow", "黄色", "Yellow", "III", "Moderate", "Expected", "Likely", "#f9a825"),
    Colour("blue", "蓝色", "Blue", "IV", "Minor", "Future", "Possible", "#1565c0"),
)}
LEVELS = tuple(COLOURS)
SEVERITY_TO_COLOUR = {c.severity: c.code for c in COLOURS.values()}  # reading upstream CAP


@dataclass(frozen=True)
class EventType:
    code: str
    zh: str  # the warning's name, as "暴雨" in "暴雨黄色预警"
    en: str
    category: str  # CAP category
    weather: bool  # raises WeatherWarningIssued (safety's dynamic risk factors)


EVENT_TYPES: dict[str, EventType] = {e.code: e for e in (
    EventType("rainstorm", "暴雨", "Rainstorm", "Met", True),
    EventType("flood", "洪水", "Flood", "Met", True),
    EventType("freeze", "道路结冰", "Road icing", "Met", True),
    EventType("cold", "寒潮", "Cold wave", "Met", True),
    EventType("fog", "大雾", "Fog", "Met", True),
    EventType("heat", "高温", "Heat", "Met", True),
    EventType("gale", "大风", "Gale", "Met", True),
    EventType("thunderstorm", "雷电", "Thunderstorm", "Met", True),
    EventType("hail", "冰雹", "Hail", "Met", True),
    EventType("geohazard", "地质灾害", "Geological hazard", "Geo", True),
    EventType("forest_fire", "森林火险", "Forest fire danger", "Fire", True),
    EventType("air_pollution", "空气重污染", "Heavy air pollution", "Env", False),
    EventType("crowd", "人员聚集", "Crowd safety", "Safety", False),
    EventType("hazmat", "危险化学品", "Hazardous materials", "CBRNE", False),
    EventType("other", "其他", "Other", "Other", False),
)}
# upstream CAP (the meteorological bureau) names events in Chinese: which of ours each is
EVENT_BY_WORD = {e.zh: e.code for e in EVENT_TYPES.values()} | {
    "暴雨预警": "rainstorm", "大雾预警": "fog", "寒潮预警": "cold", "道路冰冻": "freeze", "低温": "cold",
    "雷雨大风": "gale", "森林(草原)火险": "forest_fire",
}

# GB/T 35965.1 publisher code ZZZZZZDDDUUUXX: region (GB/T 2260), organisation (GB/T 4657), internal, extension.
REGION_CODE = "510116"
INTERNAL_CODE = "000"      # the standard's default
EXTENSION_CODE = "00"      # the standard's default
SENDER_DOMAIN = "citybrain.shuangliu"


def sender_code() -> str:
    """The 14-digit publisher code; the organisation code is the setting CITYBRAIN_CAP_ORG_CODE."""
    return REGION_CODE + get_settings().cap_org_code + INTERNAL_CODE + EXTENSION_CODE


def sender() -> str:
    """The CAP sender: CITYBRAIN_CAP_SENDER, else the publisher code then a name of this system."""
    return get_settings().cap_sender or f"{sender_code()}@{SENDER_DOMAIN}"


SENDER_NAME_ZH = "双流区突发事件预警信息发布中心"
SENDER_NAME_EN = "Shuangliu District Emergency Warning Centre"

# CAP geocode valueName per code length (our area codes, geography/codes.py)
GEOCODE_SCHEMES = {6: "GB/T 2260", 9: "GB/T 10114", 12: "GB/T 30428.1", 15: "GB/T 30428.1"}
LANGUAGES = ("zh-CN", "en")
