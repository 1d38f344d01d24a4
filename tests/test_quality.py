"""Lint and types are part of the suite: ruff and mypy must pass on the whole project."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "citybrain", "tests", "benchmarks", "migrations"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy():
    r = subprocess.run([sys.executable, "-m", "mypy", "citybrain"], cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
