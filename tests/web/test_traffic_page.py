"""The traffic page (/traffic) in headless Chromium: signals, congestion and car parks on the map, the
charts per street, and a shared-parking request made through the form.

Screenshots land in test-artifacts/traffic-*.png (look at them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.web.conftest import TRAFFIC_SEED, LiveServer, screenshot

pytestmark = pytest.mark.browser

# the page's colours per congestion level (Chinese traffic-map convention); grey dashes: no report
LEVEL_COLOUR = {"smooth": "#22c55e", "slow": "#facc15", "congested": "#ef4444", "severe": "#9f1239", "none": "#64748b"}


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """The API as the data officer (who may feed segment speeds), outside the browser."""
    from citybrain.directory.demo import demo_password

    with httpx.Client(base_url=live_server.url, timeout=15) as client:
        r = client.post("/api/auth/login", json={"username": "data_officer",
                                                 "password": demo_password("data_officer")})
        assert r.status_code == 200, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        yield client


def _fresh_speeds(api: httpx.Client) -> None:
    """Speeds reported now: SEG-01 crawling (severe), SEG-07 at its free speed (smooth). The demo's own
    reports date from seeding and leave the 15-minute window in a long test run."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    readings = []
    for k in range(5):
        at = (now - dt.timedelta(minutes=k)).isoformat()
        readings.append({"segment": "SEG-01", "at": at, "speed_kmh": 3.0, "source": "test"})
        readings.append({"segment": "SEG-07", "at": at, "speed_kmh": 60.0, "source": "test"})
    r = api.post("/api/traffic/segments/readings", json={"readings": readings})
    assert r.status_code == 201, r.text


def _open_traffic_page(page: Any, log_in: Any) -> None:
    log_in("duty", next_path="/traffic")
    assert urlsplit(page.url).path == "/traffic"
    page.wait_for_selector("#traffic-map[data-loaded=true]")
    page.wait_for_selector("#congestion-chart[data-rendered=true]")
    page.wait_for_selector("#parking-chart[data-rendered=true]")


def _open_point_near(page: Any, lon: float, lat: float) -> dict[str, float]:
    """A point on the map near (lon, lat) where a click hits the map itself, not a marker or a road."""
    found = page.evaluate("""([lon, lat]) => {
        const map = window.cbTraffic.map;
        const box = map.getContainer().getBoundingClientRect();
        const p = map.latLngToContainerPoint([lat, lon]);
        for (const [dx, dy] of [[0, -30], [30, 0], [-30, 0], [0, 30], [40, -40], [-40, 40], [50, 20], [-50, -20]]) {
            const x = box.left + p.x + dx, y = box.top + p.y + dy;
            const hit = document.elementFromPoint(x, y);
            if (hit && (hit === map.getContainer() || hit.classList.contains('tf-street')
                        || hit.closest('.leaflet-tile-pane') || hit.tagName === 'svg')) {
                return {x, y};
            }
        }
        return null;
    }""", [lon, lat])
    assert found, "no free point on the map near the car park"
    return found


