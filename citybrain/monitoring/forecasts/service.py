"""Forecasts kept up to date as readings arrive (in the ingest transaction), and read back for the chart.

`advance` runs each new reading of a water-level or rain gauge through the sensor's online model (its
state is a row, `ForecastState`) and gives, per reading, the forecast path it implies — what "will reach"
rules (rules kind ``forecast``) evaluate. A late reading (older than the state) does not move the model
back in time. A gap of more than `RESTART_GAPS` intervals restarts the model from the new reading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from citybrain.core.clock import to_local
from citybrain.monitoring.forecasts import method
from citybrain.monitoring.forecasts.models import ForecastState
from citybrain.monitoring.reference import TYPES
from citybrain.monitoring.sensors.models import Sensor

HORIZON_S = 3 * 3600  # the next 3 hours
RESTART_GAPS = 6
FORECAST_TYPES = frozenset(method.PARAMS)


def steps(sensor: Sensor, seconds: int) -> int:
    return max(1, seconds // max(1, sensor.interval_s))


def _state(row: ForecastState) -> method.State:
    return method.State(level=row.level, trend=row.trend, mse=row.mse, n=row.n)


def advance(session: Session, sensor: Sensor, readings: Sequence[tuple[dt.datetime, float]]
            ) -> dict[dt.datetime, list[float]]:
    """Update the sensor's model with readings (time-sorted); the forecast path (next 3 hours, one value per
    interval) after each reading that moved it."""
    p = method.PARAMS.get(sensor.type)
    if p is None or not readings:
        return {}
    floor = 0.0 if TYPES[sensor.type].summed else None
    row = session.get(ForecastState, sensor.id)
    n = steps(sensor, HORIZON_S)
    out: dict[dt.datetime, list[float]] = {}
    for t, v in readings:
        if row is None:
            row = ForecastState(sensor_id=sensor.id, level=v, trend=0.0, mse=0.0, n=1, last_time=t)
            session.add(row)
            st = method.start(v)
        elif t <= row.last_time:
            continue
        else:
            gap = (t - row.last_time).total_seconds() / max(1, sensor.interval_s)
            st = method.start(v) if gap > RESTART_GAPS else method.update(_state(row), v, p)
            row.level, row.trend, row.mse, row.n, row.last_time = st.level, st.trend, st.mse, st.n, t
        out[t] = method.path(st, p, n, floor)
    return out


def forecast_out(session: Session, sensor: Sensor) -> dict[str, Any]:
    """The current forecast: one point per interval over the next 3 hours, with its ~80 % band."""
    p = method.PARAMS.get(sensor.type)
    row = session.get(ForecastState, sensor.id) if p is not None else None
    if p is None or row is None:
        return {"sensor": sensor.code, "method": None, "issued_at": None, "points": []}
    st = _state(row)
    floor = 0.0 if TYPES[sensor.type].summed else None
    pts = []
    for h, v in enumerate(method.path(st, p, steps(sensor, HORIZON_S), floor), start=1):
        w = method.spread(st, p, h)
        low = v - w if floor is None else max(floor, v - w)
        pts.append({"time": to_local(row.last_time + dt.timedelta(seconds=h * sensor.interval_s)), "value": v,
                    "low": low, "high": v + w})
    return {"sensor": sensor.code, "method": f"Holt damped trend (α={p.alpha}, β={p.beta}, φ={p.phi})",
            "issued_at": to_local(row.last_time), "points": pts}
