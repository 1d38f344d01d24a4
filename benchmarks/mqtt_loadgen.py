"""A lean MQTT 3.1.1 load generator for the ingest benchmarks: QoS 1 PUBLISHes written straight to a
socket, in chunks, with at most ``inflight`` unacknowledged at any moment (counted by the PUBACKs that
come back).

Why not paho: a paho publisher spends tens of microseconds of Python per message (its MQTTMessageInfo,
locks, a wake-up of its network thread), so on a 2-core machine it, not the ingester, set the pace of
the monitoring benchmark (both CityBrain's ingester and the bare-paho baseline ran at the publisher's
rate). The broker sees the same traffic either way: QoS 1 PUBLISHes to
``citybrain/sensors/<code>/readings``, one JSON reading (or a list) each, every one acknowledged.

Each round stamps every sensor with one instant (a new microsecond each round, so no reading repeats a
sensor's time and every published reading is a new row).
"""

from __future__ import annotations

import datetime as dt
import socket
import time


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(s: str) -> bytes:
    b = s.encode()
    return len(b).to_bytes(2, "big") + b


def connect(host: str, port: int, client_id: str, keepalive: int = 60) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = _string("MQTT") + bytes([4, 0x02]) + keepalive.to_bytes(2, "big") + _string(client_id)
    sock.sendall(b"\x10" + _remaining_length(len(body)) + body)
    ack = b""
    while len(ack) < 4:
        part = sock.recv(4 - len(ack))
        if not part:
            raise ConnectionError("the broker closed the connection before CONNACK")
        ack += part
    if ack[0] != 0x20 or ack[3] != 0:
        raise ConnectionError(f"the broker refused the connection: CONNACK {ack.hex()}")
    return sock


class Acks:
    """Counts the PUBACKs in the bytes the broker sends (a packet may straddle two reads)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.count = 0

    def read(self, block: bool) -> None:
        try:
            data = self.sock.recv(1 << 16, 0 if block else socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        if not data:
            raise ConnectionError("the broker closed the connection")
        buf = self.buf + data
        i, n = 0, len(buf)
        while i + 2 <= n:
            length, shift, j = 0, 0, i + 1
            while j < n:  # the remaining length: 1-4 bytes of 7 bits
                length |= (buf[j] & 0x7F) << shift
                shift += 7
                j += 1
                if not buf[j - 1] & 0x80:
                    break
            else:
                break
            if j + length > n:
                break
            if buf[i] >> 4 == 4:  # PUBACK
                self.count += 1
            i = j + length
        self.buf = buf[i:]


def publish(host: str, port: int, codes: list[str], seconds: float, inflight: int, batch: int = 1,
            rate: float = 0, client_id: str = "citybrain-loadgen", unit: str = "%LEL") -> tuple[int, float]:
    """Publish readings for ``codes`` for ``seconds`` (at ``rate`` readings/s, or as fast as they are
    acknowledged); returns (readings published and acknowledged, seconds taken)."""
    sock = connect(host, port, client_id)
    topics = [_string(f"citybrain/sensors/{c}/readings") for c in codes]
    acks = Acks(sock)
    chunk = bytearray()
    pid = 0
    messages = 0
    began = time.monotonic()
    last = dt.datetime.now(dt.UTC)
    k = 0
    while time.monotonic() - began < seconds:
        now = max(dt.datetime.now(dt.UTC), last + dt.timedelta(microseconds=batch))
        last = now
        stamps = [(now + dt.timedelta(microseconds=j)).isoformat() for j in range(batch)]
        value = 1.0 + k % 7
        one = [f'{{"time": "{s}", "value": {value}, "unit": "{unit}"}}' for s in stamps]
        payload = (one[0] if batch == 1 else "[" + ", ".join(one) + "]").encode()
        for topic in topics:
            while messages - acks.count >= inflight:
                if chunk:
                    sock.sendall(chunk)
                    chunk.clear()
                acks.read(block=True)
            pid = pid % 65535 + 1
            body = topic + pid.to_bytes(2, "big") + payload
            chunk += b"\x32" + _remaining_length(len(body)) + body
            messages += 1
            if len(chunk) >= 1 << 15:
                sock.sendall(chunk)
                chunk.clear()
                acks.read(block=False)
            ahead = messages * batch / rate - (time.monotonic() - began) if rate > 0 else 0
            if ahead > 0:
                if chunk:
                    sock.sendall(chunk)
                    chunk.clear()
                time.sleep(ahead)
        k += 1
    if chunk:
        sock.sendall(chunk)
    while acks.count < messages:
        acks.read(block=True)
    took = time.monotonic() - began
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()
    return messages * batch, took
