"""The web shell's 404 page, each role's start page, the log-in page's public links (#13 item 7)."""

from __future__ import annotations

from typing import Any

from citybrain.core.errors import NotFound
from tests.web.test_pages import _cookie_login

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_an_unknown_page_answers_with_the_404_page_in_the_users_language(client: Any) -> None:
    r = client.get("/no-such-page", headers=HTML)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "页面不存在" in r.text and 'href="/home"' in r.text and 'href="/login"' in r.text
    assert "Not Found" not in r.text
    r = client.get("/no-such-page?lang=en", headers=HTML)
    assert r.status_code == 404 and "Page not found" in r.text and "Back to the home page" in r.text


def test_the_api_keeps_json_404s(client: Any) -> None:
    for path, headers in (("/api/no-such-thing", HTML), ("/no-such-page", {"Accept": "application/json"}),
                          ("/static/js/no-such.js", HTML), ("/no-such-page", {})):
        r = client.get(path, headers=headers)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/json"), path
        assert r.json() == {"detail": "Not Found"}, path


def test_a_page_whose_object_does_not_exist_answers_with_the_404_page(app: Any, client: Any, people: Any) -> None:
    def missing_page() -> None:
        raise NotFound("event", 999)

    def missing_api() -> None:
        raise NotFound("event", 999)

    app.add_api_route("/kit-missing", missing_page)
    app.add_api_route("/api/kit-missing", missing_api)
    _cookie_login(client, "t_duty_officer")
    r = client.get("/kit-missing", headers=HTML)
    assert r.status_code == 404 and "页面不存在" in r.text
    assert 'href="/login"' not in r.text  # logged in: only the way home
    r = client.get("/api/kit-missing", headers=HTML)
    assert r.status_code == 404
    assert r.json()["detail"][0]["type"] == "not_found"


def test_each_role_starts_on_its_own_page(client: Any, people: Any) -> None:
    r = client.get("/home", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    expected = {"t_citizen": "/events", "t_dept_handler": "/events", "t_duty_officer": "/", "t_admin": "/",
                "t_street_staff": "/events", "t_grid_worker": "/events", "t_inspector": "/", "t_data_officer": "/"}
    for username, home in expected.items():
        if username.removeprefix("t_") not in people:
            continue
        _cookie_login(client, username)
        r = client.get("/home", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, home), username


def test_login_page_links_the_public_report_and_its_follow_up(client: Any, people: Any) -> None:
    r = client.get("/login")
    assert 'href="/report"' in r.text and 'id="follow-form"' in r.text and "受理编号" in r.text
    # no `next`: the script goes on to /home, which knows the role
    assert 'data-next=""' in r.text
    assert client.get("/report").status_code == 200
    # a citizen who still opens the command centre is refused with a way to their own start page
    _cookie_login(client, "t_citizen")
    r = client.get("/")
    assert r.status_code == 403 and 'href="/home"' in r.text
