"""Checks across rows: duplicate keys, the frequency of each series and the weekday weekly
series are dated on. Rows are ranked by key once so each check is a pass over integers,
not over the text of the keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.frequency import (
    WEEKDAYS,
    align_week_anchors,
    contiguous_runs,
    dominant_frequency,
    infer_frequencies,
    infer_from_codes,
)
from stockwise.data.parsing import clean_distinct
from stockwise.data.validation_cells import _Cells
from stockwise.data.validation_issues import (
    AMBIGUOUS_WEEK,
    DUPLICATE_KEY,
    MIXED_FREQUENCIES_ACROSS_SERIES,
    MIXED_FREQUENCY,
    WEEK_ANCHOR_MOVED,
    _Issues,
    _non_decreasing,
)

_NAT = np.iinfo(np.int64).min  # NaT as an int64


class _RowKeys:
    """Per key column, integers that compare and order rows as the column's values do.

    Text columns become ranks of their sorted distinct values (missing values last, as
    pandas sorts them), taken from the distinct raw values already factorised rather than
    from the millions of cells; dates are their int64 nanoseconds. Sorting, duplicate
    and frequency checks then work on integers instead of strings. A column NumPy cannot
    order as pandas does (mixed kinds, extension types, missing dates) gives ``None``:
    callers then fall back to pandas.
    """

    def __init__(self, typed: pd.DataFrame, cells: _Cells, spec: S.TableSpec) -> None:
        self.typed = typed
        self.cells = cells
        self.spec = spec
        self._ranks: dict[str, tuple[np.ndarray, np.ndarray | None] | None] = {}

    def forget(self, name: str) -> None:
        """Drop what is known of a column whose values changed."""
        self._ranks.pop(name, None)

    def ranks(self, name: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(integer per row; the sorted distinct values, ``None`` for dates) or ``None``."""
        if name not in self._ranks:
            self._ranks[name] = self._compute(name)
        return self._ranks[name]

    def _compute(self, name: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        column = self.spec.spec(name)
        if (
            column is not None
            and column.kind in {"id", "text"}
            and name in self.cells.frame.columns
        ):
            distinct = self.cells.distinct(name)
            if distinct is not None:  # the typed column is clean_distinct broadcast
                return _ranks_of_distinct(clean_distinct(distinct), distinct.codes)
        values = self.typed[name]
        if values.dtype == "datetime64[ns]":
            return values.to_numpy().view(np.int64), None
        return _dense_ranks(values)

    def columns(self, names: list[str], rows: np.ndarray) -> list[np.ndarray] | None:
        """The integers of ``names`` for the rows in the mask ``rows``, or ``None``."""
        every = bool(rows.all())
        out = []
        for name in names:
            ranks = self.ranks(name)
            if ranks is None:
                return None
            values = ranks[0] if every else ranks[0][rows]
            if ranks[1] is None and len(values) and values.min() == _NAT:
                return None
            out.append(values)
        return out


def _ranks_of_distinct(
    values: np.ndarray, codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Ranks per row of a column given as one value per distinct code (``values[codes]``,
    code -1 missing), and its sorted distinct non-missing values."""
    inner, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=object)
    if not all(isinstance(u, str) for u in distinct):
        return None
    sorter = np.argsort(distinct, kind="stable")
    rank = np.empty(len(distinct) + 1, dtype=np.intp)
    rank[sorter] = np.arange(len(distinct))
    rank[-1] = len(distinct)  # missing sorts last
    per_code = np.append(rank[inner], len(distinct))  # code -1: a missing cell
    return per_code[codes], distinct[sorter]


def _dense_ranks(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    dtype = values.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iufO":
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.asarray(uniques)
    if dtype.kind == "O" and not all(isinstance(u, str) for u in distinct):
        return None
    sorter = np.argsort(distinct, kind="stable")
    rank = np.empty(len(distinct) + 1, dtype=np.intp)
    rank[sorter] = np.arange(len(distinct))
    rank[-1] = len(distinct)  # missing (code -1) sorts last
    return rank[codes], distinct[sorter]


def _order(columns: list[np.ndarray]) -> np.ndarray | None:
    """Positions that sort rows by ``columns`` as a stable ``sort_values`` does; ``None``
    when they already are in that order.

    Rows that come series by series, each in date order, are reordered by moving whole
    series blocks, with no sort of the rows.
    """
    first = columns[0]
    if len(columns) == 1:
        return None if _non_decreasing(first) else np.argsort(first, kind="stable")
    if len(columns) == 2:
        starts = contiguous_runs(first, columns[1])
        if starts is not None:
            heads = first[starts]
            if _non_decreasing(heads):
                return None
            by_key = np.argsort(heads, kind="stable")
            lengths = np.diff(np.r_[starts, len(first)])[by_key]
            shift = starts[by_key] - (np.cumsum(lengths) - lengths)
            return np.repeat(shift, lengths) + np.arange(len(first))
    return np.lexsort(columns[::-1])


def _has_duplicates(columns: list[np.ndarray]) -> bool:
    if len(columns[0]) < 2:
        return False
    if len(columns) != 2 or contiguous_runs(columns[0], columns[1]) is None:
        order = _order(columns)  # equal keys are neighbours once sorted
        if order is not None:
            columns = [c[order] for c in columns]
    equal = np.ones(len(columns[0]) - 1, dtype=bool)
    for values in columns:
        equal &= values[1:] == values[:-1]
    return bool(equal.any())


def _check_duplicates(
    typed: pd.DataFrame,
    spec: S.TableSpec,
    ok: np.ndarray,
    frame: pd.DataFrame,
    issues: _Issues,
    keys: _RowKeys,
) -> None:
    """Keep the first valid row of each key; later ones are quarantined, naming the first."""
    key = list(spec.key)
    columns = keys.columns(key, ok)
    if columns is not None and not _has_duplicates(columns):
        return
    live = typed.loc[ok, key]
    dup = live.duplicated(keep="first")
    if not dup.any():
        return
    positions = pd.Series(live.index, index=live.index)
    firsts = positions.groupby([live[k] for k in key], sort=False, dropna=False).transform("first")
    first_rows = frame[S.SOURCE_ROW].loc[firsts[dup].to_numpy()].to_numpy()
    dup_index = dup.index[dup.to_numpy()]
    key_text = " + ".join(key)
    messages = pd.Series(
        [f"duplicate {key_text}: same as row {r}" for r in first_rows], index=dup_index
    )
    column = key[-1]
    issues.add_messages(dup_index, column, frame[column], DUPLICATE_KEY, messages)


def _check_frequency(
    typed: pd.DataFrame,
    ok: np.ndarray,
    frame: pd.DataFrame,
    issues: _Issues,
    notes: list[str],
    keys: _RowKeys,
) -> str | None:
    if not ok.any():
        return None
    ranks = keys.ranks(S.UNIQUE_ID)
    columns = keys.columns([S.UNIQUE_ID, S.DS], ok)
    if (
        ranks is None
        or ranks[1] is None
        or columns is None
        or typed[S.DS].dtype != "datetime64[ns]"
        or columns[0].max() >= len(ranks[1])
    ):  # a missing id
        freq, off = infer_frequencies(typed.loc[ok, [S.UNIQUE_ID, S.DS]])
    else:
        every = bool(ok.all())
        freq, off = infer_from_codes(
            columns[0],
            ranks[1],
            typed[S.DS] if every else typed[S.DS][ok],
            typed.index if every else typed.index[ok],
        )
    if freq.empty:
        return None
    off = _align_weeks(
        typed,
        ok,
        frame,
        issues,
        notes,
        keys,
        _Inferred(freq, off, None if columns is None or ranks is None else (columns[0], ranks[1])),
    )
    names = calendar_facts.NAMES
    off_index = off.index[off.to_numpy()]
    if len(off_index):
        per_row = typed.loc[off_index, S.UNIQUE_ID].map(freq).map(names)
        messages = "date is off the series' " + per_row + " calendar (mixed frequencies)"
        issues.add_messages(off_index, S.DS, frame[S.DS], MIXED_FREQUENCY, messages)
    counts = freq.value_counts()
    if len(counts) > 1:
        shown = ", ".join(f"{n} {names[f]}" for f, n in counts.items())
        notes.append(f"series have different frequencies: {shown}")
        issues.add(
            pd.Series(False, index=typed.index),
            None,
            None,
            MIXED_FREQUENCIES_ACROSS_SERIES,
            shown,
            severity="warning",
        )
    return dominant_frequency(freq)


@dataclass(frozen=True)
class _Inferred:
    """What frequency inference found: each series' frequency, the rows off their
    series' calendar and, when known, the live rows' series ranks and the sorted ids."""

    freq: pd.Series
    off: pd.Series
    series: tuple[np.ndarray, np.ndarray | None] | None = None


def _align_weeks(
    typed: pd.DataFrame,
    ok: np.ndarray,
    frame: pd.DataFrame,
    issues: _Issues,
    notes: list[str],
    keys: _RowKeys,
    inferred: _Inferred,
) -> pd.Series:
    """Put weekly series dated on mixed weekdays on one weekday
    (:func:`~stockwise.data.frequency.align_week_anchors`): each moved row gets a warning
    and the note says what was done; rows whose week cannot be told are rejected.
    ``freq`` is updated in place; returns the off-calendar mask without the moved series.
    ``series``: the live rows' series ranks and the sorted ids, when known.
    """
    freq, off, series = inferred.freq, inferred.off, inferred.series
    every = bool(ok.all())
    live = typed.index if every else typed.index[ok]
    off_live = off.reindex(live, fill_value=False).to_numpy()
    codes, ids = series if series is not None else (None, None)
    if codes is None or ids is None or (len(codes) and codes.max() >= len(ids)):  # missing id
        codes, ids = None, None
    if codes is None:
        rows = typed.loc[live, [S.UNIQUE_ID, S.DS]]
    else:  # the series are known: the dates alone, without copying the ids
        rows = pd.DataFrame({S.DS: typed[S.DS] if every else typed[S.DS][ok]}, copy=False)
    found = align_week_anchors(rows, off_live, codes=codes, ids=ids)
    if found is not None and found.ambiguous.any():
        doubtful = pd.Series(found.ambiguous, index=live)
        issues.add(
            doubtful,
            S.DS,
            frame[S.DS],
            AMBIGUOUS_WEEK,
            f"weekly series dated on several weekdays: this row and its neighbour "
            f"fall in the same week (to the nearest {found.anchor_name}), so its week "
            f"cannot be told; date each week once",
        )
        keep = ~found.ambiguous
        live, rows, off_live = live[keep], rows[keep], off_live[keep]
        found = align_week_anchors(
            rows, off_live, codes=None if codes is None else codes[keep], ids=ids
        )
    if found is None or not found.moved.any():
        return off
    moved = live[found.moved]
    before = typed.loc[moved, S.DS]
    typed.loc[moved, S.DS] = found.ds[found.moved]
    keys.forget(S.DS)
    freq.loc[freq.index.isin(found.series)] = "W"
    weekday = before.dt.dayofweek.map(dict(enumerate(WEEKDAYS)))
    messages = (
        "weekly date moved from "
        + weekday
        + " "
        + before.dt.strftime("%Y-%m-%d")
        + f" to {found.anchor_name} "
        + typed.loc[moved, S.DS].dt.strftime("%Y-%m-%d")
        + f" (weeks dated on mixed weekdays; every week now on its {found.anchor_name})"
    )
    issues.add_messages(moved, S.DS, frame[S.DS], WEEK_ANCHOR_MOVED, messages, severity="warning")
    notes.append(found.note())
    aligned = typed.loc[off.index, S.UNIQUE_ID].isin(found.series).to_numpy()
    return off & ~aligned
