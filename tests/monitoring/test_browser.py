# ruff: noqa: F811  (the web shell's fixtures are imported by name, and named again as parameters)
"""The monitoring page in headless Chromium at 390×844: the duty officer has it open, a sensor's reading
crosses a rule in the ingest, and the alarm arrives in the console live (server-sent events) — the page
re-reads on its own only every 60 s, so nothing but the feed can bring it within seconds. A citizen's
noise complaint shows beside the nearest noise sensor's reading, and the officer attaches it as evidence.

Screenshot: test-artifacts/mobile-monitoring.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import (  # noqa: F401  (fixtures)
    LiveServer,
    assert_fits,
    browser,
    live_server,
    log_in,
    page,
    page_errors,
    seen_requests,
)

pytestmark = pytest.mark.browser


def _sensor_with_rule(live: LiveServer) -> tuple[Any, str]:
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import make_engine, session_scope, utcnow
    from citybrain.events.catalogue import load_default_categories
    from citybrain.events.public import EventIn, intake
    from citybrain.monitoring.readings import service as readings
    from citybrain.monitoring.readings.schemas import ReadingIn
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn
    from citybrain.monitoring.sensors import service as sensors
    from citybrain.monitoring.sensors.schemas import SensorIn

    lon, lat = (103.918481, 30.570315) if live.geography == "demo" else (104.005, 30.405)
    engine = make_engine(live.database_url)
    with session_scope(engine) as s:
        load_default_categories(s)
        sensors.register(s, SYSTEM, SensorIn(code="GAS-LIVE", name="实时测试燃气", type="gas", lon=lon, lat=lat))
        sensors.register(s, SYSTEM, SensorIn(code="NOISE-LIVE", name="测试噪声点", type="noise", lon=lon + 0.001,
                                             lat=lat))
        readings.store_readings(s, "NOISE-LIVE", [ReadingIn(time=utcnow(), value=82.5, unit="dB(A)")])
        intake(s, SYSTEM, EventIn(channel="citizen", category_code="E1101", lon=lon, lat=lat, address="测试路1号",
                                  description="夜里噪声扰民"))
        rules.create(s, SYSTEM, RuleIn(name="燃气浓度", sensor_type="gas", sensor="GAS-LIVE", kind="threshold",
                                       threshold=25, hysteresis=5, level="yellow"))
    return engine, "GAS-LIVE"


def test_an_alarm_arrives_live_on_a_phone(page: Any, log_in: Any, live_server: LiveServer,
                                          page_errors: list[str]) -> None:
    from citybrain.core.db import session_scope, utcnow
    from citybrain.monitoring.readings import service as readings
    from citybrain.monitoring.readings.schemas import ReadingIn

    engine, code = _sensor_with_rule(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("duty", next_path="/monitoring")
    page.wait_for_selector("#mon-live[data-live=on]")
    page.wait_for_selector("#mon-alarms[data-count]")
    before = page.locator("#mon-alarms li[data-alarm]").count()
    with session_scope(engine) as s:  # what the ingester does with a message over the threshold
        readings.store_readings(s, code, [ReadingIn(time=utcnow(), value=31.5, unit="%LEL")])
    page.wait_for_selector("#mon-alarms li[data-alarm]", timeout=10_000)
    assert page.locator("#mon-alarms li[data-alarm]").count() == before + 1
    item = page.locator("#mon-alarms li[data-alarm]").first
    assert "实时测试燃气" in item.inner_text() and "31.50" in item.inner_text()
    assert item.locator("button").count() == 2  # the duty officer may acknowledge and clear
    assert "新告警" in page.locator("#mon-status").inner_text()
    # the map shows the sensor, coloured by its state (alarm: red) once the feed brought the alarm
    page.wait_for_function("() => document.querySelector('#mon-map').dataset.alarmed === '1'")
    complaint = page.locator("#mon-env > li").first  # the 人联网 picture
    assert "噪声扰民" in complaint.inner_text() and "测试噪声点" in complaint.inner_text()
    assert "82.5" in complaint.inner_text()
    complaint.locator("button").click()
    page.wait_for_selector("#mon-env button:has-text('已附佐证')")
    page.locator("#mon-map path.leaflet-interactive").first.click()  # the sensor's curve with its threshold
    page.wait_for_selector("#mon-chart[data-rendered=true]")
    assert page.locator("#mon-chart canvas").count() >= 1
    assert_fits(page, "monitoring")
    engine.dispose()
    assert not page_errors, page_errors
