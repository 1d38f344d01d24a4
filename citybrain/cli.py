"""The `citybrain` command: serve, worker, db upgrade, demo, import-geography, create-user, and each
domain's own sub-commands (a domain's cli.py exporting `app`)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from citybrain.bootstrap import DOMAINS, bootstrap, domain_module
from citybrain.config import ConfigError, get_settings

app = typer.Typer(help="CityBrain 城市大脑 — urban operations and emergency command.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
err = Console(stderr=True)


def progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


def _settings():  # type: ignore[no-untyped-def]
    try:
        s = get_settings()
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    return s


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="target revision (default: all heads)")) -> None:
    """Apply migrations up to the latest (creates the SQLite file if needed)."""
    from citybrain.core.migrate import upgrade

    s = _settings()
    if s.effective_database_url.startswith("sqlite"):
        s.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(s.effective_database_url, revision)
    console.print(f"[green]database at {revision}[/green]: {_safe_url(s.effective_database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Show the applied and the latest revision."""
    from citybrain.core.db import get_engine, migration_state

    _settings()
    current, head = migration_state(get_engine())
    console.print(f"applied: {current}  latest: {head}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, reload: bool = False) -> None:
    """Run the web server (refuses an un-migrated database)."""
    import uvicorn

    from citybrain.core.db import get_engine
    from citybrain.core.migrate import NotMigrated, check_migrated

    _settings()
    try:
        check_migrated(get_engine())
    except NotMigrated as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    uvicorn.run("citybrain.app:app_factory", factory=True, host=host, port=port, workers=workers, reload=reload)


@app.command()
def worker(
    once: bool = typer.Option(False, help="drain one round and exit"),
    batch: int = typer.Option(50, min=1, max=10000),
    interval: float = typer.Option(1.0, min=0.05, help="seconds to sleep when idle"),
    lock_wait: float = typer.Option(30.0, min=0.05, help="SQLite: seconds to wait for the write lock before a "
                                    "round fails and is retried with back-off"),
) -> None:
    """Drain the outbox and run scheduled jobs (overdue checks, escalation ...). A transient database error
    (a locked SQLite file, a PostgreSQL serialization failure or lost connection) is retried, never fatal."""
    import logging

    from sqlalchemy import event

    from citybrain.core import jobs, outbox
    from citybrain.core.db import get_engine, session_factory
    from citybrain.core.migrate import NotMigrated, check_migrated
    from citybrain.core.runtime import settle_collector

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _settings()
    bus = bootstrap()
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _lock_wait(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.execute(f"PRAGMA busy_timeout={int(lock_wait * 1000)}")

        engine.dispose()  # connections opened before the listener forget their timeout
    try:
        check_migrated(engine)
    except NotMigrated as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    maker = session_factory(engine, bus=bus)
    stop = False

    def _stop(*_a: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print(f"worker {outbox.worker_id()} draining the outbox; jobs: {[j.name for j in jobs.all_jobs()]}")
    settle_collector()
    jobs.run_worker(maker, batch=batch, interval=interval, once=once, should_stop=lambda: stop,
                    report=console.print)


@app.command()
def demo(skip: list[str] = typer.Option([], help="domains to leave out")) -> None:
    """Load the Shuangliu demo data (idempotent). Prints the demo users and their passwords."""
    from citybrain.demo.loader import load_demo

    _settings()
    load_demo(console, progress, skip=set(skip))


@app.command("import-geography")
def import_geography(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="GeoJSON FeatureCollection"),
    level: str = typer.Option(..., help="district, street, community or grid"),
    crs: str = typer.Option("wgs84", help="wgs84, gcj02 or bd09: the CRS of the file"),
    replace: bool = typer.Option(False, help="replace existing areas with the same code"),
    parent_code: str = typer.Option(None, help="every feature must be a child of this area"),
) -> None:
    """Import areas from GeoJSON; a failed import changes nothing and names each bad feature."""
    from citybrain.core.db import session_scope
    from citybrain.core.errors import DomainError
    from citybrain.geography import service as geo

    _settings()
    bootstrap()
    try:
        with session_scope() as s:
            n = geo.import_geojson(s, path.read_bytes(), level=level, crs=crs, replace=replace,
                                   parent_code=parent_code)
    except DomainError as exc:
        err.print(f"[red]import refused, nothing changed ({exc.field}):[/red] {exc.msg}")
        raise typer.Exit(1) from None
    console.print(f"[green]imported {n} {level} areas[/green]")


@app.command("create-user")
def create_user(
    username: str,
    role: str = typer.Option(..., help="admin, duty_officer, dept_handler, street_staff, grid_worker, "
                                       "inspector, citizen, data_officer"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    display_name: str = typer.Option(None),
    department: str = typer.Option(None, help="department code"),
    area_code: str = typer.Option(None),
) -> None:
    """Create a user."""
    from sqlalchemy import select

    from citybrain.core import auth
    from citybrain.core.db import session_scope
    from citybrain.core.errors import DomainError
    from citybrain.directory.models import Department

    _settings()
    bootstrap()
    try:
        with session_scope() as s:
            dept_id = None
            if department:
                dept_id = s.scalar(select(Department.id).where(Department.code == department))
                if dept_id is None:
                    err.print(f"[red]--department: no department with code {department!r}[/red]")
                    raise typer.Exit(1)
            auth.create_user(s, username, password, role, display_name=display_name,
                             department_id=dept_id, area_code=area_code)
    except DomainError as exc:
        err.print(f"[red]{exc.field or 'error'}: {exc.msg}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]user {username} ({role}) created[/green]")


@app.command("deactivate-user")
def deactivate_user(username: str,
                    activate: bool = typer.Option(False, "--activate", help="activate the user again instead")) -> None:
    """Deactivate a user and revoke every token they hold (or --activate them again)."""
    from sqlalchemy import select

    from citybrain.core import auth
    from citybrain.core.db import session_scope
    from citybrain.core.errors import DomainError
    from citybrain.core.roles import Role

    _settings()
    bootstrap()
    try:
        with session_scope() as s:
            user = s.scalar(select(auth.User).where(auth.User.username == username))
            if user is None:
                err.print(f"[red]username: no user {username!r}[/red]")
                raise typer.Exit(1)
            cli_admin = auth.Actor(id=None, username="cli", role=Role.ADMIN)
            auth.set_active(s, cli_admin, user.id, activate)
    except DomainError as exc:
        err.print(f"[red]{exc.field or 'error'}: {exc.msg}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]user {username} {'activated' if activate else 'deactivated; tokens revoked'}[/green]")


for _d in DOMAINS:
    _mod = domain_module(_d, "cli")
    if _mod is not None and hasattr(_mod, "app"):
        app.add_typer(_mod.app, name=_d)


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(2)


if __name__ == "__main__":
    main()
