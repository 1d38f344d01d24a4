"""How fast one MQTT client takes QoS 1 messages with nothing behind its queue: stock paho against
`citybrain.core.mqtt.BufferedClient`, in the same process, against the same broker and load generator.

    .venv/bin/python benchmarks/mqtt_receive_bench.py [--seconds 5] [--rounds 2]

A throwaway Mosquitto on a free loopback port (explicit queue limits); `benchmarks/mqtt_loadgen.py` in
another process publishes one-reading messages for 200 sensors as fast as they are acknowledged (at most
1,000 in flight); the client (manual acknowledgement, receive maximum 4,000) hands each message to a
second thread through a queue, and that thread acknowledges what it took — one PUBACK each (stock) or one
write for the lot (`ack_many`). Prints messages/s received for each client, round by round (alternating),
and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _publish(port: int, seconds: float, out: Any) -> None:
    from mqtt_loadgen import publish

    out.put(publish("127.0.0.1", port, [f"B-{i:04d}" for i in range(200)], seconds, 1000,
                    client_id=f"recv-bench-pub-{time.monotonic_ns()}"))


def _run(kind: str, port: int, seconds: float) -> int:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from citybrain.core import mqtt as cm

    cls = cm.BufferedClient if kind == "buffered" else mqtt.Client
    c = cls(CallbackAPIVersion.VERSION2, client_id=f"recv-bench-{kind}", protocol=mqtt.MQTTv5, manual_ack=True)
    got: queue.SimpleQueue = queue.SimpleQueue()
    c.on_message = lambda _c, _u, m: got.put(m)
    subscribed = threading.Event()
    c.on_subscribe = lambda *_a: subscribed.set()
    c.on_connect = lambda cl, *_a: cl.subscribe(f"$share/{kind}/citybrain/sensors/+/readings", qos=1)
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 4000
    c.connect("127.0.0.1", port, properties=props)
    c.loop_start()
    subscribed.wait(10)
    taken = [0]
    marks: list[tuple[float, int]] = []
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set():
            try:
                batch = [got.get(timeout=0.2)]
            except queue.Empty:
                continue
            while len(batch) < 1000:
                try:
                    batch.append(got.get_nowait())
                except queue.Empty:
                    break
            if isinstance(c, cm.BufferedClient):
                c.ack_many([m.mid for m in batch])
            else:
                for m in batch:
                    c.ack(m.mid, m.qos)
            taken[0] += len(batch)
            marks.append((time.monotonic(), taken[0]))

    th = threading.Thread(target=consume, daemon=True)
    th.start()
    ctx = mp.get_context("spawn")
    out: Any = ctx.Queue()
    p = ctx.Process(target=_publish, args=(port, seconds, out))
    p.start()
    sent, _took = out.get(timeout=seconds + 120)
    p.join()
    deadline = time.monotonic() + 300
    while taken[0] < sent and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    th.join(5)
    c.disconnect()
    c.loop_stop()
    (t0, n0), (t1, n1) = marks[0], marks[-1]
    return round((n1 - n0) / (t1 - t0)) if t1 > t0 else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="cb-recv-bench-"))
    conf = work / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n"
                    "max_inflight_messages 1000\n")
    broker = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        rates: dict[str, list[int]] = {"stock": [], "buffered": []}
        for r in range(args.rounds):
            for kind in ("stock", "buffered"):
                rates[kind].append(_run(kind, port, args.seconds))
                print(json.dumps({"round": r + 1, "client": kind, "messages_per_s": rates[kind][-1]}), flush=True)
        med = {k: statistics.median(v) for k, v in rates.items()}
        print(json.dumps({"median_messages_per_s": med, "ratio_buffered_to_stock": round(med["buffered"] / med["stock"], 2)}))
    finally:
        broker.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
