"""The Shuangliu demo's emergency data: incident types, plans, places, committee and headquarters, and the
drill year. Coordinates are WGS-84 unless a comment says GCJ-02; places are approximate and invented
where REFERENCE.md gives no anchor. Level triggers of accident plans follow the grades of 国务院令第493号
(deaths 3/10/30, serious injuries 10/50/100, direct loss 1千万/5千万/1亿); the triggers of the other
plans are illustrative figures for the demo, not the district's published plans.
"""

from __future__ import annotations

from typing import Any

# (code, name, name_en, category)
INCIDENT_TYPES: list[tuple[Any, ...]] = [
    ("earthquake", "地震灾害", "Earthquake", "natural_disaster"),
    ("flood", "洪涝灾害", "Flood", "natural_disaster"),
    ("waterlogging", "城市内涝", "Urban waterlogging", "natural_disaster"),
    ("low_temp_freeze", "低温雨雪冰冻灾害", "Low-temperature rain, snow and ice", "natural_disaster"),
    ("geological", "地质灾害", "Geological hazard", "natural_disaster"),
    ("forest_fire", "森林火灾", "Forest fire", "natural_disaster"),
    ("crop_pest", "农作物重大病虫害（外来入侵生物）", "Invasive crop pests", "natural_disaster"),
    ("fire", "火灾事故", "Fire", "accident_disaster"),
    ("hazchem_leak", "危险化学品泄漏事故", "Hazardous-chemical leak", "accident_disaster"),
    ("road_traffic", "道路交通事故", "Road traffic accident", "accident_disaster"),
    ("airport", "机场突发事件", "Airport emergency", "accident_disaster"),
    ("bus_station", "客运站突发事件", "Passenger bus station emergency", "accident_disaster"),
    ("building_collapse", "房屋建筑垮塌事故", "Building collapse", "accident_disaster"),
    ("gas_pipeline", "燃气管道事故", "Gas pipeline accident", "accident_disaster"),
    ("environmental", "突发环境事件", "Environmental emergency", "accident_disaster"),
    ("infectious_disease", "突发传染病疫情", "Infectious disease outbreak", "public_health"),
    ("food_poisoning", "群体性食物中毒", "Mass food poisoning", "public_health"),
    ("mass_gathering_medical", "大型活动医疗卫生保障", "Medical cover for mass gatherings", "public_health"),
    ("crowd_crush", "人群拥挤踩踏事件", "Crowd crush", "social_security"),
    ("mass_incident", "群体性事件", "Mass incident", "social_security"),
    ("rehab_centre", "戒毒场所突发事件", "Drug rehabilitation centre emergency", "social_security"),
]

# Departments the plans name beyond the directory's catalogue (added the same idempotent way).
EXTRA_DEPARTMENTS: list[tuple[Any, ...]] = [
    ("nyncj", "农业农村局", "Agriculture and Rural Affairs Bureau", "bureau", "028-85800138"),
    ("jyj", "教育局", "Education Bureau", "bureau", "028-85800139"),
]


def _grade(metric_sets: dict[str, list[tuple[str, float]]]) -> list[dict[str, Any]]:
    return [{"level": lv, "triggers": [{"metric": m, "value": v} for m, v in ts]} for lv, ts in metric_sets.items()]


ACCIDENT_GRADES = _grade({
    "I": [("deaths", 30), ("injured", 100), ("economic_loss_yuan", 1e8)],
    "II": [("deaths", 10), ("injured", 50), ("economic_loss_yuan", 5e7)],
    "III": [("deaths", 3), ("injured", 10), ("economic_loss_yuan", 1e7)],
    "IV": [("deaths", 1), ("injured", 3), ("evacuated", 100)],
})
NATURAL_GRADES = _grade({
    "I": [("deaths", 30), ("evacuated", 100000), ("affected_area_km2", 100)],
    "II": [("deaths", 10), ("evacuated", 30000), ("affected_area_km2", 30)],
    "III": [("deaths", 3), ("evacuated", 5000), ("affected_area_km2", 10)],
    "IV": [("deaths", 1), ("evacuated", 500), ("affected_area_km2", 1), ("trapped", 1)],
})
HEALTH_GRADES = _grade({
    "I": [("deaths", 10), ("injured", 500)],
    "II": [("deaths", 3), ("injured", 100)],
    "III": [("deaths", 1), ("injured", 30)],
    "IV": [("injured", 5)],
})
SOCIAL_GRADES = _grade({
    "I": [("deaths", 10), ("injured", 50), ("affected_people", 10000)],
    "II": [("deaths", 3), ("injured", 20), ("affected_people", 3000)],
    "III": [("deaths", 1), ("injured", 5), ("affected_people", 1000)],
    "IV": [("injured", 1), ("affected_people", 100)],
})

