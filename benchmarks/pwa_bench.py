"""The responder app's shell in headless Chromium (issue #16): bytes and time to interactive of a cold first
load, and of a reopen while offline (served by the service worker), median of runs.

    .venv/bin/python benchmarks/pwa_bench.py [--runs 7] [--write-docs]

A throwaway server (uvicorn on a free loopback port, a temporary SQLite file migrated to all heads, the
directory demo) serves /app/. "Interactive" is when the app has started — its worker registered, the
session asked for, the log-in form drawn (`html[data-ready='1']` and `#login-form`). Bytes are what went
over the wire (CDP `Network.loadingFinished.encodedDataLength`), the worker's own precache fetches
included. The baseline in the same run is the desktop log-in page (/login), a plain server-rendered page.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "## Responder app (PWA) shell"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}


def start_server(tmp: Path) -> tuple[str, Any]:
    import uvicorn

    from citybrain.app import create_app
    from citybrain.config import load_settings
    from citybrain.core.db import make_engine, session_scope
    from citybrain.core.migrate import upgrade
    from citybrain.demo.loader import Tracker
    from citybrain.directory import demo as directory_demo

    url = f"sqlite:///{tmp / 'pwa-bench.db'}"
    upgrade(url, "heads")
    engine = make_engine(url)
    with session_scope(engine) as s:
        directory_demo.seed(s, Tracker(None))
    app = create_app(load_settings(data_dir=tmp / "data", database_url=url), engine=engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


def measure(page: Any, url: str, ready: str) -> tuple[float, int]:
    """(ms to `ready`, bytes over the wire) for one navigation, worker fetches included."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    total = [0]
    cdp.on("Network.loadingFinished", lambda e: total.__setitem__(0, total[0] + int(e.get("encodedDataLength", 0))))
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready)
    ms = (time.perf_counter() - t0) * 1000
    page.wait_for_timeout(300)  # late requests of the same load (the worker's precache) are counted too
    cdp.detach()
    return ms, total[0]


# what the worker keeps in Cache Storage (the precache, and /api answers when there are any)
CACHED_BYTES = """async () => { let n = 0; for (const name of await caches.keys()) { const c = await caches.open(name);
  for (const req of await c.keys()) { n += (await (await c.match(req)).blob()).size; } } return n; }"""


def runtime_bytes() -> int:
    """Workbox's runtime the worker imports (kept with the worker's script, not in Cache Storage)."""
    from citybrain.config import get_settings

    vendor = get_settings().vendor_dir
    files = [vendor / "workbox-sw/build/workbox-sw.js"] + [
        vendor / f"workbox-{m}/build/workbox-{m}.prod.js" for m in ("core", "routing", "strategies", "precaching",
                                                                    "expiration")]
    return sum(f.stat().st_size for f in files if f.is_file())


def run(base: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"cold_ms": [], "cold_bytes": [], "precache_bytes": [], "offline_ms": [],
                                   "offline_bytes": [], "login_ms": [], "login_bytes": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for _ in range(runs):
            # baseline: the desktop log-in page, cold
            ctx = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="block")
            ms, size = measure(ctx.new_page(), base + "/login", "#login-form")
            out["login_ms"].append(ms)
            out["login_bytes"].append(size)
            ctx.close()
            # the app, cold: a new profile, nothing cached
            ctx = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="allow")
            page = ctx.new_page()
            ms, size = measure(page, base + "/app/", "html[data-ready='1'] #login-form")
            out["cold_ms"].append(ms)
            out["cold_bytes"].append(size)
            page.evaluate("() => navigator.serviceWorker.ready")  # active: its precache is complete
            out["precache_bytes"].append(page.evaluate(CACHED_BYTES) + runtime_bytes())
            page.close()
            # reopen while offline: the worker serves the shell from its cache
            ctx.set_offline(True)
            ms, size = measure(ctx.new_page(), base + "/app/", "html[data-ready='1'] #login-form")
            out["offline_ms"].append(ms)
            out["offline_bytes"].append(size)
            ctx.close()
        browser.close()
    return {k: statistics.median(v) for k, v in out.items()} | {"runs": out}


def section(r: dict[str, Any], runs: int) -> str:
    load = os.getloadavg()[0]
    cold_total = r["cold_bytes"] + r["precache_bytes"]
    return "\n".join([
        HEADING, "",
        "Run: `.venv/bin/python benchmarks/pwa_bench.py --write-docs` (a throwaway server on 127.0.0.1, a temporary "
        "SQLite file; Debian's Chromium, headless, 390×844).", "",
        f"Median of {runs} runs, each in a new browser profile. Interactive = the app started (worker registered, "
        "session asked for, log-in form drawn). Baseline: the desktop log-in page, cold, in the same run.", "",
        "| load | time to interactive | bytes over the wire | vs baseline (time) |",
        "|---|---:|---:|---:|",
        f"| desktop log-in page, cold (baseline) | {r['login_ms']:.0f} ms | {r['login_bytes'] / 1024:.0f} KiB | 1.0× |",
        f"| app shell, cold first load (page) | **{r['cold_ms']:.0f} ms** | {r['cold_bytes'] / 1024:.0f} KiB | "
        f"{r['cold_ms'] / r['login_ms']:.1f}× |",
        f"| … plus what the worker keeps (precache + Workbox runtime), fetched after the page is interactive | | {r['precache_bytes'] / 1024:.0f} KiB "
        f"(total {cold_total / 1024:.0f} KiB) | |",
        f"| app reopened while offline (from the worker's cache) | **{r['offline_ms']:.0f} ms** | "
        f"{r['offline_bytes'] / 1024:.0f} KiB | {r['offline_ms'] / r['login_ms']:.1f}× |",
        "",
        f"* Targets (issue 16): under 1 MB and under 2 s cold — {'met' if cold_total < 1024 * 1024 and r['cold_ms'] < 2000 else 'NOT met'} "
        f"({cold_total / 1024:.0f} KiB, {r['cold_ms']:.0f} ms); under 300 ms cached — "
        f"{'met' if r['offline_ms'] < 300 else 'NOT met'} ({r['offline_ms']:.0f} ms, offline).",
        "* Every run, cold ms: " + ", ".join(f"{x:.0f}" for x in r["runs"]["cold_ms"]) + "; offline ms: "
        + ", ".join(f"{x:.0f}" for x in r["runs"]["offline_ms"]) + ".",
        "* What the shell is: the page (its texts in both languages), app.js, app.css, idb, Leaflet (script, styles, "
        "marker images) and the icons; Workbox's runtime (workbox-sw and four modules) comes with the worker.",
        f"* Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}, shared with other jobs; "
        f"Python {platform.python_version()}.",
        "",
    ])


def write_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n\n"
    start = doc.find(HEADING)
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        nxt = doc.find("\n## ", start + len(HEADING))
        doc = doc[:start] + text + ("" if nxt < 0 else doc[nxt + 1:])
    DOCS.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--write-docs", action="store_true", help=f"update the '{HEADING}' section of {DOCS.name}")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base, server = start_server(Path(tmp))
        try:
            r = run(base, a.runs)
        finally:
            server.should_exit = True
    text = section(r, a.runs)
    print(text)
    if a.write_docs:
        write_docs(text)


if __name__ == "__main__":
    main()
