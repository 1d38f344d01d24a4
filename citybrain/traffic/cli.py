"""``citybrain traffic …``: run signal controllers in SUMO and benchmark them.

Mounted by the top-level CLI as ``citybrain traffic``; also runnable alone with
``python -m citybrain.traffic.cli``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from citybrain.core.errors import ValidationFailed
from citybrain.traffic.errors import OptionError

app = typer.Typer(help="Signal control: SUMO harness and the RESCO benchmark.", no_args_is_help=True)
console = Console()


def _fail(exc: ValidationFailed) -> None:
    """An option error as the shell user wrote it: ``--min-green: …``."""
    option = exc.option if isinstance(exc, OptionError) else exc.field or "option"
    console.print(f"[red]Error:[/red] --{option.replace('_', '-')}: {exc.msg.split(': ', 1)[-1]}")
    raise typer.Exit(2)


def _scenarios(
    names: list[str] | None,
    net: Path | None,
    routes: list[Path] | None,
    begin: float | None,
    end: float | None,
    sumocfg: Path | None,
) -> list:
    from citybrain.traffic.control import scenarios as sc

    out = []
    if sumocfg is not None:
        out.append(sc.from_sumocfg(sumocfg))
    if net is not None or routes:
        if net is None or not routes:
            raise OptionError("net" if net is None else "routes", "give --net together with --routes")
        if begin is None or end is None:
            raise OptionError("begin" if begin is None else "end", "give --begin and --end with --net")
        out.append(sc.from_files(net, routes, begin, end))
    if names:
        out.extend(sc.resolve(names))
    if not out:
        out = sc.resolve(["dev"])
    return out


def _seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            lo, _, hi = part.partition("-")
            seeds.extend(range(int(lo), int(hi) + 1) if hi else [int(lo)])
        except ValueError as exc:
            raise OptionError("seeds", f"seeds are integers like 1,2,3 or 1-3, got {text!r}") from exc
    if not seeds or any(s < 0 for s in seeds):
        raise OptionError("seeds", f"seeds must be integers >= 0, got {text!r}")
    return seeds


ScenarioOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--scenario", "-s", help="RESCO scenario by name (repeatable); 'dev' = the 5 dev maps, 'all'."
    ),
]
NetOpt = Annotated[Path | None, typer.Option(help="Explicit SUMO net file (with --routes, --begin, --end).")]
RoutesOpt = Annotated[
    list[Path] | None, typer.Option("--routes", help="Route file(s) for --net (repeatable).")
]
BeginOpt = Annotated[float | None, typer.Option(help="Window start (s) for --net.")]
EndOpt = Annotated[float | None, typer.Option(help="Window end (s) for --net.")]
CfgOpt = Annotated[Path | None, typer.Option(help="A .sumocfg giving net, routes and window.")]


@app.command()
def bench(
    scenario: ScenarioOpt = None,
    controller: Annotated[
        list[str] | None,
        typer.Option(
            "--controller",
            "-c",
            help="Variant label (fixed, webster, actuated, mp-lane, mp-approach, mw-lane, mw-approach, "
            "adaptive) or controller:key=value,... (repeatable). Default: all.",
        ),
    ] = None,
    seeds: Annotated[str, typer.Option(help="Seeds, e.g. 1,2,3 or 1-3.")] = "1,2,3",
    workers: Annotated[int, typer.Option(help="Runs in parallel (one SUMO per process).")] = 2,
    out: Annotated[Path, typer.Option(help="Output directory for bench.md, delay.png, results.json.")] = Path(
        "data/traffic-bench"
    ),
    net: NetOpt = None,
    routes: RoutesOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    sumocfg: CfgOpt = None,
) -> None:
    """Run every controller on every scenario over several seeds; write a table and a chart."""
    from citybrain.traffic.control import bench as b

    try:
        scs = _scenarios(scenario, net, routes, begin, end, sumocfg)
        variants = b.select(controller)
        seed_list = _seeds(seeds)
        if workers < 1:
            raise OptionError("workers", f"workers must be >= 1, got {workers}")
        total = len(scs) * len(variants) * len(seed_list)
        with Progress(
            TextColumn("[bold]traffic bench"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
        ) as progress:
            task = progress.add_task("", total=total)

            def done(r: dict) -> None:
                what = f"{r['scenario']} {r['variant']} seed {r['seed']}"
                if r.get("error"):
                    what += " [red]failed[/red]"
                else:
                    what += f": {r['delay']:.1f} s"
                progress.update(task, advance=1, description=what)

            result = b.run_bench(scs, variants, seed_list, workers=workers, on_result=done)
        paths = b.write(result, out)
    except OptionError as exc:
        _fail(exc)
        return
    console.print(b.markdown(result))
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")


@app.command()
def run(
    controller: Annotated[
        str, typer.Option("--controller", "-c", help="Variant label or controller:k=v,...")
    ] = "adaptive",
    scenario: Annotated[str | None, typer.Option("--scenario", "-s", help="RESCO scenario by name.")] = None,
    seed: Annotated[int, typer.Option(help="SUMO --seed.")] = 1,
    net: NetOpt = None,
    routes: RoutesOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    sumocfg: CfgOpt = None,
    tripinfo: Annotated[Path | None, typer.Option(help="Keep SUMO's tripinfo file here.")] = None,
) -> None:
    """One run (in a fresh process), metrics printed as a table."""
    from citybrain.traffic.control import bench as b
    from citybrain.traffic.control.harness import RunSpec, run_many

    try:
        scs = _scenarios([scenario] if scenario else None, net, routes, begin, end, sumocfg)
        if len(scs) != 1:
            raise OptionError("scenario", "give exactly one scenario (a name, --net … or --sumocfg)")
        v = b.parse_variant(controller)
        if seed < 0:
            raise OptionError("seed", f"seed must be >= 0, got {seed}")
        spec = RunSpec(scs[0], v.controller, dict(v.options), seed=seed, label=v.label)
        if tripinfo is not None:
            from citybrain.traffic.control.harness import run as run_one

            res = run_one(spec, keep_tripinfo=tripinfo).as_dict()
        else:
            with console.status(f"running {scs[0].name} with {v.label} …"):
                res = run_many([spec], workers=1)[0]
    except OptionError as exc:
        _fail(exc)
        return
    if res.get("error"):
        console.print(f"[red]run failed:[/red] {res['error']}")
        raise typer.Exit(1)
    table = Table(title=f"{res['scenario']} · {res['variant']} · seed {res['seed']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in ("delay", "trip_time", "waiting", "queue", "vehicles", "departed", "arrived", "unfinished",
                "never_departed", "blocked", "stuck", "switches", "speed"):  # fmt: skip
        val = res[key]
        table.add_row(key, f"{val:.2f}" if isinstance(val, float) else str(val))
    console.print(table)
    console.print(res["description"])


@app.command("place")
def place() -> None:
    """Give intersections, road segments and car parks placed before traffic_0003 their community and grid
    (so community staff and grid workers see them)."""
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import get_engine, session_scope
    from citybrain.traffic.common import place_unplaced
    from citybrain.traffic.congestion.models import RoadSegment
    from citybrain.traffic.parking.models import CarPark
    from citybrain.traffic.signals.models import Intersection

    bootstrap()
    with session_scope(get_engine()) as s:
        n = place_unplaced(s, (Intersection, RoadSegment, CarPark))
    console.print(f"{n} traffic rows given their community and grid", highlight=False)


@app.command("scenarios")
def list_scenarios() -> None:
    """The RESCO scenarios shipped in the installed sumo-rl, with their windows."""
    from citybrain.traffic.control import scenarios as sc

    table = Table(title="RESCO scenarios (sumo_rl/nets/RESCO)")
    for col in ("name", "net", "routes", "window (s)", "dev map"):
        table.add_column(col)
    try:
        for name in sc.resco_names():
            s = sc.scenario(name)
            table.add_row(
                name,
                s.net.name,
                ", ".join(r.name for r in s.routes),
                f"{s.begin:g}–{s.end:g}",
                "yes" if name in sc.DEV_SCENARIOS else "",
            )
    except OptionError as exc:
        _fail(exc)
    console.print(table)


def _settings_line(exc: Exception) -> str:
    """A ConfigError's lines (one per bad setting) on one line."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return "; ".join(lines[1:] if len(lines) > 1 and lines[0].endswith(":") else lines)


