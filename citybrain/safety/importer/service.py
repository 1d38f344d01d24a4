"""Bulk import of units, hazard points and special equipment from CSV or Excel (.xlsx).

Every row is checked first — the same Pydantic models as the API, credit codes, places (all located at
once), duplicates inside the file and against the registry — and the report names each bad row and
field. Nothing is written when any row is bad, unless the caller asks to skip bad rows; then the good
ones are written and the bad ones reported. Headers may be English field names or the Chinese ones of
`HEADERS`; an unknown header is reported as a warning and ignored.

CSV is read with the standard `csv` module (UTF-8 with or without BOM, or GB18030 as Excel in China
saves it); .xlsx with openpyxl (first sheet, first row the header).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.errors import ValidationFailed
from citybrain.core.geo import parse_crs, to_wgs84
from citybrain.geography.public import index, locate_many
from citybrain.safety.equipment import service as equipment
from citybrain.safety.equipment.models import Equipment
from citybrain.safety.equipment.schemas import EquipmentIn
from citybrain.safety.hazards import service as hazards
from citybrain.safety.hazards.models import HazardPoint
from citybrain.safety.hazards.schemas import HazardPointIn
from citybrain.safety.risk.service import regrade
from citybrain.safety.units.models import Unit
from citybrain.safety.units.schemas import UnitIn
from citybrain.safety.units.service import unit_row

KINDS = ("units", "hazard_points", "equipment")
MAX_ROWS = 100_000

HEADERS: dict[str, dict[str, str]] = {
    "units": {
        "名称": "name",
        "单位名称": "name",
        "统一社会信用代码": "credit_code",
        "信用代码": "credit_code",
        "行业": "industry",
        "场所类型": "venue_type",
        "规模": "scale",
        "地址": "address",
        "经度": "lon",
        "纬度": "lat",
        "坐标系": "crs",
        "从业人数": "employees",
        "消防安全重点单位": "fire_key_unit",
        "安全负责人": "safety_officer",
        "安全负责人电话": "safety_officer_phone",
        "联系电话": "contact_phone",
        "L": "lec_l",
        "E": "lec_e",
        "C": "lec_c",
    },
    "hazard_points": {
        "类型": "kind",
        "名称": "name",
        "点位名称": "name",
        "单位信用代码": "unit_credit_code",
        "统一社会信用代码": "unit_credit_code",
        "描述": "description",
        "地址": "address",
        "经度": "lon",
        "纬度": "lat",
        "坐标系": "crs",
        "周边500米人数": "people_within_500m",
        "风险等级": "assessed_level",
        "危险化学品": "chemicals",
    },
    "equipment": {
        "设备种类": "kind",
        "种类": "kind",
        "使用登记证编号": "registration_no",
        "登记证号": "registration_no",
        "单位信用代码": "unit_credit_code",
        "统一社会信用代码": "unit_credit_code",
        "设备代码": "equipment_code",
        "型号": "model",
        "安装位置": "location",
        "上次检验日期": "last_inspection",
        "下次检验日期": "next_due",
        "状态": "status",
    },
}
MODELS: dict[str, type[BaseModel]] = {
    "units": UnitIn,
    "hazard_points": HazardPointIn,
    "equipment": EquipmentIn,
}
BOOL_WORDS = {
    "是": True,
    "否": False,
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "y": True,
    "n": False,
}


@dataclasses.dataclass
class RowError:
    row: int  # the spreadsheet row number (the header is row 1)
    field: str
    msg: str


@dataclasses.dataclass
class Report:
    kind: str
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    ids: list[int] = dataclasses.field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "imported": self.imported,
            "skipped": self.skipped,
            "dry_run": self.dry_run,
            "errors": [dataclasses.asdict(e) for e in self.errors],
            "warnings": self.warnings,
        }


class ImportRefused(ValidationFailed):
    """Bad rows and no permission to skip them: nothing was written. The body lists every bad row."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"{len({e.row for e in report.errors})} of {report.rows} rows are invalid; "
            "nothing was imported (fix them, or import with skip_invalid)",
            "file",
            loc="body",
        )
        self.report = report

    def detail(self) -> list[dict[str, object]]:
        return [
            {"loc": ["file", f"row {e.row}", e.field], "msg": e.msg, "type": "value_error"}
            for e in self.report.errors
        ]


