"""Cell-level checks of a mapped table: blank rows, values that do not parse, and numbers
outside their sign or plausible bounds. Each check records issues and returns the parsed
column, so a table is parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.bounds import DEFAULT_BOUNDS, Bound, Bounds
from stockwise.data.parsing import (
    Distinct,
    blank_mask,
    clean_text,
    is_text_dtype,
    parse_flags,
    parse_numbers,
    read_dates,
)
from stockwise.data.validation_issues import (
    ABOVE_PLAUSIBLE_MAXIMUM,
    BELOW_PLAUSIBLE_MINIMUM,
    MISSING_VALUE,
    NEGATIVE,
    NON_NUMERIC,
    NOT_A_FLAG,
    NOT_POSITIVE,
    UNPARSEABLE_DATE,
    _Issues,
)


class _Cells:
    """A frame's raw columns with what several checks need of them, computed once: the
    distinct values of text columns and the blank-cell masks."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._distinct: dict[str, Distinct | None] = {}
        self._blank: dict[str, pd.Series] = {}

    def distinct(self, name: str) -> Distinct | None:
        if name not in self._distinct:
            values = self.frame[name]
            self._distinct[name] = Distinct(values) if is_text_dtype(values) else None
        return self._distinct[name]

    def blank(self, name: str) -> pd.Series:
        if name not in self._blank:
            self._blank[name] = blank_mask(self.frame[name], distinct=self.distinct(name))
        return self._blank[name]


def _blank_rows(cells: _Cells, columns: list[str]) -> pd.Series:
    """Rows whose every cell is blank; stops looking once no candidate row is left."""
    blank = np.ones(len(cells.frame), dtype=bool)
    for name in columns:
        blank &= cells.blank(name).to_numpy()
        if not blank.any():
            break
    return pd.Series(blank, index=cells.frame.index)


@dataclass(frozen=True)
class Reading:
    """How a table's cells are read and judged: its decimal mark, its date format (None:
    detected from the values) and the plausible bounds of its numbers."""

    decimal: str
    date_format: str | None
    bounds: Bounds = DEFAULT_BOUNDS


def _check_column(
    cells: _Cells,
    spec: S.ColumnSpec,
    reading: Reading,
    issues: _Issues,
    live: pd.Series,
    *,
    notes: list[str] | None = None,
    shown: str | None = None,
) -> pd.Series:
    """Parse one column and record its issues (and in ``notes`` what was read differently
    from how it was written; ``shown``: the user's name of the column); returns the
    typed column."""
    decimal, date_format, bounds = reading.decimal, reading.date_format, reading.bounds
    name = spec.name
    values = cells.frame[name]
    distinct = cells.distinct(name)
    blank = cells.blank(name) & live
    if not spec.allow_missing:
        issues.add(blank, name, values, MISSING_VALUE, "empty cell (a value is required)")
    if spec.kind in {"id", "text"}:
        return clean_text(values, distinct=distinct)
    if spec.kind == "date":
        found = read_dates(values, date_format, distinct=distinct)
        used = found.format
        hint = (
            f" (expected a date like {pd.Timestamp('2024-03-31').strftime(used)})"
            if used
            else " (expected a date such as 2024-03-31)"
        )
        issues.add(found.failed & live, name, values, UNPARSEABLE_DATE, "not a date" + hint)
        if found.times_dropped and notes is not None:
            notes.append(
                f"{found.times_dropped} row(s) of column '{shown or name}' had a "
                "time of day (or a UTC offset): each is taken as the date it was "
                "written on (data is counted per day)"
            )
        return found.dates
    if spec.kind == "flag":
        parsed, failed = parse_flags(values, distinct=distinct)
        issues.add(failed & live, name, values, NOT_A_FLAG, "expected 0/1 (or yes/no)")
        return parsed
    parsed, failed = parse_numbers(values, decimal, distinct=distinct)
    issues.add(failed & live, name, values, NON_NUMERIC, "not a number")
    valid = parsed.notna()
    if spec.minimum is not None:
        issues.add(
            valid & (parsed < spec.minimum), name, values, NEGATIVE, f"must be >= {spec.minimum:g}"
        )
    if spec.strictly_positive:
        issues.add(valid & (parsed <= 0), name, values, NOT_POSITIVE, "must be > 0")
    bound = bounds.of(name)
    if bound is not None:
        _check_bound(name, parsed, valid, values, bound, issues)
    return parsed


def _check_bound(
    name: str, parsed: pd.Series, valid: pd.Series, values: pd.Series, bound: Bound, issues: _Issues
) -> None:
    """Quarantine values beyond the plausible range, naming the bound that was broken."""
    for side, rule, words in (
        ("max", ABOVE_PLAUSIBLE_MAXIMUM, "above the plausible maximum"),
        ("min", BELOW_PLAUSIBLE_MINIMUM, "below the plausible minimum"),
    ):
        limit = getattr(bound, side)
        if limit is None:
            continue
        beyond = valid & ((parsed > limit) if side == "max" else (parsed < limit))
        if not beyond.any():
            continue
        index = beyond.index[beyond.to_numpy()]
        shown = parsed.loc[index].map(lambda v: f"{v:g}")
        messages = f"{name} " + shown + f" is {words} {limit:g} (bounds.{name}.{side})"
        issues.add_messages(index, name, values, rule, messages)