@app.command()
def ingest(
    group: Annotated[
        str, typer.Option(help="Shared-subscription group: the ingesters of one group split the messages.")
    ] = "citybrain-traffic",
    client_id: Annotated[
        str | None, typer.Option(help="Fixed MQTT client id (default: one per process).")
    ] = None,
    session_expiry: Annotated[
        int,
        typer.Option(help="Seconds the broker keeps this client's session (needs --client-id); 0 = none."),
    ] = 0,
    check: Annotated[
        bool, typer.Option("--check", help="Only check that the broker answers: exit 0, or 1 saying why not.")
    ] = False,
) -> None:
    """Detector readings over MQTT: store what cabinets publish to citybrain/traffic/intersections/+/readings."""
    import logging

    from citybrain.config import ConfigError, get_settings
    from citybrain.core import mqtt
    from citybrain.traffic.detectors import ingest as ing

    try:
        settings = get_settings()
        broker = mqtt.broker_from_url(settings.mqtt_url)
        if check:
            why = mqtt.check_broker(broker)
            if why:
                console.print(why, highlight=False, soft_wrap=True)
                raise typer.Exit(1)
            console.print(f"broker {broker} answers", highlight=False)
            return
        topic = mqtt.shared_topic(group, ing.TOPIC)
        mqtt.check_session(client_id, session_expiry)
    except ConfigError as exc:
        console.print(f"[red]Error:[/red] {_settings_line(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except ValidationFailed as exc:
        _fail(exc)
        return

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
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")

    def status(text: str) -> None:
        console.print(f"traffic ingest: {text}", highlight=False, soft_wrap=True)

    ingester = ing.Ingester(
        broker, engine, group=group, client_id=client_id, session_expiry=session_expiry, on_status=status
    )
    console.print(
        f"traffic ingest: subscribing to {topic} at {broker} as {ingester.client_id}",
        highlight=False,
        soft_wrap=True,
    )
    ingester.stop_on_signals()
    from citybrain.core.runtime import settle_collector

    settle_collector()  # a service process of its own (core/runtime.py)
    ingester.run()


if __name__ == "__main__":
    app()