COMMAND_STEPS = [
    ("command", "接报核实，研判级别，通知成员单位", 10, None),
    ("command", "成立现场指挥部，明确现场指挥长", 30, None),
    ("command", "向区委区政府首报（1小时内）", 60, None),
    ("command", "向市应急局续报，请求支援", 120, ["I", "II", "III"]),
]


def _plan(code: str, title: str, itype: str, lead: str, support: list[str], linkage: list[str],
          roles: list[tuple[str, str, str]], steps: list[tuple[str, str, int, list[str] | None]],
          levels: list[dict[str, Any]], needs: list[dict[str, Any]]) -> dict[str, Any]:
    all_roles = [("command", "指挥部办公室", lead), *roles]
    return {
        "code": code, "title": title, "incident_type": itype, "kind": "special", "lead_department": lead,
        "supporting_departments": support, "linkage_units": linkage,
        "roles": [{"code": c, "name": n, "department": d} for c, n, d in all_roles],
        "levels": levels,
        "steps": [{"role": r, "action": a, "deadline_minutes": m, **({"levels": lv} if lv else {})}
                  for r, a, m, lv in [*COMMAND_STEPS, *steps]],
        "needs": needs,
    }


PLANS = [
    _plan("SLYA-ZH-01", "双流区地震应急预案", "earthquake", "yjj", ["zjj", "wjj", "gaj", "jtysj", "jyj"], [],
          [("rescue", "抢险救援组", "xf"), ("medical", "医疗救治组", "wjj"), ("housing", "房屋安全鉴定组", "zjj"),
           ("security", "治安维护组", "gaj"), ("shelter", "群众安置组", "yjj"), ("school", "学校疏散组", "jyj")],
          [("rescue", "搜救被困人员", 30, None), ("medical", "设立临时医疗点，转运伤员", 45, None),
           ("school", "组织学校师生疏散至避难场所", 20, None), ("shelter", "开放避难场所，发放物资", 60, None),
           ("housing", "开展震损房屋应急评估", 240, ["I", "II", "III"]),
           ("security", "维护灾区治安和交通秩序", 30, None)],
          NATURAL_GRADES,
          [{"kind": "rescue_team", "specialty": "地震", "count": 2}, {"kind": "rescue_team", "specialty": "医疗",
                                                                       "count": 1},
           {"kind": "depot", "item": "帐篷", "quantity": 200}, {"kind": "shelter", "count": 3},
           {"kind": "expert", "specialty": "结构", "count": 1}]),
    _plan("SLYA-ZH-02", "双流区防汛应急预案", "flood", "yjj", ["swj", "zjj", "jtysj", "cgj"], [],
          [("water", "水情监测调度组", "swj"), ("rescue", "抢险救援组", "xf"), ("traffic", "交通保障组", "jtysj"),
           ("relocate", "转移安置组", "yjj")],
          [("water", "加密雨情水情监测，调度闸坝", 20, None), ("relocate", "转移低洼地带和河道沿线群众", 60, None),
           ("rescue", "水域救援队前置备勤", 30, None), ("traffic", "封闭积水路段，设置绕行", 30, None)],
          NATURAL_GRADES,
          [{"kind": "rescue_team", "specialty": "水域", "count": 2}, {"kind": "depot", "item": "编织袋",
                                                                       "quantity": 5000},
           {"kind": "shelter", "count": 2}]),
    _plan("SLYA-ZH-03", "双流区城市内涝应急预案", "waterlogging", "swj", ["cgj", "jtysj", "gaj"], [],
          [("drain", "排水抢险组", "swj"), ("traffic", "交通管制组", "gaj"), ("urban", "市政保障组", "cgj")],
          [("drain", "启动移动泵车排水", 30, None), ("traffic", "积水点警戒与交通疏导", 20, None),
           ("urban", "清掏雨水篦子，巡查下穿隧道", 40, None)],
          NATURAL_GRADES,
          [{"kind": "rescue_team", "specialty": "排水", "count": 2}, {"kind": "depot", "item": "抽水泵",
                                                                       "quantity": 10}]),
    _plan("SLYA-ZH-04", "双流区低温雨雪冰冻灾害应急预案", "low_temp_freeze", "yjj", ["jtysj", "cgj", "gaj"],
          ["link-scal"],
          [("traffic", "道路保畅组", "jtysj"), ("police", "交通疏导组", "gaj"), ("urban", "除冰除雪组", "cgj")],
          [("traffic", "对桥面、匝道撒布融雪剂", 60, None), ("police", "疏导滞留车辆，必要时管制", 30, None),
           ("urban", "清除主干道积雪积冰", 90, None)],
          NATURAL_GRADES,
          [{"kind": "depot", "item": "融雪剂", "quantity": 20}, {"kind": "shelter", "count": 1}]),
    _plan("SLYA-ZH-05", "双流区农作物重大病虫害（外来入侵生物）防控应急预案", "crop_pest", "nyncj", ["scjgj",
                                                                                            "sthjj"], [],
          [("plant", "植保防控组", "nyncj"), ("market", "市场监管组", "scjgj"), ("env", "环境监测组", "sthjj")],
          [("plant", "划定疫区，开展统防统治", 240, None), ("market", "检查种苗调运，阻断传播", 480, None),
           ("env", "监测农药使用对水体影响", 720, ["I", "II", "III"])],
          _grade({"I": [("affected_area_km2", 50)], "II": [("affected_area_km2", 20)],
                  "III": [("affected_area_km2", 5)], "IV": [("affected_area_km2", 0.5)]}),
          [{"kind": "expert", "specialty": "植保", "count": 1}, {"kind": "depot", "item": "植保药剂",
                                                                   "quantity": 2}]),
    _plan("SLYA-SG-01", "双流区危险化学品事故应急预案", "hazchem_leak", "yjj", ["sthjj", "gaj", "wjj"], [],
          [("rescue", "抢险救援组", "xf"), ("monitor", "环境监测组", "sthjj"), ("security", "警戒疏散组", "gaj"),
           ("medical", "医疗救护组", "wjj")],
          [("rescue", "侦检、堵漏、洗消", 15, None), ("security", "划定警戒区，疏散下风向群众", 20, None),
           ("monitor", "开展大气和水体应急监测", 30, None), ("medical", "现场救治与转运", 30, None)],
          ACCIDENT_GRADES,
          [{"kind": "rescue_team", "specialty": "危化", "count": 2}, {"kind": "expert", "specialty": "危化",
                                                                       "count": 1},
           {"kind": "depot", "item": "吸附棉", "quantity": 500}, {"kind": "shelter", "count": 1}]),
    _plan("SLYA-SG-02", "双流区火灾事故应急预案", "fire", "xf", ["gaj", "wjj", "zjj"], [],
          [("fire", "灭火救援组", "xf"), ("security", "警戒组", "gaj"), ("medical", "医疗救护组", "wjj")],
          [("fire", "出动就近消防站，灭火救人", 5, None), ("security", "现场警戒、交通管制", 15, None),
           ("medical", "调派120救护车", 10, None)],
          ACCIDENT_GRADES,
          [{"kind": "rescue_team", "specialty": "消防", "count": 3}, {"kind": "rescue_team", "specialty": "医疗",
                                                                       "count": 1}]),
    _plan("SLYA-SG-03", "双流区机场突发事件应急救援预案", "airport", "yjj", ["gaj", "wjj", "jtysj", "xf"],
          ["link-scal"],
          [("rescue", "机坪救援组", "xf"), ("medical", "医疗救护组", "wjj"), ("security", "外围警戒组", "gaj"),
           ("transport", "旅客疏运组", "jtysj"), ("airline", "航空公司联络组", "link-scal")],
          [("rescue", "协同机场消防开展救援", 10, None), ("medical", "在集结点设立伤员分类区", 20, None),
           ("security", "机场外围道路管制", 20, None), ("transport", "组织滞留旅客疏运", 60, None),
           ("airline", "提供旅客名单，开展家属接待", 60, None)],
          ACCIDENT_GRADES,
          [{"kind": "rescue_team", "specialty": "医疗", "count": 2}, {"kind": "rescue_team", "specialty": "消防",
                                                                       "count": 2}]),
    _plan("SLYA-SG-04", "双流区客运站突发事件应急预案", "bus_station", "jtysj", ["gaj", "wjj", "xf"], [],
          [("station", "站务处置组", "jtysj"), ("security", "秩序维护组", "gaj"), ("medical", "医疗救护组", "wjj")],
          [("station", "暂停售检票，启动疏散广播", 10, None), ("security", "疏导站前广场人流", 15, None),
           ("medical", "设立医疗点", 20, None), ("station", "调配运力疏运滞留旅客", 60, None)],
          ACCIDENT_GRADES,
          [{"kind": "rescue_team", "specialty": "医疗", "count": 1}, {"kind": "shelter", "count": 1}]),
    _plan("SLYA-WS-01", "双流区大型活动医疗卫生保障预案", "mass_gathering_medical", "wjj", ["gaj", "scjgj"], [],
          [("medical", "现场医疗组", "wjj"), ("food", "食品安全组", "scjgj"), ("security", "安保组", "gaj")],
          [("medical", "启用场馆医疗站和流动医疗点", 15, None), ("food", "核查参赛和保障人员餐饮", 60, None),
           ("security", "保障急救通道畅通", 15, None)],
          HEALTH_GRADES,
          [{"kind": "rescue_team", "specialty": "医疗", "count": 3}]),
    _plan("SLYA-SH-01", "双流区戒毒场所突发事件应急预案", "rehab_centre", "gaj", ["wjj", "yjj"],
          ["link-qzgljds", "link-jdkfs"],
          [("police", "处置组", "gaj"), ("medical", "医疗组", "wjj"), ("centre1", "强制隔离戒毒所联络组", "link-qzgljds"),
           ("centre2", "戒毒康复所联络组", "link-jdkfs")],
          [("police", "外围封控，处置突发情况", 15, None), ("centre1", "清点人员，报告情况", 20, None),
           ("centre2", "清点人员，报告情况", 20, None), ("medical", "救治伤员", 30, None)],
          SOCIAL_GRADES,
          [{"kind": "rescue_team", "specialty": "医疗", "count": 1}]),
]

