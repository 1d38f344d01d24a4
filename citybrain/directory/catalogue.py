"""The departments of 双流区 and their stable codes.

Other domains route work to a department by its code (never by id or name), so these codes are a
contract: add new ones freely, never rename one. The table is repeated in docs/ui.md.

| code | department | kind |
|---|---|---|
| ``zhzx`` | 区指挥中心 (city operations & emergency command centre) | command_centre |
| ``yjj`` | 应急管理局 (应急局) | bureau |
| ``xf`` | 消防救援大队 | bureau |
| ``gaj`` | 公安分局 | bureau |
| ``sthjj`` | 生态环境局 | bureau |
| ``scjgj`` | 市场监督管理局 (市场监管局) | bureau |
| ``jtysj`` | 交通运输局 | bureau |
| ``zjj`` | 住房和城乡建设局 (住建局) | bureau |
| ``swj`` | 水务局 | bureau |
| ``wjj`` | 卫生健康局 (卫健局) | bureau |
| ``wllzb`` | 网络理政办公室 (网络理政办, the 12345 desk) | bureau |
| ``cgj`` | 综合行政执法局 (城管) | bureau |
| ``nyncj`` | 农业农村局 | bureau |
| ``jyj`` | 教育局 | bureau |
| ``street-<9-digit code>`` | the office of each governed street/town, e.g. ``street-510116001`` 东升街道办事处 | street_office |
| ``link-scal`` | 四川航空 | linkage_unit |
| ``link-qzgljds`` | 成都强制隔离戒毒所 | linkage_unit |
| ``link-jdkfs`` | 成都戒毒康复所 | linkage_unit |
| ``ext-tfxq`` | 四川天府新区成都直管区 (runs 华阳 003 and 018–025) | external_admin |
| ``ext-gxq`` | 成都高新区 (runs 中和 004) | external_admin |

An external administration's ``name`` equals the ``managed_by`` of the geography's areas it runs, so
a report located there can be transferred to it (`service.department_for_manager`).
"""

from __future__ import annotations

import dataclasses

COMMAND_CENTRE = "zhzx"
EMERGENCY = "yjj"
FIRE = "xf"
POLICE = "gaj"
ECOLOGY = "sthjj"
MARKET = "scjgj"
TRANSPORT = "jtysj"
HOUSING = "zjj"
WATER = "swj"
HEALTH = "wjj"
HOTLINE = "wllzb"
URBAN_MANAGEMENT = "cgj"
AGRICULTURE = "nyncj"
EDUCATION = "jyj"
TIANFU_NEW_AREA = "ext-tfxq"
HIGH_TECH_ZONE = "ext-gxq"

STREET_PREFIX = "street-"


def street_office_code(street_code: str) -> str:
    """``street-510116001`` for the street/town ``510116001`` (or any area code below it)."""
    return STREET_PREFIX + street_code[:9]


@dataclasses.dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    name_en: str
    kind: str
    area_code: str | None = None
    phone: str | None = None


BUREAUS = (
    DepartmentSpec(COMMAND_CENTRE, "区指挥中心", "District Command Centre", "command_centre", "510116",
                   "028-85800110"),
    DepartmentSpec(EMERGENCY, "应急管理局", "Emergency Management Bureau", "bureau", None, "028-85800120"),
    DepartmentSpec(FIRE, "消防救援大队", "Fire and Rescue Brigade", "bureau", None, "028-85800119"),
    DepartmentSpec(POLICE, "公安分局", "Public Security Sub-bureau", "bureau", None, "028-85800100"),
    DepartmentSpec(ECOLOGY, "生态环境局", "Ecology and Environment Bureau", "bureau", None, "028-85800130"),
    DepartmentSpec(MARKET, "市场监督管理局", "Market Regulation Bureau", "bureau", None, "028-85800131"),
    DepartmentSpec(TRANSPORT, "交通运输局", "Transport Bureau", "bureau", None, "028-85800132"),
    DepartmentSpec(HOUSING, "住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "bureau", None,
                   "028-85800133"),
    DepartmentSpec(WATER, "水务局", "Water Affairs Bureau", "bureau", None, "028-85800134"),
    DepartmentSpec(HEALTH, "卫生健康局", "Health Commission", "bureau", None, "028-85800135"),
    DepartmentSpec(HOTLINE, "网络理政办公室", "Online Governance Office (12345)", "bureau", None, "028-85800136"),
    DepartmentSpec(URBAN_MANAGEMENT, "综合行政执法局", "Urban Management and Law Enforcement Bureau", "bureau",
                   None, "028-85800137"),
    DepartmentSpec(AGRICULTURE, "农业农村局", "Agriculture and Rural Affairs Bureau", "bureau", None,
                   "028-85800138"),
    DepartmentSpec(EDUCATION, "教育局", "Education Bureau", "bureau", None, "028-85800139"),
)

# The 9 township-level units the district government runs (REFERENCE.md 1.2), with their offices.
GOVERNED_STREETS = (
    ("510116001", "东升街道", "Dongsheng Subdistrict"),
    ("510116002", "西航港街道", "Xihanggang Subdistrict"),
    ("510116005", "九江街道", "Jiujiang Subdistrict"),
    ("510116006", "黄甲街道", "Huangjia Subdistrict"),
    ("510116017", "怡心街道", "Yixin Subdistrict"),
    ("510116108", "彭镇", "Pengzhen Town"),
    ("510116111", "黄龙溪镇", "Huanglongxi Town"),
    ("510116112", "永安镇", "Yong'an Town"),
    ("510116115", "黄水镇", "Huangshui Town"),
)


def _office(code: str, name: str, name_en: str) -> DepartmentSpec:
    is_town = name.endswith("镇")
    office = name + ("人民政府" if is_town else "办事处")
    office_en = name_en + (" Government" if is_town else " Office")
    return DepartmentSpec(street_office_code(code), office, office_en, "street_office", code,
                          f"028-8581{code[-3:]}0")


STREET_OFFICES = tuple(_office(*s) for s in GOVERNED_STREETS)

LINKAGE_UNITS = (
    DepartmentSpec("link-scal", "四川航空", "Sichuan Airlines", "linkage_unit"),
    DepartmentSpec("link-qzgljds", "成都强制隔离戒毒所", "Chengdu Compulsory Drug Rehabilitation Centre",
                   "linkage_unit"),
    DepartmentSpec("link-jdkfs", "成都戒毒康复所", "Chengdu Drug Rehabilitation Centre", "linkage_unit"),
)

EXTERNAL_ADMINS = (
    DepartmentSpec(TIANFU_NEW_AREA, "四川天府新区成都直管区", "Sichuan Tianfu New Area (Chengdu-administered)",
                   "external_admin"),
    DepartmentSpec(HIGH_TECH_ZONE, "成都高新区", "Chengdu Hi-tech Zone", "external_admin"),
)

ALL = BUREAUS + STREET_OFFICES + LINKAGE_UNITS + EXTERNAL_ADMINS
