"""The sensor registry: register, change, look up and list sensors; import a CSV with a row-by-row report.

A sensor's place is located to its grid on registration (`geography.public.place`); a point outside the
district is refused naming `location`. Its type fixes its unit and valid range (reference.TYPES).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.directory.public import Department, department_by_code
from citybrain.geography.public import place
from citybrain.monitoring import policies
from citybrain.monitoring.reference import TYPES, SensorType
from citybrain.monitoring.sensors.models import Sensor
from citybrain.monitoring.sensors.schemas import ImportOut, ImportRowOut, SensorIn, SensorPatch

SILENT_AFTER = 3  # a sensor is silent when its last reading is older than this many intervals


def sensor_type(code: str, field: str = "type") -> SensorType:
    t = TYPES.get(code)
    if t is None:
        raise ValidationFailed(f"unknown sensor type {code!r}; one of {sorted(TYPES)}", field)
    return t


def _department_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    dept = department_by_code(session, code)
    if dept is None:
        raise ValidationFailed(f"no department with code {code!r}", "department")
    return dept.id


def _check_links(session: Session, unit_id: int | None, hazard_point_id: int | None) -> None:
    from citybrain.safety.public import get_hazard_point, get_unit

    if unit_id is not None:
        get_unit(session, unit_id, field="unit_id")
    if hazard_point_id is not None:
        try:
            get_hazard_point(session, hazard_point_id)
        except NotFound:
            raise ValidationFailed(f"hazard point {hazard_point_id} not found", "hazard_point_id") from None


def get_sensor(session: Session, code: str) -> Sensor:
    s = session.scalar(select(Sensor).where(Sensor.code == code))
    if s is None:
        raise NotFound("sensor", code)
    return s


def register(session: Session, actor: Actor, data: SensorIn) -> Sensor:
    policies.EDIT_REGISTRY.allow(session, actor)
    t = sensor_type(data.type)
    if session.scalar(select(Sensor.id).where(Sensor.code == data.code)) is not None:
        raise Conflict(f"a sensor with code {data.code!r} is already registered", "code")
    _check_links(session, data.unit_id, data.hazard_point_id)
    sensor = Sensor(code=data.code, name=data.name, type=t.code, unit=t.unit,
                    department_id=_department_id(session, data.department), unit_id=data.unit_id,
                    hazard_point_id=data.hazard_point_id, river=data.river, address=data.address,
                    interval_s=data.interval_s or t.interval_s, active=True)
    place(session, sensor, data.lon, data.lat, data.crs, field="location")
    session.add(sensor)
    session.flush()
    audit.record(session, actor, "create", "monitoring_sensor", sensor.id, None,
                 audit.snapshot(sensor, ["code", "name", "type", "lon", "lat", "grid_code", "department_id"]))
    return sensor


def update(session: Session, actor: Actor, code: str, patch: SensorPatch) -> Sensor:
    policies.EDIT_REGISTRY.allow(session, actor)
    sensor = get_sensor(session, code)
    fields = ["name", "department_id", "unit_id", "hazard_point_id", "interval_s", "active"]
    before = audit.snapshot(sensor, fields)
    given = patch.model_fields_set
    if "department" in given:
        sensor.department_id = _department_id(session, patch.department)
    if "unit_id" in given or "hazard_point_id" in given:
        _check_links(session, patch.unit_id if "unit_id" in given else None,
                     patch.hazard_point_id if "hazard_point_id" in given else None)
    for name in ("name", "unit_id", "hazard_point_id", "interval_s", "active"):
        if name in given:
            value = getattr(patch, name)
            if value is None and name in ("name", "interval_s", "active"):
                raise ValidationFailed(f"{name} cannot be empty", name)
            setattr(sensor, name, value)
    audit.record(session, actor, "update", "monitoring_sensor", sensor.id, before, audit.snapshot(sensor, fields))
    return sensor


def state_of(sensor: Sensor, alarmed: bool, now: dt.datetime | None = None) -> str:
    if alarmed:
        return "alarm"
    if sensor.last_time is None:
        return "no_data"
    if (now or utcnow()) - sensor.last_time > dt.timedelta(seconds=SILENT_AFTER * sensor.interval_s):
        return "silent"
    return "ok"


def alarmed_ids(session: Session, ids: list[int]) -> set[int]:
    from citybrain.monitoring.alarms.models import CLEARED, Alarm

    if not ids:
        return set()
    return set(session.scalars(select(Alarm.sensor_id).where(Alarm.sensor_id.in_(ids), Alarm.status != CLEARED)))


def outs(session: Session, sensors: list[Sensor]) -> list[dict[str, Any]]:
    alarmed = alarmed_ids(session, [s.id for s in sensors])
    dept_ids = {s.department_id for s in sensors if s.department_id}
    depts = {d.id: d.code for d in session.scalars(select(Department).where(Department.id.in_(dept_ids)))} \
        if dept_ids else {}
    now = utcnow()
    out = []
    for s in sensors:
        t = TYPES[s.type]
        last = ({"time": to_local(s.last_time), "value": s.last_value}
                if s.last_time is not None and s.last_value is not None else None)
        out.append({
            "id": s.id, "code": s.code, "name": s.name, "type": s.type, "type_name": t.name, "unit": s.unit,
            "valid_range": (t.low, t.high), "lon": s.lon, "lat": s.lat, "grid_code": s.grid_code,
            "community_code": s.community_code, "street_code": s.street_code,
            "department": depts.get(s.department_id) if s.department_id else None, "unit_id": s.unit_id,
            "hazard_point_id": s.hazard_point_id, "river": s.river, "address": s.address,
            "interval_s": s.interval_s, "active": s.active, "state": state_of(s, s.id in alarmed, now),
            "last": last,
        })
    return out


SORTABLE = {"code": Sensor.code, "name": Sensor.name, "type": Sensor.type, "last_time": Sensor.last_time}


def list_sensors(session: Session, actor: Actor, params: ListParams, type_: str | None = None,
                 street: str | None = None) -> Page[Any]:
    policies.READ.allow(session, actor)
    q = select(Sensor).order_by(Sensor.code)
    if type_:
        q = q.where(Sensor.type == sensor_type(type_, "type").code)
    if street:
        q = q.where(Sensor.street_code == street)
    page: Page[Any] = paginate(session, q, params, SORTABLE)
    return Page[Any](items=outs(session, list(page.items)), page=page.page, size=page.size, total=page.total)


# ── CSV import ─────────────────────────────────────────────────────────────────────────────────────
IMPORT_COLUMNS = ("code", "name", "type", "lon", "lat", "crs", "department", "unit_id", "hazard_point_id",
                  "river", "address", "interval_s")
REQUIRED_COLUMNS = ("code", "name", "type", "lon", "lat")


def _row_data(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in IMPORT_COLUMNS:
        raw = (row.get(key) or "").strip()
        if not raw:
            continue
        if key in ("lon", "lat"):
            try:
                data[key] = float(raw)
            except ValueError:
                data[key] = raw  # the schema names the field
        elif key in ("unit_id", "hazard_point_id", "interval_s"):
            data[key] = int(raw) if raw.isdigit() else raw
        else:
            data[key] = raw
    return data


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)]
    if isinstance(exc, DomainError):
        return [f"{exc.field or 'row'}: {exc.msg}"]
    return [str(exc)]


XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
# a registry import is at most this many rows: an .xlsx is compressed, so the upload limit alone lets a
# 1.5 MB workbook carry 300,000 rows (half a minute of work and a 44 MB answer)
MAX_IMPORT_ROWS = 10_000


def _capped(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    out = list(itertools.islice(rows, MAX_IMPORT_ROWS + 1))
    if len(out) > MAX_IMPORT_ROWS:
        raise ValidationFailed(f"the file has more than {MAX_IMPORT_ROWS:,} rows; split it into files of at most "
                               f"{MAX_IMPORT_ROWS:,}", "file")
    return out


def _read_csv(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("the file is not UTF-8 text (or an .xlsx workbook)", "file") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    return header, _capped({(k or "").strip(): v or "" for k, v in raw.items()} for raw in reader)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))  # a spreadsheet's 60.0 is the interval 60
    return str(v)


def _read_xlsx(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The first sheet of a workbook, its first row the header (openpyxl, read-only)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(f"not a readable .xlsx workbook: {exc}", "file") from None
    try:
        it = wb.worksheets[0].iter_rows(values_only=True)
        header = [_cell(h).strip() for h in next(it, None) or ()]
        rows = _capped({header[i]: _cell(v) for i, v in enumerate(values) if i < len(header) and header[i]}
                       for values in it if any(v not in (None, "") for v in values))
        return header, rows
    finally:
        wb.close()


def import_csv(session: Session, actor: Actor, content: bytes) -> ImportOut:
    """Register or update sensors from a CSV (UTF-8) or an .xlsx workbook (first sheet), header row with
    IMPORT_COLUMNS. Each row is its own savepoint: a bad row is reported and skipped, the good ones kept."""
    policies.EDIT_REGISTRY.allow(session, actor)
    header, records = _read_xlsx(content) if content.startswith(XLSX_MAGIC) else _read_csv(content)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(f"the header lacks column(s) {missing}; columns: {list(IMPORT_COLUMNS)}", "file")
    rows: list[ImportRowOut] = []
    for i, row in enumerate(records, start=1):
        code = (row.get("code") or "").strip()
        try:
            with session.begin_nested():
                data = SensorIn.model_validate(_row_data(row))
                existing = session.scalar(select(Sensor).where(Sensor.code == data.code))
                if existing is None:
                    register(session, actor, data)
                    status = "created"
                else:
                    if existing.type != data.type:
                        raise ValidationFailed(f"sensor {code} is a {existing.type}; a type is not changed by "
                                               "import", "type")
                    place(session, existing, data.lon, data.lat, data.crs, field="location")
                    update(session, actor, data.code, SensorPatch(
                        name=data.name, department=data.department, unit_id=data.unit_id,
                        hazard_point_id=data.hazard_point_id, interval_s=data.interval_s or existing.interval_s))
                    status = "updated"
            rows.append(ImportRowOut(row=i, code=code, status=status))
        except (ValidationError, DomainError) as exc:
            rows.append(ImportRowOut(row=i, code=code, status="refused", errors=_messages(exc)))
    count = {s: sum(1 for r in rows if r.status == s) for s in ("created", "updated", "refused")}
    return ImportOut(created=count["created"], updated=count["updated"], refused=count["refused"], rows=rows)