# Named places (WGS-84). GCJ-02 anchors of REFERENCE.md 1.3 converted: about -0.0021° lon, +0.0028° lat.
AIRPORT = (103.947, 30.578)
PLACES = {
    "tanghu_park": (103.9164, 30.5731),  # 棠湖公园 (东升)
    "jiang_an": (103.9979, 30.5595),  # 四川大学江安校区 (西航港)
    "uestc_park": (104.0087, 30.4708),  # 电子科技大学科技园 (怡心)
    "pengzhen": (103.8687, 30.5860),  # 彭镇古镇
    "huanglongxi": (103.9684, 30.3206),  # 黄龙溪古镇
    "bus_station": (103.9250, 30.5760),  # 双流客运中心站 (approximate)
    "sports_centre": (103.9350, 30.5850),  # 双流体育中心 (approximate)
    "jiujiang": (103.9250, 30.6050),
    "huangjia": (103.9600, 30.5300),
    "huangshui": (103.8750, 30.5400),
    "yongan": (104.0050, 30.4000),
    "industrial_park": (103.9800, 30.5450),  # 西航港 industrial park (approximate)
}

# (code, name, specialty, place, headcount, equipment, organisation, department)
TEAMS: list[tuple[Any, ...]] = [
    ("XF-HKG", "航空港消防救援站", "消防", (103.9560, 30.5700), 45, ["水罐车 4", "登高车 1", "抢险救援车 2"],
     "双流区消防救援大队", "xf"),
    ("XF-DS", "东升消防救援站", "消防", (103.9230, 30.5690), 38, ["水罐车 3", "泡沫车 1"], "双流区消防救援大队", "xf"),
    ("XF-JJ", "九江消防救援站", "消防", (103.9270, 30.6000), 30, ["水罐车 2", "抢险救援车 1"],
     "双流区消防救援大队", "xf"),
    ("XF-YX", "怡心消防救援站", "消防", (104.0060, 30.4760), 32, ["水罐车 2", "高喷车 1"], "双流区消防救援大队", "xf"),
    ("XF-HLX", "黄龙溪专职消防队", "消防", (103.9700, 30.3250), 16, ["水罐车 1"], "黄龙溪镇", "xf"),
    ("WH-01", "危化品应急救援队", "危化", (103.9820, 30.5480), 24, ["侦检车 1", "洗消车 1", "堵漏器材 3套"],
     "西航港工业园区", "yjj"),
    ("WH-02", "企业专职危化救援队", "危化", (103.9900, 30.5350), 18, ["防化服 20套", "吸附器材"], "园区企业", "yjj"),
    ("SY-01", "水域救援队（江安河）", "水域", (103.9500, 30.5500), 20, ["冲锋舟 4", "救生衣 60"], "双流区消防救援大队",
     "xf"),
    ("SY-02", "水域救援队（府河黄龙溪）", "水域", (103.9650, 30.3300), 14, ["冲锋舟 2", "橡皮艇 3"], "黄龙溪镇", "yjj"),
    ("DZ-01", "地震灾害紧急救援队", "地震", (103.9300, 30.5650), 40, ["生命探测仪 4", "破拆工具组 6"], "区应急管理局",
     "yjj"),
    ("DZ-02", "社会救援力量蓝天救援队", "地震 水域", (103.9450, 30.5900), 35, ["生命探测仪 2", "冲锋舟 2"], "社会组织",
     "yjj"),
    ("YL-01", "区第一人民医院急救站", "医疗", (103.9220, 30.5800), 30, ["救护车 8", "负压救护车 1"], "区卫健局", "wjj"),
    ("YL-02", "航空港医院急救分站", "医疗", (103.9750, 30.5650), 18, ["救护车 4"], "区卫健局", "wjj"),
    ("YL-03", "怡心社区卫生服务中心急救点", "医疗", (104.0100, 30.4800), 10, ["救护车 2"], "区卫健局", "wjj"),
    ("YL-04", "彭镇卫生院急救点", "医疗", (103.8700, 30.5850), 8, ["救护车 1"], "区卫健局", "wjj"),
    ("PS-01", "城市排水抢险队", "排水", (103.9350, 30.5600), 25, ["移动泵车 3", "抽水泵 12"], "区水务局", "swj"),
    ("PS-02", "西航港排水抢险队", "排水", (103.9900, 30.5550), 15, ["移动泵车 2"], "区水务局", "swj"),
    ("DL-01", "电力抢修队", "电力", (103.9400, 30.5750), 22, ["发电车 2", "抢修车 4"], "国网双流供电", "yjj"),
    ("RQ-01", "燃气抢险队", "燃气", (103.9280, 30.5550), 16, ["抢险车 3"], "燃气公司", "zjj"),
    ("MB-01", "民兵应急连", "综合", (103.9150, 30.5700), 60, ["运输车 4"], "区人武部", "yjj"),
    ("JT-01", "交通应急保障队（除冰雪）", "除冰 交通", (103.9600, 30.5950), 30, ["撒布车 3", "清障车 2"], "区交通运输局",
     "jtysj"),
    ("JC-01", "机场消防救援队", "消防 机场", (103.9440, 30.5800), 50, ["机场主力泡沫车 6", "快调车 2"], "成都双流国际机场",
     "xf"),
]

