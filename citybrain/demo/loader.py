"""`citybrain demo`: each domain's `demo.seed(session, tracker)` in order, one transaction each.

A seed is idempotent (running the demo twice changes nothing the second time) and may return lines
to print at the end (the demo users and their passwords).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import Progress

from citybrain.bootstrap import DOMAINS, bootstrap, domain_module


class Tracker:
    """What a seed gets to show progress: `advance = tracker.task("grids", 1200); advance(1)`."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def task(self, description: str, total: int) -> Callable[[int], None]:
        if self.progress is None:
            def nothing(n: int = 1) -> None:
                return None

            return nothing
        tid = self.progress.add_task(description, total=total)
        progress = self.progress

        def advance(n: int = 1) -> None:
            progress.advance(tid, n)

        return advance


def load_demo(console: Console, make_progress: Callable[[], Progress] | None, skip: set[str] | None = None,
              engine: Any = None) -> list[str]:
    from citybrain.core.db import get_engine, session_scope
    from citybrain.core.migrate import check_migrated

    bootstrap()
    engine = engine or get_engine()
    check_migrated(engine)
    lines: list[str] = []
    progress = make_progress() if make_progress else None
    if progress:
        progress.start()
    try:
        tracker = Tracker(progress)
        for d in DOMAINS:
            if skip and d in skip:
                continue
            mod = domain_module(d, "demo")
            if mod is None or not hasattr(mod, "seed"):
                continue
            with session_scope(engine) as s:
                out = mod.seed(s, tracker)
            if out:
                lines.extend(out)
    finally:
        if progress:
            progress.stop()
    for line in lines:
        console.print(line)
    return lines
