"""Bulk import from CSV and .xlsx: a row-by-row report, all or nothing unless bad rows may be skipped."""

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.safety.importer import service as importer
from citybrain.safety.models import Equipment, HazardChemical, HazardPoint, Unit
from tests.safety.conftest import new_code


def csv_bytes(rows, encoding="utf-8-sig"):
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


UNIT_HEADER = [
    "名称",
    "统一社会信用代码",
    "行业",
    "场所类型",
    "经度",
    "纬度",
    "安全负责人",
    "联系电话",
    "备注",
]


def unit_rows(codes):
    return [
        UNIT_HEADER,
        ["甲化工", codes[0], "hazchem", "chemical_store", 104.005, 30.405, "张三", "13800001111", "x"],
        ["乙餐馆", "91350100M000100Y44", "catering", "restaurant", 104.006, 30.406, "", "", ""],
        ["丙工厂", codes[1], "manufacturing", "factory", 103.0, 29.0, "", "", ""],
        ["丁仓库", codes[2], "logistics", "warehouse", 104.03, 30.41, "", "", ""],
    ]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_csv_all_or_nothing(session, geo):
    codes = [new_code() for _ in range(3)]
    with pytest.raises(importer.ImportRefused) as e:
        importer.import_file(session, SYSTEM, "units", csv_bytes(unit_rows(codes)), "units.csv")
    rep = e.value.report
    assert [(x.row, x.field) for x in rep.errors] == [(3, "credit_code"), (4, "location")]
    assert "check character" in rep.errors[0].msg and "outside" in rep.errors[1].msg
    assert rep.warnings == ["column '备注' is not a units field and was ignored"]
    assert e.value.detail()[0]["loc"] == ["file", "row 3", "credit_code"]
    assert count(session, Unit) == 0


def test_csv_skip_bad_rows(session, geo):
    codes = [new_code() for _ in range(3)]
    rep = importer.import_file(
        session, SYSTEM, "units", csv_bytes(unit_rows(codes), "gb18030"), "units.csv", skip_invalid=True
    )
    assert (rep.rows, rep.imported, rep.skipped) == (4, 2, 2)
    names = session.scalars(select(Unit.name).order_by(Unit.id)).all()
    assert names == ["甲化工", "丁仓库"]
    u = session.scalar(select(Unit).where(Unit.name == "丁仓库"))
    assert u.street_code == "510116002" and u.source == "import" and u.risk_level == u.inherent_level


def test_dry_run_writes_nothing(session, geo):
    rows = [UNIT_HEADER, ["甲化工", new_code(), "hazchem", "chemical_store", 104.005, 30.405, "", "", ""]]
    rep = importer.import_file(session, SYSTEM, "units", csv_bytes(rows), "u.csv", dry_run=True)
    assert rep.imported == 0 and not rep.errors and count(session, Unit) == 0


def test_duplicates_in_file_and_registry(session, geo):
    code = new_code()
    rows = [
        UNIT_HEADER,
        ["甲", code, "hazchem", "chemical_store", 104.005, 30.405, "", "", ""],
        ["乙", code, "hazchem", "chemical_store", 104.006, 30.405, "", "", ""],
    ]
    with pytest.raises(importer.ImportRefused) as e:
        importer.import_file(session, SYSTEM, "units", csv_bytes(rows), "u.csv")
    assert [(x.row, x.field) for x in e.value.report.errors] == [(3, "credit_code")]
    importer.import_file(session, SYSTEM, "units", csv_bytes(rows[:2]), "u.csv")
    with pytest.raises(importer.ImportRefused) as e:
        importer.import_file(session, SYSTEM, "units", csv_bytes(rows[:2]), "u.csv")
    assert "already registered" in e.value.report.errors[0].msg


def test_xlsx_units_points_and_equipment(session, geo):
    a, b = new_code(), new_code()
    units = [
        UNIT_HEADER,
        ["甲化工", a, "hazchem", "chemical_store", 104.005, 30.405, "张三", "13800001111", None],
        ["乙工厂", b, "manufacturing", "factory", 104.03, 30.41, None, None, None],
    ]
    assert importer.import_file(session, SYSTEM, "units", xlsx_bytes(units), "u.xlsx").imported == 2
    points = [
        ["类型", "点位名称", "单位信用代码", "经度", "纬度", "周边500米人数", "危险化学品"],
        ["hazchem", "二氧化硫罐区", a, 104.0052, 30.4051, 60, "7446-09-5:200"],
        ["hazchem", "混合库", a, 104.0053, 30.4052, 0, "7664-41-7：2；67-56-1: 10"],
        ["fire", "消防通道", b, 104.031, 30.411, None, None],
    ]
    rep = importer.import_file(session, SYSTEM, "hazard_points", xlsx_bytes(points), "p.xlsx")
    assert rep.imported == 3
    so2 = session.scalar(select(HazardPoint).where(HazardPoint.name == "二氧化硫罐区"))
    assert so2.is_major_hazard and so2.major_hazard_grade == 3 and so2.r_value == pytest.approx(30)
    assert count(session, HazardChemical) == 3
    unit_a = session.scalar(select(Unit).where(Unit.credit_code == a))
    assert unit_a.risk_level >= 2  # the grade-3 major hazard source re-graded its unit
    equipment = [
        ["设备种类", "使用登记证编号", "单位信用代码", "上次检验日期", "下次检验日期"],
        ["boiler", "锅11川A0001(20)", a, "2025-06-01", None],
        ["crane", "起11川A0002(21)", b, "2025-01-10", "2024-01-01"],
        ["rocket", "X-1", b, None, None],
    ]
    with pytest.raises(importer.ImportRefused) as e:
        importer.import_file(session, SYSTEM, "equipment", xlsx_bytes(equipment), "e.xlsx")
    assert [(x.row, x.field) for x in e.value.report.errors] == [(3, "next_due"), (4, "kind")]
    assert count(session, Equipment) == 0


def test_bad_point_rows(session, geo):
    points = [
        ["类型", "名称", "经度", "纬度", "危险化学品"],
        ["hazchem", "未知品", 104.005, 30.405, "50-00-0:1"],
        ["hazchem", "负数", 104.005, 30.405, "7446-09-5:-3"],
        ["hazchem", "无化学品", 104.005, 30.405, None],
        ["fire", "没有单位", 104.005, 30.405, None],
        ["hazchem", "单位不存在", 104.005, 30.405, "7446-09-5:1"],
    ]
    points[5].append(None)
    points[0].append("单位信用代码")
    for r in points[1:5]:
        r.append(None)
    points[5][-1] = new_code()
    with pytest.raises(importer.ImportRefused) as e:
        importer.import_file(session, SYSTEM, "hazard_points", csv_bytes(points), "p.csv")
    assert [(x.row, x.field) for x in e.value.report.errors] == [
        (2, "chemicals[0].cas"),
        (3, "chemicals[0].quantity_t"),
        (4, "chemicals"),
        (6, "unit_credit_code"),
    ]


def test_unreadable_files(session, geo):
    from citybrain.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        importer.import_file(session, SYSTEM, "units", b"not a workbook", "u.xlsx")
    assert e.value.field == "file"
    with pytest.raises(ValidationFailed) as e:
        importer.import_file(session, SYSTEM, "units", b"x", "u.pdf")
    assert e.value.field == "file"
