"""Gateways: one adapter interface for every way a message leaves (rule 11), chosen by settings.

A `Gateway` sends one message (`send` → the provider's id and how many segments), can be asked whether
a message reached it (`status`, for providers that are not idempotent), and says which rate limits apply
(`limits`). The worker (`sender.py`) calls them; nothing else does.

* ``log`` — the demo: writes a log line, nothing leaves the process.
* ``sms`` — by ``CITYBRAIN_ALERTS_SMS_ADAPTER``: ``log``, ``smpp`` (SMPP 3.4 through smpplib: UCS-2,
  concatenated segments with UDH, delivery receipts requested) or ``http`` (a cloud SMS provider's API:
  signature + template code, status query, receipt callback).
* ``wecom``, ``dingtalk``, ``email`` — apprise, to the URL template of the setting (robots: 20 a minute).
* ``app`` — the responder app's inbox: the message row is the inbox entry, served live over SSE.
* ``webpush`` — VAPID through pywebpush; best effort only (Chrome's push service is unreachable in
  mainland China), so `enqueue` never lets it be anyone's only channel.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from citybrain.alerts.delivery.settings import DeliverySettings, per_number_windows
from citybrain.core.adapters import GatewayTimeout, HttpGatewayChannel

log = logging.getLogger("citybrain.alerts.delivery")


class Unknowable(Exception):
    """The provider cannot say whether a message reached it (SMPP has no query by our id): the sender
    then waits for the SMSC's receipt for that number (`service.adopt_stray_receipt`)."""


@dataclass(frozen=True)
class Outgoing:
    """What a gateway needs of one message (a snapshot: gateways never touch the session)."""

    id: int
    channel: str
    address: str
    subject: str
    text: str
    ack_url: str
    provider_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    provider_id: str
    segments: int = 1
    delivered: bool = False  # the app inbox: in the recipient's hands as soon as it is written


@dataclass(frozen=True)
class Inbound:
    """What the provider told us: a delivery receipt (`provider_id`, `stat`) or a reply (`sender`, `text`)."""

    kind: str  # receipt | reply
    provider_id: str = ""
    stat: str = ""
    sender: str = ""
    text: str = ""


class Gateway(Protocol):
    name: str

    def send(self, msg: Outgoing) -> Sent:
        """Send; raise `GatewayTimeout` when the outcome is unknown, anything else when nothing was sent."""
        ...

    def status(self, msg: Outgoing) -> str | None:
        """The provider's id if `msg` reached the provider, None if it did not; `Unknowable` if it cannot say."""
        ...

    def limits(self, msg: Outgoing) -> list[tuple[str, int, int]]:
        """(counter key, at most, per seconds) that must all have room before `msg` is sent."""
        ...

    def poll(self) -> list[Inbound]:
        """Receipts and replies that arrived since the last call (SMPP deliver_sm); [] for most."""
        ...


class _Base:
    name = "base"

    def status(self, msg: Outgoing) -> str | None:
        raise Unknowable(f"{self.name} cannot be asked about a message")

    def limits(self, msg: Outgoing) -> list[tuple[str, int, int]]:
        return []

    def poll(self) -> list[Inbound]:
        return []


class LogGateway(_Base):
    """The demo: nothing leaves the process. Idempotent by construction (nothing to repeat)."""

    def __init__(self, name: str = "log") -> None:
        self.name = name

    def send(self, msg: Outgoing) -> Sent:
        log.info("%s → %s: %s", self.name, msg.address, msg.text[:60])
        return Sent(provider_id=f"log:{msg.id}")

    def status(self, msg: Outgoing) -> str | None:
        return None  # nothing left the process: sending again repeats nothing anyone saw


class AppInboxGateway(_Base):
    """The in-app inbox: the message row is the entry; the SSE stream and the inbox API read it."""

    name = "app"

    def send(self, msg: Outgoing) -> Sent:
        return Sent(provider_id=f"app:{msg.id}", delivered=True)

    def status(self, msg: Outgoing) -> str | None:
        return f"app:{msg.id}"  # writing it was delivering it


def _sms_limits(settings: DeliverySettings, name: str, msg: Outgoing) -> list[tuple[str, int, int]]:
    out = [(f"{name}:gateway", settings.alerts_sms_rate_per_second, 1)]
    out += [(f"sms:number:{msg.address}:{secs}", count, secs)
            for count, secs in per_number_windows(settings.alerts_sms_per_number)]
    return out


def check_bmp(text: str) -> None:
    """UCS-2 holds the Basic Multilingual Plane only; smpplib's splitter would cut a surrogate pair across
    segments (REFERENCE.md). Such a text is refused; campaigns normalise or refuse it when composed."""
    bad = [c for c in text if ord(c) > 0xFFFF]
    if bad:
        raise ValueError(f"text: characters outside the Basic Multilingual Plane cannot go by SMS: {''.join(bad)}")


