"""The demo seed: events across states, the tea-bar threads, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from citybrain.events import demo
from citybrain.events.models import Event, Thread


class Tracker:
    def task(self, desc, total):  # type: ignore[no-untyped-def]
        return lambda n=1: None


def test_seed_is_varied_and_idempotent(session, hub):
    out = demo.seed(session, Tracker())
    session.commit()
    assert out and "demo events" in out[0]
    n = session.scalar(select(func.count()).select_from(Event))
    assert n > 300
    states = dict(session.execute(select(Event.status, func.count()).group_by(Event.status)).all())
    assert {"closed", "dispatched", "in_progress", "handled", "transfer"} <= set(states) or states["closed"] > 100
    assert states.get("closed", 0) > n / 2
    assert session.scalar(select(func.count()).select_from(Thread).where(Thread.status == "resolved")) == 3
    assert session.scalar(select(func.count()).select_from(Event).where(Event.satisfaction.is_not(None))) > 20
    demo.seed(session, Tracker())
    session.commit()
    assert session.scalar(select(func.count()).select_from(Event)) == n
    assert session.scalar(select(func.count()).select_from(Thread)) == 3


def test_every_receiving_department_has_a_handler(session, hub):
    """Item 9: whichever department the matrix (or a demo event) sends work to has someone to work it."""
    from citybrain.core import auth
    from citybrain.directory.public import department_by_code

    demo.seed(session, Tracker())
    session.commit()
    receiving = demo.receiving_departments(session)
    assert {"sthjj", "cgj"} <= set(receiving)
    for code in receiving:
        dept = department_by_code(session, code)
        if dept is None:
            continue
        assert session.scalar(select(auth.User.id).where(auth.User.department_id == dept.id,
                                                         auth.User.role == "dept_handler")), code
    assert demo.ensure_handlers(session) == []  # idempotent