# ── reading ──────────────────────────────────────────────────────────────────────────────────────
def read_table(content: bytes, filename: str) -> list[dict[str, Any]]:
    """Rows as {header: value}; blank rows dropped. Raises a 422 on field `file` for unreadable files."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    raise ValidationFailed("the file must be .csv or .xlsx", "file")


def _read_csv(content: bytes) -> list[dict[str, Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed("cannot read the CSV: use UTF-8 or GB18030", "file")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValidationFailed("the CSV has no header row", "file")
    return [{k.strip(): v for k, v in r.items() if k is not None} for r in reader]


def _read_xlsx(content: bytes) -> list[dict[str, Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(f"not a readable .xlsx workbook: {exc}", "file") from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if not header:
            raise ValidationFailed("the sheet has no header row", "file")
        names = [str(h).strip() if h is not None else "" for h in header]
        rows = []
        for values in it:
            rows.append({names[i]: v for i, v in enumerate(values) if i < len(names) and names[i]})
        return rows
    finally:
        wb.close()


def _clean(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return None if v == "" else v
    if isinstance(v, dt.datetime):
        return v.date()  # spreadsheets store dates as date-times
    return v


def _normalise(kind: str, raw: dict[str, Any], warnings: set[str]) -> dict[str, Any]:
    model = MODELS[kind]
    aliases = HEADERS[kind]
    out: dict[str, Any] = {}
    for header, value in raw.items():
        field = aliases.get(header, header)
        if field not in model.model_fields:
            warnings.add(f"column {header!r} is not a {kind} field and was ignored")
            continue
        v = _clean(value)
        if v is None:
            continue
        if field in ("lon", "lat") and isinstance(v, str):  # a CSV cell is text; the model takes numbers only
            v = _number(v)
        if field == "fire_key_unit" and isinstance(v, str):
            v = BOOL_WORDS.get(v.lower(), v)
        if field == "chemicals" and isinstance(v, str):
            v = _parse_chemicals(v)
        if field == "assessed_level" and isinstance(v, str):
            v = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}.get(v[:1], v)
        if field in (
            "credit_code",
            "unit_credit_code",
            "registration_no",
            "equipment_code",
        ) and not isinstance(v, str):
            v = str(v)
        out[field] = v
    return out


def _number(text: str) -> float | str:
    """A number written in a cell, or the text itself (the model then says what is wrong with it)."""
    try:
        return float(text)
    except ValueError:
        return text


def _parse_chemicals(text: str) -> list[dict[str, Any]] | str:
    """'7446-09-5:200; 7664-41-7:12.5' → [{cas, quantity_t}, ...] (a malformed cell stays text so the
    model reports it)."""
    items = []
    for part in text.replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        cas, sep, qty = part.replace("：", ":").partition(":")
        if not sep:
            return text
        try:
            items.append({"cas": cas.strip(), "quantity_t": float(qty)})
        except ValueError:
            items.append({"cas": cas.strip(), "quantity_t": qty.strip()})
    return items


# ── checking ─────────────────────────────────────────────────────────────────────────────────────
def _field_of(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "row"


def _validate(kind: str, rows: list[dict[str, Any]], report: Report) -> dict[int, Any]:
    warnings: set[str] = set()
    good: dict[int, Any] = {}
    model = MODELS[kind]
    for i, raw in enumerate(rows):
        row_no = i + 2
        try:
            good[row_no] = model.model_validate(_normalise(kind, raw, warnings))
        except ValidationError as exc:
            for err in exc.errors():
                msg = err["msg"].removeprefix("Value error, ")
                report.errors.append(RowError(row_no, _field_of(tuple(err["loc"])), msg))
    report.warnings.extend(sorted(warnings))
    return good


def _locate(session: Session, good: dict[int, Any], report: Report) -> dict[int, tuple[Any, ...]]:
    """Place every row at once; rows outside the district or in a street it does not run are errors."""
    idx = index(session)
    placed: dict[int, tuple[Any, ...]] = {}
    by_crs: dict[str, list[int]] = {}
    for row_no, m in good.items():
        try:
            by_crs.setdefault(parse_crs(m.crs).value, []).append(row_no)
        except ValidationFailed as exc:
            report.errors.append(RowError(row_no, "crs", exc.msg))
    for crs, rows in by_crs.items():
        lons = np.array([good[r].lon for r in rows])
        lats = np.array([good[r].lat for r in rows])
        wlon, wlat = to_wgs84(lons, lats, crs)
        hits = locate_many(session, wlon, wlat, _index=idx)
        for k, row_no in enumerate(rows):
            if hits[k] < 0:
                report.errors.append(
                    RowError(
                        row_no,
                        "location",
                        f"({lons[k]}, {lats[k]}) [{crs}] is outside 双流区: no grid contains it",
                    )
                )
                continue
            info = idx.rows[int(hits[k])]
            if not info[9]:
                report.errors.append(
                    RowError(
                        row_no,
                        "location",
                        f"({lons[k]}, {lats[k]}) lies in {info[5]}, run by {info[8]}, not by 双流区",
                    )
                )
                continue
            placed[row_no] = (float(wlon[k]), float(wlat[k]), *info)
    return placed


def _units_by_credit(session: Session, codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    codes_l = sorted(codes)
    for i in range(0, len(codes_l), 500):
        found.update(
            dict(
                session.execute(
                    select(Unit.credit_code, Unit.id).where(Unit.credit_code.in_(codes_l[i : i + 500]))
                ).all()
            )
        )
    return found


def _duplicates(good: dict[int, Any], attr: str, report: Report, existing: set[str], what: str) -> None:
    seen: dict[str, int] = {}
    for row_no, m in good.items():
        v = getattr(m, attr)
        if v in existing:
            report.errors.append(RowError(row_no, attr, f"{what} {v} is already registered"))
        elif v in seen:
            report.errors.append(RowError(row_no, attr, f"{what} {v} repeats row {seen[v]}"))
        else:
            seen[v] = row_no


# ── writing ──────────────────────────────────────────────────────────────────────────────────────
def import_rows(
    session: Session,
    actor: Actor,
    kind: str,
    rows: list[dict[str, Any]],
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Check every row, then write all of them — or none, unless `skip_invalid`. Raises ImportRefused."""
    if kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {list(KINDS)}", "kind")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"at most {MAX_ROWS} rows per import", "file")
    report = Report(kind, rows=len(rows), dry_run=dry_run)
    good = _validate(kind, rows, report)
    placed: dict[int, tuple[Any, ...]] = {}
    links: dict[str, int] = {}
    if kind in ("units", "hazard_points"):
        placed = _locate(session, good, report)
    if kind == "units":
        existing = set(_units_by_credit(session, {m.credit_code for m in good.values()}))
        _duplicates(good, "credit_code", report, existing, "credit code")
    else:
        codes = {m.unit_credit_code.strip().upper() for m in good.values() if m.unit_credit_code}
        links = _units_by_credit(session, codes)
        ids = {m.unit_id for m in good.values() if m.unit_id is not None}
        known_ids = set(session.scalars(select(Unit.id).where(Unit.id.in_(ids)))) if ids else set()
        for row_no, m in good.items():
            code = (m.unit_credit_code or "").strip().upper()
            if code and code not in links:
                report.errors.append(RowError(row_no, "unit_credit_code", f"no unit with credit code {code}"))
            if m.unit_id is not None and m.unit_id not in known_ids:
                report.errors.append(RowError(row_no, "unit_id", f"unit {m.unit_id} not found"))
            try:  # the services' own checks, so a row is refused for what a JSON body would be
                if kind == "equipment":
                    equipment.check_unit_named(m.unit_id, code, field="unit_credit_code")
                else:
                    hazards.check_chemicals(m.kind, m.chemicals)
            except ValidationFailed as exc:
                report.errors.append(RowError(row_no, exc.field or "row", exc.msg))
        if kind == "equipment":
            regs = {m.registration_no for m in good.values()}
            existing = (
                set(
                    session.scalars(
                        select(Equipment.registration_no).where(Equipment.registration_no.in_(regs))
                    )
                )
                if regs
                else set()
            )
            _duplicates(good, "registration_no", report, existing, "registration number")
    report.errors.sort(key=lambda e: (e.row, e.field))
    bad = {e.row for e in report.errors}
    report.skipped = len(bad)
    if bad and not skip_invalid:
        raise ImportRefused(report)
    ok = [r for r in sorted(good) if r not in bad and (kind == "equipment" or r in placed)]
    if dry_run:
        return report
    if kind == "units":
        report.ids = _write_units(session, [good[r] for r in ok], [placed[r] for r in ok], progress)
    elif kind == "hazard_points":
        report.ids = _write_points(session, [good[r] for r in ok], [placed[r] for r in ok], links, progress)
    else:
        report.ids = _write_equipment(session, [good[r] for r in ok], links, progress)
    report.imported = len(report.ids)
    audit.record(
        session,
        actor,
        "import",
        f"safety_{kind}",
        f"{len(report.ids)} rows",
        None,
        {"rows": report.rows, "imported": report.imported, "skipped": report.skipped},
    )
    _regrade_after(session, kind, report.ids)
    return report


