"""A request's writes are committed before its response starts; refused requests leave nothing."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request

import uvicorn
from fastapi import Depends
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from citybrain.core.audit import AuditEntry
from citybrain.core.auth import User
from citybrain.core.errors import ValidationFailed
from citybrain.core.web import get_session


def _add_routes(app) -> None:  # type: ignore[no-untyped-def]
    def slow_write(session: Session = Depends(get_session)) -> dict[str, str]:
        session.add(AuditEntry(action="probe", entity="probe", entity_id="1"))
        # a commit that takes its time, as under load: the response must wait for it
        event.listen(session, "before_commit", lambda s: time.sleep(0.4))
        return {"ok": "yes"}

    def refused(session: Session = Depends(get_session)) -> dict[str, str]:
        session.add(AuditEntry(action="probe", entity="refused", entity_id="1"))
        session.flush()
        raise ValidationFailed("no", "thing")

    def breaks_at_commit(session: Session = Depends(get_session)) -> dict[str, str]:
        # two users with one name: the unique constraint fires only when the commit flushes
        session.add(User(username="twin", display_name="a", role="citizen", password_hash="x"))
        session.add(User(username="twin", display_name="b", role="citizen", password_hash="x"))
        return {"ok": "yes"}

    app.add_api_route("/_probe/slow", slow_write, methods=["POST"])
    app.add_api_route("/_probe/refused", refused, methods=["POST"])
    app.add_api_route("/_probe/breaks", breaks_at_commit, methods=["POST"])


def test_refused_request_writes_nothing_and_failed_commit_is_not_success(app, client, session):
    _add_routes(app)
    r = client.post("/_probe/refused")
    assert r.status_code == 422
    r = client.post("/_probe/breaks")
    assert r.status_code == 409 and "not saved" in r.json()["detail"][0]["msg"]
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "refused")) == 0
    assert session.scalar(select(func.count()).select_from(User).where(User.username == "twin")) == 0


def test_response_comes_after_the_commit_on_a_real_server(app, engine):
    _add_routes(app)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for _ in range(3):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/_probe/slow", method="POST")
            with urllib.request.urlopen(req, timeout=10) as resp:
                assert resp.status == 200
            with Session(engine) as s:  # another connection, the instant the client has its answer
                seen = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "probe"))
            assert seen == _ + 1
    finally:
        server.should_exit = True
        thread.join(timeout=10)
