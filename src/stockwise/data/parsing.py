"""Parse raw cells (text from CSV, objects from Excel/Parquet) into typed columns.

Each parser returns the parsed values *and* a mask of the cells it could not parse, so the
validator can name every failing row with the exact value the user wrote. Nothing here
guesses silently: a cell that is not clearly a number or a date is reported, not coerced.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from stockwise.data.date_parsing import (
    DATE_FORMATS,
    ParsedDates,
    detect_date_format,
    keeps_hours,
    local_dates,
    parse_dates,
    read_dates,
)
from stockwise.data.distinct_values import (
    _SPACES,
    MISSING_WORDS,
    Distinct,
    _blank_text,
    _is_str,
    blank_mask,
    by_unique,
    is_text,
    is_text_dtype,
)

TRUE_WORDS = {"1", "true", "yes", "y", "oui", "o", "vrai", "x", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "non", "faux", "f", ""}
_THOUSANDS_COMMA = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_POINT = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")


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


__all__ = [
    "DATE_FORMATS",
    "FALSE_WORDS",
    "MISSING_WORDS",
    "TRUE_WORDS",
    "Distinct",
    "ParsedDates",
    "blank_mask",
    "by_unique",
    "clean_distinct",
    "clean_text",
    "detect_date_format",
    "is_text",
    "is_text_dtype",
    "keeps_hours",
    "local_dates",
    "parse_dates",
    "parse_flags",
    "parse_numbers",
    "read_dates",
]