class _Loc:
    def __init__(self, t: tuple[Any, ...]) -> None:
        (
            self.lon,
            self.lat,
            self.grid_code,
            self.grid_name,
            self.community_code,
            self.community_name,
            self.street_code,
            self.street_name,
            *_rest,
        ) = t


def _write_units(
    session: Session,
    models: list[Any],
    places: list[tuple[Any, ...]],
    progress: Callable[[int], None] | None,
) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(models), 1000):
        chunk = [
            unit_row(m, _Loc(p), "import")
            for m, p in zip(models[start : start + 1000], places[start : start + 1000], strict=True)
        ]
        res = session.execute(insert(Unit).returning(Unit.id), chunk)
        ids.extend(int(i) for i in res.scalars())
        if progress:
            progress(len(chunk))
    return ids


def _write_points(
    session: Session,
    models: list[Any],
    places: list[tuple[Any, ...]],
    links: dict[str, int],
    progress: Callable[[int], None] | None,
) -> list[int]:
    ids = []
    for m, p in zip(models, places, strict=True):
        unit_id = m.unit_id or (links.get(m.unit_credit_code.strip().upper()) if m.unit_credit_code else None)
        point = hazards.new_point(m, _Loc(p), unit_id, "import")
        session.add(point)
        session.flush()
        hazards.add_chemicals(session, point, m.chemicals)
        ids.append(point.id)
        if progress:
            progress(1)
    session.flush()
    return ids


def _write_equipment(
    session: Session, models: list[Any], links: dict[str, int], progress: Callable[[int], None] | None
) -> list[int]:
    ids = []
    for m in models:
        eq = equipment.new_equipment(m, m.unit_id or links[m.unit_credit_code.strip().upper()], "import")
        session.add(eq)
        session.flush()
        ids.append(eq.id)
        if progress:
            progress(1)
    return ids


def _regrade_after(session: Session, kind: str, ids: list[int]) -> None:
    if not ids:
        return
    if kind == "units":
        unit_ids = ids
    elif kind == "hazard_points":
        unit_ids = sorted(
            {
                u
                for u in session.scalars(select(HazardPoint.unit_id).where(HazardPoint.id.in_(ids)))
                if u is not None
            }
        )
    else:
        unit_ids = sorted(set(session.scalars(select(Equipment.unit_id).where(Equipment.id.in_(ids)))))
    if unit_ids:
        regrade(session, unit_ids if len(unit_ids) <= 500 else None, cause=f"import of {kind}")


def import_file(
    session: Session, actor: Actor, kind: str, content: bytes, filename: str, **kw: Any
) -> Report:
    return import_rows(session, actor, kind, read_table(content, filename), **kw)
