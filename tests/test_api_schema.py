"""Schemathesis against our own OpenAPI: whatever a client sends, no endpoint answers with a 5xx.

The app runs on a real, migrated SQLite file with the test geography and one user per role; requests
carry an admin token so they reach the handlers rather than stopping at the role check.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from citybrain.app import create_app
from citybrain.config import load_settings
from citybrain.core import auth
from citybrain.core.db import make_engine, session_scope
from citybrain.core.migrate import upgrade
from citybrain.geography.testing import make_test_geography

_dir = Path(tempfile.mkdtemp(prefix="citybrain-schema-"))
_url = f"sqlite:///{_dir / 'schema.db'}"
upgrade(_url, "heads")
_engine = make_engine(_url)
with session_scope(_engine) as _s:
    make_test_geography(_s)
    auth.create_user(_s, "fuzz_admin", "fuzz-password-1", "admin")
    _token, _ = auth.login(_s, "fuzz_admin", "fuzz-password-1")
app = create_app(load_settings(data_dir=_dir, database_url=_url), engine=_engine)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
EXAMPLES = int(os.environ.get("CITYBRAIN_SCHEMA_EXAMPLES", "8"))


@schema.exclude(path_regex=r"^/api/(feed|auth/logout)$").parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case):  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {_token}"})
    case.validate_response(response, checks=[not_a_server_error])