def test_traffic_page_shows_signals_congestion_and_car_parks(
    page: Any, log_in: Any, api: httpx.Client, live_server: LiveServer,
    seen_requests: list[str], page_errors: list[str],
) -> None:
    _fresh_speeds(api)
    layers = api.get("/api/traffic/map").json()
    xs = layers["intersections"]["features"]
    assert xs, f"no traffic demo in the live server: {TRAFFIC_SEED}"
    signals = {s["code"]: s for s in api.get("/api/traffic/signals", params={"size": 500}).json()["items"]}

    _open_traffic_page(page, log_in)
    assert page.locator("header .nav a.active").inner_text() == "交通"

    # every intersection is a signal marker; every segment drawn in its level's colour; every car park
    assert page.locator(".tf-signal").count() == len(xs)
    assert page.locator("#traffic-map").get_attribute("data-signals") == str(len(xs))
    segments = layers["segments"]["features"]
    assert page.locator("path.tf-seg").count() == len(segments)
    by_code = {f["properties"]["code"]: f["properties"] for f in segments}
    assert by_code["SEG-01"]["level"] == "severe" and by_code["SEG-07"]["level"] == "smooth"
    for code, p in by_code.items():
        path = page.locator(f'path.tf-seg[data-code="{code}"]')
        level = p["level"] or "none"
        assert path.get_attribute("data-level") == level, code
        assert path.get_attribute("stroke") == LEVEL_COLOUR[level], code
    parks = layers["car_parks"]["features"]
    assert page.locator("path.tf-park").count() == len(parks)

    # the legend names the four levels with their thresholds
    legend = page.locator("#tf-legend").inner_text()
    for word in ("畅通", "缓行", "拥堵", "严重拥堵", "TTI ≥ 4", "共享车位充足"):
        assert word in legend, word

    # the side figures agree with the API
    jammed = sum(1 for p in by_code.values() if p["level"] in ("congested", "severe"))
    assert page.locator("#stat-signals .stat-value").inner_text().strip() == str(len(xs))
    assert page.locator("#stat-jammed .stat-value").inner_text().replace(" ", "").startswith(f"{jammed}/")

    # charts: one bar per street with a congestion index, coloured by its level; parking per street
    streets = layers["streets"]
    assert streets
    opt = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.getElementById('congestion-chart')).getOption();
        return {names: o.yAxis[0].data, bars: o.series[0].data.map(d => [d.value, d.itemStyle.color])};
    }""")
    assert len(opt["bars"]) == len(streets)
    colour_of = {s["tti"]: LEVEL_COLOUR[s["level"]] for s in streets}
    for tti, colour in opt["bars"]:
        assert colour_of[tti] == colour
    assert page.locator("#congestion-chart svg path").count() >= len(streets)
    assert "东升街道" in opt["names"]  # street names from the geography, not codes
    parking = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.getElementById('parking-chart')).getOption();
        return {streets: o.yAxis[0].data.length, series: o.series.map(s => s.data.reduce((a, b) => a + b, 0))};
    }""")
    total = sum(p["properties"]["capacity"] for p in parks)
    assert parking["streets"] >= 1
    assert parking["series"][0] + parking["series"][1] == total  # occupied + free = capacity
    screenshot(page, "traffic-page")

    # a signal's popup: name, code, plan in force, latest recommendation and its status
    first = xs[0]["properties"]
    page.locator(f'.tf-signal[data-code="{first["code"]}"]').click()
    popup = page.locator(f'.leaflet-popup .tf-popup[data-code="{first["code"]}"]')
    popup.wait_for()
    text = popup.inner_text()
    assert first["name"] in text and first["code"] in text and "现行配时" in text and "周期" in text
    rec = signals[first["code"]]["recommendation"]
    assert rec is not None  # the demo queued a Webster plan for the first signal
    assert popup.locator(".st-chip").get_attribute("data-status") == rec["status"]
    screenshot(page, "traffic-signal-popup")
    # the periodic refresh redraws the layers and keeps the open popup open
    before = page.locator("#traffic-map").get_attribute("data-refreshed")
    page.evaluate("() => window.cbTraffic.refresh()")
    assert page.locator("#traffic-map").get_attribute("data-refreshed") != before
    assert page.locator(".tf-signal").count() == len(xs)
    popup.wait_for()
    page.keyboard.press("Escape")

    # a car park's popup: availability, price, opening hours, sharing window
    page.locator('path.tf-park[data-code="CP-02"]').click()
    popup = page.locator('.leaflet-popup .tf-popup[data-code="CP-02"]')
    popup.wait_for()
    text = popup.inner_text()
    assert "¥2.0 / 小时" in text and "18:00–次日 08:00" in text and "周一至周五" in text and "最长 12 小时" in text
    screenshot(page, "traffic-park-popup")
    page.keyboard.press("Escape")

    origin = urlsplit(live_server.url)
    outside = [u for u in seen_requests
               if not u.startswith(("data:", "blob:")) and urlsplit(u)[:2] != origin[:2]]
    assert outside == [], outside
    assert page_errors == []


