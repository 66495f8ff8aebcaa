"""One call from a user's file to validated canonical rows: read → map → validate.

This is the library entry point behind ``stockwise validate`` and every workflow that
loads data. It also writes what the user needs to fix their file: the quarantine CSV (their
own headers, the row numbers they see, the reasons) and the list of issues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Unpack

import pandas as pd

from stockwise import schema as S
from stockwise.cells import STANDARD, CsvFormat, write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.mapping import apply_mapping, build_mapping
from stockwise.data.read_options import ReadingKeywords, ReadOptions, reading_options
from stockwise.data.readers import RAGGED_FIELDS, RawTable, from_frame, read_table
from stockwise.data.validation import (
    REASONS,
    UNPARSEABLE_DATE,
    ValidatedTable,
    concat_issues,
    validate_batches,
    validate_inventory,
    validate_sales,
)
from stockwise.errors import InputError

WRONG_FORMAT_SHARE = 0.5
"""Above this share of rows failing, a given date format is refused as wrong."""
MAP_OPTIONS = {"sales": "--map", "inventory": "--inventory-map", "batches": "--batches-map"}
"""The option that maps each table's columns (``column_map`` / ``inventory_map`` /
``batches_map`` in the library)."""
RAGGED_LINE = "ragged_line"
"""The rule of a CSV line whose number of fields differs from the header's."""

_VALIDATORS: dict[str, Callable[..., ValidatedTable]] = {
    "sales": validate_sales,
    "inventory": validate_inventory,
    "batches": validate_batches,
}


def load_table(
    source: str | Path | pd.DataFrame | RawTable,
    table: str = "sales",
    *,
    column_map: dict[str, str] | None = None,
    detect_columns: bool = True,
    read: ReadOptions | None = None,
    as_of: pd.Timestamp | str | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    **reading: Unpack[ReadingKeywords],
) -> ValidatedTable:
    """Read, map and validate one table; the result always accounts for every input row.

    ``source`` is a file path (CSV/Excel/Parquet), an in-memory DataFrame, or a
    :class:`RawTable` (e.g. from the SQL adapter). ``column_map`` maps canonical names to
    the user's names (``{"ds": "Date", "y": "Ventes"}``); common English and French
    headers are recognised without it. ``bounds``: the plausible ranges of the numbers
    (:mod:`stockwise.data.bounds`); values beyond them are quarantined. ``read``: how to
    read the file (:class:`~stockwise.data.read_options.ReadOptions`: separator,
    encoding, decimal mark, sheet, date format, lines to skip; None: detected); the same
    options are accepted as keywords (``load_table(path, sep=";", decimal=",")``), on top
    of ``read``. Raises only when the table is unusable as a whole.
    """
    read = reading_options(read, reading)
    date_format = read.date_format
    if table not in _VALIDATORS:
        raise ValueError(f"unknown table '{table}'; expected one of {sorted(_VALIDATORS)}")
    if isinstance(source, RawTable):
        raw = source
    elif isinstance(source, pd.DataFrame):
        raw = from_frame(source, copy=False)  # validation only reads the raw table
    else:
        raw = read_table(source, **read.file_kwargs())
    spec = S.TABLES[table]
    user_columns = [c for c in raw.frame.columns if c != S.SOURCE_ROW]
    mapping = build_mapping(user_columns, column_map, table=spec, detect=detect_columns)
    mapped = RawTable(apply_mapping(raw.frame, mapping), raw.source, raw.dialect, raw.decimal)
    kwargs: dict[str, object] = {"date_format": date_format, "bounds": bounds}
    if table == "sales":
        kwargs["as_of"] = None if as_of is None else pd.Timestamp(as_of)
    result = _VALIDATORS[table](mapped, mapping, **kwargs)
    if date_format is not None:
        _refuse_a_wrong_date_format(result, date_format)
    if raw.dialect is not None:
        result.report.dialect = d = raw.dialect
        sep_name = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
            d.separator, d.separator
        )
        result.report.notes.insert(
            0, f"CSV read as {d.encoding}, separator {sep_name}, decimal '{d.decimal}'"
        )
    if raw.title is not None:
        lines = "line" if raw.title.count == 1 else f"{raw.title.count} lines"
        result.report.notes.insert(
            0,
            f"the first {lines} ('{raw.title.text[:60]}') read as a title above the header "
            f"and skipped; pass --skip-rows 0 to read the first line as the header",
        )
    if mapping.detected:
        result.report.notes.append(f"columns recognised: {mapping.describe()}")
    unused = [c for c in user_columns if c not in set(mapping.columns.values())]
    if unused:
        shown = ", ".join(f"'{c}'" for c in unused[:10]) + (" …" if len(unused) > 10 else "")
        result.report.notes.append(
            f"{len(unused)} column(s) not recognised, kept as they are: {shown}; stockwise "
            f"uses them only when named (as drivers, or with {MAP_OPTIONS[table]} "
            "canonical=column)"
        )
    if raw.ragged is not None and not raw.ragged.empty:
        result = with_ragged_lines(result, raw.ragged, len(user_columns))
    return result


