"""Infer each series' frequency and find rows that break it.

A series is monthly when nearly all its dates sit on one day of the month (1st or month
end) with month-sized steps, weekly when nearly all fall on one weekday with 7-day steps,
hourly when most steps are one hour, quarterly or yearly when its dates open or close
calendar quarters or years a quarter or a year apart, and daily otherwise. A row off that
grid (a mid-month date in a monthly series, a Tuesday in a Monday-weekly one) is a *mixed
frequency* row. Sparse daily exports that list only days with sales stay daily: gaps are
not a frequency problem, they are filled later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.week_anchors import (
    _MIN_ON_GRID,
    _ON_GRID_SHARE,
    WEEKDAYS,
    WeekAlignment,
    align_week_anchors,
)

FREQUENCIES = calendar_facts.CODES


def infer_frequencies(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return (frequency per unique_id, boolean mask of off-grid rows aligned to ``frame``).

    ``frame`` needs ``unique_id`` and a datetime ``ds``; its index is preserved. Series come
    out in the sorted order of their ids.
    """
    if frame.empty:
        return pd.Series(dtype=object), pd.Series(dtype=bool)
    codes, ids = sorted_codes(frame[S.UNIQUE_ID])
    if codes is None or not np.issubdtype(frame[S.DS].dtype, np.datetime64):
        return _infer_with_groupby(frame)
    return infer_from_codes(codes, ids, frame[S.DS], frame.index)


def sorted_codes(values: pd.Series) -> tuple[np.ndarray | None, np.ndarray]:
    """(rank of each row's value among the sorted distinct values, those values).

    Only for plain NumPy columns of one kind (all strings, or all numbers) without missing
    values, where ranks order rows exactly as sorting the values would; else ``None``.
    """
    dtype = values.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iufO":
        return None, np.empty(0)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.asarray(uniques)
    if len(codes) and codes.min() < 0:
        return None, distinct
    if dtype.kind == "O" and not all(isinstance(u, str) for u in distinct):
        return None, distinct
    sorter = np.argsort(distinct, kind="stable")
    rank = np.empty(len(distinct), dtype=np.intp)
    rank[sorter] = np.arange(len(distinct))
    return rank[codes], distinct[sorter]


def infer_from_codes(
    codes: np.ndarray, ids: np.ndarray, ds: pd.Series, index: pd.Index
) -> tuple[pd.Series, pd.Series]:
    """:func:`infer_frequencies` for ids given as ranks (``ids[codes]`` is each row's id,
    ``ids`` sorted), as :func:`sorted_codes` returns them.

    Rows that already come series by series in date order (the usual export) are used
    where they are; others are sorted by (id, date) first. Per-series sums over integer
    series numbers keep the cost linear in rows however many series there are.
    """
    stamps = ds.to_numpy()
    starts = contiguous_runs(codes, stamps)
    order = None
    if starts is None:
        order = np.lexsort((stamps, codes))
        codes, stamps = codes[order], stamps[order]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    days = stamps.astype("datetime64[D]").view(np.int64)
    new_series = np.zeros(len(codes), dtype=bool)
    new_series[starts] = True
    gaps = np.diff(days)
    in_series = ~new_series[1:]
    freq = np.full(len(starts), "D", dtype=object)
    off = np.zeros(len(codes), dtype=bool)
    grid_off = np.zeros(len(codes), dtype=bool)
    group = np.cumsum(new_series) - 1
    step = np.r_[-1, np.where(in_series, gaps, -1)]
    if (in_series & ((gaps == 7) | ((gaps >= 28) & (gaps <= 31)))).any():
        # Without 7-day or month-sized steps no series can be weekly or monthly.
        grid_off = _grids(
            group,
            len(starts),
            step,
            (step >= 28) & (step <= 31),
            step == 7,
            days,
            pd.Series(stamps),
            freq,
        )
    grid_off |= other_calendars(group, len(starts), step, stamps, freq)
    if order is None:
        off = grid_off
    else:
        off[order] = grid_off
    series_codes = codes[starts]
    by_id = np.argsort(series_codes, kind="stable")
    out = pd.Series(freq[by_id], index=pd.Index(ids[series_codes[by_id]], name=S.UNIQUE_ID))
    return out, pd.Series(off, index=index)


