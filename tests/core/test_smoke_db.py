from sqlalchemy import select

from citybrain.core import outbox


def test_outbox_enqueue_round_trip(session):
    m = outbox.enqueue(session, "log", "13800000000", "hello", {"a": 1}, dedup_key="k1")
    again = outbox.enqueue(session, "log", "13800000000", "hello", {"a": 1}, dedup_key="k1")
    session.commit()
    assert again.id == m.id
    assert session.scalar(select(outbox.OutboxMessage.status)) == "pending"
