"""The words a buyer reads, in English or French: one catalogue per language.

The code writes English; ``locales/<lang>.yaml`` maps each English text (a header, a
heading, a sentence with ``{placeholders}``) to the language's. A text without an entry
stays English, so a new label never breaks a report, and a translator adds entries to
one file rather than to strings scattered in code.

The library's tables keep English (the data contract, what an ERP reads); the edges that
show them to a person — the files of ``--lang fr``, the report, the workbook, the
terminal, the dashboard — pass their sentences through :func:`say`, which recognises an
English sentence by the catalogue's templates, clause by clause, and writes it in the
language with its numbers and dates in the language's form (:func:`number`, :func:`day`).
So the planning code stays free of a ``lang`` argument, and one catalogue serves all.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

import pandas as pd

from stockwise.errors import OptionError

T = TypeVar("T")
LANGUAGES = ("en", "fr")
LOCALES = Path(__file__).resolve().parent / "locales"
THOUSANDS = {"en": ",", "fr": "\u202f"}
"""The thousands separator: French uses a narrow no-break space ("1 234,5")."""
DECIMAL = {"en": ".", "fr": ","}
DAY_FORMAT = {"en": "%Y-%m-%d", "fr": "%d/%m/%Y"}
EXCEL_DAY_FORMAT = {"en": "yyyy-mm-dd", "fr": "dd/mm/yyyy"}
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
_PERCENT = re.compile(r"(?P<n>[+-]?\d+(\.\d+)?)%")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"(?P<n>[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?) (?P<code>[A-Z]{3})")


def check_language(lang: str | None) -> str:
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
    return yaml_load(LOCALES / f"{lang}.yaml")


def yaml_load(path: Path) -> dict[str, str]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def tr(text: str, lang: str = "en", **values: object) -> str:
    """``text`` in ``lang`` (English when the catalogue has no entry), placeholders filled."""
    words = catalogue(lang).get(text, text)
    return words.format(**values) if values else words


def tr_map(headers: Mapping[str, str], lang: str = "en") -> dict[str, str]:
    """A column → header mapping with its headers in ``lang``."""
    return {key: tr(value, lang) for key, value in headers.items()}


# -- numbers and dates ---------------------------------------------------------------------
def number(value: float, lang: str = "en", decimals: int = 0) -> str:
    """``value`` with thousands grouped and ``decimals`` places: "1,234.5" / "1 234,5"."""
    text = f"{float(value):,.{decimals}f}"
    return _localise_number(text, lang)


def percent(value: float, lang: str = "en", decimals: int = 0) -> str:
    """A share as a percentage: "12%" / "12 %" (French puts a no-break space before it)."""
    text = f"{float(value) * 100:,.{decimals}f}"
    return _localise_number(text, lang) + ("\u202f%" if lang == "fr" else "%")


def day(value: object, lang: str = "en") -> str:
    """A date as the language writes it: 2024-03-05 / 05/03/2024 (empty when missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime(DAY_FORMAT[check_language(lang)])


def _localise_number(text: str, lang: str) -> str:
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", DECIMAL[lang]).replace("\x00", THOUSANDS[lang])


def localise(token: str, lang: str) -> str:
    """One value inside a sentence in the language's form: a number, a percentage, an
    amount of money or an ISO date is rewritten; anything else is translated as a sentence
    (:func:`say`)."""
    return _localise(token, lang, None)


def _localise(token: str, lang: str, missed: list[str] | None) -> str:
    if lang == "en":
        return token
    core = token.lstrip("~")
    lead = token[: len(token) - len(core)]
    if _NUMBER.fullmatch(core):
        return lead + _localise_number(core, lang)
    found = _PERCENT.fullmatch(core)
    if found:
        return lead + _localise_number(found["n"], lang) + "\u202f%"
    found = _MONEY.fullmatch(core)
    if found:
        return lead + _localise_number(found["n"], lang) + "\u00a0" + found["code"]
    if _ISO_DAY.fullmatch(core):
        return lead + day(core, lang)
    return _translate(token, lang, missed)


# -- sentences -----------------------------------------------------------------------------
CLAUSES = ("; ", ": ", ". ", ", ")
"""Where a sentence is cut into clauses, in this order."""
SEPARATORS = {"en": CLAUSES, "fr": (" ; ", " : ", ". ", ", ")}
"""How clauses are joined back: French puts a space before ";" and ":"."""


def say(text: T, lang: str = "en") -> T:
    """An English sentence of stockwise (an alert, an action, a reason) in ``lang``.

    The sentence is looked up whole, else cut into clauses at :data:`CLAUSES` outside
    brackets (so a template holds none of them outside brackets); each clause is looked
    up as is, then against the catalogue's templates (``"order {qty} now"``),
    whose values are written back in the language's form (numbers, dates, or a clause of
    their own). A clause no entry knows stays English, so nothing is lost. Not text
    (a missing value): returned as is.
    """
    if not isinstance(text, str) or not text or check_language(lang) == "en":
        return text
    return _say(text, lang)  # type: ignore[return-value]


def untranslated(text: str, lang: str) -> list[str]:
    """The clauses of ``text`` the catalogue of ``lang`` does not know (what a translator
    has left to add; tests check that every sentence stockwise writes is covered)."""
    missed: list[str] = []
    _translate(text, check_language(lang), missed)
    return missed


@functools.lru_cache(maxsize=65536)
def _say(text: str, lang: str) -> str:
    return _translate(text, lang, None)


def _translate(text: str, lang: str, missed: list[str] | None) -> str:
    words = catalogue(lang)
    if text in words:
        return words[text]
    for separator, joiner in zip(CLAUSES, SEPARATORS[lang], strict=True):
        if separator not in text:
            continue
        parts = _split(text, separator)
        if len(parts) > 1:  # (a French " ; " leaves a space before the cut: not doubled)
            parts = [p.rstrip(" ") if joiner[0] == " " else p for p in parts]
            return joiner.join(
                _say(p, lang) if missed is None else _translate(p, lang, missed) for p in parts
            )
    for prefix, pattern, translated in _templates(lang):
        if not text.startswith(prefix):
            continue
        found = pattern.fullmatch(text)
        values = _values(found.groupdict(), lang) if found else None
        if values is not None:
            return translated.format(**values)
    if missed is not None and " " in text.strip():  # one word: a name (a policy, a sector)
        missed.append(text)
    return text


def _values(found: dict[str, str], lang: str) -> dict[str, str] | None:
    """A template's values in the language's form; None when one is a sentence the
    catalogue does not know — the template then does not fit (``"{days}d"`` must not
    take "a word that ends in d" as its number of days)."""
    values = {}
    for name, value in found.items():
        said = _value(value, lang)
        if said is None:
            return None
        values[name] = said
    return values


@functools.lru_cache(maxsize=65536)
def _value(value: str, lang: str) -> str | None:
    unknown: list[str] = []
    said = _localise(value, lang, unknown)
    return None if unknown else said


def _split(text: str, separator: str) -> list[str]:
    """``text`` cut at ``separator`` where no bracket is open."""
    if not any(bracket in text for bracket in "()[]"):
        return text.split(separator)
    parts, depth, start = [], 0, 0
    for mark in _MARKS[separator].finditer(text):
        token = mark.group()
        if token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth -= 1
        elif depth == 0:
            parts.append(text[start : mark.start()])
            start = mark.end()
    parts.append(text[start:])
    return parts


_MARKS = {separator: re.compile(r"[()\[\]]|" + re.escape(separator)) for separator in CLAUSES}


@functools.lru_cache(maxsize=len(LANGUAGES))
def _templates(lang: str) -> list[tuple[str, re.Pattern[str], str]]:
    """The catalogue's entries with placeholders as (the text before the first
    placeholder, pattern, translation); the most literal first, so "order {qty} now" is
    tried before "order {qty} by {date}". The prefix skips most patterns at the cost of a
    ``startswith``: a 100,000-line plan has a million clauses."""
    found = []
    for english, translated in catalogue(lang).items():
        parsed = list(string.Formatter().parse(english))
        fields = [name for _, name, _, _ in parsed if name]
        if not fields:
            continue
        pattern = "".join(
            re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
            for literal, name, _, _ in parsed
        )
        literal = len(english) - sum(len(name) + 2 for name in fields)
        found.append((literal, parsed[0][0], re.compile(pattern, re.DOTALL), translated))
    found.sort(key=lambda item: -item[0])
    return [(prefix, pattern, translated) for _, prefix, pattern, translated in found]


SENTENCES = ("action", "message", "reason")
"""Columns of free text: translated in every output of ``--lang fr``, files included."""
CODES = ("urgency", "severity", "alert", "type")
"""Columns of codes ("order now", "high", "stockout_risk"): translated where a person reads
them (workbook, report, terminal, dashboard) but kept in the CSV files, which programs read."""


def say_columns(
    frame: pd.DataFrame, lang: str, columns: tuple[str, ...] = SENTENCES + CODES
) -> pd.DataFrame:
    """``frame`` with the text of ``columns`` (those present) in ``lang``."""
    if check_language(lang) == "en":
        return frame
    present = [c for c in columns if c in frame.columns]
    if not present or frame.empty:
        return frame
    return frame.assign(**{c: frame[c].map(lambda v: say(v, lang)) for c in present})
