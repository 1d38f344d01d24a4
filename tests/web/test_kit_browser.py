"""The shared UI kit in Chromium: errors in the user's language beside their field, the menu of narrow
screens, tables as cards, double-click protection with an Idempotency-Key (#13 items 4 and 7).

Screenshots land in test-artifacts/ (look at them).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.conftest import LiveServer, assert_fits, screenshot

pytestmark = pytest.mark.browser

ENGLISH_VALIDATOR = re.compile(r"String should|Field required|Input should|Value error|value is not|\{'|\[\{")


def test_login_422_names_the_field_in_chinese(page: Any, page_errors: list[str]) -> None:
    page.goto("/login")
    page.fill("#username", "")
    page.fill("#password", "whatever")
    page.click("#login-form button[type=submit]")
    err = page.locator("#username + .field-error")
    err.wait_for(state="visible")
    assert err.inner_text() == "用户名：必须填写"
    assert page.locator("#username").get_attribute("aria-invalid") == "true"
    body = page.locator("#login-form").inner_text()
    assert not ENGLISH_VALIDATOR.search(body), body
    screenshot(page, "login-422")
    # typing and submitting again clears the old message
    page.fill("#username", "duty")
    page.fill("#password", "wrong-password")
    page.click("#login-form button[type=submit]")
    page.locator("#login-error").wait_for(state="visible")
    assert page.locator(".field-error").count() == 0
    assert page.locator("#login-error").inner_text() == "用户名或密码错误"
    assert all("401" in e or "422" in e for e in page_errors), page_errors


def test_login_429_says_when_to_try_again_in_chinese(page: Any, live_server: LiveServer) -> None:
    settings = live_server.app.state.settings
    before = settings.login_attempts_per_account
    settings.login_attempts_per_account = 1  # the second attempt for this account is refused
    try:
        page.goto("/login")
        for _ in range(2):
            page.fill("#username", "nobody-rate-limited")
            page.fill("#password", "wrong")
            with page.expect_response("**/api/auth/login") as resp:
                page.click("#login-form button[type=submit]")
        assert resp.value.status == 429
        err = page.locator("#username + .field-error")
        err.wait_for(state="visible")
        text = err.inner_text()
        assert re.fullmatch(r"用户名：尝试次数过多，请 \d+ 秒后再试", text), text
        screenshot(page, "login-429")
    finally:
        settings.login_attempts_per_account = before


def test_error_renderer_maps_types_and_hides_server_internals(page: Any) -> None:
    """CB.errorMessages over the common error types, in both languages, with labels from the caller,
    the form's <label> or the shared field names."""
    page.goto("/login")
    cases = page.evaluate("""() => {
        const E = (status, detail, retry) => new CB.HttpError(status, "x", detail === undefined ? null : {detail}, retry);
        const m = (err, labels) => CB.errorMessages(err, labels).map(x => x.text);
        return {
          range: m(E(422, [{loc: ["body", "point", "lon"], msg: "Input should be less than or equal to 180",
                            type: "less_than_equal", ctx: {le: 180}}])),
          range_no_ctx: m(E(422, [{loc: ["body", "lat"], msg: "Input should be greater than or equal to -90",
                                   type: "greater_than_equal"}])),
          labelled: m(E(422, [{loc: ["body", "summary"], msg: "String should have at most 200 characters",
                               type: "string_too_long", ctx: {max_length: 200}}]), {summary: "事件摘要"}),
          json: m(E(422, [{loc: ["body", 12], msg: "JSON decode error", type: "json_invalid"}])),
          english_value_error: m(E(422, [{loc: ["body", "lon"], msg: "Value error, point outside the district",
                                         type: "value_error"}])),
          chinese_value_error: m(E(422, [{loc: ["body", "lon"], msg: "位置不在双流区内", type: "value_error"}])),
          not_found: m(E(404, [{loc: ["path", "number"], msg: "event 5 not found", type: "not_found"}])),
          conflict: m(E(409, [{loc: ["body"], msg: "not saved: UNIQUE constraint failed", type: "conflict"}])),
          control: m(E(422, [{loc: ["body", "description"], msg: "control characters are not allowed",
                              type: "control_characters"}])),
          too_large: m(E(413, [{loc: ["body", "photo"], msg: "too large", type: "too_large"}])),
          unauthorized: m(E(401, [{loc: ["header"], msg: "token expired", type: "unauthorized"}])),
          forbidden: m(E(403, [{loc: ["body"], msg: "role citizen may not", type: "forbidden"}])),
          server: m(E(500, [{loc: ["body"], msg: "Traceback (most recent call last) sqlalchemy", type: "x"}])),
          server_text: m(E(502)),
          network: m(new TypeError("Failed to fetch")),
          rate: m(E(429, [{loc: ["body", "access_code"], msg: "too many attempts: try again in 30 s",
                           type: "rate_limited"}], 30)),
        };
    }""")
    assert cases["range"] == ["经度：不能大于 180"]
    assert cases["range_no_ctx"] == ["纬度：不能小于 -90"]
    assert cases["labelled"] == ["事件摘要：最多 200 个字符"]
    assert cases["json"] == ["提交的内容格式有误，请刷新页面后重试"]
    assert cases["english_value_error"] == ["经度：取值无效"]
    assert cases["chinese_value_error"] == ["经度：位置不在双流区内"]
    assert cases["not_found"] == ["不存在或无权查看"]
    assert cases["conflict"] == ["与当前状态冲突，请刷新后再试"]
    assert cases["control"] == ["描述：含有不允许的控制字符"]
    assert cases["too_large"] == ["照片：内容过大"]
    assert cases["unauthorized"] == ["登录已失效，请重新登录"]
    assert cases["forbidden"] == ["无权执行此操作"]
    assert cases["server"] == ["服务器出错，请稍后重试"]
    assert cases["server_text"] == ["服务器出错，请稍后重试"]
    assert cases["network"] == ["无法连接服务器，请检查网络后重试"]
    assert cases["rate"] == ["查询码：尝试次数过多，请 30 秒后再试"]
    # the English page: English words, the server's English message where it says more
    page.goto("/login?lang=en")
    en = page.evaluate("""() => {
        const E = (status, detail) => new CB.HttpError(status, "x", {detail});
        return [
          CB.errorMessages(E(422, [{loc: ["body", "lon"], msg: "Input should be less than or equal to 180",
                                    type: "less_than_equal", ctx: {le: 180}}]))[0].text,
          CB.errorMessages(E(422, [{loc: ["body", "lon"], msg: "Value error, point outside the district",
                                    type: "value_error"}]))[0].text,
          CB.errorMessages(E(500, [{loc: [], msg: "Traceback", type: "x"}]))[0].text,
        ];
    }""")
    assert en == ["Longitude: must be at most 180", "Longitude: point outside the district", "server error, try again"]