def _refuse_a_wrong_date_format(result: ValidatedTable, date_format: str) -> None:
    """A date format the user gave that fails on most rows is the wrong format: the rows
    it did read are then likely misread too (day and month swapped), so nothing is kept."""
    issues = result.report.issues
    failed = issues[issues["rule"] == UNPARSEABLE_DATE]
    rows = max(result.report.n_read, 1)
    if failed.empty or failed["row"].nunique() <= WRONG_FORMAT_SHARE * rows:
        return
    first = failed.iloc[0]
    raise InputError(
        f"the date format {date_format!r} fails on {failed['row'].nunique()} of {rows} rows "
        f"(e.g. row {first['row']}, column '{first['column']}': {first['value']!r}); the rows "
        "it reads are probably misread too",
        source=result.report.source,
        column=str(first["column"]),
        hint="Check the format (e.g. %d/%m/%Y for 31/12/2024), or leave it out: stockwise "
        "then detects it.",
    )


def with_ragged_lines(result: ValidatedTable, ragged: pd.DataFrame, width: int) -> ValidatedTable:
    """``result`` with the CSV lines of the wrong width quarantined and counted as read."""
    reasons = [f"the line has {n} fields, the header has {width}" for n in ragged[RAGGED_FIELDS]]
    lines = ragged.drop(columns=RAGGED_FIELDS).assign(**{REASONS: reasons})
    quarantine = pd.concat([result.quarantine, lines], ignore_index=True)
    quarantine = quarantine.sort_values(S.SOURCE_ROW, kind="stable", ignore_index=True)
    issues = pd.DataFrame(
        {
            "source": result.report.source,
            "row": ragged[S.SOURCE_ROW].to_numpy(),
            "column": None,
            "value": ragged[RAGGED_FIELDS].astype(str).to_numpy(),
            "rule": RAGGED_LINE,
            "severity": "error",
            "message": reasons,
        }
    )
    report = replace(
        result.report,
        n_read=result.report.n_read + len(ragged),
        n_quarantined=result.report.n_quarantined + len(ragged),
        issues=concat_issues(
            [result.report.issues, issues.reindex(columns=result.report.issues.columns)]
        ).sort_values(["row"], kind="stable", ignore_index=True),
    )
    return ValidatedTable(result.data, quarantine, report)


def write_quarantine(
    result: ValidatedTable,
    out_dir: str | Path,
    stem: str | None = None,
    csv_format: CsvFormat | None = None,
) -> dict[str, Path]:
    """Write ``<stem>_quarantine.csv`` and ``<stem>_issues.csv``; return their paths.

    The quarantine file is written even when empty so that a pipeline can rely on it. Both
    are in ``csv_format``, by default the form of the user's own CSV (a French export's
    rows go back with ``;`` and a BOM, so French Excel opens them in columns).
    """
    if csv_format is None:
        dialect = result.report.dialect
        csv_format = (
            CsvFormat.like_input(dialect.separator, dialect.decimal) if dialect else STANDARD
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = stem or result.report.table
    paths = {
        "quarantine": out / f"{stem}_quarantine.csv",
        "issues": out / f"{stem}_issues.csv",
    }
    write_csv(result.quarantine, paths["quarantine"], csv_format)  # never formulas
    write_csv(result.report.issues, paths["issues"], csv_format)
    return paths
