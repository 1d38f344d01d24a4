"""``citybrain alerts …``: import upstream CAP, list alerts in force, expire due alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Alerts: CAP 1.2 warnings (import from upstream, list in force).", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _engine():  # type: ignore[no-untyped-def]
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import get_engine
    from citybrain.core.migrate import NotMigrated, check_migrated

    bootstrap()
    engine = get_engine()
    try:
        check_migrated(engine)
    except NotMigrated as exc:
        err.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    return engine


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                                 help="a CAP 1.2 XML file")]) -> None:
    """Import an upstream CAP message: validated, de-duplicated, applied to the alert it references."""
    from citybrain.alerts.cap import service
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import session_scope
    from citybrain.core.errors import DomainError

    engine = _engine()
    try:
        with session_scope(engine) as s:
            alert, duplicate = service.import_cap(s, SYSTEM, file.read_bytes())
            line = (f"{alert.msg_type} {alert.sender},{alert.identifier}: "
                    f"{'already imported, unchanged' if duplicate else 'imported'} (id {alert.id}, {alert.state})")
    except DomainError as exc:
        for d in exc.detail():
            loc = d["loc"] if isinstance(d["loc"], list) else []
            err.print(f"[red]{'.'.join(str(x) for x in loc[1:]) or 'error'}:[/red] {d['msg']}", highlight=False)
        raise typer.Exit(1) from None
    console.print(line, highlight=False, soft_wrap=True)


@app.command("list")
def list_in_force() -> None:
    """The alerts in force (what /alerts/feed.atom carries)."""
    from citybrain.alerts.cap import service
    from citybrain.core.clock import to_local
    from citybrain.core.db import session_scope

    with session_scope(_engine()) as s:
        for a in service.public_in_force(s):
            head = ((a.texts or {}).get("zh-CN") or {}).get("headline", "")
            console.print(f"{a.identifier}  {a.level:6}  {head}  → {to_local(a.expires):%Y-%m-%d %H:%M}",
                          highlight=False, soft_wrap=True)