class SmppGateway(_Base):
    """SMPP 3.4 to an operator's SMSC through smpplib: one bound transceiver per worker process.

    Chinese goes as UCS-2 (data_coding 8); a text longer than one segment is split by smpplib into
    concatenated parts with a UDH (esm_class 0x40). Every part asks for a delivery receipt
    (registered_delivery 1); receipts and replies (deliver_sm) are collected by `poll`. The message's
    provider id is its first part's SMSC id."""

    name = "smpp"

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings
        self._client: Any = None
        self._lock = threading.Lock()
        self._inbound: list[Inbound] = []
        self._answers: dict[int, Any] = {}
        self._last_keepalive = time.monotonic()

    def _connect(self) -> Any:
        import smpplib.client
        import smpplib.consts

        if self._client is not None:
            return self._client
        s = self.settings
        client = smpplib.client.Client(s.alerts_smpp_host, s.alerts_smpp_port, timeout=s.alerts_send_timeout_s,
                                       allow_unknown_opt_params=True)
        client.set_message_sent_handler(lambda pdu, **_: self._answers.__setitem__(pdu.sequence, pdu))
        client.set_message_received_handler(self._received)
        client.connect()
        client.bind_transceiver(system_id=s.alerts_smpp_system_id, password=s.alerts_smpp_password)
        self._client = client
        return client

    def _received(self, pdu: Any, **_: Any) -> int:
        raw = pdu.short_message or b""
        if int(pdu.esm_class or 0) & 0x04:  # a delivery receipt: "id:… stat:DELIVRD …"
            text = raw.decode("ascii", "replace")
            fields = dict(p.split(":", 1) for p in text.split(" ") if ":" in p)
            pid = pdu.receipted_message_id.decode() if getattr(pdu, "receipted_message_id", None) else fields.get(
                "id", "")
            number = pdu.source_addr.decode() if isinstance(pdu.source_addr, bytes) else str(pdu.source_addr or "")
            self._inbound.append(Inbound("receipt", provider_id=pid, stat=fields.get("stat", ""), sender=number))
        else:  # a reply from a phone (mobile originated)
            coding = int(pdu.data_coding or 0)
            text = raw.decode("utf-16-be", "replace") if coding == 8 else raw.decode("latin-1")
            sender = pdu.source_addr.decode() if isinstance(pdu.source_addr, bytes) else str(pdu.source_addr)
            self._inbound.append(Inbound("reply", sender=sender, text=text.strip()))
        return 0

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.disconnect()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self._client = None

    def send(self, msg: Outgoing) -> Sent:
        import smpplib.consts
        import smpplib.gsm

        check_bmp(msg.text)
        with self._lock:
            try:
                client = self._connect()
            except Exception as exc:  # nothing was sent: an ordinary retry
                self.close()
                raise RuntimeError(f"SMSC unreachable: {exc}") from exc
            parts, coding, esm = smpplib.gsm.make_parts(msg.text)
            ids: list[str] = []
            try:
                for part in parts:
                    pdu = client.send_message(
                        source_addr_ton=smpplib.consts.SMPP_TON_ALNUM, source_addr=self.settings.alerts_smpp_source_addr,
                        dest_addr_ton=smpplib.consts.SMPP_TON_INTL, destination_addr=msg.address,
                        short_message=part, data_coding=coding, esm_class=esm, registered_delivery=True)
                    ids.append(self._await(client, pdu.sequence))
            except GatewayTimeout:
                self.close()
                raise
            except OSError as exc:  # the connection broke after something may have gone out
                self.close()
                raise GatewayTimeout(f"SMSC connection lost while sending: {exc}") from exc
        return Sent(provider_id=ids[0], segments=len(parts))

    def _await(self, client: Any, sequence: int) -> str:
        deadline = time.monotonic() + self.settings.alerts_send_timeout_s
        while sequence not in self._answers:
            if time.monotonic() > deadline:
                raise GatewayTimeout("no submit_sm_resp from the SMSC in time")
            client.read_once(auto_send_enquire_link=False)
        pdu = self._answers.pop(sequence)
        mid = pdu.message_id
        return mid.decode() if isinstance(mid, bytes) else str(mid)

    def limits(self, msg: Outgoing) -> list[tuple[str, int, int]]:
        return _sms_limits(self.settings, self.name, msg)

    KEEPALIVE_S = 30.0  # an idle SMSC session drops without enquire_link

    def poll(self) -> list[Inbound]:
        with self._lock:
            if self._client is not None:
                try:
                    if time.monotonic() - self._last_keepalive > self.KEEPALIVE_S:
                        import smpplib.smpp

                        self._client.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=self._client))
                        self._last_keepalive = time.monotonic()
                    self._client.poll()
                except Exception:  # noqa: BLE001 - a broken link is rebuilt on the next send
                    self.close()
            out, self._inbound = self._inbound, []
        return out