def contiguous_runs(codes: np.ndarray, values: np.ndarray) -> np.ndarray | None:
    """Where each code's rows start, when every code's rows are contiguous and ``values``
    never decrease within them (a stable sort by code, then value, would only move whole
    blocks); ``None`` otherwise, NaT included."""
    if len(codes) == 0:
        return np.empty(0, dtype=np.intp)
    same = codes[1:] == codes[:-1]
    if not np.all(~same | (values[1:] >= values[:-1])):
        return None
    starts = np.flatnonzero(np.r_[True, ~same])
    if len(np.unique(codes[starts])) < len(starts):
        return None
    return starts


def _grids(
    group: np.ndarray,
    n_groups: int,
    step: np.ndarray,
    month_step: np.ndarray,
    week_step: np.ndarray,
    days: np.ndarray,
    stamps: pd.Series,
    freq: np.ndarray,
) -> np.ndarray:
    """Mark monthly and weekly series in ``freq``; return their off-grid rows (sorted order).

    Rows arrive sorted by series then date; ``group`` numbers the series.
    """
    n_rows = np.bincount(group, minlength=n_groups)

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=mask, minlength=n_groups)

    def share(mask: np.ndarray) -> np.ndarray:
        return total(mask) / n_rows

    all_steps = total(step >= 0)
    first_of_month = (stamps.dt.day == 1).to_numpy()
    month_end = stamps.dt.is_month_end.to_numpy()
    on_month_grid = first_of_month | month_end
    is_monthly = (
        (share(on_month_grid) >= _ON_GRID_SHARE)
        & (total(month_step) * 2 > all_steps)
        & (total(on_month_grid) >= _MIN_ON_GRID)
    )
    # Which month anchor (1st or end) does the series mostly use?
    use_start = share(first_of_month) >= share(month_end)
    anchor_ok = np.where(use_start[group], first_of_month, month_end)

    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    per_weekday = np.bincount(group * 7 + weekday, minlength=n_groups * 7)
    modal_weekday = per_weekday.reshape(n_groups, 7).argmax(axis=1)
    on_weekday = weekday == modal_weekday[group]
    is_weekly = (
        ~is_monthly
        & (share(on_weekday) >= _ON_GRID_SHARE)
        & (total(week_step) * 2 > all_steps)
        & (total(on_weekday) >= _MIN_ON_GRID)
    )

    freq[is_monthly] = "M"
    freq[is_weekly] = "W"
    long_enough = (n_rows >= _MIN_ON_GRID)[group]
    return ((is_monthly[group] & ~anchor_ok) | (is_weekly[group] & ~on_weekday)) & long_enough


