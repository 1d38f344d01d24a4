"""A reusable MQTT ingester: a shared subscription whose messages a store function takes one by one —
or, with a batch store function, many per transaction (see `Subscriber`: acknowledged after the commit).

What a domain gives: a topic filter (``citybrain/traffic/intersections/+/readings``) and a store
function ``store(topic, payload)`` that gets the parsed JSON payload, validates it and stores it in its
own transaction (committed before it returns), or raises: a Pydantic ``ValidationError`` or a
``citybrain.core.errors.DomainError`` refuses the message, naming the field; ``OperationalError`` /
``InterfaceError`` (the database is unreachable) are retried with back-off and the message is not
acknowledged meanwhile. What this module does:

* the broker from settings (``CITYBRAIN_MQTT_URL``: ``mqtt://`` or ``mqtts://``, with an optional login);
* a shared subscription ``$share/<group>/<topic filter>`` with QoS 1: every ingester of a group gets a
  share of the messages, each message goes to one of them;
* manual acknowledgement: a message is acknowledged (PUBACK) only after the store function returned or
  its refusal was published, so a broker redelivers what an ingester did not finish (store functions
  are therefore idempotent: a report stored again replaces its row);
* a refused message is published (QoS 1) on its errors topic (by default the topic with its last level
  replaced by ``errors``) in the shape of the API's 4xx bodies, ``{"detail": [{"loc": [...], "msg":
  ..., "type": ...}]}``, with an MQTT v5 ``CorrelationData`` copied from the message; the ingester goes on;
* reconnects with back-off (1 s doubling to 30 s) and renews the subscription; the broker's flow control
  (``ReceiveMaximum``) stops sending while messages wait;
* a clean stop on SIGTERM/SIGINT (:meth:`Subscriber.stop_on_signals`): unsubscribe, finish what was
  delivered, let error reports out, disconnect;
* counters (:class:`Stats`).

A :class:`Subscriber` is an inbound feed (``core.adapters.InboundFeed``).

Sessions: by default each ingester has its own client id and a session that ends with the connection
(``session_expiry = 0``): Mosquitto keeps giving a share of a group's messages to a disconnected
persistent session, so a crashed ingester's session would swallow messages until it expired. Give a
fixed ``client_id`` and a ``session_expiry`` to have a restarted ingester resume its session.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import queue
import signal
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from citybrain.config import ConfigError, Settings
from citybrain.core.adapters import InboundFeed
from citybrain.core.errors import DomainError, ValidationFailed

log = logging.getLogger(__name__)

MAX_PAYLOAD = 1024 * 1024
RECEIVE_MAXIMUM = 32
KEEPALIVE = 30
RECONNECT_MIN, RECONNECT_MAX = 1, 30
DB_RETRY_MAX = 30.0

Store = Callable[[str, Any], Any]
"""``store(topic, payload)``: validate and store one message (committed on return), or raise."""

BatchStore = Callable[[list[tuple[str, Any]]], list[Any]]
"""``store_batch([(topic, payload), …])``: validate and store many messages in ONE transaction (committed
on return); gives back one entry per message, in order: what was stored, or the exception refusing that
message (a ValidationError or DomainError, returned, not raised). Raising OperationalError/InterfaceError
means nothing was committed: the whole batch is retried."""


class _SharedTableProperties(Properties):
    """paho's MQTT 5 Properties with its lookup tables (names, types, which packets a property belongs
    to) built once and shared, instead of afresh for every received packet: at thousands of PUBLISHes a
    second that rebuilding was the largest cost of the network thread (a py-spy profile of the ingest
    benchmark). The tables are only read; property values stay per instance."""

    _tables: dict[str, Any] = {}  # noqa: RUF012 - filled once from a stock instance

    def __init__(self, packetType: int) -> None:  # noqa: N803 - paho's parameter name
        if not self._tables:
            stock = Properties(packetType)
            self._tables.update(types=stock.types, names=stock.names, properties=stock.properties)
        self.__dict__.update(self._tables, packetType=packetType)

    def clear(self) -> None:
        if len(self.__dict__) > 4:  # a fresh instance holds only its 4 tables: nothing to clear
            super().clear()


try:
    _paho_packet: Any = importlib.import_module("paho.mqtt._packet")
except ImportError:  # an older or newer paho
    _paho_packet = None


def _share_property_tables() -> bool:
    """Received packets are decoded by paho's private ``_packet`` module: give it the shared-table
    Properties, but only where paho's internals are the ones this was written against (a fresh stock
    instance holds exactly the 4 attributes copied above); any other paho keeps its own, only slower."""
    paho_packet = _paho_packet
    if paho_packet is None:
        return False
    stock = Properties(PacketTypes.PUBLISH)
    if getattr(paho_packet, "Properties", None) is not Properties or set(vars(stock)) != {
            "packetType", "types", "names", "properties"}:
        return False
    paho_packet.Properties = _SharedTableProperties  # type: ignore[attr-defined]
    return True


SHARED_PROPERTY_TABLES = _share_property_tables()


# ── reading in bulk, acknowledging in bulk ──────────────────────────────────────────────────────────
READ_SIZE = 1 << 16


class _BufferedSocket:
    """The client's socket, read up to 64 KiB at a time: stock paho reads a packet with three ``recv``
    calls (its first byte, its length, its body) and one ``select`` each. Every one of those system calls
    lets go of the GIL, and with a storing thread busy in the same process a thread that let go waits up to
    the interpreter's switch interval (5 ms) to get it back — in the ingest benchmark the network thread
    spent most of its time waiting, not working. Whatever else paho asks of the socket goes straight to
    it. ``pending()`` (what paho asks of a TLS socket) tells it bytes are here without a ``select``."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._buf = b""
        self._pos = 0

    def recv(self, n: int) -> bytes:
        if self._pos >= len(self._buf):
            data = self._sock.recv(max(n, READ_SIZE))  # raises BlockingIOError when nothing is there
            if len(data) <= n:
                return bytes(data)
            self._buf, self._pos = data, 0
        start = self._pos
        self._pos = min(start + n, len(self._buf))
        return self._buf[start:self._pos]

    def pending(self) -> int:
        inner = self._sock.pending() if hasattr(self._sock, "pending") else 0
        return len(self._buf) - self._pos + inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _paho_fits() -> bool:
    """The buffered client overrides some of paho's internals: only where they are the ones it was written
    against (paho 2.x); any other paho gives the stock client."""
    c = mqtt.Client
    methods = ("_create_socket", "_packet_queue", "loop_read", "_sock_recv", "_handle_publish",
               "_handle_on_message", "message_callback_add")
    return (all(callable(getattr(c, name, None)) for name in methods) and _paho_packet is not None
            and callable(getattr(_paho_packet, "decode_publish", None))
            and "info" in getattr(mqtt.MQTTMessage, "__slots__", ()))


