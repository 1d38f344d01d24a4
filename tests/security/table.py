"""docs/security.md's table, made from the scope cases: roles × endpoint groups.

    .venv/bin/python -m tests.security.table        # rewrite the table in docs/security.md
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from tests.security.matrix import ROLES, Case

BEGIN, END = "<!-- scope-matrix:begin -->", "<!-- scope-matrix:end -->"
DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "security.md"


def _cell(cases: list[Case], role: str) -> str:
    marks = set()
    for c in cases:
        if c.roles is None:
            marks.add("public")
        elif role != "admin" and role not in c.roles:
            marks.add("—")
        elif role in c.scoped:
            marks.add("scope")
        else:
            marks.add("all")
    if marks == {"—"}:
        return "—"
    order = ["public", "all", "scope", "—"]
    return " / ".join(m for m in order if m in marks)


def render_table(cases: list[Case]) -> str:
    groups: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        groups[c.endpoint_group()].append(c)
    head = "| endpoints | n | nobody | " + " | ".join(ROLES) + " |"
    sep = "|---|---:|---|" + "---|" * len(ROLES)
    rows = []
    for g in sorted(groups):
        cs = groups[g]
        nobody = "public" if all(c.roles is None for c in cs) else (
            "some public" if any(c.roles is None for c in cs) else "401 / login")
        rows.append(f"| `{g}` | {len(cs)} | {nobody} | " + " | ".join(_cell(cs, r) for r in ROLES) + " |")
    return "\n".join([BEGIN, head, sep, *rows, END])


def main() -> None:
    from tests.security.test_matrix import CASES

    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    table = render_table(CASES)
    if BEGIN in doc and END in doc:
        doc = doc[: doc.index(BEGIN)] + table + doc[doc.index(END) + len(END):]
    else:
        doc = doc + "\n" + table + "\n"
    DOC.write_text(doc, encoding="utf-8")
    print(f"wrote {DOC} ({len(CASES)} endpoints)", file=sys.stderr)


if __name__ == "__main__":
    main()
