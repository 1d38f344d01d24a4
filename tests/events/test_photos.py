"""Photo uploads under pressure: two uploads of the same bytes at the same moment, through a real server
on SQLite and PostgreSQL, store one photo and both succeed (issue #13: they used to deadlock PostgreSQL); a decompression bomb — a
tiny file declaring a huge image — is a 422 naming `file`, never a hang."""

from __future__ import annotations

import io
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.events.models import Photo
from citybrain.events.photos.service import MAX_PIXELS


@pytest.fixture
def server_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app under uvicorn on a loopback port: requests really run concurrently."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _png(seed: int = 7) -> bytes:
    img = Image.new("RGB", (32, 24), (seed * 13 % 256, 90, 200))
    img.putpixel((seed % 32, 3), (1, 2, 3))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _bomb(width: int, height: int) -> bytes:
    """A PNG of a few hundred bytes whose header declares width × height 1-bit pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _noise_png(seed: int) -> bytes:
    """A photo-like PNG that takes Pillow a moment to decode (the window where two uploads overlap)."""
    img = Image.effect_noise((1200, 900), 40 + seed).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _upload_twice_at_once(base_url: str, data: bytes) -> list[httpx.Response | BaseException]:
    start = threading.Barrier(2)
    results: list[httpx.Response | BaseException] = []

    def upload() -> None:
        try:
            with httpx.Client(base_url=base_url, timeout=10) as c:
                start.wait()
                results.append(c.post("/api/events/photos", files={"file": ("a.png", data, "image/png")}))
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            results.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    return results


def test_same_photo_uploaded_twice_at_once_is_stored_once(server_url, engine):  # type: ignore[no-untyped-def]
    for n in range(4):  # each round: a new photo, two uploads released together
        t0 = time.monotonic()
        results = _upload_twice_at_once(server_url, _noise_png(n))
        assert time.monotonic() - t0 < 10, "the uploads hung"
        assert len(results) == 2 and all(isinstance(r, httpx.Response) for r in results), results
        responses = [r for r in results if isinstance(r, httpx.Response)]
        assert all(200 <= r.status_code < 300 for r in responses), [(r.status_code, r.text) for r in responses]
        assert len({r.json()["id"] for r in responses}) == 1
        with Session(engine) as s:  # a short session of its own: holding one open would block the server
            assert s.scalar(select(func.count()).select_from(Photo)) == n + 1


@pytest.mark.parametrize("width,height", [(50_000, 50_000), (8_000, 6_000)])
def test_decompression_bomb_is_refused_naming_the_file(client, width, height):  # type: ignore[no-untyped-def]
    assert width * height > MAX_PIXELS
    t0 = time.monotonic()
    r = client.post("/api/events/photos", files={"file": ("bomb.png", _bomb(width, height), "image/png")})
    assert time.monotonic() - t0 < 5
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "file"]
    assert "million pixels" in r.json()["detail"][0]["msg"]


def test_a_phone_sized_photo_is_accepted(client):  # type: ignore[no-untyped-def]
    r = client.post("/api/events/photos", files={"file": ("ok.png", _png(3), "image/png")})
    assert r.status_code == 201 and r.json()["width"] == 32
