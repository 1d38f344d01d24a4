"""core.db: BigIntId and LocatedMixin spell the columns every located table shares."""

from __future__ import annotations

from sqlalchemy import Float, Integer, MetaData, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import CreateTable

from citybrain.core.db import NAMING, BigIntId, LocatedMixin


class _Base(DeclarativeBase):  # not core.db.Base: a test table must not reach the migrations
    metadata = MetaData(naming_convention=NAMING)


class Spot(LocatedMixin, _Base):
    __tablename__ = "kit_spot"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)


def test_big_int_id_is_bigint_on_postgres_and_the_rowid_on_sqlite() -> None:
    assert "id BIGSERIAL" in str(CreateTable(Spot.__table__).compile(dialect=postgresql.dialect()))
    assert "id INTEGER NOT NULL" in str(CreateTable(Spot.__table__).compile(dialect=sqlite.dialect()))


def test_located_mixin_columns() -> None:
    cols = Spot.__table__.c
    assert isinstance(cols.lon.type, Float) and isinstance(cols.lat.type, Float)
    for name in ("grid_code", "community_code", "street_code"):
        assert isinstance(cols[name].type, String) and cols[name].type.length == 20
    assert all(cols[n].nullable for n in ("lon", "lat", "grid_code", "community_code", "street_code"))
    assert [i.name for i in Spot.__table__.indexes] == ["ix_kit_spot_street_code"]
    assert not isinstance(cols.lon.type, Integer)