def test_parking_request_from_the_map(
    page: Any, log_in: Any, api: httpx.Client, live_server: LiveServer,
    seen_requests: list[str], page_errors: list[str],
) -> None:
    _open_traffic_page(page, log_in)
    cp = next(f for f in api.get("/api/traffic/map").json()["car_parks"]["features"]
              if f["properties"]["code"] == "CP-01")
    lon, lat = cp["geometry"]["coordinates"]

    # the form wants a destination first
    page.click("#pk-submit")
    assert page.locator("#pk-error").get_attribute("data-field") == "lon"
    assert "请先在地图上点击目的地" in page.locator("#pk-error").inner_text()

    point = _open_point_near(page, lon, lat)
    page.mouse.click(point["x"], point["y"])
    assert page.locator("#pk-dest.set").count() == 1
    page.fill("#pk-plate", "川A7T001")
    page.click("#pk-submit")
    held = page.locator("#pk-allocation")
    held.wait_for()
    assert held.get_attribute("data-status") == "held"
    code = held.get_attribute("data-code")
    assert "已预留" in held.inner_text()
    stored = api.get(f"/api/traffic/parking/allocations/{code}").json()
    assert stored["status"] == "held" and stored["car_park_name"] in held.inner_text()
    assert page.locator("path.tf-route").count() == 1
    screenshot(page, "traffic-parking-held")

    # cancelling through the page releases the hold; the same plate may then ask again
    page.click("#pk-cancel")
    page.locator('#pk-allocation[data-status="cancelled"]').wait_for()
    assert api.get(f"/api/traffic/parking/allocations/{code}").json()["status"] == "cancelled"
    page.click("#pk-submit")
    page.locator('#pk-allocation[data-status="held"]').wait_for()
    code = page.locator("#pk-allocation").get_attribute("data-code")

    # a time in the past: the API's refusal shown beside the field, in Chinese, naming it in words; nothing changes
    yesterday = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#pk-arrive", yesterday)
    page.fill("#pk-plate", "川A7T002")
    page.click("#pk-submit")
    error = page.locator("#pk-arrive ~ .field-error")
    error.wait_for()
    assert page.locator("#pk-arrive").get_attribute("aria-invalid") == "true"
    assert error.inner_text() == "到达时间：须在现在之后、7 天之内"
    assert "arrive_at" not in page.locator("#parking-form").inner_text()
    screenshot(page, "traffic-parking-error")
    assert api.get(f"/api/traffic/parking/allocations/{code}").json()["status"] == "held"

    origin = urlsplit(live_server.url)
    outside = [u for u in seen_requests
               if not u.startswith(("data:", "blob:")) and urlsplit(u)[:2] != origin[:2]]
    assert outside == [], outside
    # the browser logs the refused request itself (422); nothing else may go wrong
    assert [e for e in page_errors if "422" not in e] == [], page_errors


