"""The VAPID public key the responder app subscribes with is the one the worker signs pushes with."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from citybrain.alerts.delivery.settings import delivery_settings


@pytest.fixture
def vapid(monkeypatch: pytest.MonkeyPatch) -> Vapid:
    key = Vapid()
    key.generate_keys()
    # the form pywebpush takes inline: the private number, base64url (a PEM is given as a file path)
    raw = key.private_key.private_numbers().private_value.to_bytes(32, "big")
    monkeypatch.setenv("CITYBRAIN_ALERTS_VAPID_PRIVATE_KEY", base64.urlsafe_b64encode(raw).decode().rstrip("="))
    delivery_settings.cache_clear()
    yield key
    delivery_settings.cache_clear()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_app_gets_the_public_half_of_the_signing_key(client, login, vapid: Vapid) -> None:
    r = client.get("/api/alerts/push/key", headers=login("grid_worker"))
    assert r.status_code == 200, r.text
    got = r.json()["public_key"]
    raw = base64.urlsafe_b64decode(got + "=" * (-len(got) % 4))
    want = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert raw == want and len(raw) == 65


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_without_a_key_the_server_says_push_is_off(client, login) -> None:
    delivery_settings.cache_clear()
    r = client.get("/api/alerts/push/key", headers=login("grid_worker"))
    assert r.status_code == 404 and "VAPID" in r.text
