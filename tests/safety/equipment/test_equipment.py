"""Special equipment: due dates by kind and inspection."""

import datetime as dt

import pytest
from pydantic import ValidationError

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict
from citybrain.safety.equipment import service as equipment
from citybrain.safety.equipment.schemas import EquipmentIn
from citybrain.safety.units import service as units
from tests.safety.conftest import unit_in


def test_equipment_due_dates(session, geo):
    u = units.register_unit(session, SYSTEM, unit_in())
    eq = equipment.register_equipment(
        session,
        SYSTEM,
        EquipmentIn(
            kind="elevator",
            registration_no="梯11川A00001(23)",
            unit_id=u.id,
            last_inspection=dt.date(2020, 1, 31),
        ),
    )
    assert eq.next_due == dt.date(2021, 1, 31)
    session.refresh(u)
    assert u.risk_flags & 1 << 10  # an elevator past its inspection date is a dynamic factor
    with pytest.raises(ValidationError) as e:
        EquipmentIn(
            kind="boiler",
            registration_no="锅11川A001",
            unit_id=u.id,
            last_inspection="2024-05-01",
            next_due="2024-04-01",
        )
    assert e.value.errors()[0]["loc"] == ("next_due",)
    with pytest.raises(Conflict):
        equipment.register_equipment(
            session, SYSTEM, EquipmentIn(kind="crane", registration_no="梯11川A00001(23)", unit_id=u.id)
        )
