"""Adapters for outside systems (rule 11): one small base per kind, a registry by name, a setting that
chooses the implementation.

Three kinds, after Netflix Dispatch's plugin bases but much smaller:

* :class:`MessageChannel` — what the outbox sends SMS, pushes and chat messages through
  (``send(session, message) -> receipt``); registry :data:`CHANNELS` (``core.outbox.register_channel``
  adds to it). Built in (``core.outbox``): ``log`` and ``sms``, which is :class:`HttpGatewayChannel` to
  ``CITYBRAIN_SMS_GATEWAY_URL`` when that is set, else the log channel (nothing leaves the process).
* :class:`SignalControllerAdapter` — what a timing recommendation is pushed to
  (``apply(plan) -> receipt``); registry :data:`SIGNAL_ADAPTERS`, chosen by ``CITYBRAIN_SIGNAL_ADAPTER``
  (the traffic domain registers ``sumo`` and ``log``).
* :class:`InboundFeed` — a source of readings or alerts that runs until stopped (``run()``, ``stop()``),
  e.g. ``core.mqtt.Subscriber``; registry :data:`FEEDS` of factories ``(settings) -> feed``.

Side effects reach message channels and signal controllers only through the outbox, so an adapter must
be idempotent per outbox message id (delivery at least once, effect exactly once).
"""

from __future__ import annotations

import json
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from citybrain.config import ConfigError, Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from citybrain.core.outbox import OutboxMessage

T = TypeVar("T")


class Registry(Generic[T]):
    """Implementations of one kind of adapter by name; ``setting`` names the field that chooses one."""

    def __init__(self, kind: str, setting: str | None = None) -> None:
        self.kind = kind
        self.setting = setting
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        self._items[name] = item
        return item

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"no {self.kind} {name!r}; known: {sorted(self._items)}") from None

    def chosen(self, settings: Settings) -> T:
        """The implementation the setting names; an unknown name is a ConfigError naming the setting."""
        if self.setting is None:
            raise TypeError(f"no setting chooses a {self.kind}")
        name = str(getattr(settings, self.setting))
        if name not in self._items:
            raise ConfigError(f"CITYBRAIN_{self.setting.upper()}: no {self.kind} {name!r}; "
                              f"known: {', '.join(sorted(self._items))}")  # fmt: skip
        return self._items[name]

    def names(self) -> list[str]:
        return sorted(self._items)

    def all(self) -> dict[str, T]:
        return dict(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items


# ── message channels (the outbox's) ──────────────────────────────────────────────────────────────
class MessageChannel(Protocol):
    name: str

    def send(self, session: Session, message: OutboxMessage) -> dict[str, Any] | None:
        """Deliver; return a receipt (stored on the outbox row) or raise to retry."""
        ...


CHANNELS: Registry[MessageChannel] = Registry("message channel")


class GatewayTimeout(Exception):
    """No answer in time: the request may or may not have taken effect at the other end. A provider
    that is not idempotent must be asked (`HttpGatewayChannel.status`) before the message is sent again."""


class HttpGatewayChannel:
    """An HTTP gateway (SMS, chat robot): POSTs the message as JSON; the outbox id is the idempotency key,
    so a gateway that keys on it sends a re-claimed message once.

    For cloud SMS providers, which are not idempotent, `call` posts to a named action (``send``,
    ``status``) signed with a shared secret (HMAC-SHA256 of the body in ``X-Signature``, our key in
    ``X-Access-Key``), and `status` asks whether a message reached the provider (by our id or theirs)."""

    def __init__(self, name: str, url: str, timeout: float = 10.0, *, key: str = "", secret: str = "") -> None:
        self.name = name
        self.url = url
        self.timeout = timeout
        self.key = key
        self.secret = secret

    def send(self, session: Session, message: OutboxMessage) -> dict[str, Any] | None:
        data = json.dumps({"id": message.id, "recipient": message.recipient, "subject": message.subject,
                           "body": message.body}, ensure_ascii=False, default=str).encode()  # fmt: skip
        req = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/json", "Idempotency-Key": f"citybrain-outbox-{message.id}"})  # fmt: skip
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the URL is a setting
            status = resp.status
        if status >= 300:
            raise RuntimeError(f"{self.name} gateway answered HTTP {status}")
        return {"channel": self.name, "gateway": self.url, "status": status}

    def call(self, action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST `payload` to ``{url}/{action}``, signed; the answer's JSON. A time-out raises `GatewayTimeout`
        (unknown outcome); an HTTP error or a refusal raises RuntimeError (nothing was done)."""
        import hashlib
        import hmac
        import urllib.error

        data = json.dumps(payload, ensure_ascii=False, default=str).encode()
        sig = hmac.new(self.secret.encode(), data, hashlib.sha256).hexdigest()
        req = urllib.request.Request(f"{self.url.rstrip('/')}/{action}", data=data, method="POST", headers={
            "Content-Type": "application/json", "X-Access-Key": self.key, "X-Signature": sig})  # fmt: skip
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the URL is a setting
                body = resp.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{self.name} gateway answered HTTP {exc.code} to {action}") from exc
        except TimeoutError as exc:
            raise GatewayTimeout(f"{self.name} gateway did not answer {action} within {self.timeout} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise GatewayTimeout(f"{self.name} gateway did not answer {action} in time") from exc
            raise RuntimeError(f"{self.name} gateway unreachable: {exc.reason}") from exc
        out: dict[str, Any] = json.loads(body or b"{}")
        return out

    def status(self, ref: str) -> dict[str, Any]:
        """What the provider knows of message `ref` (our id, or the provider's): ``{"found": bool, ...}``."""
        return self.call("status", {"ref": ref})


# ── signal controllers ───────────────────────────────────────────────────────────────────────────
class SignalControllerAdapter(ABC):
    """Pushes a signal plan to a traffic-signal controller (a vendor's centre, a simulator).

    ``plan`` is what the outbox message carries: at least ``recommendation_id``, ``intersection``,
    ``phases`` and ``plan`` (``{"greens", "yellow", "all_red", "cycle"}``), plus what the adapter needs
    to find the signal. ``apply`` returns a receipt and is idempotent per recommendation.
    """

    name: str = ""

    @abstractmethod
    def apply(self, plan: Mapping[str, Any]) -> dict[str, Any]: ...

    def target(self, plan: Mapping[str, Any]) -> str:
        """Which adapter will really take this plan (an adapter may leave a signal it cannot drive to the log)."""
        return self.name


SIGNAL_ADAPTERS: Registry[SignalControllerAdapter] = Registry("signal-controller adapter", "signal_adapter")


# ── inbound feeds ────────────────────────────────────────────────────────────────────────────────
class InboundFeed(ABC):
    """A source of readings or alerts that runs until stopped (an MQTT subscription, a poller)."""

    name: str = ""

    @abstractmethod
    def run(self) -> None:
        """Block, taking what arrives, until :meth:`stop`."""

    @abstractmethod
    def stop(self) -> None: ...


FEEDS: Registry[Callable[[Settings], InboundFeed]] = Registry("inbound feed")
