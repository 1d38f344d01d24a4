"""The emergency domain keeps the rules of the house: other domains only through their public faces,
no HTTP in models and services, no async routes, no guarded imports."""

from __future__ import annotations

import ast
from pathlib import Path

from citybrain.bootstrap import DOMAINS

PACKAGE = Path(__file__).resolve().parents[2] / "citybrain" / "emergency"
FILES = sorted(PACKAGE.rglob("*.py"))


def _imports(tree: ast.AST) -> list[str]:
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def test_other_domains_only_through_their_public_faces():
    crossings = []
    for f in FILES:
        for mod in _imports(ast.parse(f.read_text())):
            parts = mod.split(".")
            if parts[0] != "citybrain" or len(parts) < 2 or parts[1] == "emergency":
                continue
            other = parts[1]
            if other in DOMAINS and mod != f"citybrain.{other}.public":
                crossings.append(f"{f.relative_to(PACKAGE)}: {mod}")
            if other == "web" and f.name != "pages.py":
                crossings.append(f"{f.relative_to(PACKAGE)}: {mod} (only pages use the web package)")
    assert crossings == []


def test_models_and_services_know_no_http():
    bad = [f"{f.relative_to(PACKAGE)}: {mod}" for f in FILES if f.name in ("models.py", "service.py")
           for mod in _imports(ast.parse(f.read_text()))
           if mod.split(".")[0] in ("fastapi", "starlette") or mod.startswith("citybrain.web")]
    assert bad == []


def test_no_async_routes_no_guarded_imports_no_html_in_api():
    for f in FILES:
        tree = ast.parse(f.read_text())
        where = f.relative_to(PACKAGE)
        assert not any(isinstance(n, ast.AsyncFunctionDef) for n in ast.walk(tree)), where
        for n in ast.walk(tree):
            if isinstance(n, ast.ExceptHandler) and n.type is not None:
                names = {getattr(e, "id", None) for e in (n.type.elts if isinstance(n.type, ast.Tuple) else [n.type])}
                assert not names & {"ImportError", "ModuleNotFoundError"}, where
        if f.name == "api.py":
            assert "HTMLResponse" not in f.read_text() and "render(" not in f.read_text(), where
