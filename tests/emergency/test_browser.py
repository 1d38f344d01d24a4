"""Emergency command's pages in headless Chromium (issue #13 items 4, 7, 8, 9): every page fits a phone
(390×844) and a 1920×1080 screen, the report form reports once on a double click and names the field of
an error in words, no level is chosen for the officer, activation and closing ask first, and the figures'
bars are labelled on a linear axis.

Screenshots land in test-artifacts/mobile-emergency-*.png and test-artifacts/1920x1080-emergency-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.conftest import (  # noqa: F401  (the live server and browser fixtures)
    LiveServer,
    assert_fits,
    browser,
    live_server,
    log_in,
    page,
    page_errors,
    screenshot,
    seed_domain,
    seen_requests,
)

pytestmark = pytest.mark.browser
WIDE = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def em_live(live_server: LiveServer) -> LiveServer:  # noqa: F811
    """The emergency demo (plans, resources, drills, incidents) in the live server's database."""
    return seed_domain(live_server, "emergency")


def _db(live: LiveServer, fn: Any) -> Any:
    from citybrain.core.db import make_engine, session_scope

    engine = make_engine(live.database_url)
    try:
        with session_scope(engine) as s:
            return fn(s)
    finally:
        engine.dispose()


def _fresh_incident(live: LiveServer, title: str) -> tuple[int, str]:
    """A reported incident with no suggested level, in 东升 (the demo street staff's street)."""
    from citybrain.core.auth import SYSTEM
    from citybrain.emergency.incident import service as incidents
    from citybrain.emergency.incident.schemas import IncidentIn

    def make(s: Any) -> tuple[int, str]:
        inc = incidents.create_incident(s, SYSTEM, IncidentIn(incident_type="hazchem_leak", title=title,
                                                               address="东升街道棠湖路"))
        return inc.id, inc.number
    return _db(live, make)  # type: ignore[no-any-return]


def test_every_page_fits_a_phone_and_a_wall(page, log_in, em_live, page_errors):  # noqa: F811
    from citybrain.emergency.incident.models import Incident

    live_id = _db(em_live, lambda s: s.scalar(select(Incident.id).where(Incident.status == "active").limit(1)))
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    log_in("duty")
    for name, path in [("index", "/emergency"), ("incident", f"/emergency/incidents/{live_id}"),
                       ("plans", "/emergency/plans"), ("plan", "/emergency/plans/SLYA-SG-01"),
                       ("figures", "/emergency/figures")]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert_fits(page, f"emergency-{name}")
        assert_fits(page, f"emergency-{name}", viewport=WIDE)
        if name in ("index", "incident"):  # the menu button instead of a squeezed nav
            page.set_viewport_size({"width": 390, "height": 844})
            assert page.locator("#nav-toggle").is_visible()
    assert not page_errors, (page_errors, missing)


def test_the_report_form_reports_once_and_names_the_field(page, log_in, em_live, page_errors):  # noqa: F811
    from citybrain.emergency.incident.models import Incident

    def count(s: Any) -> int:
        return int(s.scalar(select(func.count()).select_from(Incident)))

    log_in("duty")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/emergency")
    page.wait_for_function("() => document.querySelectorAll('#new-type option').length > 1")
    # a place outside the district: the error is in Chinese and names the field in words
    page.fill("#new-title", "双击测试")
    page.fill("#new-lon", "103.0")
    page.fill("#new-lat", "29.0")
    page.click("#new-incident button[type=submit]")
    err = page.locator("#new-incident .form-error, #new-incident .field-error").first
    err.wait_for()
    assert "位置" in err.inner_text() and "不在双流区范围内" in err.inner_text()
    assert "location" not in err.inner_text() and "wgs84" not in err.inner_text()
    screenshot(page, "mobile-emergency-report-error")
    before = _db(em_live, count)
    page.fill("#new-lon", "103.947")
    page.fill("#new-lat", "30.578")
    with page.expect_navigation():
        page.dblclick("#new-incident button[type=submit]")
    assert _db(em_live, count) == before + 1  # a double click reports once
    assert not [e for e in page_errors if "422" not in e], page_errors  # the refused place was ours


def test_activation_and_closing_ask_first(page, log_in, em_live, page_errors):  # noqa: F811
    from citybrain.emergency.incident.models import Incident

    iid, number = _fresh_incident(em_live, "确认测试")
    log_in("duty")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/emergency/incidents/{iid}")
    page.wait_for_function("() => !document.querySelector('#actions button[data-act=activate]').disabled")
    assert page.input_value("#act-level") == ""  # nothing suggested: nothing chosen for the officer
    page.click("#actions button[data-act=activate]")
    err = page.locator("#actions .field-error, #actions .form-error").first
    err.wait_for()
    assert "响应级别" in err.inner_text()
    asked: list[str] = []

    def dismiss(d: Any) -> None:
        asked.append(d.message)
        d.dismiss()

    page.once("dialog", dismiss)
    page.select_option("#act-level", "IV")
    page.click("#actions button[data-act=activate]")
    page.wait_for_timeout(300)
    assert asked and number in asked[0] and "Ⅳ级" in asked[0] and "确认测试" in asked[0]
    assert _db(em_live, lambda s: s.get(Incident, iid).status) == "reported"  # dismissed: nothing done
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.fill("#act-reason", "现场核实为误报，无泄漏，归档。")
    page.click("#actions button[data-act=close]")
    page.wait_for_timeout(300)
    assert len(asked) == 2 and number in asked[1] and "归档" in asked[1]
    assert _db(em_live, lambda s: s.get(Incident, iid).status) == "reported"
    screenshot(page, "mobile-emergency-activate-asks")
    # level II: sent for a second person's confirmation, shown on the page
    page.once("dialog", lambda d: d.accept())
    page.select_option("#act-level", "II")
    page.click("#actions button[data-act=activate]")
    page.locator("#act-pending").wait_for()
    assert "李静" in page.inner_text("#act-pending") or "duty" in page.inner_text("#act-pending")
    assert _db(em_live, lambda s: s.get(Incident, iid).status) == "reported"
    assert not page_errors, page_errors


def test_figures_label_every_bar_on_a_linear_axis(page, log_in, em_live, page_errors):  # noqa: F811
    log_in("duty")
    page.goto("/emergency/figures")
    page.wait_for_function("() => !!(window.EM_CHARTS && EM_CHARTS.drills.getOption()"
                           " && EM_CHARTS.drills.getOption().series.length > 0)")
    for chart in ("stages", "per", "drills"):
        opt = page.evaluate(f"() => {{ const o = EM_CHARTS.{chart}.getOption();"
                            " return {x: o.xAxis[0], y: o.yAxis[0], labels: o.series.map(s => s.label.show)}; }")
        value_axis = opt["y"] if opt["y"]["type"] == "value" else opt["x"]
        assert value_axis["type"] == "value" and value_axis["min"] == 0, (chart, value_axis)
        assert all(opt["labels"]), chart
    assert not page_errors, page_errors
