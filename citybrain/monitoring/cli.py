"""``citybrain monitoring …``: ingest readings over MQTT, simulate the demo's sensors, check silence."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Monitoring: MQTT ingest of sensor readings and the simulator.", no_args_is_help=True)
console = Console()


def _broker():  # type: ignore[no-untyped-def]
    from citybrain.config import ConfigError, get_settings
    from citybrain.core import mqtt

    try:
        return mqtt.broker_from_url(get_settings().mqtt_url)
    except ConfigError as exc:
        console.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _engine():  # type: ignore[no-untyped-def]
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import get_engine
    from citybrain.core.migrate import NotMigrated, check_migrated

    bootstrap()
    engine = get_engine()
    try:
        check_migrated(engine)
    except NotMigrated as exc:
        console.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    return engine


@app.command()
def ingest(
    group: Annotated[str, typer.Option(help="Shared-subscription group: ingesters of a group split the messages.")
                     ] = "citybrain-monitoring",
    client_id: Annotated[str | None, typer.Option(help="Fixed MQTT client id (default: one per process).")] = None,
    session_expiry: Annotated[int, typer.Option(help="Seconds the broker keeps the session (needs --client-id).")
                              ] = 0,
    batch_max: Annotated[int, typer.Option(min=1, max=16384, help="Messages per transaction at most.")] = 1000,
    batch_ms: Annotated[float, typer.Option(min=0, max=5000, help="How long a batch waits for more (ms).")
                        ] = 50.0,
) -> None:
    """Store what sensors publish to citybrain/sensors/+/readings (refusals to …/errors, counted), in
    batches: one transaction per batch, acknowledged after its commit."""
    import logging

    from citybrain.core.errors import ValidationFailed
    from citybrain.core.mqtt import check_session, shared_topic
    from citybrain.core.runtime import settle_collector
    from citybrain.monitoring.readings import ingest as ing

    broker = _broker()
    try:
        topic = shared_topic(group, ing.TOPIC)
        check_session(client_id, session_expiry)
    except ValidationFailed as exc:
        console.print(f"[red]Error:[/red] --{(exc.field or 'option').replace('_', '-')}: {exc.msg}")
        raise typer.Exit(2) from None
    engine = _engine()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    ingester = ing.Ingester(broker, engine, group=group, client_id=client_id, session_expiry=session_expiry,
                            batch_max=batch_max, batch_ms=batch_ms,
                            on_status=lambda text: console.print(f"monitoring ingest: {text}", highlight=False,
                                                                 soft_wrap=True))
    console.print(f"monitoring ingest: subscribing to {topic} at {broker}", highlight=False, soft_wrap=True)
    ingester.stop_on_signals()
    settle_collector()
    ingester.run()


@app.command()
def simulate(
    duration: Annotated[float, typer.Option(min=0.1, help="Real seconds to run.")] = 60.0,
    rate: Annotated[float, typer.Option(min=0, help="Readings per second at most (0: as fast as acknowledged).")
                    ] = 200.0,
    inflight: Annotated[int, typer.Option(min=1, max=65535, help="QoS 1 messages awaiting PUBACK at most.")
                        ] = 200,
    speed: Annotated[float, typer.Option(min=0.01, help="Scenario seconds per real second.")] = 60.0,
    storm: Annotated[bool, typer.Option(help="A storm: rain, then 江安河/杨柳河 rising.")] = False,
    gas_leak: Annotated[bool, typer.Option(help="A gas leak at the first gas sensor.")] = False,
    sensors: Annotated[int, typer.Option(min=0, help="Only the first N demo sensors (0: all).")] = 0,
) -> None:
    """Publish realistic readings of the demo's sensors over MQTT (run `citybrain demo` first)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from sqlalchemy.orm import Session

    from citybrain.core.db import utcnow
    from citybrain.monitoring import demo, simulation
    from citybrain.monitoring import simulate as sim

    broker = _broker()
    engine = _engine()
    with Session(engine) as s:
        specs = demo.specs(s)
    if sensors:
        specs = specs[:sensors]
    if not specs:
        console.print("[red]Error:[/red] no demo sensors: run `citybrain demo` first")
        raise typer.Exit(1)
    leak = next((x.code for x in specs if x.type == "gas"), "")
    scenario = simulation.Scenario(start=utcnow(), storm=storm, gas_leak=gas_leak, leak_sensor=leak, speed=speed)
    expected = int(rate * duration) if rate else None
    with Progress(TextColumn("[bold]simulate"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("readings", total=expected)
        done = sim.run(broker, specs, scenario, duration_s=duration, rate=rate, inflight=inflight,
                       on_progress=lambda n: progress.advance(task, n))
    console.print(f"published {done.messages} readings of {len(specs)} sensors in {done.seconds:.1f} s "
                  f"({done.rate:.0f}/s, all acknowledged by {broker})", highlight=False)


@app.command("check-silence")
def check_silence() -> None:
    """Run the silence rules once (the worker does it every minute)."""
    from citybrain.core.db import session_scope
    from citybrain.monitoring.rules.service import check_silence as run

    engine = _engine()
    with session_scope(engine) as s:
        console.print(f"{run(s)} silence alarm(s) raised")


if __name__ == "__main__":
    app()
