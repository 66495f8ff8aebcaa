"""Parse raw cells (text from CSV, objects from Excel/Parquet) into typed columns.

Each parser returns the parsed values *and* a mask of the cells it could not parse, so the
validator can name every failing row with the exact value the user wrote. Nothing here
guesses silently: a cell that is not clearly a number or a date is reported, not coerced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
TRUE_WORDS = {"1", "true", "yes", "y", "oui", "o", "vrai", "x", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "non", "faux", "f", ""}
MISSING_WORDS = {"nan", "na", "n/a", "#n/a", "null", "none", "-", "#value!"}
"""Cells that spreadsheets and databases write for "no value": treated as empty."""
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_TIME_OF_DAY = re.compile(
    r"^(?P<date>[^T\s]+)(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_THOUSANDS_COMMA = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_POINT = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")


class Distinct:
    """A column's distinct non-missing values, and for each cell the one it holds.

    ERP columns repeat a few values millions of times (ids, dates, labels): parsing and
    checking the distinct values only, then broadcasting back, keeps validation of a
    million-row file in seconds. One ``Distinct`` can serve every check of a column.
    """

    def __init__(self, values: pd.Series) -> None:
        self.index = values.index
        self.is_text = is_text_dtype(values)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        self.codes: np.ndarray = codes
        self.uniques: np.ndarray = np.asarray(uniques, dtype=object)
        self.has_missing = bool(len(codes)) and int(codes.min()) < 0

    def broadcast(
        self, mapped: np.ndarray, fill: object = None, dtype: type | None = None
    ) -> pd.Series:
        """Each cell's entry of ``mapped`` (one per distinct value); ``fill`` where missing.

        The result keeps ``mapped``'s dtype when there is no ``fill``, else takes ``dtype``
        (object unless given). Missing cells have code -1: they read the extra last slot.
        """
        mapped = np.asarray(mapped)
        table = np.empty(len(mapped) + 1, dtype=mapped.dtype if fill is None else (dtype or object))
        table[:-1] = mapped
        if self.has_missing:
            table[-1] = fill
        return pd.Series(table[self.codes], index=self.index)


def is_text_dtype(values: pd.Series) -> bool:
    """True for columns that may hold strings (object or a string dtype)."""
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def by_unique(
    values: pd.Series,
    func: Callable[[np.ndarray], np.ndarray],
    fill: object = None,
    *,
    distinct: Distinct | None = None,
) -> pd.Series:
    """Apply ``func`` to the distinct non-missing values only, then broadcast back.

    ``distinct`` reuses a column's factorisation computed for another check.
    """
    distinct = distinct or Distinct(values)
    return distinct.broadcast(func(distinct.uniques), fill)


def _is_str(uniques: np.ndarray) -> np.ndarray:
    return np.fromiter((isinstance(u, str) for u in uniques), bool, len(uniques))


def is_text(values: pd.Series, *, distinct: Distinct | None = None) -> pd.Series:
    """True where the cell holds a string (CSV cells, or mixed Excel columns)."""
    if not is_text_dtype(values):
        return pd.Series(False, index=values.index)
    distinct = distinct or Distinct(values)
    return distinct.broadcast(_is_str(distinct.uniques), fill=False, dtype=bool)


def _blank_text(uniques: np.ndarray) -> np.ndarray:
    return np.fromiter(
        (
            isinstance(u, str) and (not u.strip() or u.strip().lower() in MISSING_WORDS)
            for u in uniques
        ),
        bool,
        len(uniques),
    )


def blank_mask(values: pd.Series, *, distinct: Distinct | None = None) -> pd.Series:
    """True for missing cells: NaN/None/NaT, whitespace, or words like "NaN", "N/A", "null".

    In text columns the factorisation already sets missing cells apart (they have no
    distinct value), so only the distinct strings are looked at.
    """
    if is_text_dtype(values):
        distinct = distinct or Distinct(values)
        return distinct.broadcast(_blank_text(distinct.uniques), fill=True, dtype=bool)
    return values.isna()


def parse_numbers(
    values: pd.Series, decimal: str = ".", *, distinct: Distinct | None = None
) -> tuple[pd.Series, pd.Series]:
    """Return (floats, failed) where failed marks non-blank cells that are not numbers.

    Thousands separators are removed only where the cell clearly uses them
    (``1,234.5`` or ``1.234,5``), so ``12,5`` in a point-decimal file is reported instead
    of being read as 125. Infinity is treated as non-numeric. Text is parsed once per
    distinct string.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float), pd.Series(False, index=values.index)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
        floats = values.to_numpy(dtype=float)
        infinite = np.isinf(floats)
        return (
            pd.Series(np.where(infinite, np.nan, floats), index=values.index, name=values.name),
            pd.Series(infinite, index=values.index, name=values.name),
        )
    if pd.api.types.is_numeric_dtype(values):
        blank = values.isna()
        out = values.astype(float)
        failed = ~blank & ~np.isfinite(out.fillna(0.0))
        return out.where(~failed), failed
    text_dtype = is_text_dtype(values)
    if text_dtype:
        distinct = distinct or Distinct(values)
    blank = blank_mask(values, distinct=distinct)
    is_str = is_text(values, distinct=distinct)
    out = pd.Series(np.nan, index=values.index, dtype=float)
    others = ~is_str & ~blank
    if others.any():
        out[others] = pd.to_numeric(values[others], errors="coerce")
    if is_str.any():
        assert distinct is not None  # built above: only a text dtype holds strings
        strings = _is_str(distinct.uniques)
        parsed = np.full(len(distinct.uniques), np.nan)
        parsed[strings] = _text_numbers(pd.Series(distinct.uniques[strings]), decimal)
        out[is_str] = parsed[distinct.codes[is_str.to_numpy()]]
    out = out.where(np.isfinite(out))
    failed = ~blank & out.isna()
    return out, failed