def _plain_publish(command: int, packet: bytes, v5: bool) -> tuple[int, bytes, Any, bytes] | None:
    """(packet id, topic, properties, payload) of a QoS 0/1 PUBLISH without properties — what sensors
    send — read by hand: paho's decoder slices and unpacks the packet four times over and was half of
    the network thread's time. None for anything else (properties present, a malformed or short packet),
    which paho's decoder then reads or refuses as it always did."""
    n = len(packet)
    if n < 2:
        return None
    end = 2 + ((packet[0] << 8) | packet[1])
    if end == 2 and not v5:
        return None  # an empty topic: paho refuses it (MQTT 3)
    mid = 0
    if command & 0x06:
        if n < end + 2:
            return None
        mid = (packet[end] << 8) | packet[end + 1]
        end += 2
    properties = None
    if v5:
        if n <= end or packet[end] != 0:
            return None
        properties = _paho_packet.Properties(PacketTypes.PUBLISH)  # empty, as paho gives it (shared tables)
        end += 1
    elif n < end:
        return None
    return mid, bytes(packet[2:2 + ((packet[0] << 8) | packet[1])]), properties, bytes(packet[end:])


class _Received(mqtt.MQTTMessage):
    """A received message without the `MQTTMessageInfo` (and its `threading.Condition`) paho makes for
    every message: that is for tracking what one publishes; made only if asked for."""

    def __init__(self, mid: int, topic: bytes) -> None:  # no super(): that would make the info
        self.timestamp = 0.0
        self.state = mqtt.mqtt_ms_invalid
        self.mid = mid
        self._topic = topic

    @property  # type: ignore[override]
    def info(self) -> mqtt.MQTTMessageInfo:
        made = self.__dict__.get("_info")
        if made is None:
            made = self.__dict__["_info"] = mqtt.MQTTMessageInfo(self.mid)
        return made

    @info.setter
    def info(self, value: mqtt.MQTTMessageInfo) -> None:
        self.__dict__["_info"] = value


