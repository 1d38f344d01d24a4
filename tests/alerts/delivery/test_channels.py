"""Chat robots through apprise within the robots' limit (counted at a loopback stand-in for the webhook:
apprise's wecombot:// and dingtalk:// fix the vendors' hosts, so the test uses its json:// scheme), and Web
Push with VAPID through pywebpush to a loopback push service that decrypts what it got."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select

from citybrain.alerts.delivery import sender, service
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.recipients import Recipient
from citybrain.core.db import utcnow


class Hook:
    """A loopback HTTP endpoint that records every POST (headers and body)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.posts.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_robot_messages_respect_the_per_minute_limit(maker, configure, monkeypatch):  # type: ignore[no-untyped-def]
    hook = Hook()
    try:
        configure(alerts_wecom_url=f"json://{hook.base}/robot/{{address}}", alerts_robot_per_minute=2)
        with maker() as s, s.begin():
            for source in (1, 2, 3):  # three warnings to the same street's group robot
                service.enqueue(s, source_kind="campaign", source_id=source, subject=f"提示{source}",
                                text=f"【双流应急】第{source}条风险提示", recipients=[
                                    Recipient(person_key="group:dongsheng", name="东升街道群", kind="community_staff",
                                              channel="wecom", address="key-dongsheng")])
        now = utcnow()
        monkeypatch.setattr(sender, "utcnow", lambda: now)  # the drain inside one minute's window
        counts = sender.drain(maker, who="w")
        assert counts.get("sent") == 2 and counts.get("deferred") == 1
        assert [p[0] for p in hook.posts] == ["/robot/key-dongsheng"] * 2
        assert "第1条风险提示" in json.loads(hook.posts[0][2])["message"]
    finally:
        hook.server.shutdown()


def test_web_push_is_encrypted_signed_and_never_the_only_channel(maker, configure):  # type: ignore[no-untyped-def]
    import http_ece
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from py_vapid import Vapid

    vapid = Vapid()
    vapid.generate_keys()
    der = vapid.private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
    browser = ec.generate_private_key(ec.SECP256R1())
    p256dh = browser.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    auth = b"0123456789abcdef"
    hook = Hook()
    try:
        configure(alerts_vapid_private_key=base64.urlsafe_b64encode(der).decode().rstrip("="))
        with maker() as s, s.begin():
            sub = service.add_push_subscription(s, 7, f"http://{hook.base}/push/abc", {
                "p256dh": base64.urlsafe_b64encode(p256dh).decode().rstrip("="),
                "auth": base64.urlsafe_b64encode(auth).decode().rstrip("=")})
            service.enqueue(s, source_kind="alert", source_id=1, subject="暴雨预警", text="【双流应急】暴雨预警",
                            recipients=[Recipient(person_key="user:7", name="队员", kind="responder",
                                                  channel="webpush", address=str(sub.id))])
        with maker() as s:  # best effort only: the app inbox was added beside it
            assert sorted(s.scalars(select(AlertMessage.channel))) == ["app", "webpush"]
        sender.drain(maker, who="w")
        (path, headers, body), = hook.posts
        assert path == "/push/abc" and headers["content-encoding"] == "aes128gcm"
        assert headers["authorization"].startswith("vapid t=")
        plain = http_ece.decrypt(body, private_key=browser, auth_secret=auth, version="aes128gcm")
        assert json.loads(plain)["body"] == "【双流应急】暴雨预警"
    finally:
        hook.server.shutdown()
