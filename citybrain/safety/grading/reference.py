"""Reference tables of the safety domain: the figures the rules use, kept as data, not buried in code.

Every table says how sure we are of it, with the marks of /work/shared/REFERENCE.md:
(verified) checked in the primary text; (secondary) from a third-party copy or summary; (unverified)
not yet sourced. A (secondary) or (unverified) figure is a configurable default, never an assertion:
tests check that the code follows the table, not that the table is the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ── Four risk levels (四色, 安委办〔2016〕11号; unverified) ─────────────────────────────────────────────
# Stored as 1..4 so levels compare and vectorise; the colour is what the map shows.
BLUE, YELLOW, ORANGE, RED = 1, 2, 3, 4
LEVEL_COLOUR = {BLUE: "blue", YELLOW: "yellow", ORANGE: "orange", RED: "red"}
LEVEL_OF_COLOUR = {v: k for k, v in LEVEL_COLOUR.items()}
LEVEL_ZH = {BLUE: "低风险", YELLOW: "一般风险", ORANGE: "较大风险", RED: "重大风险"}
LEVEL_EN = {BLUE: "low", YELLOW: "general", ORANGE: "considerable", RED: "major"}
LEVEL_HEX = {BLUE: "#1e6fd9", YELLOW: "#f2c500", ORANGE: "#f28c28", RED: "#d7191c"}

# ── LEC (作业条件危险性评价法): D = L × E × C (secondary) ────────────────────────────────────────────
LEC_L: dict[float, str] = {
    10: "完全可以预料",
    6: "相当可能",
    3: "可能但不经常",
    1: "可能性小，完全意外",
    0.5: "很不可能，可以设想",
    0.2: "极不可能",
    0.1: "实际不可能",
}
LEC_E: dict[float, str] = {
    10: "连续暴露",
    6: "每天工作时间内暴露",
    3: "每周一次或偶然暴露",
    2: "每月一次暴露",
    1: "每年几次暴露",
    0.5: "非常罕见地暴露",
}
LEC_C: dict[float, str] = {
    100: "大灾难，许多人死亡",
    40: "灾难，数人死亡",
    15: "非常严重，一人死亡",
    7: "严重，重伤",
    3: "重大，致残",
    1: "引人注目，需要救护",
}


@dataclass(frozen=True)
class LecBand:
    above: float  # D strictly above this bound falls in the band (upper bounds are inclusive)
    name_zh: str
    name_en: str
    level: int


# Bands (secondary) and their colours (unverified, configurable). Boundary convention chosen here:
# each band includes its upper bound, so D = 70 is 一般危险/blue and D = 320 is 高度危险/orange.
LEC_BANDS = (
    LecBand(320, "极其危险，不能继续作业", "extremely dangerous", RED),
    LecBand(160, "高度危险，要立即整改", "highly dangerous", ORANGE),
    LecBand(70, "显著危险，需要整改", "considerably dangerous", YELLOW),
    LecBand(20, "一般危险，需要注意", "possibly dangerous", BLUE),
    LecBand(float("-inf"), "稍有危险，可以接受", "acceptable", BLUE),
)

# ── Industries (行业) and venue types (场所类型) ─────────────────────────────────────────────────────
INDUSTRIES = {
    "hazchem": "危险化学品",
    "manufacturing": "工贸制造",
    "construction": "建筑施工",
    "transport": "交通运输",
    "aviation": "民航",
    "logistics": "仓储物流",
    "commerce": "商贸服务",
    "catering": "餐饮住宿",
    "education": "教育",
    "health": "医疗卫生",
    "culture": "文化旅游",
    "gas": "城镇燃气",
    "other": "其他",
}

VENUE_TYPES = {
    "chemical_plant": "危化品生产企业",
    "chemical_store": "危化品经营储存场所",
    "gas_station": "加油加气站",
    "factory": "工业厂房",
    "warehouse": "仓库",
    "construction_site": "建筑工地",
    "shopping_mall": "商场市场",
    "hotel": "宾馆酒店",
    "restaurant": "餐饮场所",
    "entertainment": "歌舞娱乐场所",
    "school": "学校",
    "kindergarten": "幼儿园",
    "hospital": "医院",
    "nursing_home": "养老院",
    "transport_hub": "客运车站",
    "airport": "民用机场",
    "office": "办公场所",
    "scenic_area": "旅游景区",
    "residential": "住宅小区",
}

# their names in the English mode of the pages and the API (`?lang=en`)
INDUSTRIES_EN = {
    "hazchem": "hazardous chemicals", "manufacturing": "industry and trade", "construction": "construction",
    "transport": "transport", "aviation": "civil aviation", "logistics": "warehousing and logistics",
    "commerce": "commerce and services", "catering": "catering and lodging", "education": "education",
    "health": "health care", "culture": "culture and tourism", "gas": "town gas", "other": "other",
}
VENUE_TYPES_EN = {
    "chemical_plant": "chemical plant", "chemical_store": "chemical trade or store", "gas_station": "filling station",
    "factory": "factory", "warehouse": "warehouse", "construction_site": "construction site",
    "shopping_mall": "shopping mall or market", "hotel": "hotel", "restaurant": "restaurant",
    "entertainment": "entertainment venue", "school": "school", "kindergarten": "kindergarten",
    "hospital": "hospital", "nursing_home": "nursing home", "transport_hub": "bus or coach station",
    "airport": "airport", "office": "office", "scenic_area": "scenic area", "residential": "residential estate",
}


def industry_label(code: str, lang: str = "zh-CN") -> str | None:
    return (INDUSTRIES_EN if lang == "en" else INDUSTRIES).get(code)


def venue_label(code: str, lang: str = "zh-CN") -> str | None:
    return (VENUE_TYPES_EN if lang == "en" else VENUE_TYPES).get(code)


SCALES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

# Fire-safety key unit types (公安部令第61号 Art. 13; unverified): a unit of these venue types is
# flagged 消防安全重点单位 unless the registry says otherwise.
FIRE_KEY_VENUES = frozenset(
    {
        "shopping_mall",
        "hotel",
        "entertainment",
        "school",
        "kindergarten",
        "hospital",
        "nursing_home",
        "transport_hub",
        "airport",
        "chemical_plant",
        "chemical_store",
        "gas_station",
        "scenic_area",
    }
)
PUBLIC_GATHERING_VENUES = frozenset(
    {"shopping_mall", "hotel", "entertainment", "transport_hub", "airport", "scenic_area", "restaurant"}
)

# Patrol and inspection frequency (公安部令第61号 Art. 25/26; secondary): hours between rounds.
PATROL_HOURS = {"fire_key_unit": 24, "public_gathering_open": 2}
INSPECTION_DAYS = {"public_body": 91, "other": 30}

# Default inherent-risk LEC per venue type, used when a unit is registered without an assessment
# (a CityBrain default for triage, to be replaced by the unit's own 风险辨识; not from a standard).
DEFAULT_LEC = {
    "chemical_plant": (3, 6, 15),
    "chemical_store": (3, 6, 7),
    "gas_station": (1, 6, 15),
    "factory": (3, 6, 3),
    "warehouse": (1, 6, 7),
    "construction_site": (3, 6, 7),
    "shopping_mall": (1, 6, 7),
    "hotel": (1, 6, 7),
    "restaurant": (3, 6, 3),
    "entertainment": (1, 6, 15),
    "school": (1, 6, 3),
    "kindergarten": (1, 6, 3),
    "hospital": (1, 6, 7),
    "nursing_home": (1, 6, 7),
    "transport_hub": (1, 6, 7),
    "airport": (1, 10, 7),
    "office": (1, 6, 1),
    "scenic_area": (1, 3, 7),
    "residential": (1, 6, 3),
}

# ── Inspection checklists per venue type (检查表; CityBrain's starting set, editable) ───────────────────
_COMMON = [
    ("common.license", "安全生产责任制、管理制度和操作规程齐全"),
    ("common.training", "从业人员安全教育培训记录完整"),
    ("common.exits", "疏散通道、安全出口畅通，应急照明和疏散指示完好"),
    ("common.extinguisher", "灭火器配置合理、在有效期内"),
    ("common.electric", "电气线路无私拉乱接、无老化破损"),
]
_FIRE = [
    ("fire.alarm", "火灾自动报警系统运行正常"),
    ("fire.sprinkler", "自动喷水灭火系统、消火栓完好有水"),
    ("fire.control_room", "消防控制室双人持证值班"),
    ("fire.patrol", "防火巡查记录按规定频次填写"),
]
_CHEM = [
    ("chem.register", "危险化学品台账与实物相符"),
    ("chem.storage", "储存方式、储存数量符合要求，禁忌物料分开存放"),
    ("chem.detector", "可燃/有毒气体检测报警装置完好"),
    ("chem.msds", "安全技术说明书和安全标签齐全"),
    ("chem.major_hazard", "重大危险源监控系统运行、包保责任人落实"),
]
_BUILD = [
    ("build.scaffold", "脚手架、模板支撑体系验收合格"),
    ("build.edge", "临边洞口防护到位"),
    ("build.crane", "起重机械登记、检验合格，司机持证"),
    ("build.power", "施工用电三级配电两级保护"),
]
_FOOD = [
    ("food.gas", "燃气管道、软管、阀门完好，安装燃气泄漏报警"),
    ("food.flue", "厨房排油烟管道定期清洗"),
]
_CARE = [
    ("care.night_patrol", "夜间防火巡查落实"),
    ("care.evacuation", "行动不便人员疏散预案和演练"),
]
CHECKLISTS: dict[str, list[tuple[str, str]]] = {
    "chemical_plant": _COMMON + _CHEM + _FIRE,
    "chemical_store": _COMMON + _CHEM,
    "gas_station": _COMMON + _CHEM,
    "factory": _COMMON + [("factory.guard", "机械设备防护装置齐全"), ("factory.dust", "粉尘防爆措施落实")],
    "warehouse": _COMMON + [("warehouse.stack", "货物堆垛符合五距要求")],
    "construction_site": _COMMON + _BUILD,
    "shopping_mall": _COMMON + _FIRE,
    "hotel": _COMMON + _FIRE,
    "restaurant": _COMMON + _FOOD,
    "entertainment": _COMMON + _FIRE,
    "school": _COMMON + _FIRE,
    "kindergarten": _COMMON + _FIRE + _CARE,
    "hospital": _COMMON + _FIRE + _CARE,
    "nursing_home": _COMMON + _FIRE + _CARE,
    "transport_hub": _COMMON + _FIRE,
    "airport": _COMMON + _FIRE + [("airport.fuel", "航油储运设施安全防护到位")],
    "office": _COMMON,
    "scenic_area": _COMMON + [("scenic.crowd", "游客流量监测和限流措施")],
    "residential": _COMMON + [("res.ebike", "电动自行车集中充电、不进楼入户")],
}

HIDDEN_DANGER_CATEGORIES = {
    "fire": "消防安全",
    "electric": "电气安全",
    "chemical": "危险化学品",
    "equipment": "特种设备",
    "construction": "建筑施工",
    "gas": "燃气安全",
    "management": "安全管理",
    "other": "其他",
}

# ── Special equipment (特种设备) and inspection intervals in months (unverified, configurable) ─────────
EQUIPMENT_KINDS = {
    "boiler": ("锅炉", 12),
    "pressure_vessel": ("压力容器", 36),
    "pressure_piping": ("压力管道", 36),
    "elevator": ("电梯", 12),
    "crane": ("起重机械", 24),
    "forklift": ("场(厂)内专用机动车辆", 12),
    "amusement": ("大型游乐设施", 12),
}

# ── Dynamic grading rules (CityBrain's method; see docs/safety.md) ──────────────────────────────────
# `floor`: the level is at least this; `steps`: raise by this many levels (total raise capped).
# Rule 1 follows the common provincial practice "存在重大事故隐患的直接判定为重大风险" (secondary).


@dataclass(frozen=True)
class DynamicRule:
    code: str
    bit: int
    floor: int
    steps: int
    zh: str
    en: str


RULES = (
    DynamicRule(
        "major_hidden_danger",
        1 << 0,
        RED,
        0,
        "存在未整改的重大事故隐患",
        "an unrectified major hidden danger",
    ),
    DynamicRule(
        "overdue_hidden_danger", 1 << 1, 0, 1, "隐患逾期未整改", "hidden dangers past their deadline"
    ),
    DynamicRule(
        "many_open_hidden_dangers", 1 << 2, 0, 1, "未整改一般隐患较多", "many open general hidden dangers"
    ),
    DynamicRule("recent_accident", 1 << 3, 0, 1, "近一年发生一般事故", "a general accident in the past year"),
    DynamicRule(
        "serious_accident",
        1 << 4,
        RED,
        0,
        "近一年发生较大及以上事故",
        "a considerable or worse accident in the past year",
    ),
    DynamicRule("recent_alarm", 1 << 5, 0, 1, "近期监测报警", "a recent monitoring alarm"),
    DynamicRule("major_hazard_1", 1 << 6, RED, 0, "一级重大危险源", "a grade-1 major hazard source"),
    DynamicRule("major_hazard_2", 1 << 7, ORANGE, 0, "二级重大危险源", "a grade-2 major hazard source"),
    DynamicRule(
        "major_hazard_34", 1 << 8, YELLOW, 0, "三级/四级重大危险源", "a grade-3/4 major hazard source"
    ),
    DynamicRule(
        "weather_warning",
        1 << 9,
        0,
        1,
        "气象/季节性预警（橙色及以上）",
        "a weather or seasonal warning, orange or red",
    ),
    DynamicRule(
        "equipment_overdue", 1 << 10, 0, 1, "特种设备超期未检", "special equipment past its inspection date"
    ),
)
RULE = {r.code: r for r in RULES}
MAX_STEPS = 2  # dynamic factors raise the level by at most this many steps
MANY_OPEN_THRESHOLD = 3  # open general hidden dangers counted as "many"
ALARM_WINDOW_DAYS = 7
ACCIDENT_WINDOW_DAYS = 365
ALARM_MATCH_RADIUS_M = 150.0  # an alarm given by position belongs to the nearest unit within this

# ── Accident grades (国务院令第493号 Art. 3; secondary) ─────────────────────────────────────────────
# (grade, deaths ≥, serious injuries ≥, direct loss ≥ yuan): "以上" includes the bound, "以下" excludes it.
ACCIDENT_GRADES = (
    ("especially_serious", "特别重大事故", 30, 100, 100_000_000),
    ("serious", "重大事故", 10, 50, 50_000_000),
    ("considerable", "较大事故", 3, 10, 10_000_000),
    ("general", "一般事故", 0, 0, 0),
)
ACCIDENT_GRADE_RANK = {"general": 1, "considerable": 2, "serious": 3, "especially_serious": 4}

# ── Hidden-danger escalation (CityBrain default) ───────────────────────────────────────────────────
# days past the deadline → escalation level and who is told
ESCALATION = ((0, 1, "street"), (7, 2, "district"))


def as_dict() -> dict[str, Any]:
    """The tables above as the API shows them (`GET /api/safety/reference`)."""
    return {
        "levels": [
            {"level": k, "colour": v, "zh": LEVEL_ZH[k], "en": LEVEL_EN[k], "hex": LEVEL_HEX[k]}
            for k, v in LEVEL_COLOUR.items()
        ],
        "lec": {
            "l": LEC_L,
            "e": LEC_E,
            "c": LEC_C,
            "bands": [
                {
                    "above": b.above if b.above != float("-inf") else None,
                    "zh": b.name_zh,
                    "en": b.name_en,
                    "colour": LEVEL_COLOUR[b.level],
                }
                for b in LEC_BANDS
            ],
        },
        "industries": INDUSTRIES,
        "venue_types": VENUE_TYPES,
        "scales": SCALES,
        "hidden_danger_categories": HIDDEN_DANGER_CATEGORIES,
        "equipment_kinds": {k: {"zh": v[0], "interval_months": v[1]} for k, v in EQUIPMENT_KINDS.items()},
        "rules": [
            {"code": r.code, "zh": r.zh, "en": r.en, "floor": LEVEL_COLOUR.get(r.floor), "steps": r.steps}
            for r in RULES
        ],
        "max_steps": MAX_STEPS,
        "accident_grades": [
            {
                "code": c,
                "zh": zh,
                "deaths_at_least": d,
                "serious_injuries_at_least": s,
                "direct_loss_yuan_at_least": loss,
            }
            for c, zh, d, s, loss in ACCIDENT_GRADES
        ],
    }