class BufferedClient(mqtt.Client):
    """paho's client reading its socket in bulk (see `_BufferedSocket`), handling every packet already
    read before it waits again, and sending a batch's PUBACKs as one write (`ack_many`).

    A received QoS 0/1 PUBLISH also takes a shorter way to ``on_message`` — the profile of the ingest
    benchmark had half the network thread in two things an ingester does not use: the topic matcher of
    ``message_callback_add`` and an `MQTTMessageInfo` per received message. Where either is in use (a
    topic callback, paho's own logging), or for QoS 2, paho's own way is taken."""

    _topic_callbacks = False

    def _create_socket(self) -> Any:
        return _BufferedSocket(super()._create_socket())

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        rc = super().loop_read(max_packets)
        while rc == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS and isinstance(self._sock, _BufferedSocket) \
                and self._sock.pending():
            rc = super().loop_read(max_packets)
        return rc

    def message_callback_add(self, sub: str, callback: Any) -> None:
        self._topic_callbacks = True
        super().message_callback_add(sub, callback)

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        command = self._in_packet["command"]
        if (command & 0x06) == 0x04 or self._topic_callbacks or self._logger is not None or self.on_log:
            return super()._handle_publish()
        packet = self._in_packet["packet"]
        plain = _plain_publish(command, packet, self._protocol == mqtt.MQTTv5)
        if plain is None:  # properties to read, or a malformed packet for paho to refuse
            p = _paho_packet.decode_publish(command, packet, self._protocol)
            message = _Received(p.mid, p.topic)
            message.properties, message.payload = p.properties, p.payload
        else:
            message = _Received(plain[0], plain[1])
            message.properties, message.payload = plain[2], plain[3]
        message.dup, message.qos, message.retain = bool(command & 0x08), (command & 0x06) >> 1, bool(command & 0x01)
        message.timestamp = mqtt.time_func()
        on_message = self.on_message
        if on_message is not None:
            with self._in_callback_mutex:
                on_message(self, self._userdata, message)
        if message.qos == 1 and not self._manual_ack:
            return self._send_puback(message.mid)
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    def ack_many(self, mids: list[int]) -> None:
        """PUBACK for these QoS 1 messages, queued as one write (and one wake-up of the network thread)."""
        if mids and self._manual_ack:
            self._packet_queue(PacketTypes.PUBACK << 4, b"".join(_PUBACK.pack(0x40, 2, m) for m in mids), 0, 1)


_PUBACK = struct.Struct("!BBH")
BUFFERED_CLIENT = _paho_fits()


def ack_all(client: mqtt.Client, mids: list[int]) -> None:
    """PUBACK for these QoS 1 messages: in one write where the client can, else one by one."""
    if isinstance(client, BufferedClient):
        client.ack_many(mids)
    else:
        for mid in mids:
            client.ack(mid, 1)


# ── settings and options ─────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


