"""Fixtures of the delivery tests: SQLite unless a test asks for PostgreSQL; the independent SMSC (the npm
`smpp` package's server, tests/alerts/delivery/smsc.js) and a stand-in cloud SMS provider on loopback."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

HERE = Path(__file__).parent


@pytest.fixture
def db_url(sqlite_url: str) -> str:  # SQLite for these tests; PostgreSQL where concurrency matters
    return sqlite_url


@pytest.fixture
def maker(engine: Any) -> sessionmaker[Session]:
    from citybrain.core.db import session_factory

    return session_factory(engine)


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """configure(alerts_sms_adapter="smpp", ...) → delivery settings from these env values, fresh gateways."""
    from citybrain.alerts.delivery import sender
    from citybrain.alerts.delivery.settings import delivery_settings

    def apply(**values: Any) -> None:
        for k, v in values.items():
            monkeypatch.setenv(f"CITYBRAIN_{k.upper()}", str(v))
        delivery_settings.cache_clear()
        sender.reset_gateways()

    yield apply
    monkeypatch.undo()
    delivery_settings.cache_clear()
    sender.reset_gateways()


class Smsc:
    def __init__(self, proc: subprocess.Popen[str], log: Path, smpp: int, control: int) -> None:
        self.proc, self.log, self.port, self.control_port = proc, log, smpp, control

    def submits(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]

    def control(self, path: str, payload: dict[str, Any]) -> bool:
        req = urllib.request.Request(f"http://127.0.0.1:{self.control_port}{path}", method="POST",
                                     data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310 - loopback
                return bool(r.status == 200)
        except urllib.error.HTTPError:
            return False


def start_smsc(log: Path, auto_receipts: bool = False) -> Smsc:
    args = ["node", str(HERE / "smsc.js"), "0", str(log)] + (["auto"] if auto_receipts else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ports = json.loads(proc.stdout.readline())
    return Smsc(proc, log, ports["smpp"], ports["control"])


@pytest.fixture
def smsc(tmp_path: Path) -> Iterator[Smsc]:
    s = start_smsc(tmp_path / "smsc.jsonl")
    yield s
    s.proc.kill()
    s.proc.wait(timeout=5)


class Provider:
    """A cloud SMS provider on loopback, not idempotent like the real ones: every `send` is a new SMS (counted
    per out_id); `status` answers by our id. `slow_first` sends make it take the message and then not
    answer in time (the time-out case)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.status_queries: list[str] = []
        self.slow: set[str] = set()  # out_ids whose first send answers too late
        self.delay = 0.0  # seconds every send takes
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                if self.path.endswith("/send"):
                    with provider.lock:
                        provider.sent.append(body)
                        n = len(provider.sent)
                        slow = body["out_id"] in provider.slow
                        provider.slow.discard(body["out_id"])
                    if slow:
                        time.sleep(1.5)
                    elif provider.delay:
                        time.sleep(provider.delay)
                    answer: dict[str, Any] = {"code": "OK", "biz_id": f"B{n}"}
                elif self.path.endswith("/status"):
                    with provider.lock:
                        provider.status_queries.append(body["ref"])
                        hits = [i for i, m in enumerate(provider.sent, 1) if m["out_id"] == body["ref"]]
                    answer = {"found": bool(hits), "biz_id": f"B{hits[0]}" if hits else None}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(answer).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (time-out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def per_out_id(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.sent:
            counts[m["out_id"]] = counts.get(m["out_id"], 0) + 1
        return counts


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    yield p
    p.server.shutdown()
