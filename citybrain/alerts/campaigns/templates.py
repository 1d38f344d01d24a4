"""The risk-prompt templates (风险提示模板) the district uses, as data. `{level}` is a warning colour in
words (红色/橙色/黄色/蓝色), `{street}` a street's name, `{time}` a time or a period in words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    code: str
    name: str
    topic: str  # flood | freeze | heat | festival | airport | hazard | general
    text: str


TEMPLATES: dict[str, Template] = {t.code: t for t in (
    Template("rainstorm", "暴雨风险提示", "flood",
             "气象台{time}发布暴雨{level}预警，{street}请加强河道、下穿隧道和低洼地带巡查，及时转移危险区域人员。"),
    Template("flood_hazard", "防汛隐患点提示", "flood",
             "{time}起{street}有强降雨，请立即检查本单位地下室、配电房和边坡，落实值守，发现险情拨打119。"),
    Template("freeze", "低温冰冻风险提示", "freeze",
             "{time}{street}将出现低温冰冻天气（{level}预警），请做好道路防滑、管道防冻和取暖用火安全。"),
    Template("heat", "高温风险提示", "heat",
             "{time}{street}持续高温（{level}预警），请合理安排户外作业时间，注意防暑降温和用电安全。"),
    Template("festival", "节日安全提示", "festival",
             "{time}期间{street}人流密集，请各单位落实值班值守和消防安全检查，确保节日平安。"),
    Template("airport", "机场周边安全提示", "airport",
             "{time}双流机场周边{street}请注意：禁止燃放孔明灯、风筝和无人机，发现违规请拨打110。"),
    Template("alarm", "监测告警风险提示", "hazard",
             "{street}监测到{level}告警：{title}。请相关单位立即核查处置并报告结果。"),
    Template("warning", "预警信息转发", "general",
             "{title}（{level}预警）。{street}请按预案做好防范，{time}前报告落实情况。"),
)}