def test_traffic_page_in_english(page: Any, log_in: Any, page_errors: list[str]) -> None:
    log_in("yjj_handler", next_path="/traffic?lang=en")
    page.wait_for_selector("#traffic-map[data-loaded=true]")
    page.wait_for_selector("#congestion-chart[data-rendered=true]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Congestion level" in page.locator("#tf-legend").inner_text()
    assert page.locator("#parking-form button[type=submit]").inner_text() == "Request"
    screenshot(page, "traffic-page-en")
    assert page_errors == []


def test_names_are_shown_as_text_not_markup(
    page: Any, log_in: Any, api: httpx.Client, page_errors: list[str]
) -> None:
    """A segment named with markup (a data officer's typo or worse) shows its name, never runs it."""
    name = '<img src=x id=injected onerror="document.title=1">东升路'
    r = api.post("/api/traffic/segments", json={"code": "SEG-XSS", "name": name, "free_speed_kmh": 40,
                                                "coords": [[103.9200, 30.5790], [103.9260, 30.5830]]})  # fmt: skip
    assert r.status_code == 201, r.text
    _open_traffic_page(page, log_in)
    # the pointer event Leaflet opens a tooltip on (the path is thin, and labels may lie on top of it)
    page.locator('path.tf-seg[data-code="SEG-XSS"]').dispatch_event("mouseover")
    tip = page.locator(".leaflet-tooltip", has_text="东升路")
    tip.wait_for()
    assert name in tip.inner_text()
    assert page.locator("#injected").count() == 0
    assert not page_errors


def test_a_double_click_on_the_parking_form_holds_one_space(
    page: Any, log_in: Any, api: httpx.Client, seen_requests: list[str], page_errors: list[str]
) -> None:
    _open_traffic_page(page, log_in)
    cp = next(f for f in api.get("/api/traffic/map").json()["car_parks"]["features"]
              if f["properties"]["code"] == "CP-01")
    point = _open_point_near(page, *cp["geometry"]["coordinates"])
    page.mouse.click(point["x"], point["y"])
    page.fill("#pk-plate", "川A7T003")
    page.locator("#pk-submit").dblclick()
    page.locator('#pk-allocation[data-status="held"]').wait_for()
    posts = [u for u in seen_requests if u.endswith("/api/traffic/parking/allocations")]
    assert len(posts) == 1, posts  # the second click met a busy form
    # the same filled-in form sent again (a retry) answers the same hold, never a second one
    first = page.locator("#pk-allocation").get_attribute("data-code")
    page.click("#pk-submit")
    page.locator("#pk-allocation").wait_for()
    assert page.locator("#pk-allocation").get_attribute("data-code") == first
    assert page_errors == []


def test_traffic_page_fits_a_phone_and_a_wall_screen(
    page: Any, log_in: Any, api: httpx.Client, page_errors: list[str]
) -> None:
    from tests.web.conftest import assert_fits

    _fresh_speeds(api)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone from the start: legend and layers folded
    _open_traffic_page(page, log_in)
    assert page.locator("#tf-legend").get_attribute("open") is None
    assert_fits(page, "traffic")
    assert page.locator("#nav-toggle").is_visible()  # the menu instead of a squeezed navigation
    page.locator("#parking-form").scroll_into_view_if_needed()
    screenshot(page, "mobile-traffic-form")
    assert_fits(page, "traffic", viewport={"width": 1920, "height": 1080})
    assert not page_errors


def test_traffic_charts_label_every_bar_and_draw_none_the_wrong_way(
    page: Any, log_in: Any, api: httpx.Client, page_errors: list[str]
) -> None:
    _fresh_speeds(api)
    _open_traffic_page(page, log_in)
    got = page.evaluate("""() => {
        const c = echarts.getInstanceByDom(document.getElementById('congestion-chart')).getOption();
        const p = echarts.getInstanceByDom(document.getElementById('parking-chart')).getOption();
        const label = (s, d, i) => s.label && s.label.show && (typeof s.label.formatter === 'function'
            ? s.label.formatter({value: typeof d === 'object' ? d.value : d, dataIndex: i}) : true);
        return {
          min: c.xAxis[0].min,
          congestion: c.series[0].data.map((d, i) => [d.value, !!label(c.series[0], d, i)]),
          parking: p.series.flatMap(s => s.data.map((d, i) => [d, !!label(s, d, i)])),
        };
    }""")
    assert got["min"] == 0  # an axis starting at 1 would draw a TTI below it as a bar going the wrong way
    assert got["congestion"] and all(v >= 0 and labelled for v, labelled in got["congestion"])
    assert all(v >= 0 for v, _ in got["parking"])
    assert all(labelled for v, labelled in got["parking"] if v > 0)  # every drawn bar carries its number
    assert not page_errors
