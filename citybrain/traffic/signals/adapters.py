"""Signal-controller adapters (``CITYBRAIN_SIGNAL_ADAPTER``): where a recommended plan is pushed.

``sumo`` (the demo's): the plan becomes a ``<tlLogic>`` in an additional file
(``<data dir>/traffic/plans/<intersection>.add.xml``) that SUMO loads with ``-a`` for the named traffic
light (``sumo_tls``), each green followed by its yellow (built as the controllers build it). An
intersection without a SUMO light is "pushed" to the log only. Idempotent per recommendation: the file is
written whole under the recommendation's program id.

``log``: every plan to the log only (the receipt says so); nothing leaves the process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from citybrain.core.adapters import SIGNAL_ADAPTERS, SignalControllerAdapter
from citybrain.traffic.control.controllers import yellow_state


def plan_to_tllogic(tls_id: str, program_id: str, phases: list[str], plan: dict[str, Any]) -> str:
    """A SUMO additional file with one static ``tlLogic``: every planned green, then its yellow."""
    greens = [float(g) for g in plan.get("greens", [])]
    yellow = float(plan.get("yellow", 3.0))
    all_red = float(plan.get("all_red", 0.0))
    order = [i for i, g in enumerate(greens) if g > 0]
    lines = [
        "<additional>",
        f'    <tlLogic id={quoteattr(tls_id)} type="static" programID={quoteattr(program_id)} offset="0">',
    ]
    for k, i in enumerate(order):
        nxt = order[(k + 1) % len(order)]
        lines.append(f'        <phase duration="{greens[i]:g}" state="{phases[i]}"/>')
        if yellow > 0 and nxt != i:
            lines.append(
                f'        <phase duration="{yellow:g}" state="{yellow_state(phases[i], phases[nxt])}"/>'
            )
        if all_red > 0 and nxt != i:
            red = "".join("r" if ch == "y" else ch for ch in yellow_state(phases[i], phases[nxt]))
            lines.append(f'        <phase duration="{all_red:g}" state="{red}"/>')
    lines += ["    </tlLogic>", "</additional>", ""]
    return "\n".join(lines)


def plans_dir() -> Path:
    from citybrain.config import get_settings

    return Path(get_settings().data_dir) / "traffic" / "plans"


class LogSignalAdapter(SignalControllerAdapter):
    name = "log"

    def apply(self, plan: Mapping[str, Any]) -> dict[str, Any]:
        return {"adapter": "log", "intersection": plan["intersection"]}


class SumoSignalAdapter(SignalControllerAdapter):
    name = "sumo"

    def target(self, plan: Mapping[str, Any]) -> str:
        return "sumo" if plan.get("sumo_tls") else "log"

    def apply(self, plan: Mapping[str, Any]) -> dict[str, Any]:
        if not plan.get("sumo_tls"):
            return LogSignalAdapter().apply(plan)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", str(plan["intersection"]))
        path = plans_dir() / f"{safe}.add.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        program = f"citybrain-{int(plan['recommendation_id'])}"
        path.write_text(
            plan_to_tllogic(str(plan["sumo_tls"]), program, list(plan["phases"]), dict(plan["plan"])),
            encoding="utf-8",
        )
        return {"adapter": "sumo", "file": str(path), "program_id": program, "tls": plan["sumo_tls"]}


def register() -> None:
    for adapter in (LogSignalAdapter(), SumoSignalAdapter()):
        if adapter.name not in SIGNAL_ADAPTERS:
            SIGNAL_ADAPTERS.register(adapter.name, adapter)
