"""Work out how a CSV file is written before reading it: its encoding, separator, decimal
mark and any title lines above the header; a file
that is not text is refused with a sentence rather than read as garbage.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass

import pandas as pd

from stockwise.errors import EmptyInputError, InputError

SEPARATORS = [",", ";", "\t", "|"]


ENCODINGS = ["utf-8-sig", "cp1252", "latin-1"]


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(?:[ .\u00a0\u202f]?\d{3})*,\d+\s*$")


_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d{1,3}(?:[ ,\u00a0\u202f]?\d{3})*\.\d+\s*$")


@dataclass(frozen=True)
class CsvDialect:
    """What was detected (or given) about a CSV file; reported back to the user."""

    separator: str
    encoding: str
    decimal: str


@dataclass(frozen=True)
class TitleRows:
    """Lines above the header that read as a title (one filled cell, e.g. "Export ventes
    janvier"), skipped without being asked: ``count`` lines, the first one's ``text``."""

    count: int
    text: str


TITLE_SCAN = 3
"""At most this many lines above the header are taken for a title without being asked."""


def title_lines(lines: list[str], sep: str | None = None) -> TitleRows | None:
    """The leading lines of a CSV that are plainly a title above the header, or None.

    A title is what an ERP writes above its table ("Export ventes - janvier 2025"): lines
    with at most one filled field, followed (after at most :data:`TITLE_SCAN` of them) by
    the header, the first line with several. Reading the title as the header would name a
    single column and report every real column as missing, so it is skipped and said.
    The separator is ``sep``, else the candidate whose header has the most fields (a
    decimal comma must not pass for a separator). Anything less plain is left alone.
    """
    best: tuple[int, int, str] | None = None  # (fields of the header, -its index, text)
    for candidate in [sep] if sep else SEPARATORS:
        filled = [
            sum(bool(f.strip()) for f in next(csv.reader([line], delimiter=candidate), []))
            for line in lines
        ]
        header = next((i for i, n in enumerate(filled) if n >= 2), None)
        if header is None:
            continue
        first = next(
            (
                line.strip().strip(candidate).strip()
                for line, n in zip(lines[:header], filled, strict=False)
                if n
            ),
            "",
        )
        if best is None or (filled[header], -header) > best[:2]:
            best = (filled[header], -header, first)
    if best is None or best[1] == 0 or -best[1] > TITLE_SCAN or not best[2]:
        return None
    return TitleRows(-best[1], best[2])


_HEAD_CHARS = 1 << 16
"""The start of a file looked at for a title: never the whole text of a large file."""


_LINE_END = re.compile(r"\r\n|\r|\n")


def _after_lines(text: str, count: int, source: str) -> str:
    """``text`` from its line ``count + 1`` on, found without splitting the whole file."""
    ends = _LINE_END.finditer(text)
    end = None
    for _ in range(count):
        end = next(ends, None)
        if end is None:
            break
    if end is None or not text[end.end() :].strip():
        raise EmptyInputError(
            f"nothing is left after skipping {count} line(s)",
            source=source,
            hint="Check --skip-rows: it counts the lines above the header.",
        )
    return text[end.end() :]


def _check_encoding(encoding: str, source: str) -> None:
    """A given encoding must be a text codec Python knows (``rot13`` or ``zip`` are not)."""
    try:
        known = codecs.lookup(encoding)
    except LookupError:
        known = None
    if known is None or not getattr(known, "_is_text_encoding", True):
        raise InputError(
            f"unknown text encoding '{encoding}'",
            source=source,
            hint="Use utf-8, utf-16, cp1252 or latin-1, or leave the encoding "
            "out to have it detected.",
        )


def _refuse_nul(text: str, source: str) -> None:
    """A NUL character left after decoding: the CSV parser would cut the cell short there,
    silently, so the file is refused, naming the line."""
    line = text.count("\n", 0, text.index("\x00")) + 1
    raise InputError(
        "a NUL character (\\x00) is in this line; a text cell cannot hold one",
        source=source,
        row=line,
        hint="Remove it; if the whole file looks like this, it is not a CSV "
        "text file, or its encoding is not the one given.",
    )


def detect_encoding(data: bytes) -> str:
    """UTF-32 or UTF-16 when the file starts with their byte-order mark (Excel's "Unicode
    text" is UTF-16); UTF-8 (with or without BOM) when it decodes; else Windows-1252 (a
    Latin-1 superset)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # decodes any byte sequence


def detect_separator(text: str) -> str:
    """Pick the separator that splits the first lines into the most consistent fields."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1
    for sep in SEPARATORS:
        counts = [len(next(csv.reader([line], delimiter=sep))) for line in lines]
        if counts[0] < 2:
            continue
        score = sum(c == counts[0] for c in counts) * counts[0]
        if score > best_score:
            best, best_score = sep, score
    return best


def detect_decimal(frame: pd.DataFrame, sep: str) -> str:
    """Decimal comma when numeric-looking cells use a comma and none use a point."""
    if sep == ",":
        return "."
    comma = point = 0
    for column in frame.columns:
        sample = frame[column].head(500)
        comma += int(sample.str.match(_DECIMAL_COMMA).sum())
        point += int(sample.str.match(_DECIMAL_POINT).sum())
    return "," if comma > point else "."
