"""Translations: zh-CN first, English available.

Each domain (or a sub-package of one) may ship `i18n.json` beside its modules: {"zh-CN": {"key": "文本"}, "en": {"key": "text"}}.
Keys are namespaced by convention ("events.status.closed"). A missing key falls back to zh-CN, then
to the key itself, so a page never breaks on a missing translation.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("zh-CN", "en")
PKG = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for f in sorted(PKG.glob("**/i18n.json")):  # a domain's sub-packages may carry their own
        data = json.loads(f.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            out[lang].update(data.get(lang, {}))
    return out


def t(key: str, lang: str = "zh-CN", **fmt: object) -> str:
    cat = catalogs()
    text = cat.get(lang, {}).get(key) or cat["zh-CN"].get(key) or key
    return text.format(**fmt) if fmt else text


def pick_language(query: str | None, cookie: str | None, accept: str | None = None) -> str:
    """The user's explicit choice (?lang=, then the cookie), else zh-CN.

    The browser's Accept-Language is deliberately ignored: command-centre machines are often set up in
    English while the staff work in Chinese; English is one click away and then remembered.
    """
    for cand in (query, cookie):
        if cand in LANGUAGES:
            return cand
    return "zh-CN"
