"""The words a buyer reads, in English or French: one catalogue per language.

The code writes English; ``locales/<lang>.yaml`` maps each English text (a header, a
heading, a sentence with ``{placeholders}``) to the language's. A text without an entry
stays English, so a new label never breaks a report, and a translator adds entries to
one file rather than to strings scattered in code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import yaml

from stockwise.errors import OptionError

LANGUAGES = ("en", "fr")
LOCALES = Path(__file__).resolve().parent / "locales"


def check_language(lang: str) -> str:
    """``lang`` if stockwise speaks it, else an error naming the languages it speaks."""
    key = (lang or "en").strip().lower()
    if key not in LANGUAGES:
        raise OptionError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return key


@functools.lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> Mapping[str, str]:
    """English text → the language's (empty for English)."""
    lang = check_language(lang)
    if lang == "en":
        return {}
    return yaml.safe_load((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8")) or {}


def tr(text: str, lang: str = "en", **values: object) -> str:
    """``text`` in ``lang`` (English when the catalogue has no entry), placeholders filled."""
    words = catalogue(lang).get(text, text)
    return words.format(**values) if values else words


def tr_map(headers: Mapping[str, str], lang: str = "en") -> dict[str, str]:
    """A column → header mapping with its headers in ``lang``."""
    return {key: tr(value, lang) for key, value in headers.items()}
