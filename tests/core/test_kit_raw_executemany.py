"""core.db.executemany_raw on SQLite and PostgreSQL: every row written in the caller's transaction, the
rowcount counts what was written (not a conflict skipped), time stamps stored as a UTCDateTime column
stores them, and a row that does not give exactly the statement's parameters is refused by name."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Column, Engine, Float, Integer, MetaData, Table, bindparam, select

from citybrain.core.db import UTCDateTime, executemany_raw, time_binder, time_param

T0 = dt.datetime(2026, 7, 1, 0, 0, 0, 250_000, tzinfo=dt.UTC)


def test_rows_are_written_in_the_transaction_and_counted(engine: Engine) -> None:
    meta = MetaData()
    kit = Table("kit_raw_rows", meta, Column("k", Integer, primary_key=True), Column("at", UTCDateTime),
                Column("v", Float))
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    with engine.connect() as c, c.begin() as tx:  # rolled back at the end: the table goes with it
        kit.create(c)
        d = c.dialect.name
        to_db = time_binder(d)
        stmt = insert(kit).values(k=bindparam("k"), at=time_param("at", d), v=bindparam("v")) \
            .on_conflict_do_nothing(index_elements=["k"])
        east8 = dt.timezone(dt.timedelta(hours=8))
        rows = [{"k": i, "at": to_db((T0 + dt.timedelta(seconds=i)).astimezone(east8 if i % 2 else dt.UTC)),
                 "v": i / 2} for i in range(500)]
        assert executemany_raw(c, "kit.rows", stmt, rows) == 500
        again = [*rows[:10], {"k": 999, "at": to_db(T0), "v": 1.5}]
        assert executemany_raw(c, "kit.rows", stmt, again) == 1  # the ten already there are skipped
        assert executemany_raw(c, "kit.rows", stmt, []) == 0
        assert c.execute(select(kit.c.at, kit.c.v).where(kit.c.k == 7)).one() == (
            T0 + dt.timedelta(seconds=7), 3.5)  # given in +08:00, read back as the same instant in UTC
        assert c.execute(select(kit.c.at).where(kit.c.k == 8)).scalar_one() == T0 + dt.timedelta(seconds=8)
        assert len(c.execute(select(kit.c.k)).all()) == 501
        with pytest.raises(ValueError, match=r"kit\.rows: the rows give \['k', 'v'\], the statement takes "
                                             r"\['at', 'k', 'v'\]"):
            executemany_raw(c, "kit.rows", stmt, [{"k": 1000, "v": 2.0}])
        tx.rollback()


def test_postgresql_runs_the_statement_over_arrays_once(engine: Engine) -> None:
    """`OverArrays`: on PostgreSQL one statement reads all rows with unnest (a conflict still skipped and
    not counted, a NULL time kept, an UPDATE FROM the arrays); elsewhere the plain statement runs."""
    from citybrain.core.db import OverArrays

    meta = MetaData()
    kit = Table("kit_raw_arrays", meta, Column("k", Integer, primary_key=True), Column("at", UTCDateTime,
                                                                                        nullable=True),
                Column("v", Float))
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    arrays = OverArrays("INSERT INTO kit_raw_arrays (k, at, v) SELECT * FROM unnest(%s::integer[], "
                        "%s::timestamptz[], %s::float8[]) ON CONFLICT (k) DO NOTHING", ("k", "at", "v"))
    moves = OverArrays("UPDATE kit_raw_arrays AS t SET v = a.v FROM unnest(%s::integer[], %s::float8[]) "
                       "AS a (k, v) WHERE t.k = a.k", ("k", "v"))
    with engine.connect() as c, c.begin() as tx:
        kit.create(c)
        d = c.dialect.name
        to_db = time_binder(d)
        stmt = insert(kit).values(k=bindparam("k"), at=time_param("at", d), v=bindparam("v")) \
            .on_conflict_do_nothing(index_elements=["k"])
        update = kit.update().where(kit.c.k == bindparam("key")).values(v=bindparam("new_v"))
        east8 = dt.timezone(dt.timedelta(hours=8))
        rows = [{"k": i, "at": None if i == 3 else to_db((T0 + dt.timedelta(seconds=i)).astimezone(east8)),
                 "v": i / 2} for i in range(300)]
        assert executemany_raw(c, "kit.arrays", stmt, rows, arrays) == 300
        assert executemany_raw(c, "kit.arrays", stmt, [*rows[:5], {"k": 500, "at": to_db(T0), "v": 0.0}],
                               arrays) == 1
        assert c.execute(select(kit.c.at, kit.c.v).where(kit.c.k == 7)).one() == (T0 + dt.timedelta(seconds=7), 3.5)
        assert c.execute(select(kit.c.at).where(kit.c.k == 3)).scalar_one() is None
        if d == "postgresql":
            assert executemany_raw(c, "kit.moves", update, [{"k": 1, "v": 9.0}, {"k": 2, "v": 8.0}], moves) == 2
            with pytest.raises(ValueError, match=r"kit\.moves: the rows give \['k'\], the statement takes "
                                                 r"\['k', 'v'\]"):
                executemany_raw(c, "kit.moves", update, [{"k": 1}], moves)
        else:  # the plain statement, with its own names
            assert executemany_raw(c, "kit.moves", update, [{"key": 1, "new_v": 9.0}, {"key": 2, "new_v": 8.0}],
                                   moves) == 2
        assert c.execute(select(kit.c.v).where(kit.c.k.in_([1, 2])).order_by(kit.c.k)).scalars().all() == [9.0, 8.0]
        assert len(c.execute(select(kit.c.k)).all()) == 301
        tx.rollback()
