"""Detector readings over MQTT: what a detector cabinet or a vendor gateway publishes, stored like the
HTTP feed.

Topic and payload
-----------------
A report for intersection ``<code>`` is published (QoS 1) to
``citybrain/traffic/intersections/<code>/readings``; its payload is the JSON body of
``POST /api/traffic/intersections/<code>/readings`` (``schemas.DetectorFeedIn``), validated by the same
schema and stored by the same ``service.ingest_readings``, each message in its own transaction. A
report that does not state its ``source`` is stored with ``source = "mqtt"``.

Ingesters subscribe through the shared subscription ``$share/<group>/citybrain/traffic/intersections/
+/readings``: every ingester of a group gets a share of the messages, each message goes to one of them.

Bad messages
------------
A message that is not JSON, fails the schema, names an unknown intersection or lane, or is dated in the
future is not stored. Its error goes to ``citybrain/traffic/intersections/<code>/errors`` (QoS 1) in the
shape of the API's 4xx bodies, ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``, where ``loc``
names the field (``["body", "readings", 1, "lane"]``; ``["topic", "code"]`` for an unknown
intersection), and is logged; the message is acknowledged and the ingester goes on. An MQTT v5
``CorrelationData`` on the report is copied onto its error.

Delivery, reconnects, a clean stop on SIGTERM and the counters are ``citybrain.core.mqtt``'s: a message is
acknowledged only after its transaction committed or its error was published, so a broker redelivers
what an ingester did not finish, and a redelivered report is harmless (a lane has one reading per
interval end; storing it again replaces the row, see ``service.ingest_readings``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from citybrain.config import Settings
from citybrain.core.adapters import FEEDS
from citybrain.core.auth import SYSTEM
from citybrain.core.db import session_scope
from citybrain.core.mqtt import Broker, Subscriber, broker_from_url
from citybrain.traffic.detectors import service
from citybrain.traffic.detectors.schemas import DetectorFeedIn

PREFIX = "citybrain/traffic/intersections/"
TOPIC = PREFIX + "+/readings"
DEFAULT_GROUP = "citybrain-traffic"


def code_of(topic: str) -> str:
    """The intersection code in ``citybrain/traffic/intersections/<code>/readings``."""
    return (
        topic[len(PREFIX) : -len("/readings")]
        if topic.startswith(PREFIX) and topic.endswith("/readings")
        else ""
    )


class Ingester(Subscriber):
    """The detector-feed subscriber: each report validated and stored in its own transaction."""

    def __init__(self, broker: Broker, engine: Engine, *, group: str = DEFAULT_GROUP, **kw: Any) -> None:
        self.engine = engine
        super().__init__(broker, TOPIC, self.store_report, group=group, name="traffic ingest",
                         describe=lambda topic: {"intersection": code_of(topic)}, **kw)  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None, **kw: Any) -> Ingester:
        from citybrain.core.db import engine_for

        return cls(
            broker_from_url(settings.mqtt_url), engine or engine_for(settings.effective_database_url), **kw
        )

    def store_report(self, topic: str, payload: Any) -> int:
        feed = DetectorFeedIn.model_validate(payload)
        if "source" not in feed.model_fields_set:
            feed = feed.model_copy(update={"source": "mqtt"})
        with session_scope(self.engine) as s:
            return service.ingest_readings(s, SYSTEM, code_of(topic), feed)


FEEDS.register("traffic.detectors", Ingester.from_settings)