# (code, name, specialty, organisation, place, contact name, phone) — invented people and numbers
EXPERTS: list[tuple[Any, ...]] = [
    ("ZJ-01", "危化品安全专家", "危化", "西南石油大学", "jiang_an", "王建华", "13908000101"),
    ("ZJ-02", "建筑结构专家", "结构", "四川大学", "jiang_an", "李明远", "13908000102"),
    ("ZJ-03", "地震地质专家", "地震", "四川省地震局", "tanghu_park", "张志强", "13908000103"),
    ("ZJ-04", "水利防汛专家", "水利", "区水务局", "tanghu_park", "陈国庆", "13908000104"),
    ("ZJ-05", "应急医学专家", "医学", "区第一人民医院", "bus_station", "刘芳", "13908000105"),
    ("ZJ-06", "植保专家", "植保", "区农业农村局", "huangshui", "赵丰年", "13908000106"),
    ("ZJ-07", "民航安全专家", "航空", "四川航空", "jiang_an", "孙立", "13908000107"),
    ("ZJ-08", "气象专家", "气象", "区气象局", "uestc_park", "周晴", "13908000108"),
    ("ZJ-09", "环境监测专家", "环境", "区生态环境局", "huangjia", "吴清", "13908000109"),
    ("ZJ-10", "燃气安全专家", "燃气", "燃气公司", "industrial_park", "郑安", "13908000110"),
]

