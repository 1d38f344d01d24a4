"""core.runtime.settle_collector, in a child process (it changes the collector for the whole process)."""

from __future__ import annotations

import subprocess
import sys

_CHILD = """
import gc, json
from citybrain.core.runtime import YOUNG_THRESHOLD, settle_collector

class Node:
    pass

before = gc.get_threshold()
done = settle_collector()
after = gc.get_threshold()

# a cycle made after settling is still collected
a, b = Node(), Node()
a.other, b.other = b, a
import weakref
gone = weakref.ref(a)
del a, b
gc.collect()
print(json.dumps({"before": before, "after": after, "done": done, "frozen": gc.get_freeze_count(),
                  "young": YOUNG_THRESHOLD, "cycle_freed": gone() is None}))
"""


def test_settled_process_freezes_its_start_up_and_still_frees_later_cycles():
    import json

    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=120, check=True)
    r = json.loads(out.stdout)
    assert r["done"]["frozen"] > 1_000 and r["frozen"] > 1_000  # what the imports made, at least
    assert r["after"] == [r["young"], r["before"][1], r["before"][2]]
    assert r["cycle_freed"]


def test_one_session_factory_per_engine_and_mode(tmp_path):
    """A sessionmaker per transaction made a Session subclass each time, kept by SQLAlchemy's event
    registry for good; the factory is now made once per engine and mode."""
    from citybrain.core.db import READ_ONLY, make_engine, session_factory, session_scope

    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    assert session_factory(engine) is session_factory(engine)
    assert session_factory(engine, read_only=True) is session_factory(engine, read_only=True)
    assert session_factory(engine) is not session_factory(engine, read_only=True)
    with session_factory(engine, read_only=True)() as s:
        assert s.connection().get_execution_options().get(READ_ONLY)
    with session_scope(engine) as s:
        assert not s.connection().get_execution_options().get(READ_ONLY)
        assert type(s) is session_factory(engine).class_
    other = make_engine(f"sqlite:///{tmp_path / 'two.db'}")
    assert session_factory(other) is not session_factory(engine)
    assert session_factory(engine, bus=object()) is not session_factory(engine)  # the bus travels in info