def _infer_with_groupby(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The same inference with pandas groupby, for ids of mixed kinds or with gaps."""
    ids = frame[S.UNIQUE_ID]
    ds = frame[S.DS]
    order = np.lexsort((ds.to_numpy(), ids.to_numpy()))
    sorted_ids = ids.to_numpy()[order]
    days = ds.to_numpy()[order].astype("datetime64[D]").astype(np.int64)
    new_series = np.r_[True, sorted_ids[1:] != sorted_ids[:-1]]
    step = np.where(new_series, -1, np.diff(days, prepend=days[0]))
    work = pd.DataFrame(
        {
            "uid": sorted_ids,
            "step": step,
            "weekday": (days + 3) % 7,  # 1970-01-01 was a Thursday; Monday = 0
            "dom": ds.dt.day.to_numpy()[order],
            "month_end": ds.dt.is_month_end.to_numpy()[order],
        },
        index=frame.index[order],
    )
    n_rows = work.groupby("uid", sort=False)["uid"].transform("size")

    month_step = work["step"].between(28, 31)
    monthly_steps = month_step.groupby(work["uid"], sort=False).transform("sum")
    all_steps = (work["step"] >= 0).groupby(work["uid"], sort=False).transform("sum")
    first_of_month = work["dom"] == 1
    on_month_grid = first_of_month | work["month_end"]
    month_share = on_month_grid.groupby(work["uid"], sort=False).transform("mean")
    is_monthly = (
        (month_share >= _ON_GRID_SHARE)
        & (monthly_steps * 2 > all_steps)
        & (on_month_grid.groupby(work["uid"], sort=False).transform("sum") >= _MIN_ON_GRID)
    )
    # Which month anchor (1st or end) does the series mostly use?
    start_share = first_of_month.groupby(work["uid"], sort=False).transform("mean")
    anchor_ok = np.where(
        start_share >= work["month_end"].groupby(work["uid"], sort=False).transform("mean"),
        first_of_month,
        work["month_end"],
    )

    counts = work.groupby(["uid", "weekday"], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values(
        ["uid", "n", "weekday"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("uid")
    modal_weekday = work["uid"].map(counts.set_index("uid")["weekday"])
    on_weekday = work["weekday"] == modal_weekday
    week_share = on_weekday.groupby(work["uid"], sort=False).transform("mean")
    weekly_steps = (work["step"] == 7).groupby(work["uid"], sort=False).transform("sum")
    is_weekly = (
        ~is_monthly
        & (week_share >= _ON_GRID_SHARE)
        & (weekly_steps * 2 > all_steps)
        & (on_weekday.groupby(work["uid"], sort=False).transform("sum") >= _MIN_ON_GRID)
    )

    off = (is_monthly & ~anchor_ok) | (is_weekly & ~on_weekday)
    off &= n_rows >= _MIN_ON_GRID
    freq_per_row = np.where(is_monthly, "M", np.where(is_weekly, "W", "D"))
    freq = pd.Series(freq_per_row, index=work.index).groupby(work["uid"], sort=False).first()
    group = np.cumsum(new_series) - 1
    codes = freq.to_numpy(dtype=object).copy()
    other = other_calendars(group, len(codes), step, ds.to_numpy()[order], codes)
    freq = pd.Series(codes, index=freq.index)
    off |= pd.Series(other, index=work.index)
    freq.index.name = S.UNIQUE_ID
    return freq, off.reindex(frame.index)


def other_calendars(
    group: np.ndarray, n_groups: int, step: np.ndarray, stamps: np.ndarray, freq: np.ndarray
) -> np.ndarray:
    """Mark hourly, quarterly and yearly series in ``freq`` (series still "D"); return
    their off-grid rows. Rows come sorted by series then time; ``step`` is each row's
    step in days from the row before (-1 at a series' first row).

    A series is hourly when most of its steps are one hour (rows off the whole hour are
    off its grid); quarterly or yearly when most steps are a quarter (89 to 92 days) or a
    year (365 or 366 days) and two thirds of its dates, at least three, open or close a
    calendar quarter or year. Data without a time of day, or without such steps, costs
    one pass over the rows.
    """
    off = np.zeros(len(group), dtype=bool)
    daily = freq == "D"
    nanos = np.asarray(stamps, dtype="datetime64[ns]").view(np.int64)
    n_rows = np.bincount(group, minlength=n_groups)

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=mask, minlength=n_groups)

    all_steps = total(step >= 0)
    hour = 3600 * 10**9
    if (nanos % (24 * hour) != 0).any():
        ns_step = np.r_[-1, np.diff(nanos)]
        ns_step[step < 0] = -1
        hourly = daily & (total(ns_step == hour) * 2 > total(ns_step >= 0))
        freq[hourly] = "h"
        off |= hourly[group] & (nanos % hour != 0)
        daily &= ~hourly
    quarter_step = (step >= 89) & (step <= 92)
    year_step = (step == 365) | (step == 366)
    if not (daily.any() and (quarter_step | year_step).any()):
        return off
    dates = pd.DatetimeIndex(stamps)
    first = (dates.day == 1) & (nanos % (24 * hour) == 0)
    last = dates.is_month_end & (nanos % (24 * hour) == 0)
    month = dates.month.to_numpy()
    for code, steps, opens, closes in (
        ("Q", quarter_step, month % 3 == 1, month % 3 == 0),
        ("Y", year_step, month == 1, month == 12),
    ):
        on_grid = (first & opens) | (last & closes)
        found = (
            daily
            & (total(on_grid) >= _ON_GRID_SHARE * n_rows)
            & (total(steps) * 2 > all_steps)
            & (total(on_grid) >= _MIN_ON_GRID)
        )
        freq[found] = code
        off |= found[group] & ~on_grid
        daily &= ~found
    return off


def dominant_frequency(freq: pd.Series) -> str:
    """The frequency most series have ("D" when there are none)."""
    if freq.empty:
        return "D"
    return str(freq.value_counts().idxmax())


def pandas_alias(freq: str) -> str:
    """Pandas offset alias for a stockwise frequency (weeks start Monday, months, quarters
    and years on their first day)."""
    return calendar_facts.pandas_alias(freq)


__all__ = [
    "FREQUENCIES",
    "WEEKDAYS",
    "WeekAlignment",
    "align_week_anchors",
    "contiguous_runs",
    "dominant_frequency",
    "infer_frequencies",
    "infer_from_codes",
    "other_calendars",
    "pandas_alias",
    "sorted_codes",
]
