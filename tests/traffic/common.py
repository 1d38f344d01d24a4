"""What the traffic platform tests share: a clock, an intersection, a car park."""

from __future__ import annotations

import datetime as dt

from citybrain.traffic.parking import schemas as parking_sch

NOW = dt.datetime(2026, 5, 11, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai

X = {
    "code": "T-X1",
    "name": "测试路口",
    "lon": 103.93,
    "lat": 30.574,
    "phases": ["GGrr", "rrGG"],
    "links": [
        {"index": 0, "in_lane": "n_0", "out_lane": "s_0"},
        {"index": 1, "in_lane": "s_0", "out_lane": "n_0x"},
        {"index": 2, "in_lane": "e_0", "out_lane": "w_0"},
        {"index": 3, "in_lane": "w_0", "out_lane": "e_0x"},
    ],
    "lanes": {"n_0": 120.0, "s_0": 120.0, "e_0": 120.0, "w_0": 120.0},
    "plan": {"greens": [30, 30]},
    "sumo_tls": "J1",
}


def park(code: str, lon: float, lat: float, **kw):  # type: ignore[no-untyped-def]
    data = {"code": code, "name": code, "kind": "public", "lon": lon, "lat": lat, "capacity": 100,
            "shared_spaces": 10, "price_per_hour": 2.0, **kw}  # fmt: skip
    return parking_sch.CarParkIn(**data)
