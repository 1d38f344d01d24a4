#!/usr/bin/env bash
# One command: install, migrate the embedded SQLite database, load the Shuangliu demo, start the worker
# (restarted whenever it exits), the traffic and sensor MQTT ingesters (when the broker in CITYBRAIN_MQTT_URL
# answers)
# and the server on http://127.0.0.1:8000 (Ctrl-C stops them all).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SUMO_HOME="${SUMO_HOME:-$(.venv/bin/python -c 'import sumo; print(sumo.SUMO_HOME)' 2>/dev/null || true)}"
.venv/bin/citybrain db upgrade
.venv/bin/citybrain demo
ingest_pid=""
sensors_pid=""
# The worker retries transient database errors itself; this loop brings it back after anything else
# (a crash, a kill), a few seconds later so a worker failing at start-up does not spin.
supervise_worker() {
  local pid=""
  trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; exit 0' TERM INT
  while true; do
    .venv/bin/citybrain worker & pid=$!
    wait "$pid" && code=0 || code=$?
    pid=""
    echo "worker exited with status $code; restarting in 3 s" >&2
    sleep 3 & wait $!
  done
}
supervise_worker & worker_pid=$!
trap 'kill $worker_pid ${ingest_pid:-} ${sensors_pid:-} 2>/dev/null || true; wait $worker_pid 2>/dev/null || true' EXIT
if why=$(.venv/bin/citybrain traffic ingest --check 2>&1); then
  .venv/bin/citybrain traffic ingest & ingest_pid=$!
  .venv/bin/citybrain monitoring ingest & sensors_pid=$!
else
  echo "traffic and sensor MQTT ingest are off: ${why//$'\n'/ }"
fi
.venv/bin/citybrain serve --host 127.0.0.1 --port "${PORT:-8000}"
