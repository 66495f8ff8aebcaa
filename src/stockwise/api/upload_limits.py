"""Bounded work per upload: the size of what a file unpacks to, its columns, its rows, and
how many issues an answer lists.

The size limit (``UploadLimit``) counts the bytes sent; a workbook is a zip that can hold
a hundred times that, and a CSV line can declare a million columns. These checks run
before the expensive step each bounds (unpacking, parsing, validating), so a small hostile
file costs a small amount of work, and every answer stays small: issues and quarantined
rows past ``max_inline_issues`` are counted, not listed.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from stockwise.api.errors import ApiError, ErrorPlace
from stockwise.api.settings import Settings
from stockwise.data.readers import EXCEL_SUFFIXES, SEPARATORS

MB = 1024 * 1024
MAX_CELL = 200
"""Characters of one value (or column name) an answer quotes; longer ones end in "…"."""
MAX_INLINE_BYTES = 256 * 1024
"""JSON an answer spends on listed issues, and again on quarantined rows."""


def check_unpacked_size(path: Path, name: str, settings: Settings) -> None:
    """413 when a workbook unpacks to more than ``max_spreadsheet_mb``, or to more than
    ``max_spreadsheet_ratio`` times its own size (its zip directory says so without
    unpacking anything). Reading a workbook costs about a second per unpacked MB, so the
    ratio bounds the work a small file can ask for: a 200 KB workbook is read in seconds,
    while one packing 500,000 repeated rows into 200 KB (a ratio of 250) is refused."""
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return
    try:
        with zipfile.ZipFile(path) as book:
            size = sum(entry.file_size for entry in book.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: the reader says so, naming the file
    ratio = size / max(path.stat().st_size, 1)
    if ratio > settings.max_spreadsheet_ratio:
        raise ApiError(
            413,
            f"file {name}: the workbook unpacks to {size / MB:.1f} MB, "
            f"{ratio:.0f} times its size; at most "
            f"{settings.max_spreadsheet_ratio:g} times is read",
            code="too_large",
            at=ErrorPlace(file=name),
            hint="Send the sheet as CSV or Parquet, or raise "
            "STOCKWISE_MAX_SPREADSHEET_RATIO on the server.",
        )
    if size > settings.max_spreadsheet_mb * MB:
        raise ApiError(
            413,
            f"file {name}: the workbook unpacks to {size / MB:.0f} MB, over "
            f"the limit of {settings.max_spreadsheet_mb:g} MB",
            code="too_large",
            at=ErrorPlace(file=name),
            hint="Send the sheet as CSV or Parquet, split it, or raise "
            "STOCKWISE_MAX_SPREADSHEET_MB on the server.",
        )


def check_header_width(path: Path, name: str, settings: Settings) -> None:
    """422 when a CSV's first line holds more fields than ``max_columns`` under any
    separator: counted on the first line alone, before anything is parsed."""
    if path.suffix.lower() not in {".csv", ".txt", ".tsv"}:
        return
    with path.open("rb") as handle:
        first = handle.readline(settings.max_columns * 256)
    widest = max(first.count(sep.encode()) for sep in SEPARATORS) + 1
    if widest > settings.max_columns:
        raise ApiError(
            422,
            f"file {name}: the header has {widest} or more columns; at most "
            f"{settings.max_columns} are read",
            code="invalid_file",
            at=ErrorPlace(file=name, row=1),
            hint="Keep the columns stockwise uses (or raise STOCKWISE_MAX_COLUMNS on the server).",
        )


def check_table_size(n_rows: int, n_columns: int, name: str, settings: Settings) -> None:
    """413 / 422 when a table read from any format is over the row or column limit."""
    if n_columns > settings.max_columns:
        raise ApiError(
            422,
            f"file {name}: {n_columns} columns; at most {settings.max_columns} are read",
            code="invalid_file",
            at=ErrorPlace(file=name, row=1),
            hint="Keep the columns stockwise uses (or raise STOCKWISE_MAX_COLUMNS on the server).",
        )
    if n_rows > settings.max_rows:
        raise ApiError(
            413,
            f"file {name}: {n_rows} rows; at most {settings.max_rows} are taken in one upload",
            code="too_large",
            at=ErrorPlace(file=name),
            hint="Split the file (uploads add up: rows are upserted), or raise "
            "STOCKWISE_MAX_ROWS on the server.",
        )


def inline(items: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The first items an answer lists: at most ``limit`` of them and about
    :data:`MAX_INLINE_BYTES` of JSON, each value and key cut to :data:`MAX_CELL`
    characters — a preview; the answer's counts say how many there are in all."""
    out: list[dict[str, Any]] = []
    size = 0
    for item in items[:limit]:
        cut = {_cut(str(k)): _cut(v) for k, v in item.items()}
        size += len(json.dumps(cut, default=str))
        if out and size > MAX_INLINE_BYTES:
            break
        out.append(cut)
    return out


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_CELL:
        return value[:MAX_CELL] + "…"
    return value