def test_menu_button_on_a_phone(page: Any, log_in: Any) -> None:
    log_in("duty", next_path="/directory")
    page.set_viewport_size({"width": 390, "height": 844})
    toggle = page.locator("#nav-toggle")
    assert toggle.is_visible()
    assert page.locator("#main-nav").is_hidden()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#main-nav").is_visible()
    assert page.locator("#main-nav a", has_text="事件").is_visible()
    screenshot(page, "mobile-menu-open")
    toggle.click()
    assert page.locator("#main-nav").is_hidden()
    # on a desk screen there is no menu button, the bar is there
    page.set_viewport_size({"width": 1920, "height": 1080})
    assert toggle.is_hidden()
    assert page.locator("#main-nav").is_visible()


def test_tables_become_cards_on_a_phone(page: Any, log_in: Any) -> None:
    log_in("duty", next_path="/directory")
    assert_fits(page, "directory")
    first = page.locator("table.cards tbody tr").first
    assert page.evaluate("(tr) => getComputedStyle(tr).display", first.element_handle()) == "block"
    label = page.evaluate("(td) => getComputedStyle(td, '::before').content",
                          first.locator("td").first.element_handle())
    assert label == '"代码"'


def test_submit_once_sends_one_request_with_an_idempotency_key(page: Any) -> None:
    page.goto("/login")
    seen: list[dict[str, str]] = []

    def slow(route: Any) -> None:
        seen.append(route.request.headers)
        page.wait_for_timeout(400)
        route.fulfill(status=201, content_type="application/json", body=json.dumps({"ok": True}))

    page.route("**/api/kit-probe", slow)
    keys = page.evaluate("""async () => {
        const form = CB.el("form", {id: "probe"}, [CB.el("input", {name: "title"}),
                                                   CB.el("button", {type: "submit"}, "go")]);
        document.body.appendChild(form);
        const done = [];
        CB.submitOnce(form, async (ctx) => { done.push(ctx.idempotencyKey); await ctx.post("/api/kit-probe", {}); });
        const button = form.querySelector("button");
        button.click(); button.click(); button.click();   // a triple click
        const disabled = button.disabled;
        await new Promise(r => setTimeout(r, 900));
        button.click();                                    // the same form again: the same key
        await new Promise(r => setTimeout(r, 700));
        const input = form.querySelector("input");
        input.value = "another"; input.dispatchEvent(new Event("input", {bubbles: true}));
        button.click();                                    // changed content: a new key
        await new Promise(r => setTimeout(r, 700));
        return {done, disabled, enabled_after: !button.disabled};
    }""")
    assert keys["disabled"] is True and keys["enabled_after"] is True
    assert len(keys["done"]) == 3 and len(seen) == 3
    assert keys["done"][0] == keys["done"][1] != keys["done"][2]
    assert [h.get("idempotency-key") for h in seen] == keys["done"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", keys["done"][0])