def _text_numbers(text: pd.Series, decimal: str) -> np.ndarray:
    """Floats (NaN where not a number) for strings written with ``decimal`` as the mark."""
    text = text.astype(str).str.replace(_SPACES, "", regex=True)
    if decimal == ",":
        dotted = text.str.match(_THOUSANDS_POINT)
        text = text.where(~dotted, text.str.replace(".", "", regex=False))
        text = text.str.replace(",", ".", regex=False)
    else:
        commas = text.str.match(_THOUSANDS_COMMA)
        text = text.where(~commas, text.str.replace(",", "", regex=False))
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


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


def _live_distinct(
    values: pd.Series, blank: pd.Series, distinct: Distinct | None
) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of the non-blank cells, in order of first appearance.

    When some non-blank cell is a string, the column's own factorisation is reused with
    its blank values dropped; otherwise the non-blank cells are factorised afresh (pandas
    may give them a more specific type once the blanks are gone, e.g. datetimes).
    """
    if distinct is not None:
        keep = ~_blank_text(distinct.uniques)
        if _is_str(distinct.uniques[keep]).any():
            renumber = np.full(len(keep) + 1, -1, dtype=np.intp)  # last slot: missing
            renumber[:-1][keep] = np.arange(int(keep.sum()))
            return renumber[distinct.codes], distinct.uniques[keep]
    codes, uniques = pd.factorize(values.where(~blank), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def parse_flags(
    values: pd.Series, *, distinct: Distinct | None = None
) -> tuple[pd.Series, pd.Series]:
    """Return (0/1 integers, failed) for yes/no style columns (1/0, true/false, oui/non).

    Numeric columns need no words (no number but 0 and 1 reads as a flag word); text
    columns are decided once per distinct value.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("int8"), pd.Series(False, index=values.index)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
        numbers = values.to_numpy()
        ones = numbers == 1
        failed = ~ones & (numbers != 0)
        if numbers.dtype.kind == "f":
            failed &= ~np.isnan(numbers)
        return (
            pd.Series(ones.astype("int8"), index=values.index),
            pd.Series(failed, index=values.index),
        )
    if pd.api.types.is_numeric_dtype(values):
        return _flags(values, words=None)
    distinct = distinct or Distinct(values)
    flags, failed = _flags(
        pd.Series(distinct.uniques, dtype=object),
        words=pd.Series(distinct.uniques, dtype=object).astype(str),
    )
    return (
        distinct.broadcast(flags.to_numpy(), fill=0).astype("int8"),
        distinct.broadcast(failed.to_numpy(), fill=False).astype(bool),
    )


def _flags(values: pd.Series, words: pd.Series | None) -> tuple[pd.Series, pd.Series]:
    numbers = pd.to_numeric(values, errors="coerce")
    out = pd.Series(np.nan, index=values.index, dtype=float)
    out[numbers.isin([0, 1])] = numbers[numbers.isin([0, 1])]
    undecided = out.isna()
    if words is not None:
        words = words.str.strip().str.lower()
        out[undecided & words.isin(TRUE_WORDS)] = 1.0
        out[undecided & (words.isin(FALSE_WORDS) | values.isna())] = 0.0
    else:
        out[undecided & values.isna()] = 0.0
    failed = out.isna()
    return out.fillna(0).astype("int8"), failed


def clean_text(values: pd.Series, *, distinct: Distinct | None = None) -> pd.Series:
    """Identifiers and labels as stripped strings; blanks become NA.

    Excel/Parquet integer ids arrive as floats (12.0); they are written as the user sees
    them (12).
    """
    distinct = distinct or Distinct(values)
    return distinct.broadcast(clean_distinct(distinct), fill=pd.NA)


def clean_distinct(distinct: Distinct) -> np.ndarray:
    """:func:`clean_text` of each distinct value of a column (NA for blank ones)."""
    uniques = distinct.uniques
    text = np.array(
        [
            str(int(u)) if isinstance(u, float) and u.is_integer() else str(u).strip()
            for u in uniques
        ],
        dtype=object,
    )
    if distinct.is_text:
        text[_blank_text(uniques)] = pd.NA
    return text
