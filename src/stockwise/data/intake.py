"""One call from a user's file to validated canonical rows: read → map → validate.

This is the library entry point behind ``stockwise validate`` and every workflow that
loads data. It also writes what the user needs to fix their file: the quarantine CSV (their
own headers, the row numbers they see, the reasons) and the list of issues.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.cells import write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.mapping import apply_mapping, build_mapping
from stockwise.data.readers import RawTable, from_frame, read_table
from stockwise.data.validation import (
    ValidatedTable,
    validate_batches,
    validate_inventory,
    validate_sales,
)

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
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    date_format: str | None = None,
    as_of: pd.Timestamp | str | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> ValidatedTable:
    """Read, map and validate one table; the result always accounts for every input row.

    ``source`` is a file path (CSV/Excel/Parquet), an in-memory DataFrame, or a
    :class:`RawTable` (e.g. from the SQL adapter). ``column_map`` maps canonical names to
    the user's names (``{"ds": "Date", "y": "Ventes"}``); common English and French
    headers are recognised without it. ``bounds``: the plausible ranges of the numbers
    (:mod:`stockwise.data.bounds`); values beyond them are quarantined. Raises only when
    the table is unusable as a whole.
    """
    if table not in _VALIDATORS:
        raise ValueError(f"unknown table '{table}'; expected one of {sorted(_VALIDATORS)}")
    if isinstance(source, RawTable):
        raw = source
    elif isinstance(source, pd.DataFrame):
        raw = from_frame(source, copy=False)  # validation only reads the raw table
    else:
        raw = read_table(source, sep=sep, encoding=encoding, decimal=decimal, sheet=sheet)
    spec = S.TABLES[table]
    user_columns = [c for c in raw.frame.columns if c != S.SOURCE_ROW]
    mapping = build_mapping(user_columns, column_map, table=spec, detect=detect_columns)
    mapped = RawTable(apply_mapping(raw.frame, mapping), raw.source, raw.dialect, raw.decimal)
    kwargs: dict[str, object] = {"date_format": date_format, "bounds": bounds}
    if table == "sales":
        kwargs["as_of"] = None if as_of is None else pd.Timestamp(as_of)
    result = _VALIDATORS[table](mapped, mapping, **kwargs)
    if raw.dialect is not None:
        d = raw.dialect
        sep_name = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(d.separator,
                                                                              d.separator)
        result.report.notes.insert(
            0, f"CSV read as {d.encoding}, separator {sep_name}, decimal '{d.decimal}'")
    if mapping.detected:
        result.report.notes.append(f"columns recognised: {mapping.describe()}")
    return result


def write_quarantine(result: ValidatedTable, out_dir: str | Path, stem: str | None = None
                     ) -> dict[str, Path]:
    """Write ``<stem>_quarantine.csv`` and ``<stem>_issues.csv``; return their paths.

    The quarantine file is written even when empty so that a pipeline can rely on it.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = stem or result.report.table
    paths = {
        "quarantine": out / f"{stem}_quarantine.csv",
        "issues": out / f"{stem}_issues.csv",
    }
    write_csv(result.quarantine, paths["quarantine"])  # the user's cells: never formulas
    write_csv(result.report.issues, paths["issues"])
    return paths
