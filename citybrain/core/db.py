"""Engine, sessions and the declarative base.

SQLite gets WAL, foreign keys and a busy timeout on every connection; PostgreSQL is used as it is.
All times are timezone-aware UTC (`UTCDateTime`), whatever the backend stores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC; naive input is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: CityBrain stores aware UTC times")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# The primary key of tables that grow without bound (events, audit, outbox): BIGINT on PostgreSQL, and
# INTEGER on SQLite, whose rowid alias (autoincrement) only an INTEGER PRIMARY KEY is.
BigIntId = BigInteger().with_variant(Integer, "sqlite")


class LocatedMixin:
    """A row placed on the map: its WGS-84 point and the grid (网格), community (社区) and street (街道)
    it lies in. Nullable, as a report may come with an address only; `citybrain.geography.public.place`
    fills them from a point."""

    lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # WGS-84
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    community_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


READ_ONLY = "citybrain_read_only"


def _sqlite_begin(conn: Any) -> None:
    # A writing transaction takes the write lock up front (BEGIN IMMEDIATE), so two writers queue on
    # busy_timeout instead of failing on lock upgrade. A read-only one (the execution option, set for
    # GET requests) stays deferred: in WAL mode readers never wait for a writer.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kw: Any) -> Engine:
    if url.startswith("sqlite"):
        if "poolclass" not in kw:  # as many connections as the server's worker threads may want
            kw.setdefault("pool_size", 20)
            kw.setdefault("max_overflow", 40)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kw)
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_tx(dbapi_conn: Any, _r: Any) -> None:
            dbapi_conn.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kw.setdefault("pool_pre_ping", True)
    if "poolclass" not in kw and kw.get("isolation_level") != "AUTOCOMMIT":
        kw.setdefault("pool_size", 10)
        kw.setdefault("max_overflow", 20)
    return create_engine(url, **kw)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    from citybrain.config import get_settings

    s = get_settings()
    if s.effective_database_url.startswith("sqlite"):
        s.data_dir.mkdir(parents=True, exist_ok=True)
    return engine_for(s.effective_database_url)


def session_factory(engine: Engine | None = None, *, read_only: bool = False,
                    bus: object | None = None) -> sessionmaker[Session]:
    """Sessions on `engine`; `bus` (the one `citybrain.bootstrap` built) travels in `session.info`."""
    bind = engine or get_engine()
    if bus is None:
        # one factory per engine and mode, kept on the engine: a sessionmaker makes a Session subclass of
        # its own, and SQLAlchemy's event registry keeps every such class — one per transaction was a
        # twentieth of an ingester's time and memory without end
        makers: dict[bool, sessionmaker[Session]] = bind.__dict__.setdefault("_citybrain_session_makers", {})
        maker = makers.get(read_only)
        if maker is None:
            maker = makers[read_only] = sessionmaker(
                bind=bind.execution_options(**{READ_ONLY: True}) if read_only else bind, expire_on_commit=False)
        return maker
    if read_only:
        bind = bind.execution_options(**{READ_ONLY: True})
    return sessionmaker(bind=bind, expire_on_commit=False, info={"bus": bus})


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"


def upsert_insert(session: Session, table: Any) -> Any:
    """``INSERT`` for ``table`` in the session's dialect, with ``on_conflict_do_update`` (PostgreSQL and
    SQLite spell it the same way, from different modules)."""
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(table)


def _sqlite_time(t: dt.datetime) -> str:
    # the text SQLAlchemy's SQLite DATETIME stores (UTC, naive, always six fraction digits), made in C
    if t.tzinfo is dt.UTC:  # most are UTC already: the text without its "+00:00"
        return t.isoformat(" ", "microseconds")[:-6]
    return t.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _aware_utc(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC)


def time_binder(dialect: str) -> Any:
    """How a time stamp of a hot statement is bound (with `time_param`, or for `executemany_raw`):
    converted once by the caller instead of by two layers of SQLAlchemy bind processing per value
    (UTCDateTime, then SQLite's DATETIME) — a tenth of the monitoring store path in a profile. The stored
    text / value is the same as through a `UTCDateTime` column."""
    return _sqlite_time if dialect == "sqlite" else _aware_utc


def table_of(model: Any) -> Table:
    """A mapped class's table, typed as one (``Model.__table__`` is a FromClause to the type checker)."""
    return cast(Table, model.__table__)


def time_param(name: str, dialect: str) -> Any:
    """A bind parameter for a `UTCDateTime` column whose value `time_binder` converted already."""
    return bindparam(name, type_=String() if dialect == "sqlite" else DateTime(timezone=True))


_RAW_STATEMENTS: dict[tuple[str, str], tuple[str, tuple[str, ...] | None, frozenset[str]]] = {}


@dataclass(frozen=True)
class OverArrays:
    """A PostgreSQL form of a many-row statement: ``sql`` takes one array per name in ``names`` (in that
    order, ``%s`` placeholders, each cast to its array type) and reads the rows with ``unnest``."""

    sql: str
    names: tuple[str, ...]


def executemany_raw(connection: Connection, key: str, statement: Any, rows: Sequence[Mapping[str, Any]],
                    postgresql: OverArrays | None = None) -> int:
    """Run one INSERT/UPDATE for many parameter sets on the DBAPI cursor of ``connection`` (so in its
    transaction), skipping SQLAlchemy's per-row parameter processing: for the few statements that run for
    every stored reading, where that processing was a fifth of the time. The statement is compiled once
    per ``key`` and dialect; every row must give exactly its parameters, already in the driver's types
    (times as the column's type would have bound them). Returns the cursor's rowcount (rows written).

    On PostgreSQL, ``postgresql`` (when given) runs instead, once, with the rows as arrays: one statement
    for the lot rather than one per row, each of which the server parses, plans and runs on its own."""
    if not rows:
        return 0
    if postgresql is not None and connection.dialect.name == "postgresql":
        if set(rows[0]) != set(postgresql.names):
            raise ValueError(f"{key}: the rows give {sorted(rows[0])}, the statement takes "
                             f"{sorted(postgresql.names)}")
        arrays = [[row[name] for row in rows] for name in postgresql.names]
        return int(connection.exec_driver_sql(postgresql.sql, tuple(arrays)).rowcount)
    cached = _RAW_STATEMENTS.get((key, connection.dialect.name))
    if cached is None:
        compiled = statement.compile(dialect=connection.dialect)
        names = tuple(compiled.positiontup) if compiled.positional else None
        cached = (compiled.string, names, frozenset(compiled.binds))
        _RAW_STATEMENTS[(key, connection.dialect.name)] = cached
    sql, names, binds = cached
    if set(rows[0]) != binds:
        raise ValueError(f"{key}: the rows give {sorted(rows[0])}, the statement takes {sorted(binds)}")
    params: Sequence[Any] = list(map(itemgetter(*names), rows)) if names is not None else rows
    if names is not None and len(names) == 1:
        params = [(p,) for p in params]  # itemgetter of one name gives the value, not a tuple
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, params)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def migration_state(engine: Engine) -> tuple[str | None, str | None]:
    """(current revisions in the database, head revisions of the code), each comma-joined.

    There is one migration branch per domain, so both sides are usually several revisions.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from citybrain.core.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    head = ",".join(sorted(script.get_heads())) or None
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None, head
        current = ",".join(sorted(MigrationContext.configure(conn).get_current_heads())) or None
    return current, head
