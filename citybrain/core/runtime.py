"""Settings of a long-running service process (the web server, the worker, an MQTT ingester).

The cyclic garbage collector: once a process has started it holds about a million objects — modules,
mappers, schemas, the geography — that live as long as it does, and CPython's full collection walks all
of them each time. An ingester allocates fast and keeps a batch's objects alive for tens of milliseconds,
so the young collections promoted them and full collections came every second or so: in the monitoring
ingest benchmark they took 10 of 32 seconds, in stalls of about 200 ms each (an API request waiting behind
one waits as long). So, once started, a process

* moves what it holds to the collector's permanent generation (`gc.freeze`): never walked again, never
  freed — it lives as long as the process anyway;
* raises the young generation's threshold from 700 allocations to `YOUNG_THRESHOLD`, so that a batch's
  short-lived objects are mostly freed by reference counting before a collection looks at them.

Cycles made later are still found: young collections run every `YOUNG_THRESHOLD` net allocations and full
ones by CPython's own rule (ten middle-aged collections and a quarter of the long-lived objects new).
Only for a process of its own: a test run or a shell that called it would keep its garbage of the moment
for good.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000


def settle_collector(young: int = YOUNG_THRESHOLD) -> dict[str, int]:
    """Freeze what the process holds now and raise the young threshold; returns what was done."""
    gc.collect()  # garbage of the start-up is freed, not frozen
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)
    return {"frozen": gc.get_freeze_count(), "young_threshold": young}
