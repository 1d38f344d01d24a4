"""`citybrain events open311 …`: API keys for Open311 client applications."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="Open311 GeoReport v2: client API keys.", no_args_is_help=True)
console = Console()


@app.command("issue-key")
def issue_key(name: str = typer.Argument(..., help="the client application's name")) -> None:
    """Issue an API key for POST requests (shown once; only its SHA-256 is stored)."""
    from citybrain.core.db import get_engine, session_scope
    from citybrain.core.migrate import check_migrated
    from citybrain.events.open311 import service

    engine = get_engine()
    check_migrated(engine)
    with session_scope(engine) as s:
        client, key = service.issue_key(s, None, name)
        cid = client.id
    console.print(f"client {cid} [bold]{name}[/bold]: api_key = [green]{key}[/green]")
