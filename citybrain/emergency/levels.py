"""The vocabulary of emergency response: categories (突发事件类别), levels Ⅰ–Ⅳ, and what triggers test.

Under the Emergency Response Law (突发事件应对法) an incident belongs to one of four categories and is
graded Ⅰ 特别重大, Ⅱ 重大, Ⅲ 较大 or Ⅳ 一般; Ⅰ is the most severe. Severity (事件分级) and response
level (响应级别) are kept as separate fields on an incident, as is the warning colour (预警颜色).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator

from citybrain.core.errors import ValidationFailed


class Category(StrEnum):
    NATURAL_DISASTER = "natural_disaster"  # 自然灾害
    ACCIDENT_DISASTER = "accident_disaster"  # 事故灾难
    PUBLIC_HEALTH = "public_health"  # 公共卫生事件
    SOCIAL_SECURITY = "social_security"  # 社会安全事件


CATEGORY_LABELS_ZH = {
    Category.NATURAL_DISASTER: "自然灾害",
    Category.ACCIDENT_DISASTER: "事故灾难",
    Category.PUBLIC_HEALTH: "公共卫生事件",
    Category.SOCIAL_SECURITY: "社会安全事件",
}


class Level(StrEnum):
    I = "I"  # noqa: E741 - the roman numeral is the domain's own name
    II = "II"
    III = "III"
    IV = "IV"


LEVELS = (Level.I, Level.II, Level.III, Level.IV)  # most severe first
LEVEL_LABELS_ZH = {Level.I: "特别重大", Level.II: "重大", Level.III: "较大", Level.IV: "一般"}
LEVEL_NUMERALS = {Level.I: "Ⅰ", Level.II: "Ⅱ", Level.III: "Ⅲ", Level.IV: "Ⅳ"}
_ALIASES = {
    "I": Level.I, "II": Level.II, "III": Level.III, "IV": Level.IV,
    "Ⅰ": Level.I, "Ⅱ": Level.II, "Ⅲ": Level.III, "Ⅳ": Level.IV,
    "1": Level.I, "2": Level.II, "3": Level.III, "4": Level.IV,
    "一级": Level.I, "二级": Level.II, "三级": Level.III, "四级": Level.IV,
}
LEVEL_HINT = "a level is one of I, II, III, IV (I = 特别重大, the most severe; IV = 一般)"


def coerce_level(value: Any) -> Any:
    """Accept I–IV written as ASCII, as Ⅰ–Ⅳ, as 1–4 or as 一级–四级; refuse anything else."""
    if isinstance(value, Level):
        return value
    if isinstance(value, bool):
        raise ValueError(LEVEL_HINT)
    key = str(value).strip().upper() if isinstance(value, str | int) else None
    if key is None or key not in _ALIASES:
        raise ValueError(f"{value!r}: {LEVEL_HINT}")
    return _ALIASES[key]


LevelIn = Annotated[Level, BeforeValidator(coerce_level)]


def parse_level(value: Any, field: str = "level") -> Level:
    try:
        return coerce_level(value)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field) from None


def rank(level: Level | str) -> int:
    """1 for Ⅰ (most severe) … 4 for Ⅳ."""
    return LEVELS.index(Level(level)) + 1


def more_severe(a: Level | str, b: Level | str | None) -> bool:
    return b is None or rank(a) < rank(b)


def label(level: Level | str | None) -> str:
    if level is None:
        return "—"
    lv = Level(level)
    return f"{LEVEL_NUMERALS[lv]}级 {LEVEL_LABELS_ZH[lv]}"


class Metric(StrEnum):
    """Impact figures an incident records and a plan's level triggers test."""

    DEATHS = "deaths"  # 死亡
    INJURED = "injured"  # 受伤（重伤）
    MISSING = "missing"  # 失踪
    TRAPPED = "trapped"  # 被困
    EVACUATED = "evacuated"  # 紧急转移安置 / 疏散
    AFFECTED_PEOPLE = "affected_people"  # 受灾人口
    ECONOMIC_LOSS_YUAN = "economic_loss_yuan"  # 直接经济损失（元）
    AFFECTED_AREA_KM2 = "affected_area_km2"  # 影响面积（平方公里）


METRIC_LABELS_ZH = {
    Metric.DEATHS: "死亡人数",
    Metric.INJURED: "受伤人数",
    Metric.MISSING: "失踪人数",
    Metric.TRAPPED: "被困人数",
    Metric.EVACUATED: "转移安置人数",
    Metric.AFFECTED_PEOPLE: "受灾人口",
    Metric.ECONOMIC_LOSS_YUAN: "直接经济损失（元）",
    Metric.AFFECTED_AREA_KM2: "影响面积（km²）",
}
COUNT_METRICS = tuple(m for m in Metric if m not in (Metric.ECONOMIC_LOSS_YUAN, Metric.AFFECTED_AREA_KM2))


class WarningColour(StrEnum):
    RED = "red"  # 红色
    ORANGE = "orange"  # 橙色
    YELLOW = "yellow"  # 黄色
    BLUE = "blue"  # 蓝色
