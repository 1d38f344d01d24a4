#!/usr/bin/env bash
# One command: install the test dependencies (Python, npm, Debian: chromium, postgresql, mosquitto) and
# run the whole suite: ruff, mypy, unit/integration tests on SQLite and PostgreSQL, browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export SUMO_HOME="${SUMO_HOME:-$(.venv/bin/python -c 'import sumo; print(sumo.SUMO_HOME)')}"
mkdir -p test-artifacts
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then echo "no tests were collected"; exit 1; fi
exit "$rc"
