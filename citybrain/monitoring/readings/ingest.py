"""Sensor readings over MQTT, through the core ingester (`citybrain.core.mqtt.Subscriber`).

Topic and payload
-----------------
A sensor publishes (QoS 1) to ``citybrain/sensors/<sensor code>/readings`` one reading
``{"time": "2026-07-01T08:00:00+08:00", "value": 3.21, "unit": "m"}`` or a JSON list of them. Each
message is validated and stored by `readings.service.store_batch` (the same path as the HTTP batch):
idempotent by (sensor, time), rolled up, rules run. Messages are taken in batches — what arrived, up to
`BATCH_MAX` messages, waiting at most `BATCH_MS` after the first — and a batch is one transaction with one
statement per table; its messages are acknowledged (PUBACK) only after that commit, so a killed ingester
has acknowledged nothing the broker will not redeliver. Ingesters share the topic through
``$share/<group>/citybrain/sensors/+/readings``.

Refusals
--------
The good readings of a message are stored even when others in it are refused. Every refused reading is
counted per reason (`monitoring_refusal`, ``GET /api/monitoring/refusals``) and the message's refusals go
to ``citybrain/sensors/<code>/errors`` in the API's 4xx shape, ``loc`` naming the item and field (``["body",
2, "unit"]``) and ``type`` the reason (unknown_sensor, wrong_unit, out_of_range, future, too_old; schema
errors keep pydantic's types and count as ``invalid``); malformed JSON counts as ``malformed_json``.
A message is acknowledged only after its batch's transaction committed and its refusal was queued.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import Engine

from citybrain.config import Settings
from citybrain.core.adapters import FEEDS
from citybrain.core.db import session_factory, session_scope
from citybrain.core.mqtt import Broker, Outcome, Subscriber, broker_from_url
from citybrain.monitoring.readings import service
from citybrain.monitoring.readings.schemas import ReadingIn

PREFIX = "citybrain/sensors/"
TOPIC = PREFIX + "+/readings"
DEFAULT_GROUP = "citybrain-monitoring"
MAX_ITEMS = 5000
BATCH_MAX = 1000  # messages per transaction at most
BATCH_MS = 50.0  # how long a batch waits for more after its first message (bounds the added lag)
_one = TypeAdapter(ReadingIn)
CORE_REASONS = {"json_invalid": "malformed_json", "too_large": "too_large"}


def code_of(topic: str) -> str:
    """The sensor code in ``citybrain/sensors/<code>/readings``."""
    if topic.startswith(PREFIX) and topic.endswith("/readings"):
        return topic[len(PREFIX):-len("/readings")]
    return ""


def parse(payload: Any) -> tuple[list[ReadingIn | None], list[InitErrorDetails], bool]:
    """(items with None where the schema refused one, the schema's errors, whether the payload was a list)."""
    many = isinstance(payload, list)
    raw = payload if many else [payload]
    if many and not 1 <= len(raw) <= MAX_ITEMS:
        err = InitErrorDetails(type=PydanticCustomError("invalid", f"a list of 1..{MAX_ITEMS} readings"),
                               loc=(), input=None)
        return [], [err], many
    items: list[ReadingIn | None] = []
    errors: list[InitErrorDetails] = []
    for i, item in enumerate(raw):
        try:
            items.append(_one.validate_python(item))
        except ValidationError as exc:
            items.append(None)
            for e in exc.errors(include_url=False):
                loc = ((i,) if many else ()) + tuple(e["loc"])
                errors.append(InitErrorDetails(type=PydanticCustomError(e["type"], e["msg"]), loc=loc,
                                               input=None))
    return items, errors, many


def store_message(engine: Engine, topic: str, payload: Any) -> int:
    """Store one message's good readings (committed) and raise a ValidationError listing the refused ones."""
    code = code_of(topic)
    items, errors, many = parse(payload)
    with session_scope(engine) as s:
        result = service.store_readings(s, code, items) if items else service.Stored()
        for r in result.refused:
            loc = ((r.index,) if many else ()) + (r.field,)
            errors.append(InitErrorDetails(type=PydanticCustomError(r.reason, r.msg), loc=loc, input=None))
        service.count_refusals(s, [(_reason(e), f"{code}: {e['type']}") for e in errors])
    if errors:
        raise ValidationError.from_exception_data("readings", errors)
    return result.stored


def store_messages(engine: Engine, messages: list[tuple[str, Any]]) -> list[Any]:
    """The batch form of `store_message`: many messages' good readings in ONE transaction (committed on
    return); per message, in order, how many readings were stored or the ValidationError listing its
    refused ones (returned for the core ingester to publish, not raised)."""
    parsed = [(code_of(topic), *parse(payload)) for topic, payload in messages]
    out: list[Any] = []
    # checked and laid out before the writing transaction: another ingester writes meanwhile (a sensor
    # switched off in between still gets this batch, as if it had come a moment earlier)
    with session_factory(engine, read_only=True)() as reader:
        plan = service.plan_batch(reader, [(code, items) for code, items, _e, _m in parsed])
    with session_scope(engine) as s:
        results = service.store_planned(s, plan)
        refusals: list[tuple[str, str]] = []
        for (code, _items, errors, many), result in zip(parsed, results, strict=True):
            for r in result.refused:
                loc = ((r.index,) if many else ()) + (r.field,)
                errors.append(InitErrorDetails(type=PydanticCustomError(r.reason, r.msg), loc=loc, input=None))
            refusals += [(_reason(e), f"{code}: {e['type']}") for e in errors]
            out.append(ValidationError.from_exception_data("readings", errors) if errors else result.stored)
        service.count_refusals(s, refusals)
    return out


def _reason(err: InitErrorDetails) -> str:
    t = err["type"]
    name = t.type if isinstance(t, PydanticCustomError) else str(t)
    return name if name in service.REASONS else "invalid"


class Ingester(Subscriber):
    """The sensor-readings subscriber: a core Subscriber storing batches — up to `batch_max` messages
    arrived within `batch_ms` — in one transaction each, acknowledged after its commit."""

    def __init__(self, broker: Broker, engine: Engine, *, group: str = DEFAULT_GROUP,
                 batch_max: int = BATCH_MAX, batch_ms: float = BATCH_MS, **kw: Any) -> None:
        self.engine = engine
        super().__init__(broker, TOPIC, None, store_batch=lambda items: store_messages(engine, items),
                         batch_max=batch_max, batch_ms=batch_ms, group=group, name="monitoring ingest",
                         describe=lambda topic: {"sensor": code_of(topic)}, **kw)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None, **kw: Any) -> Ingester:
        from citybrain.core.db import engine_for

        return cls(broker_from_url(settings.mqtt_url), engine or engine_for(settings.effective_database_url), **kw)

    def _publish_error(self, msg: Any, out: Outcome) -> None:
        # what the core refused before the store function saw it (not JSON, too large) is counted here
        core = [CORE_REASONS[d["type"]] for d in out.detail or [] if d.get("type") in CORE_REASONS]
        if core:
            try:
                with session_scope(self.engine) as s:
                    service.count_refusals(s, [(r, code_of(msg.topic)) for r in core])
            except Exception:  # noqa: BLE001 - counting must not stop the error report
                pass
        super()._publish_error(msg, out)


FEEDS.register("monitoring.readings", Ingester.from_settings)
