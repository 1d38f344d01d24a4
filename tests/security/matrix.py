"""The scope matrix (issue #13 item 2): every endpoint × every role × an in-scope and an out-of-scope object.

Each domain declares its endpoints in ``tests/<domain>/scope_cases.py`` as ``CASES: list[Case]``. The
matrix test (test_matrix.py) fails for any route of the app that no case declares, so a new endpoint
cannot slip past it, and for each case and role asserts:

- nobody (no token): 401 on the API, a redirect to /login on a page — unless the case is public;
- a role the action is not for: 403;
- a role it is for, on an object in their scope: neither 401, 403, 404 nor 5xx (the case says which
  statuses mean "done": by default 2xx/3xx, and 409 where the state may refuse a repeat);
- a role limited by scope (``scoped``), on an object outside it: 404, exactly as if it did not exist.

The world (world.py) is two of everything: street 东升 (in scope) and 西航港 (out of scope), department
应急管理局 (in) and 生态环境局 (out), and one user per role placed in the first of each. ``make`` builds a
fresh in-scope object for each request (a request may change or delete it) and returns its path
parameters; ``make_out`` builds one out of scope.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

ROLES = ("admin", "duty_officer", "data_officer", "dept_handler", "inspector", "street_staff",
         "community_staff", "grid_worker", "citizen")
STAFF = frozenset(ROLES) - {"citizen"}
COMMAND = frozenset({"admin", "duty_officer"})
PLACE_BOUND = frozenset({"street_staff", "community_staff", "grid_worker"})

Params = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Case:
    method: str
    path: str  # the route's path template, exactly as the app declares it
    roles: frozenset[str] | None  # who may (admin always may); None: public, no login needed
    scoped: frozenset[str] = frozenset()  # of those, who meets a 404 on an object outside their scope
    make: Callable[[Any], Params] | None = None  # in-scope object → path parameters (fresh per request)
    make_out: Callable[[Any], Params] | None = None  # out-of-scope object → path parameters
    body: Callable[[Any, Params], Any] | None = None  # JSON body, given the world and the path parameters
    query: Callable[[Any, Params], dict[str, Any]] | None = None
    form: Callable[[Any, Params], dict[str, Any]] | None = None  # a form body instead of JSON
    files: Callable[[Any, Params], dict[str, Any]] | None = None  # multipart files (with `form` fields)
    stream: bool = False  # an endless stream (SSE): only refusals are checked, allowed roles are not called
    ok: frozenset[int] = frozenset()  # statuses besides 2xx/3xx that mean "allowed" (e.g. 409, 422)
    page: bool = False  # an HTML page: nobody is redirected to /login, a wrong role sees a 403 notice
    spends_token: bool = False  # the request ends its token (log-out): each one gets a fresh token of the role
    group: str = ""  # the endpoint group in docs/security.md's table ("" = from the path)
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method.upper(), self.path)

    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def endpoint_group(self) -> str:
        if self.group:
            return self.group
        parts = [p for p in self.path.split("/") if p and not p.startswith("{")]
        if parts and parts[0] == "api":
            parts = parts[1:]
        return "/".join(parts[:2]) or "/"


def allowed_statuses(case: Case) -> Callable[[int], bool]:
    return lambda status: 200 <= status < 400 or status in case.ok
