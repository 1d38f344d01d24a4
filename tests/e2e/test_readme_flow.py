"""The README's first command, step by step, on a fresh data directory: migrate, load the whole
Shuangliu demo with the CLI, start the real server, log in as the printed duty officer in Debian's
Chromium, and look at the command-centre map (screenshot in test-artifacts/)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    r = subprocess.run([sys.executable, "-m", "citybrain.cli", *args], env=env, capture_output=True, text=True,
                       timeout=timeout, cwd=ROOT)
    assert r.returncode == 0, f"citybrain {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.mark.browser
@pytest.mark.slow
def test_fresh_install_demo_serve_and_the_map(tmp_path):
    env = {**os.environ, "CITYBRAIN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "120"}
    env.pop("CITYBRAIN_DATABASE_URL", None)
    _cli(env, "db", "upgrade")
    out = _cli(env, "demo")
    m = re.search(r"^\s*duty\s+duty_officer\s+(\S+)", out, re.M)
    assert m, f"the demo did not print the duty officer's password:\n{out}"
    password = m.group(1)
    again = _cli(env, "demo")  # idempotent: a second run changes nothing and still succeeds
    assert "duty_officer" in again

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "citybrain.cli", "serve", "--port", str(port)], env=env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    assert b'"ok"' in r.read()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the server did not come up")
                time.sleep(0.3)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1600, "height": 900}, reduced_motion="reduce")
            outside: list[str] = []
            page.on("request", lambda req: None if req.url.startswith(base) or req.url.startswith("data:")
                    else outside.append(req.url))
            page.goto(base + "/")
            assert "/login" in page.url
            page.fill("input[name=username]", "duty")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"/(\?.*)?$"), timeout=20000)
            # the pages' CSP forbids eval, so wait on a locator rather than a JS predicate
            page.locator(".leaflet-overlay-pane path").nth(1000).wait_for(state="attached", timeout=30000)
            # the event hub's open events are a layer of the same map
            page.locator("path.event-marker").first.wait_for(state="attached", timeout=30000)
            assert int(page.locator("#map").get_attribute("data-events") or 0) > 0
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "readme-flow-command-centre.png"))
            html = page.content()
            browser.close()
        assert "双流" in html
        assert password not in html
        assert outside == [], f"requests left the machine: {outside[:5]}"
    finally:
        server.terminate()
        server.wait(timeout=20)
