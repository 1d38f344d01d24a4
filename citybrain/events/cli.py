"""`citybrain events …`: the shipped categories and matrix, the deadline check, the unowned report, and
`citybrain events open311 …` (Open311 client keys)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from citybrain.events.open311.cli import app as open311_app

app = typer.Typer(help="Event hub: categories, responsibility matrix, deadlines, Open311 keys.",
                  no_args_is_help=True)
app.add_typer(open311_app, name="open311")  # citybrain events open311 issue-key
console = Console()


def _engine():  # type: ignore[no-untyped-def]
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import get_engine
    from citybrain.core.migrate import check_migrated

    bootstrap()
    engine = get_engine()
    check_migrated(engine)
    return engine


@app.command("load-defaults")
def load_defaults(matrix: bool = typer.Option(True, help="also the Shuangliu responsibility matrix")) -> None:
    """Insert the shipped categories (and matrix rows) that are missing; never overwrites an edit."""
    from citybrain.core.db import session_scope
    from citybrain.events import catalogue

    with session_scope(_engine()) as s:
        c = catalogue.load_default_categories(s)
        m = catalogue.load_default_matrix(s) if matrix else 0
    console.print(f"[green]{c} categories, {m} matrix rows added[/green]")


@app.command("check-deadlines")
def check_deadlines() -> None:
    """Run the deadline check once now (the worker runs it every minute)."""
    from citybrain.core.db import session_scope
    from citybrain.events import jobs

    with session_scope(_engine()) as s:
        console.print(jobs.check_deadlines(s))


@app.command("unowned")
def unowned(as_json: bool = typer.Option(False, "--json")) -> None:
    """Categories × governed streets that no matrix row covers, and rows naming unknown departments."""
    from citybrain.core.db import session_scope
    from citybrain.events.routing import unowned_report

    with session_scope(_engine()) as s:
        rep = unowned_report(s)
    if as_json:
        console.print_json(json.dumps(rep, ensure_ascii=False))
        return
    table = Table(title=f"no owner (falls back to {rep['fallback']})")
    for col in ("category", "area"):
        table.add_column(col)
    for u in rep["unowned"]:
        table.add_row(f"{u['category_code']} {u['category_name']}", f"{u['area_code']} {u['area_name']}")
    console.print(table)
    for u in rep["unknown_departments"]:
        console.print(f"[yellow]unknown department {u['department_code']}[/yellow] in row "
                      f"{u['category_code']}@{u['area_code']}")