# (code, name, place, [(item, unit, quantity)])
DEPOTS: list[tuple[Any, ...]] = [
    ("CK-01", "区级应急物资储备库", (103.9400, 30.5650), [("帐篷", "顶", 800), ("折叠床", "张", 2000),
                                                   ("棉被", "床", 3000), ("编织袋", "条", 20000),
                                                   ("救生衣", "件", 500), ("发电机", "台", 20)]),
    ("CK-02", "西航港物资储备点", (103.9950, 30.5500), [("吸附棉", "kg", 800), ("防化服", "套", 60),
                                                 ("编织袋", "条", 5000), ("抽水泵", "台", 8)]),
    ("CK-03", "黄龙溪防汛物资仓库", (103.9680, 30.3300), [("编织袋", "条", 10000), ("冲锋舟", "艘", 4),
                                                   ("救生衣", "件", 300)]),
    ("CK-04", "交通除冰物资站", (103.9600, 30.6000), [("融雪剂", "吨", 60), ("防滑砂", "吨", 100)]),
    ("CK-05", "卫生应急物资库", (103.9220, 30.5820), [("急救包", "个", 500), ("担架", "副", 80),
                                                ("口罩", "只", 100000)]),
    ("CK-06", "农业植保物资点", (103.8780, 30.5420), [("植保药剂", "吨", 6), ("植保无人机", "架", 12)]),
]

