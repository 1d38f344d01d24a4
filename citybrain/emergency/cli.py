"""`citybrain emergency …`: import and export plans, load a road network."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="Emergency command: plans (预案) and the road network.", no_args_is_help=True)
console = Console()


def _fmt(path: Path) -> str:
    return "yaml" if path.suffix.lower() in (".yaml", ".yml") else "json"


@app.command("import-plans")
def import_plans(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="a JSON or YAML file")) -> None:
    """Import plans (one, a list, or {"plans": [...]}); nothing is written unless all are valid."""
    from citybrain.bootstrap import bootstrap
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import session_scope
    from citybrain.core.errors import DomainError
    from citybrain.emergency.plan import service

    bootstrap()
    try:
        with session_scope() as s:
            saved = service.import_plans(s, SYSTEM, service.parse_text(path.read_bytes(), _fmt(path)),
                                         note=f"imported from {path.name}")
    except DomainError as exc:
        console.print(f"[red]{exc.field or 'file'}: {exc.msg}[/red]")
        raise typer.Exit(1) from None
    for p in saved:
        console.print(f"{p.code} v{p.version} {'new' if p.created else 'changed' if p.changed else 'unchanged'}")


@app.command("export-plans")
def export_plans(out: Path = typer.Argument(..., dir_okay=False, help="file to write (.json or .yaml)")) -> None:
    """Export the current version of every plan."""
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import session_scope
    from citybrain.emergency.plan import service

    bootstrap()
    with session_scope() as s:
        out.write_text(service.dump(service.export_all(s), _fmt(out)), encoding="utf-8")
    console.print(f"written {out}")


@app.command("load-roads")
def load_roads(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="GeoJSON FeatureCollection"),
               name: str = typer.Option("", help="a name for the network (default: the file name)")) -> None:
    """Load a road network (LineStrings; properties speed_kmh or highway, oneway) for travel times."""
    from citybrain.bootstrap import bootstrap
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import session_scope
    from citybrain.core.errors import DomainError
    from citybrain.emergency.resource import service

    bootstrap()
    try:
        with session_scope() as s:
            net = service.load_network(s, SYSTEM, name or path.name, json.loads(path.read_text(encoding="utf-8")))
            console.print(f"road network {net.id}: {net.nodes} nodes, {net.edges} edges")
    except DomainError as exc:
        console.print(f"[red]{exc.field or 'file'}: {exc.msg}[/red]")
        raise typer.Exit(1) from None
