"""Shared fixtures. Every storage test runs twice: on a real SQLite file and on a real PostgreSQL.

PostgreSQL: the server on 127.0.0.1:5432 where one answers (as on the CI machine), otherwise a
throwaway server started from the machine's binaries by pytest-postgresql. Each test session makes
its own database and migrates it once; tables are emptied between tests.

MQTT: ``mqtt_broker`` runs a throwaway Mosquitto on a free loopback port for one test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

# one data folder per pytest-xdist worker: photos and SQLite files of two workers never meet
os.environ.setdefault("CITYBRAIN_DATA_DIR", "/tmp/citybrain-test-data" + os.environ.get("PYTEST_XDIST_WORKER", ""))

from citybrain.bootstrap import bootstrap  # noqa: E402
from citybrain.core.db import Base, make_engine  # noqa: E402
from citybrain.core.migrate import upgrade  # noqa: E402

bootstrap()

# The tests create and log in hundreds of users: argon2's cheapest profile there (a hash is still
# argon2id and self-describing, so the platform's own hasher verifies it), the production cost in
# the platform itself and in every subprocess a test starts.
from argon2 import PasswordHasher, profiles  # noqa: E402

import citybrain.core.auth as _auth  # noqa: E402

_auth._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)

PG_HOST, PG_PORT = "127.0.0.1", 5432


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _pg_ctl() -> str | None:
    found = shutil.which("pg_ctl")
    if found:
        return found
    for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True):
        return str(p)
    return None


@pytest.fixture(scope="session")
def pg_admin_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    forced = os.environ.get("CITYBRAIN_TEST_PG", "")  # "throwaway" forces a private server
    if forced != "throwaway" and _port_open(PG_HOST, PG_PORT):
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/postgres"
        return
    pg_ctl = _pg_ctl()
    if pg_ctl is None:
        pytest.fail("PostgreSQL is needed: no server on 127.0.0.1:5432 and no pg_ctl binary "
                    "(install the Debian package 'postgresql'; scripts/test.sh does)")
    from pytest_postgresql.executors import PostgreSQLExecutor

    port = _free_port()
    # not under pytest's tmp dir: that is private to the user running the tests (see root case below)
    base = Path(tempfile.mkdtemp(prefix="citybrain-pg-"))
    datadir = base / "data"
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: run pg_ctl as the 'postgres' system user instead.
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        wrapper = tmp_path_factory.mktemp("pgbin") / "pg_ctl"
        wrapper.write_text(f'#!/bin/sh\nexec runuser -u postgres -- "{pg_ctl}" "$@"\n')
        wrapper.chmod(0o755)
        pg_ctl = str(wrapper)
    executor = PostgreSQLExecutor(
        executable=pg_ctl, host="127.0.0.1", port=port, user="postgres", password="",
        dbname="postgres", options="", datadir=str(datadir), unixsocketdir=str(base),
        logfile=str(base / "pg.log"), startparams="-w", postgres_options="",
    )
    try:
        with executor:
            executor.wait_for_postgres()
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    name = f"citybrain_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_admin_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url, "heads")
    yield url
    from citybrain.core.db import engine_for

    engine_for.cache_clear()
    with admin.connect() as c:
        c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "citybrain-test.db"
    url = f"sqlite:///{path}"
    upgrade(url, "heads")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


_engines: dict[str, Engine] = {}


def _engine(url: str) -> Engine:
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def clean(engine: Engine) -> None:
    """Empty every table. PostgreSQL: DELETE with FK triggers off and sequences reset, which takes
    milliseconds where a TRUNCATE of ~80 tables takes seconds (it rewrites every relation)."""
    from sqlalchemy import inspect

    existing = set(inspect(engine).get_table_names())
    # a model whose migration is not written yet has no table: the migrations test reports that
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text("SET LOCAL session_replication_role = replica"))
            for t in tables:
                c.execute(text(f'DELETE FROM "{t}"'))
            c.execute(text(
                "SELECT setval(s.oid::regclass, 1, false) FROM pg_class s "
                "JOIN pg_namespace n ON n.oid = s.relnamespace "
                "WHERE s.relkind = 'S' AND n.nspname = current_schema()"))
        else:
            for t in tables:
                c.execute(text(f'DELETE FROM "{t}"'))
            if c.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first():
                c.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = _engine(db_url)
    clean(eng)
    # the raw DELETEs bypass the geography version row the look-up cache checks (after a few
    # seconds): forget cached indexes so a test never locates against the previous test's areas
    from citybrain.geography import service as geography

    geography.invalidate()
    yield eng


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    from citybrain.core.db import session_factory

    s = session_factory(engine)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture
def settings(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    from citybrain.config import load_settings

    return load_settings(data_dir=tmp_path / "data", database_url=db_url)


@pytest.fixture
def app(settings, engine: Engine):  # type: ignore[no-untyped-def]
    from citybrain.app import create_app

    return create_app(settings, engine=engine)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


DEMO_PASSWORD = "test-pass-2026"


@pytest.fixture
def people(engine: Engine) -> dict[str, dict[str, object]]:
    """Two departments and one user per role, committed. Returns {role: {"username", "id", ...}}."""
    from citybrain.core import auth
    from citybrain.core.db import session_scope
    from citybrain.core.roles import Role
    from citybrain.directory.models import Department

    out: dict[str, dict[str, object]] = {}
    with session_scope(engine) as s:
        emb = Department(code="yjj", name="应急管理局", name_en="Emergency Management Bureau", kind="bureau")
        env = Department(code="sthjj", name="生态环境局", name_en="Ecology and Environment Bureau", kind="bureau")
        s.add_all([emb, env])
        s.flush()
        for role in Role:
            dept = emb.id if role in (Role.DEPT_HANDLER, Role.DUTY_OFFICER) else None
            u = auth.create_user(s, f"t_{role.value}", DEMO_PASSWORD, role.value, department_id=dept,
                                 phone="13812345678", id_number="510116199001011234")
            out[role.value] = {"username": u.username, "id": u.id, "department_id": dept}
        u2 = auth.create_user(s, "t_env_handler", DEMO_PASSWORD, "dept_handler", department_id=env.id)
        out["env_handler"] = {"username": u2.username, "id": u2.id, "department_id": env.id}
        out["_departments"] = {"emb": emb.id, "env": env.id}
    return out


@pytest.fixture
def login(client, people):  # type: ignore[no-untyped-def]
    """login("duty_officer") -> headers with a bearer token for that role's test user."""
    cache: dict[str, dict[str, str]] = {}

    def _login(role: str) -> dict[str, str]:
        if role not in cache:
            r = client.post("/api/auth/login", json={"username": people[role]["username"],
                                                     "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            cache[role] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return cache[role]

    return _login


@pytest.fixture
def geo(engine: Engine) -> dict[str, str]:
    """The tiny test geography (citybrain.geography.testing), committed; see POINTS there."""
    from citybrain.core.db import session_scope
    from citybrain.geography import service
    from citybrain.geography.testing import make_test_geography

    service.invalidate()
    with session_scope(engine) as s:
        codes = make_test_geography(s)
    service.invalidate()
    return codes


class MqttBroker:
    """A throwaway Mosquitto on a free loopback port (anonymous, no persistence).

    ``host``/``port``/``url`` say where it listens; ``kill()`` stops it abruptly and ``start()`` brings
    it back on the same port, for tests of reconnecting clients.
    """

    host = "127.0.0.1"

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.port = _free_port()
        self.workdir = workdir
        self.config = workdir / "mosquitto.conf"
        self.config.write_text(f"listener {self.port} {self.host}\nallow_anonymous true\n")
        self.log = workdir / "mosquitto.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        assert self.proc is None, "already running"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while not _port_open(self.host, self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"mosquitto did not start on {self.host}:{self.port}:\n{self.log.read_text()}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def mqtt_broker(tmp_path: Path) -> Iterator[MqttBroker]:
    """A running Mosquitto for this test (see MqttBroker); stopped afterwards."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.fail("mosquitto is needed for the MQTT tests (Debian package 'mosquitto'; scripts/test.sh installs it)")
    workdir = tmp_path / "mosquitto"
    workdir.mkdir()
    broker = MqttBroker(binary, workdir)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()