# (code, name, specialty, place, capacity)
SHELTERS: list[tuple[Any, ...]] = [
    ("BN-01", "棠湖公园应急避难场所", "公园", "tanghu_park", 8000),
    ("BN-02", "双流体育中心应急避难场所", "体育场馆", "sports_centre", 12000),
    ("BN-03", "四川大学江安校区避难场所", "学校", "jiang_an", 15000),
    ("BN-04", "怡心湖公园避难场所", "公园", (104.0150, 30.4650), 6000),
    ("BN-05", "彭镇中学避难场所", "学校", "pengzhen", 2000),
    ("BN-06", "黄龙溪镇广场避难场所", "广场", "huanglongxi", 3000),
    ("BN-07", "九江街道文化广场", "广场", "jiujiang", 2500),
    ("BN-08", "黄甲社区避难场所", "社区", "huangjia", 1500),
    ("BN-09", "黄水镇中心小学避难场所", "学校", "huangshui", 1800),
    ("BN-10", "永安镇文体中心避难场所", "场馆", "yongan", 2200),
    ("BN-11", "航空港体育公园避难场所", "公园", (103.9700, 30.5600), 5000),
]

# (code, name, place, owner, department, kind)
CAMERAS: list[tuple[Any, ...]] = [
    ("SP-JC-01", "机场高速入口高点", (103.9500, 30.5850), "交警大队", "gaj", "high_point"),
    ("SP-JC-02", "机场T2航站楼前", (103.9480, 30.5790), "成都双流国际机场", None, "ptz"),
    ("SP-KY-01", "双流客运中心站广场", "bus_station", "区交通运输局", "jtysj", "ptz"),
    ("SP-KY-02", "客运中心站进站口", (103.9255, 30.5765), "区交通运输局", "jtysj", "fixed"),
    ("SP-TY-01", "体育中心东门", "sports_centre", "公安分局", "gaj", "fixed"),
    ("SP-TH-01", "棠湖公园南门", "tanghu_park", "公安分局", "gaj", "fixed"),
    ("SP-HLX-01", "黄龙溪古镇入口", "huanglongxi", "黄龙溪镇", None, "ptz"),
    ("SP-HLX-02", "府河黄龙溪段水位", (103.9660, 30.3230), "区水务局", "swj", "fixed"),
    ("SP-PZ-01", "彭镇古镇观音阁老茶馆", "pengzhen", "彭镇", None, "fixed"),
    ("SP-GY-01", "西航港工业园区高点", "industrial_park", "区应急管理局", "yjj", "high_point"),
    ("SP-GY-02", "园区危化企业厂区", (103.9830, 30.5470), "区应急管理局", "yjj", "fixed"),
    ("SP-JA-01", "江安河双流段", (103.9500, 30.5520), "区水务局", "swj", "fixed"),
    ("SP-YX-01", "怡心湖", (104.0150, 30.4660), "怡心街道", None, "fixed"),
    ("SP-JJ-01", "九江大桥", "jiujiang", "交警大队", "gaj", "fixed"),
]

