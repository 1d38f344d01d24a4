"""`citybrain safety ...`: bulk import, re-grading, the overdue check and the rollups, from the shell."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Safety risk: registries, hidden dangers, risk grading.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _session():  # type: ignore[no-untyped-def]
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import session_scope

    bootstrap()
    return session_scope()


@app.command("import")
def import_(
    kind: str = typer.Argument(..., help="units, hazard_points or equipment"),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help=".csv or .xlsx, first row the header"),
    skip_invalid: bool = typer.Option(False, help="write the good rows and report the bad ones"),
    dry_run: bool = typer.Option(False, help="check only"),
) -> None:
    """Import a registry file; with any bad row nothing is written unless --skip-invalid."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from citybrain.core.auth import SYSTEM
    from citybrain.safety.importer import service as importer

    rows = importer.read_table(path.read_bytes(), path.name)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    try:
        with progress, _session() as s:
            task = progress.add_task(f"importing {kind}", total=len(rows))
            report = importer.import_rows(
                s,
                SYSTEM,
                kind,
                rows,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                progress=lambda n: progress.advance(task, n),
            )
    except importer.ImportRefused as exc:
        _errors(exc.report)
        err.print(f"[red]{exc.msg}[/red]")
        raise typer.Exit(1) from None
    _errors(report)
    verb = "checked" if dry_run else "imported"
    console.print(
        f"[green]{verb} {report.imported if not dry_run else report.rows - report.skipped} of "
        f"{report.rows} rows[/green]" + (f", skipped {report.skipped}" if report.skipped else "")
    )


def _errors(report) -> None:  # type: ignore[no-untyped-def]
    for w in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {w}")
    if report.errors:
        t = Table("row", "field", "problem")
        for e in report.errors[:200]:
            t.add_row(str(e.row), e.field, e.msg)
        console.print(t)
        if len(report.errors) > 200:
            console.print(f"… and {len(report.errors) - 200} more")


@app.command()
def regrade(street: str = typer.Option(None, help="only this street (or community/grid) code")) -> None:
    """Re-grade every unit now."""
    from citybrain.safety.risk.service import regrade as run

    with _session() as s:
        r = run(s, area_code=street, cause="command line")
    console.print(r.as_dict())


@app.command("check-overdue")
def check_overdue() -> None:
    """Mark overdue hidden dangers and escalate them (what the worker does every five minutes)."""
    from citybrain.safety.inspections.escalation import mark_overdue_and_escalate

    with _session() as s:
        console.print(mark_overdue_and_escalate(s))


@app.command("rebuild-rollups")
def rebuild_rollups() -> None:
    """Recompute the statistics rollups from the hidden dangers."""
    from citybrain.safety.stats.rollup import rebuild

    with _session() as s:
        console.print(rebuild(s))
