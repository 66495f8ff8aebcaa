"""Read the dates of a column as the user wrote them: the format is detected once from the
distinct texts, day-first and month-first told apart by the values, and a time of day
kept only when the column carries one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise.data.distinct_values import (
    Distinct,
    _is_str,
    _live_distinct,
    blank_mask,
    is_text_dtype,
)
from stockwise.errors import OptionError

DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m",
    "%d/%m/%y",
)


_TIME_OF_DAY = re.compile(
    r"^(?P<date>[^T\s]+)(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


def detect_date_format(text: pd.Series) -> str | None:
    """The format in :data:`DATE_FORMATS` that parses most of a sample of the cells."""
    sample = text.drop_duplicates().head(1000)
    best, best_count = None, 0
    for fmt in DATE_FORMATS:
        count = int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
        if count > best_count:
            best, best_count = fmt, count
    return best


def local_dates(text: pd.Series) -> pd.Series:
    """Timestamps as the date they were written on: ``2024-03-31T23:30:00+02:00``,
    ``2024-03-31 08:15`` and ``31/03/2024 08:15:00Z`` all read as 2024-03-31.

    Sales are counted per day (or coarser); the time of day carries nothing, and a UTC
    offset is dropped rather than applied, so a sale is on the day of the shop's own
    clock, as written, not moved to another day in UTC. Other text is left alone.
    """
    if not text.str.contains(":", regex=False).any():
        return text
    return text.str.replace(_TIME_OF_DAY, r"\g<date>", regex=True)


@dataclass(frozen=True)
class ParsedDates:
    """A column of dates as read: the dates (day precision), the cells that are not
    dates, the format used for text, and how many rows held a time of day or a UTC
    offset that was dropped (each read as the date it was written on)."""

    dates: pd.Series
    failed: pd.Series
    format: str | None
    times_dropped: int = 0


def parse_dates(
    values: pd.Series,
    date_format: str | None = None,
    *,
    distinct: Distinct | None = None,
) -> tuple[pd.Series, pd.Series, str | None]:
    """Return (datetimes, failed, format used) for a column of dates
    (:func:`read_dates`)."""
    found = read_dates(values, date_format, distinct=distinct)
    return found.dates, found.failed, found.format


def read_dates(
    values: pd.Series,
    date_format: str | None = None,
    *,
    distinct: Distinct | None = None,
) -> ParsedDates:
    """Read a column of dates, each at day precision.

    Text cells are parsed with one format for the whole column (given, or detected from a
    sample) so that ``03/04/2024`` cannot mean March in one row and April in the next.
    Native date/datetime objects (Excel, Parquet) are taken as they are. A time of day
    (or a UTC offset) is dropped, text or native alike (:func:`local_dates`), and the
    rows that had one are counted, for validation to say so; unless ``date_format``
    names an hour (``%H`` or ``%I``): hourly sales keep their hour (minutes and seconds
    are dropped).
    """
    if keeps_hours(date_format):
        return _hours(values, date_format)
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        out = out.astype("datetime64[ns]")
        days = out.dt.normalize()
        moved = out.notna() if getattr(values.dt, "tz", None) else (days != out) & out.notna()
        return ParsedDates(days, pd.Series(False, index=values.index), None, int(moved.sum()))
    if is_text_dtype(values):
        distinct = distinct or Distinct(values)
    blank = blank_mask(values, distinct=distinct)
    codes, uniques = _live_distinct(values, blank, distinct)
    parsed = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    timed = np.zeros(len(uniques), dtype=bool)
    is_str = _is_str(uniques)
    natives = ~is_str & np.fromiter(
        (not isinstance(u, int | float | bool) for u in uniques), bool, len(uniques)
    )
    if natives.any():  # date / datetime / Timestamp objects from Excel or Parquet
        parsed[natives] = pd.to_datetime(pd.Series(uniques[natives]), errors="coerce")
    used = date_format
    if is_str.any():
        text = pd.Series(uniques[is_str]).str.strip()
        if date_format is None:
            local = local_dates(text)
            timed[is_str] = (local != text).to_numpy()
            text = local
        used = date_format or detect_date_format(text)
        if used is not None:
            try:
                parsed[is_str] = pd.to_datetime(text, format=used, errors="coerce")
            except ValueError as exc:  # a bad directive such as %Q, whatever the cells
                raise OptionError(
                    f"the date format '{used}' is not valid: {exc}",
                    hint="Use strftime codes, e.g. %Y-%m-%d or %d/%m/%Y.",
                ) from exc
    if len(uniques) == 0:  # the column is entirely empty
        return ParsedDates(
            pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]"),
            pd.Series(False, index=values.index),
            used,
        )
    days = parsed.astype("datetime64[D]").astype("datetime64[ns]")
    timed |= (days != parsed) & ~np.isnat(parsed)
    timed &= ~np.isnat(parsed)
    out = pd.Series(days[np.maximum(codes, 0)], index=values.index)
    out[codes < 0] = pd.NaT
    failed = ~blank & out.isna()
    times = int(np.append(timed, False)[codes].sum())  # code -1 (blank) takes the last
    return ParsedDates(out, failed, used, times)


def keeps_hours(date_format: str | None) -> bool:
    """Whether dates read with ``date_format`` keep their hour (hourly sales)."""
    return date_format is not None and ("%H" in date_format or "%I" in date_format)


def _hours(values: pd.Series, date_format: str | None) -> ParsedDates:
    """Dates with their hour, for hourly sales (the format names an hour)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
    else:
        text = values.astype("string").str.strip()
        try:
            parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        except ValueError as exc:
            raise OptionError(
                f"the date format '{date_format}' is not valid: {exc}",
                hint="Use strftime codes, e.g. %Y-%m-%d %H:%M.",
            ) from exc
    out = parsed.astype("datetime64[ns]").dt.floor("h")
    failed = out.isna() & values.notna() & values.astype("string").str.strip().ne("")
    return ParsedDates(out, failed.fillna(False).astype(bool), date_format)
