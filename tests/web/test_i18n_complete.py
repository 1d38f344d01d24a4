"""English mode complete (#13 item 7): every text of every i18n.json has an English value.

An English value may be empty, or hold Chinese characters, only where it says so below (a suffix English
does without; an example of a Chinese licence plate).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "citybrain"
CATALOGUES = sorted(PKG.glob("**/i18n.json"))
HAN = re.compile(r"[\u3400-\u9fff]")
EMPTY_IN_ENGLISH = {"emergency.js.level_suffix", "emergency.js.month"}  # "Ⅰ级" → "Level I", "3月" → "Mar"
CHINESE_IN_ENGLISH = {"traffic.form.plate_hint"}  # "e.g. 川A12345": a plate is written in Chinese


@pytest.mark.parametrize("path", CATALOGUES, ids=[str(p.parent.relative_to(PKG)) for p in CATALOGUES])
def test_every_text_has_an_english_value(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    zh, en = data["zh-CN"], data.get("en", {})
    missing = sorted(k for k in zh if k not in en)
    assert not missing, f"{path.parent.name}: no English for {missing}"
    empty = sorted(k for k in zh if not en[k].strip() and k not in EMPTY_IN_ENGLISH)
    assert not empty, f"{path.parent.name}: empty English for {empty}"
    chinese = sorted(k for k, v in en.items() if HAN.search(v) and k not in CHINESE_IN_ENGLISH)
    assert not chinese, f"{path.parent.name}: Chinese left in the English texts {chinese}"
    stray = sorted(k for k in en if k not in zh)
    assert not stray, f"{path.parent.name}: English texts with no Chinese original {stray}"


def test_placeholders_match_in_both_languages() -> None:
    for path in CATALOGUES:
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, text in data["zh-CN"].items():
            en = data["en"].get(key, "")
            if not en:
                continue
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", en)), (path.parent.name, key)