# Committee and headquarters: (code, name, kind, parent, office, members)
BODIES: list[tuple[Any, ...]] = [
    ("yjw", "双流区突发事件应急委员会", "committee", None, "yjj",
     ["yjj", "gaj", "xf", "wjj", "swj", "zjj", "jtysj", "sthjj", "scjgj", "cgj", "zhzx"]),
    ("fxkh", "双流区防汛抗旱指挥部", "hq", "yjw", "yjj", ["yjj", "swj", "zjj", "jtysj", "cgj", "xf"]),
    ("aqsc", "双流区安全生产委员会", "hq", "yjw", "yjj", ["yjj", "xf", "gaj", "scjgj", "jtysj", "zjj"]),
    ("slfmh", "双流区森林防灭火指挥部", "hq", "yjw", "yjj", ["yjj", "xf", "gaj", "nyncj"]),
    ("kzjz", "双流区抗震救灾指挥部", "hq", "yjw", "yjj", ["yjj", "zjj", "wjj", "gaj", "xf", "jyj"]),
    ("ggws", "双流区突发公共卫生事件应急指挥部", "hq", "yjw", "wjj", ["wjj", "scjgj", "gaj", "jyj"]),
    ("dzwyq", "双流区重大动植物疫情应急指挥部", "hq", "yjw", "nyncj", ["nyncj", "scjgj", "sthjj"]),
    ("jtys", "双流区交通运输应急指挥部", "hq", "yjw", "jtysj", ["jtysj", "gaj", "yjj", "cgj", "link-scal"]),
    ("shaq", "双流区社会安全事件应急指挥部", "hq", "yjw", "gaj", ["gaj", "wllzb", "link-qzgljds", "link-jdkfs"]),
]

# The drill year, one theme a month (一月一主题): (month, body, theme, incident type, lead, place)
DRILL_YEAR: list[tuple[Any, ...]] = [
    (1, "jtys", "低温雨雪冰冻天气道路保畅演练", "low_temp_freeze", "jtysj", "jiujiang"),
    (2, "aqsc", "春运客运站突发事件应急疏散演练", "bus_station", "jtysj", "bus_station"),
    (3, "slfmh", "森林火灾扑救演练", "forest_fire", "yjj", "yongan"),
    (4, "ggws", "成都市体育系列赛事医疗卫生保障演练", "mass_gathering_medical", "wjj", "sports_centre"),
    (5, "kzjz", "地震应急避险疏散演练（5·12防灾减灾日）", "earthquake", "yjj", "jiang_an"),
    (6, "aqsc", "危险化学品泄漏事故处置演练（安全生产月）", "hazchem_leak", "yjj", "industrial_park"),
    (7, "fxkh", "防汛抢险综合演练", "flood", "yjj", "huanglongxi"),
    (8, "fxkh", "城市内涝排水抢险演练", "waterlogging", "swj", "tanghu_park"),
    (9, "dzwyq", "农作物重大病虫害（外来入侵生物）防控演练", "crop_pest", "nyncj", "huangshui"),
    (10, "shaq", "戒毒场所突发事件联合处置演练", "rehab_centre", "gaj", "huangjia"),
    (11, "aqsc", "高层建筑火灾扑救演练（119消防宣传月）", "fire", "xf", "uestc_park"),
    (12, "jtys", "机场航空器突发事件联合救援演练", "airport", "yjj", AIRPORT),
]
