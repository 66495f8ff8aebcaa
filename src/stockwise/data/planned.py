"""Planned values of known-ahead drivers (promotions, prices, events) for forecast periods.

Why a table of its own: a model trained on sales with a ``promo`` or ``price`` column can
only use it for the days it forecasts if someone says what is planned for them — the
promotion calendar and the price list are known before the sales are. This file gives
those values: ``unique_id, ds`` and one column per driver, one row per product and
forecast period. Unlike sales rows, a planned row with a bad value cannot be set aside
(the forecast needs every period), so the first bad cell stops the run with its file,
row and column named.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.data.parsing import parse_dates, parse_numbers
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.data.readers import RawTable, from_frame, read_table
from stockwise.errors import InputError, MissingColumnsError

KEYS = (S.UNIQUE_ID, S.DS)


def read_planned(
    source: str | Path | pd.DataFrame | RawTable,
    exog: Sequence[str] = (),
    reading: ReadOptions = NO_OPTIONS,
) -> pd.DataFrame:
    """``unique_id, ds`` and the driver columns (numbers; flags as 0/1), checked.

    ``source``: a file, a frame, or a table already read (:class:`RawTable`, e.g. an
    upload read with its own separator or sheet). ``reading``: how to read a file, as
    for the sales (separator, encoding, decimal mark, sheet, date format).
    ``exog``: the driver columns to keep (default: every column besides the keys and
    ``sector``). Raises :class:`InputError` naming the file, row and column of the first
    missing key, unreadable date, non-numeric value or duplicated (unique_id, ds).
    """
    if isinstance(source, RawTable):
        raw = source
    else:
        raw = (
            from_frame(source)
            if isinstance(source, pd.DataFrame)
            else read_table(source, **reading.file_kwargs())
        )
    frame = raw.frame
    columns = [c for c in frame.columns if c != S.SOURCE_ROW]
    exog = list(exog) or [c for c in columns if c not in (*KEYS, S.SECTOR)]
    missing = [c for c in (*KEYS, *exog) if c not in columns]
    if missing:
        raise MissingColumnsError(missing, columns, source=raw.source, table="planned-inputs")
    if not exog:
        raise InputError(
            "the planned-inputs table has no driver column besides unique_id and ds",
            source=raw.source,
            hint="Add the planned values, e.g. a promo or price column.",
        )
    rows = frame[S.SOURCE_ROW]
    out = pd.DataFrame({S.UNIQUE_ID: frame[S.UNIQUE_ID].astype("string").str.strip()})
    _first_bad(
        out[S.UNIQUE_ID].isna() | (out[S.UNIQUE_ID] == ""),
        rows,
        raw.source,
        S.UNIQUE_ID,
        "a product id is missing",
    )
    dates, failed, _ = parse_dates(frame[S.DS], reading.date_format)
    _first_bad(failed | dates.isna(), rows, raw.source, S.DS, "expected a date (e.g. 2026-01-31)")
    out[S.UNIQUE_ID] = out[S.UNIQUE_ID].astype(str)
    out[S.DS] = dates
    for column in exog:
        values, bad = parse_numbers(frame[column], raw.decimal)
        _first_bad(
            bad | values.isna(),
            rows,
            raw.source,
            column,
            "expected a number for every planned period (0/1 for a flag)",
        )
        out[column] = values.astype(float)
    _first_bad(
        out.duplicated(list(KEYS), keep="first"),
        rows,
        raw.source,
        S.DS,
        "this (unique_id, ds) is planned twice",
    )
    return out.sort_values(list(KEYS), kind="stable").reset_index(drop=True)


def _first_bad(mask: pd.Series, rows: pd.Series, source: str, column: str, message: str) -> None:
    if mask.any():
        row = int(rows[mask.to_numpy()].iloc[0])
        raise InputError(message, source=source, row=row, column=column)


__all__ = ["read_planned"]
