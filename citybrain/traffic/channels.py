"""Outbox channel ``traffic.signal``: pushes a recommended plan to its signal through an adapter.

The adapter for the demo is SUMO's: the plan becomes a ``<tlLogic>`` in an additional file
(``<data dir>/traffic/plans/<intersection>.add.xml``) that SUMO loads with ``-a`` for the named
traffic light (``sumo_tls``), each green followed by its yellow (built as the controllers build it).
An intersection without a SUMO light is "pushed" to the log only. Delivery is idempotent per
message: the file is written whole under the recommendation's program id, and the recommendation's
status moves to ``applied`` once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from sqlalchemy.orm import Session

from citybrain.core.outbox import OutboxMessage, channels, register_channel
from citybrain.traffic.controllers import yellow_state


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


class SignalChannel:
    name = "traffic.signal"

    def send(self, session: Session, message: OutboxMessage) -> dict[str, Any] | None:
        from citybrain.traffic import service

        body = message.body
        rec_id = int(body["recommendation_id"])
        receipt: dict[str, Any] = {"adapter": "log", "intersection": body["intersection"]}
        if body.get("sumo_tls"):
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", str(body["intersection"]))
            path = plans_dir() / f"{safe}.add.xml"
            path.parent.mkdir(parents=True, exist_ok=True)
            program = f"citybrain-{rec_id}"
            path.write_text(
                plan_to_tllogic(str(body["sumo_tls"]), program, list(body["phases"]), dict(body["plan"])),
                encoding="utf-8",
            )
            receipt = {"adapter": "sumo", "file": str(path), "program_id": program, "tls": body["sumo_tls"]}
        service.mark_applied(session, rec_id, receipt)
        return receipt


def register() -> None:
    if SignalChannel.name not in channels():
        register_channel(SignalChannel())


register()
