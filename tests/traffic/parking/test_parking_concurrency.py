"""Concurrent parking requests never double-book: threads and processes on a real SQLite file and on
PostgreSQL race for fewer shared spaces than there are requests."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.db import make_engine, session_scope
from citybrain.core.errors import Conflict
from citybrain.traffic import models as m
from citybrain.traffic.parking import schemas as parking_sch
from citybrain.traffic.parking import service as parking

NOW = dt.datetime(2026, 5, 11, 2, 0, tzinfo=dt.UTC)
DEST = (103.930, 30.574)


def _setup(engine, spaces: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        for i, n in enumerate(spaces):
            parking.register_car_park(
                s, SYSTEM,
                parking_sch.CarParkIn(code=f"R{i}", name=f"R{i}", kind="public", lon=DEST[0] + 0.0005 * i, lat=DEST[1],
                              capacity=50, shared_spaces=n, price_per_hour=1.0 + i),
            )  # fmt: skip


def request_one(url: str, plate: str) -> str:
    """One driver's request in its own transaction; returns the car park code or 'full'."""
    from citybrain.bootstrap import bootstrap

    bootstrap()
    engine = _engines.get(url) or _engines.setdefault(url, make_engine(url))
    req = parking_sch.ParkingRequestIn(lon=DEST[0], lat=DEST[1], arrive_at=NOW + dt.timedelta(minutes=5), hours=1.5,
                               plate=plate)  # fmt: skip
    try:
        with session_scope(engine) as s:
            alloc = parking.allocate(s, SYSTEM, req, now=NOW)
            cp = s.get(m.CarPark, alloc.car_park_id)
            assert cp is not None
            return cp.code
    except Conflict:
        return "full"


_engines: dict[str, object] = {}


def _process_batch(args: tuple[str, list[str]]) -> list[str]:
    url, plates = args
    return [request_one(url, p) for p in plates]


def _check(engine, results: list[str], spaces: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    taken = [r for r in results if r != "full"]
    assert len(taken) == sum(spaces), f"{len(taken)} holds for {sum(spaces)} spaces"
    for i, n in enumerate(spaces):
        assert taken.count(f"R{i}") == n
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(m.ParkingAllocation)) == sum(spaces)
        for cp in s.scalars(select(m.CarPark)):
            peak = s.scalar(
                select(func.max(m.ParkingBucket.held)).where(m.ParkingBucket.car_park_id == cp.id)
            )
            assert peak == cp.shared_spaces  # full, and never over
            per_bucket = s.execute(
                select(m.ParkingBucket.bucket_start, m.ParkingBucket.held).where(
                    m.ParkingBucket.car_park_id == cp.id
                )
            ).all()
            holds = list(
                s.scalars(select(m.ParkingAllocation).where(m.ParkingAllocation.car_park_id == cp.id))
            )
            for start, held in per_bucket:  # the counters agree with the allocations themselves
                assert held == sum(
                    1 for a in holds if a.arrive_at < start + parking.BUCKET and a.leave_at > start
                )


def test_threads_never_double_book(engine, db_url):
    spaces = (3, 4)
    _setup(engine, spaces)
    plates = [f"川A{n:05d}" for n in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda p: request_one(db_url, p), plates))
    _check(engine, results, spaces)


def test_processes_never_double_book(engine, db_url):
    spaces = (2, 3)
    _setup(engine, spaces)
    plates = [f"川B{n:05d}" for n in range(24)]
    batches = [(db_url, plates[k::4]) for k in range(4)]
    with mp.get_context("spawn").Pool(4) as pool:
        results = [r for batch in pool.map(_process_batch, batches) for r in batch]
    _check(engine, results, spaces)