def broker_from_url(url: str, setting: str = "CITYBRAIN_MQTT_URL") -> Broker:
    """``mqtt[s]://[user[:password]@]host[:port]`` → Broker; a bad URL raises ConfigError naming the setting."""
    if not url:
        raise ConfigError(f"{setting}: is empty, so there is no broker to ingest from")
    p = urlparse(url)
    if p.scheme not in ("mqtt", "mqtts") or not p.hostname:
        raise ConfigError(f"{setting}: must be a mqtt:// or mqtts:// URL with a host, got {url!r}")
    try:
        port = p.port
    except ValueError:
        raise ConfigError(f"{setting}: the port is not a number from 1 to 65535 in {url!r}") from None
    if p.path not in ("", "/") or p.query or p.fragment:
        raise ConfigError(f"{setting}: a broker URL has no path or query, got {url!r}")
    tls = p.scheme == "mqtts"
    return Broker(
        host=p.hostname,
        port=port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(p.username) if p.username else None,
        password=unquote(p.password) if p.password is not None else None,
    )


def _option(option: str, msg: str) -> ValidationFailed:
    return ValidationFailed(f"{option}: {msg}", option)


def check_group(group: str) -> str:
    """A share group name, or a ValidationFailed naming ``group``."""
    if not group or any(ch in group for ch in "/+#") or len(group) > 64:
        raise _option("group", f"a share group is 1-64 characters without / + #, got {group!r}")
    return group


def check_session(client_id: str | None, session_expiry: int) -> None:
    if session_expiry < 0:
        raise _option("session_expiry", f"seconds >= 0, got {session_expiry}")
    if session_expiry and not client_id:
        raise _option("client_id", "a session that outlives the connection needs a fixed --client-id")
    if client_id is not None and not 1 <= len(client_id) <= 128:
        raise _option("client_id", "a client id is 1-128 characters")


def shared_topic(group: str, topic_filter: str) -> str:
    return f"$share/{check_group(group)}/{topic_filter}"


def errors_topic(topic: str) -> str:
    """Where a refused message's error goes: its topic with the last level replaced by ``errors``."""
    return topic.rsplit("/", 1)[0] + "/errors" if "/" in topic else "errors"


def make_client(broker: Broker, client_id: str, **kw: Any) -> mqtt.Client:
    """A paho client (MQTT v5) with the broker's TLS and login; buffered (`BufferedClient`) where paho fits."""
    cls = BufferedClient if BUFFERED_CLIENT else mqtt.Client
    c = cls(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, **kw)
    if broker.tls:
        c.tls_set()
    if broker.username is not None:
        c.username_pw_set(broker.username, broker.password)
    return c


