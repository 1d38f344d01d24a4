#!/usr/bin/env bash
# Installs what CityBrain needs on a fresh Debian machine: Python venv + package, npm front-end libraries.
# Usage: scripts/setup.sh [test]   ("test" adds the test tools, Chromium, PostgreSQL and Mosquitto)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test="${1:-}"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_missing=()
need() { command -v "$1" >/dev/null 2>&1 || apt_missing+=("$2"); }

need python3 python3
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_missing+=(python3-venv)
need npm npm
if [ "$want_test" = test ]; then
  [ -x /usr/bin/chromium ] || apt_missing+=(chromium)
  dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || apt_missing+=(fonts-wqy-microhei)
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || apt_missing+=(postgresql)
  need mosquitto mosquitto
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${apt_missing[*]}"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}"
fi

python3 - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"CityBrain needs Python 3.11 or newer; this is {sys.version.split()[0]}")
PY
[ -x .venv/bin/python ] || python3 -m venv .venv
pip_log=$(mktemp)
pip_() {  # quiet unless it fails: then the whole log
  if ! .venv/bin/python -m pip install -q --disable-pip-version-check "$@" >"$pip_log" 2>&1; then
    cat "$pip_log"; echo "pip install $* failed"; exit 1
  fi
}
echo "installing Python packages into .venv ..."
pip_ --upgrade pip
if [ "$want_test" = test ]; then pip_ -e '.[test]'; else pip_ -e .; fi
# Leaflet and ECharts from the npm registry, pinned by the lock file; served from our own /vendor route.
# `npm ci` also installs the devDependencies: the npm `smpp` server the delivery tests use as an SMSC.
if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; fi
