"""The load generator and demo driver: publishes simulated readings of the demo sensors over MQTT.

Each round publishes one reading per sensor (QoS 1) to ``citybrain/sensors/<code>/readings``, stamped
with the real time (so nothing is refused as future or past) while the scenario's clock runs `speed`
times faster (a 4-hour storm in 4 minutes at speed 60). At most `inflight` messages wait for their
PUBACK at once: the publisher waits for the oldest before sending more, so the broker's queues never
overflow. `rate` caps readings per second (0: as fast as the broker acknowledges).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from citybrain.core.mqtt import Broker, make_client
from citybrain.monitoring import simulation


@dataclass
class Published:
    messages: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def run(broker: Broker, sensors: Sequence[simulation.SensorSpec], scenario: simulation.Scenario, *,
        duration_s: float, rate: float = 0.0, inflight: int = 200, on_progress: Callable[[int], None] | None = None,
        stop: Callable[[], bool] | None = None) -> Published:
    """Publish rounds of readings for `duration_s` real seconds; returns what was sent (all acknowledged)."""
    if not sensors:
        return Published()
    client = make_client(broker, f"citybrain-simulate-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    client.max_inflight_messages_set(inflight)
    client.max_queued_messages_set(0)
    client.connect(broker.host, broker.port, keepalive=30)
    client.loop_start()
    waiting: collections.deque[mqtt.MQTTMessageInfo] = collections.deque()
    sent = 0
    began = time.monotonic()
    last_stamp: dt.datetime | None = None
    try:
        while time.monotonic() - began < duration_s and not (stop and stop()):
            now = dt.datetime.now(dt.UTC).replace(microsecond=(dt.datetime.now(dt.UTC).microsecond // 1000) * 1000)
            if last_stamp is not None and now <= last_stamp:
                now = last_stamp + dt.timedelta(milliseconds=1)  # one reading per sensor and instant
            last_stamp = now
            for s in sensors:
                body = {"time": now.isoformat(), "value": simulation.value(s, now, scenario), "unit": s.unit}
                while len(waiting) >= inflight:
                    waiting.popleft().wait_for_publish(30)
                waiting.append(client.publish(f"citybrain/sensors/{s.code}/readings", json.dumps(body), qos=1))
                sent += 1
                if on_progress:
                    on_progress(1)
                if rate > 0:
                    ahead = sent / rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)
                if time.monotonic() - began >= duration_s:
                    break
        while waiting:
            waiting.popleft().wait_for_publish(30)
    finally:
        client.disconnect()
        client.loop_stop()
    return Published(sent, time.monotonic() - began)