def check_broker(broker: Broker, timeout: float = 3.0, setting: str = "CITYBRAIN_MQTT_URL") -> str | None:
    """None when the broker accepts an MQTT connection within ``timeout`` seconds, else why not."""
    c = make_client(broker, f"citybrain-check-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    c.connect_timeout = timeout
    answer: list[ReasonCode] = []
    c.on_connect = lambda _c, _u, _f, rc, _p: answer.append(rc)
    try:
        c.connect(broker.host, broker.port, keepalive=10)
        deadline = time.monotonic() + timeout
        while not answer and time.monotonic() < deadline:
            c.loop(0.1)
    except OSError as exc:
        return f"cannot reach the broker at {broker} ({setting}): {exc.strerror or exc}"
    finally:
        c.disconnect()
    if not answer:
        return f"no MQTT answer from {broker} within {timeout:g} s ({setting})"
    if answer[0].is_failure:
        return f"the broker at {broker} refused the connection: {answer[0]} ({setting})"
    return None


# ── one message ──────────────────────────────────────────────────────────────────────────────────
@dataclass
class Outcome:
    topic: str
    result: Any = None  # what the store function returned
    detail: list[dict[str, Any]] | None = None  # the refusal, in the API's 4xx shape

    @property
    def ok(self) -> bool:
        return self.detail is None


def _err(loc: list[Any], msg: str, type_: str) -> list[dict[str, Any]]:
    return [{"loc": loc, "msg": msg, "type": type_}]


def handle(store: Store, topic: str, payload: bytes) -> Outcome:
    """Parse one message and hand it to ``store``; a refused message comes back with its error.

    Database outages (OperationalError, InterfaceError) are raised: the caller retries them.
    """
    data, bad = parse(topic, payload)
    if bad is not None:
        return bad
    try:
        return Outcome(topic, result=store(topic, data))
    except (ValidationError, DomainError) as exc:
        return refused(topic, exc)
    except (OperationalError, InterfaceError):
        raise
    except SQLAlchemyError as exc:
        log.exception("mqtt ingest: could not store a message to %s", topic)
        return Outcome(topic, detail=_err(["body"], f"could not be stored ({type(exc).__name__})", "storage_error"))


def parse(topic: str, payload: bytes) -> tuple[Any, Outcome | None]:
    """The JSON of a message, or its refusal (too large, not JSON)."""
    if len(payload) > MAX_PAYLOAD:
        return None, Outcome(topic, detail=_err(["body"], f"payload of {len(payload)} bytes, more than "
                                                          f"{MAX_PAYLOAD}", "too_large"))
    try:
        return json.loads(payload), None
    except ValueError as exc:
        return None, Outcome(topic, detail=_err(["body"], f"payload is not JSON: {exc}", "json_invalid"))


def refused(topic: str, exc: ValidationError | DomainError) -> Outcome:
    """A store function's refusal in the API's 4xx shape."""
    if isinstance(exc, ValidationError):
        detail = [
            {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        return Outcome(topic, detail=detail)
    # over MQTT what a URL path would name comes from the topic
    loc = ["topic" if exc.loc == "path" else exc.loc] + ([exc.field] if exc.field else [])
    return Outcome(topic, detail=_err(loc, exc.msg, exc.type))


def handle_batch(store_batch: BatchStore, messages: list[tuple[str, bytes]]) -> list[Outcome]:
    """Parse many messages and hand the JSON ones to ``store_batch`` (one transaction); one Outcome each.

    Database outages are raised (nothing was committed): the caller retries the whole batch.
    """
    outcomes: list[Outcome | None] = []
    todo: list[tuple[str, Any]] = []
    for topic, payload in messages:
        data, bad = parse(topic, payload)
        outcomes.append(bad)
        if bad is None:
            todo.append((topic, data))
    results = iter(_store_all(store_batch, todo) if todo else [])
    out: list[Outcome] = []
    for (topic, _payload), o in zip(messages, outcomes, strict=True):
        if o is not None:
            out.append(o)
            continue
        r = next(results)
        if isinstance(r, (ValidationError, DomainError)):
            out.append(refused(topic, r))
        elif isinstance(r, _Failed):
            out.append(Outcome(topic, detail=r.detail))
        else:
            out.append(Outcome(topic, result=r))
    return out


@dataclass(frozen=True)
class _Failed:
    detail: list[dict[str, Any]]


def _store_all(store_batch: BatchStore, todo: list[tuple[str, Any]]) -> list[Any]:
    """The batch in one transaction; if the database refuses it for another reason than an outage (a bug,
    a constraint), each message alone, so one bad message never costs the others."""
    try:
        return store_batch(todo)
    except (OperationalError, InterfaceError):
        raise
    except SQLAlchemyError as exc:
        if len(todo) == 1:
            log.exception("mqtt ingest: could not store a message to %s", todo[0][0])
            return [_Failed(_err(["body"], f"could not be stored ({type(exc).__name__})", "storage_error"))]
        log.warning("mqtt ingest: a batch of %s messages failed (%s); storing them one by one", len(todo),
                    type(exc).__name__)
        return [r for item in todo for r in _store_all(store_batch, [item])]


def _published(info: mqtt.MQTTMessageInfo) -> bool:
    try:
        return info.is_published()
    except (ValueError, RuntimeError):  # could not be queued: nothing to wait for
        return True


# ── the subscriber ───────────────────────────────────────────────────────────────────────────────
@dataclass
class Stats:
    """Counters of this process (for logs and tests; nothing else depends on them)."""

    received: int = 0
    stored: int = 0
    rejected: int = 0
    connects: int = 0


class Subscriber(InboundFeed):
    """Subscribes, stores, reports refusals; ``run()`` blocks until ``stop()`` (any thread, or a signal).

    The paho network thread only queues messages; ``run()`` handles them in the calling thread and
    acknowledges each when it is done, so the broker keeps what is not finished.
    ``describe(topic)`` adds fields to an error report (e.g. the intersection the topic names).

    Batches: give ``store_batch`` (instead of ``store``) and ``run()`` takes what has arrived — up to
    ``batch_max`` messages, waiting at most ``batch_ms`` after the first — stores it in one transaction,
    and only after the commit acknowledges every message of it (PUBACK) and publishes its refusals. A
    process killed mid-batch has acknowledged nothing of it: the broker redelivers the lot. Messages
    keep their order of arrival within a batch (a store function handles one sensor's readings in order).
    ``receive_maximum`` (MQTT v5 flow control: messages the broker may have unacknowledged at this
    client) must exceed ``batch_max`` for batches to fill; it defaults to 32, or 4 × batch_max.
    """

    def __init__(
        self,
        broker: Broker,
        topic_filter: str,
        store: Store | None,
        *,
        group: str,
        store_batch: BatchStore | None = None,
        batch_max: int = 1,
        batch_ms: float = 0.0,
        receive_maximum: int | None = None,
        name: str = "mqtt ingest",
        client_id: str | None = None,
        session_expiry: int = 0,
        on_status: Callable[[str], None] | None = None,
        describe: Callable[[str], dict[str, Any]] | None = None,
        errors_topic_of: Callable[[str], str] = errors_topic,
    ) -> None:
        self.broker = broker
        self.topic_filter = topic_filter
        self.topic = shared_topic(group, topic_filter)
        if (store is None) == (store_batch is None):
            raise ValueError("give store or store_batch")
        if not 1 <= batch_max <= 16384:
            raise _option("batch_max", f"1..16384 messages, got {batch_max}")
        self.store = store
        self.store_batch = store_batch
        self.batch_max = batch_max
        self.batch_ms = batch_ms
        self.receive_maximum = min(65535, receive_maximum or (RECEIVE_MAXIMUM if store_batch is None
                                                             else max(RECEIVE_MAXIMUM, 4 * batch_max)))
        self.name = name
        check_session(client_id, session_expiry)
        self.client_id = client_id or (
            f"citybrain-{name.split()[0]}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        )
        self.session_expiry = session_expiry
        self.on_status = on_status
        self.describe = describe
        self.errors_topic_of = errors_topic_of
        self.stats = Stats()
        self.subscribed = threading.Event()
        self._stop = threading.Event()
        self._unsubscribed = threading.Event()
        self._queue: queue.SimpleQueue[tuple[mqtt.MQTTMessage, int]] = queue.SimpleQueue()
        self._generation = 0  # connections so far: an ack is only sent on the connection that delivered
        self._pending: list[mqtt.MQTTMessageInfo] = []
        self.client = self._make_client()

    # paho callbacks (network thread) -------------------------------------------------------------
    def _make_client(self) -> mqtt.Client:
        c = make_client(self.broker, self.client_id, manual_ack=True)
        c.reconnect_delay_set(RECONNECT_MIN, RECONNECT_MAX)
        c.on_connect = self._on_connect
        c.on_connect_fail = self._on_connect_fail
        c.on_disconnect = self._on_disconnect
        c.on_subscribe = self._on_subscribe
        c.on_unsubscribe = lambda *_a: self._unsubscribed.set()
        c.on_message = self._on_message
        return c

    def _status(self, level: int, text: str) -> None:
        if self.on_status is None:
            log.log(level, "%s: %s", self.name, text)
        else:
            self.on_status(text)

    def _on_connect(self, c: mqtt.Client, _u: Any, flags: Any, rc: ReasonCode, _p: Any) -> None:
        if rc.is_failure:
            self._status(logging.ERROR, f"{self.broker} refused the connection: {rc}; retrying")
            return
        self._generation += 1
        self.stats.connects += 1
        resumed = " (session resumed)" if getattr(flags, "session_present", False) else ""
        self._status(logging.INFO, f"connected to {self.broker} as {self.client_id}{resumed}")
        c.subscribe(self.topic, options=SubscribeOptions(qos=1))

    def _on_connect_fail(self, _c: mqtt.Client, _u: Any) -> None:
        self._status(
            logging.WARNING, f"broker {self.broker} unreachable; retrying with back-off (≤ {RECONNECT_MAX} s)"
        )

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: ReasonCode, _p: Any) -> None:
        self.subscribed.clear()
        if not self._stop.is_set():
            self._status(logging.WARNING, f"lost the broker {self.broker} ({rc}); reconnecting with back-off")

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, codes: list[ReasonCode], _p: Any) -> None:
        if codes and codes[0].is_failure:
            self._status(logging.ERROR, f"the broker refused the subscription {self.topic}: {codes[0]}")
            return
        self.subscribed.set()
        self._status(logging.INFO, f"subscribed to {self.topic} (QoS 1) at {self.broker}; "
                                   f"errors to {self.errors_topic_of(self.topic_filter)}")  # fmt: skip

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self._queue.put((msg, self._generation))

    # processing (run's thread) -------------------------------------------------------------------
    def _retrying(self, what: str, work: Callable[[], Any]) -> Any:
        """work() with retries while the database is unreachable; None if stopped meanwhile."""
        delay = 0.5
        while True:
            try:
                return work()
            except (OperationalError, InterfaceError) as exc:
                if self._stop.is_set():
                    log.error("%s: database unavailable at stop; %s left to the broker", self.name, what)
                    return None
                log.warning("%s: database unavailable (%s); retrying in %.1f s", self.name,
                            str(exc).splitlines()[0], delay)  # fmt: skip
                self._stop.wait(delay)
                delay = min(delay * 2, DB_RETRY_MAX)

    def _handle(self, msg: mqtt.MQTTMessage) -> Outcome | None:
        assert self.store is not None
        store = self.store

        def work() -> Outcome:
            try:
                return handle(store, msg.topic, msg.payload)
            except (OperationalError, InterfaceError):
                raise
            except Exception:  # noqa: BLE001 - a bug must not stop the ingester or block the others
                log.exception("%s: failed on a message to %s", self.name, msg.topic)
                return Outcome(msg.topic, detail=_err(["body"], "internal error", "internal_error"))

        return self._retrying(msg.topic, work)  # type: ignore[no-any-return]

    def _handle_batch(self, msgs: list[mqtt.MQTTMessage]) -> list[Outcome] | None:
        assert self.store_batch is not None
        store_batch = self.store_batch
        items = [(m.topic, m.payload) for m in msgs]

        def work() -> list[Outcome]:
            try:
                return handle_batch(store_batch, items)
            except (OperationalError, InterfaceError):
                raise
            except Exception:  # noqa: BLE001 - a bug must not stop the ingester or block the others
                if len(items) > 1:  # find the message that trips it; the others are stored
                    log.exception("%s: a batch of %s failed; one by one", self.name, len(items))
                    return [o for it in items for o in _one(it)]
                return _one(items[0])

        def _one(item: tuple[str, bytes]) -> list[Outcome]:
            try:
                return handle_batch(store_batch, [item])
            except (OperationalError, InterfaceError):
                raise
            except Exception:  # noqa: BLE001
                log.exception("%s: failed on a message to %s", self.name, item[0])
                return [Outcome(item[0], detail=_err(["body"], "internal error", "internal_error"))]

        return self._retrying(f"{len(msgs)} messages", work)  # type: ignore[no-any-return]

    def _process(self, msg: mqtt.MQTTMessage, generation: int) -> None:
        self._finish([(msg, generation)])

    def _finish(self, items: list[tuple[mqtt.MQTTMessage, int]]) -> None:
        """Store the messages (one transaction in batch mode), report refusals, then acknowledge them."""
        self.stats.received += len(items)
        msgs = [m for m, _g in items]
        if self.store_batch is not None:
            outs = self._handle_batch(msgs)
        else:
            one = self._handle(msgs[0])
            outs = None if one is None else [one]
        if outs is None:
            return  # stopped while the database was away: nothing acknowledged, the broker keeps them
        for msg, out in zip(msgs, outs, strict=True):
            if out.ok:
                self.stats.stored += 1
            else:
                self.stats.rejected += 1
                log.warning("%s: refused a message to %s: %s", self.name, msg.topic,
                            "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in out.detail or []))  # fmt: skip
                self._publish_error(msg, out)
        # a message whose connection is gone is not acknowledged: the broker redelivers it (stored again = same row)
        current = [m for m, g in items if g == self._generation]
        ack_all(self.client, [m.mid for m in current if m.qos == 1])
        for msg in current:
            if msg.qos == 2:
                self.client.ack(msg.mid, 2)

    def _next_batch(self, first: tuple[mqtt.MQTTMessage, int]) -> list[tuple[mqtt.MQTTMessage, int]]:
        """The first message and what else arrives within batch_ms, up to batch_max."""
        batch = [first]
        deadline = time.monotonic() + self.batch_ms / 1000
        while len(batch) < self.batch_max:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        return batch

    def _publish_error(self, msg: mqtt.MQTTMessage, out: Outcome) -> None:
        body = {**(self.describe(msg.topic) if self.describe else {}), "topic": msg.topic, "detail": out.detail,
                "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
        props = None
        correlation = getattr(msg.properties, "CorrelationData", None) if msg.properties else None
        if correlation:
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = correlation
        info = self.client.publish(self.errors_topic_of(msg.topic), json.dumps(body, ensure_ascii=False), qos=1,
                                   properties=props)  # fmt: skip
        self._pending = [p for p in self._pending if not _published(p)] + [info]

    # life cycle ----------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def stop_on_signals(self) -> None:
        """SIGTERM (a service manager) and SIGINT (Ctrl-C) stop the ingester cleanly (main thread only)."""
        signal.signal(signal.SIGTERM, lambda *_a: self.stop())
        signal.signal(signal.SIGINT, lambda *_a: self.stop())

    def run(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.session_expiry
        props.ReceiveMaximum = self.receive_maximum
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=KEEPALIVE,
                                  clean_start=self.session_expiry == 0, properties=props)  # fmt: skip
        self.client.loop_start()
        try:
            while not self._stop.is_set():
                try:
                    item = self._queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                self._finish(self._next_batch(item) if self.store_batch is not None else [item])
        finally:
            self._shutdown()

    def _shutdown(self, grace: float = 5.0) -> None:
        """Stop taking messages, finish the ones received, let error reports out, disconnect."""
        deadline = time.monotonic() + grace
        if self.subscribed.is_set() and self.session_expiry == 0:
            self.client.unsubscribe(self.topic)
            self._unsubscribed.wait(min(2.0, grace))
        while time.monotonic() < deadline:  # finish what was delivered, with its acks
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            self._finish(self._next_batch(item) if self.store_batch is not None else [item])
        for info in self._pending:
            if not _published(info):
                try:
                    info.wait_for_publish(max(0.0, deadline - time.monotonic()))
                except (ValueError, RuntimeError):
                    pass  # not connected: nothing more to wait for
        self.client.disconnect()
        self.client.loop_stop()
        self._status(logging.INFO, f"stopped: {self.stats.received} received, {self.stats.stored} stored, "
                                   f"{self.stats.rejected} rejected")  # fmt: skip


def subscriber_from_settings(settings: Settings, topic_filter: str, store: Store, **kw: Any) -> Subscriber:
    """A Subscriber to the broker of ``CITYBRAIN_MQTT_URL``."""
    return Subscriber(broker_from_url(settings.mqtt_url), topic_filter, store, **kw)
