"""Wires the domains once: their tables, their bus handlers (the one mapping table), their routers.

A domain package takes part by having the modules; nothing here names a domain's internals.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

from citybrain.core.bus import MessageBus, install, set_department_resolver
from citybrain.core.jobs import register as register_jobs
from citybrain.core.jobs import register_drains

# Order matters for the demo: reference data first.
DOMAINS = (
    "directory",
    "geography",
    "events",  # with Open311 (citybrain.events.open311)
    "emergency",
    "safety",
    "alerts",
    "monitoring",
    "traffic",
    "governance",
    "indicators",
    "opendata",
)

_bus: MessageBus | None = None



def domain_module(domain: str, module: str) -> ModuleType | None:
    name = f"citybrain.{domain}.{module}"
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name)


def import_models() -> None:
    for mod in ("citybrain.core.auth", "citybrain.core.audit", "citybrain.core.outbox", "citybrain.core.bus",
                "citybrain.core.jobs", "citybrain.core.ratelimit"):
        importlib.import_module(mod)
    for d in DOMAINS:
        domain_module(d, "models")


def handler_table() -> dict[Any, list[Any]]:
    """The one table from event type to handlers, merged from each domain's handlers.HANDLERS."""
    table: dict[Any, list[Any]] = {}
    for d in DOMAINS:
        mod = domain_module(d, "handlers")
        if mod is None:
            continue
        for event_type, handlers in getattr(mod, "HANDLERS", {}).items():
            table.setdefault(event_type, []).extend(handlers)
    return table


def _department_id(session: Any, code: str) -> int | None:
    from citybrain.directory.public import department_by_code

    with session.no_autoflush:  # a look-up inside emit must not flush the caller's half-built rows
        d = department_by_code(session, code)
    return d.id if d is not None else None


def bootstrap() -> MessageBus:
    """Wire the platform once per process and return its bus: tables, the handler table, outbox
    channels, scheduled jobs. The app, the worker and the CLI call this and hand the bus to the
    sessions they make (`session.info["bus"]`); it is also installed as the default for others."""
    global _bus
    if _bus is not None:
        return _bus
    import_models()
    bus = MessageBus(handler_table())
    install(bus)
    set_department_resolver(_department_id)  # the live feed's audience: department code → id
    for d in DOMAINS:
        domain_module(d, "channels")  # a domain's channels.py registers outbox channels on import
        mod = domain_module(d, "jobs")
        if mod is not None:
            register_jobs(getattr(mod, "JOBS", []))
            register_drains(getattr(mod, "DRAINS", []))
    _bus = bus
    return bus