class HttpSmsGateway(_Base):
    """A cloud SMS provider's HTTP API (generic shape): ``send`` with the signature name, the template code
    and our message id as ``out_id``; ``status`` by our id; receipts come back to our callback.

    Such APIs are not idempotent: after a time-out the worker asks `status` before sending again."""

    name = "http"

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings
        self.http = HttpGatewayChannel("sms", settings.alerts_sms_http_url, settings.alerts_send_timeout_s,
                                       key=settings.alerts_sms_http_key, secret=settings.alerts_sms_http_secret)

    def send(self, msg: Outgoing) -> Sent:
        check_bmp(msg.text)
        answer = self.http.call("send", {
            "phone": msg.address, "sign_name": self.settings.alerts_sms_sign_name,
            "template_code": self.settings.alerts_sms_template_code,
            "template_param": {"text": msg.text, "link": msg.ack_url}, "out_id": str(msg.id)})
        if answer.get("code") != "OK":
            raise RuntimeError(f"SMS provider refused: {answer.get('code')} {answer.get('message', '')}".strip())
        return Sent(provider_id=str(answer.get("biz_id") or answer.get("id") or msg.id),
                    segments=int(answer.get("segments") or 1))

    def status(self, msg: Outgoing) -> str | None:
        answer = self.http.status(msg.provider_id or str(msg.id))
        if not answer.get("found"):
            return None
        return str(answer.get("biz_id") or answer.get("id") or msg.id)

    def limits(self, msg: Outgoing) -> list[tuple[str, int, int]]:
        return _sms_limits(self.settings, self.name, msg)


class AppriseGateway(_Base):
    """WeCom / DingTalk group robots and e-mail through apprise; the URL template comes from settings.
    A robot takes about 20 messages a minute (DingTalk then throttles for 10 minutes): counted per robot."""

    def __init__(self, name: str, url_template: str, per_minute: int | None) -> None:
        self.name = name
        self.url_template = url_template
        self.per_minute = per_minute

    def send(self, msg: Outgoing) -> Sent:
        import apprise

        a = apprise.Apprise()
        url = self.url_template.replace("{address}", msg.address)
        if not a.add(url):
            raise RuntimeError(f"{self.name}: apprise does not accept the URL of the setting")
        body = msg.text + (f"\n{msg.ack_url}" if msg.ack_url else "")
        if not a.notify(body=body, title=msg.subject or ""):
            raise RuntimeError(f"{self.name}: the service refused the message")
        return Sent(provider_id=f"{self.name}:{msg.id}")

    def limits(self, msg: Outgoing) -> list[tuple[str, int, int]]:
        return [(f"{self.name}:robot:{msg.address}", self.per_minute, 60)] if self.per_minute else []



def vapid_public_key(settings: DeliverySettings) -> str | None:
    """The application server key browsers subscribe with (base64url, uncompressed P-256 point), read
    from the private key the way pywebpush reads it (a file path or the key itself); None without one."""
    import os

    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid, b64urlencode

    key = settings.alerts_vapid_private_key
    if not key:
        return None
    vapid = Vapid.from_file(key) if os.path.isfile(key) else Vapid.from_string(key)
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return str(b64urlencode(raw))


class WebPushGateway(_Base):
    """Web Push with VAPID (pywebpush); the subscription comes in `extra` (loaded by the sender)."""

    name = "webpush"

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings

    def send(self, msg: Outgoing) -> Sent:
        import json

        from pywebpush import webpush

        sub = msg.extra.get("subscription")
        if not sub:
            raise RuntimeError("webpush: the subscription is gone")
        webpush(subscription_info=sub, data=json.dumps({"title": msg.subject, "body": msg.text, "url": msg.ack_url},
                                                       ensure_ascii=False),
                vapid_private_key=self.settings.alerts_vapid_private_key,
                vapid_claims={"sub": self.settings.alerts_vapid_subject}, timeout=self.settings.alerts_send_timeout_s)
        return Sent(provider_id=f"webpush:{msg.id}")

    def status(self, msg: Outgoing) -> str | None:
        return None  # a repeated push shows the same notification (same tag): harmless


def gateways(settings: DeliverySettings) -> dict[str, Gateway]:
    """The gateway of each channel under these settings (one instance per worker process)."""
    sms: Gateway
    if settings.alerts_sms_adapter == "smpp":
        sms = SmppGateway(settings)
    elif settings.alerts_sms_adapter == "http":
        sms = HttpSmsGateway(settings)
    else:
        sms = LogGateway("sms")

    def robot(name: str, url: str) -> Gateway:
        return AppriseGateway(name, url, settings.alerts_robot_per_minute) if url else LogGateway(name)

    return {
        "log": LogGateway(),
        "sms": sms,
        "app": AppInboxGateway(),
        "wecom": robot("wecom", settings.alerts_wecom_url),
        "dingtalk": robot("dingtalk", settings.alerts_dingtalk_url),
        "email": AppriseGateway("email", settings.alerts_email_url, None) if settings.alerts_email_url
        else LogGateway("email"),
        "webpush": WebPushGateway(settings) if settings.alerts_vapid_private_key else LogGateway("webpush"),
    }
