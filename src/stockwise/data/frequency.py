"""Infer each series' frequency and find rows that break it.

A series is monthly when nearly all its dates sit on one day of the month (1st or month
end) with month-sized steps, weekly when nearly all fall on one weekday with 7-day steps,
and daily otherwise. A row off that grid (a mid-month date in a monthly series, a Tuesday
in a Monday-weekly one) is a *mixed frequency* row. Sparse daily exports that list only
days with sales stay daily: gaps are not a frequency problem, they are filled later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import schema as S

FREQUENCIES = ("D", "W", "M")
_ON_GRID_SHARE = 2 / 3
_MIN_ON_GRID = 3


def infer_frequencies(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return (frequency per unique_id, boolean mask of off-grid rows aligned to ``frame``).

    ``frame`` needs ``unique_id`` and a datetime ``ds``; its index is preserved.
    """
    if frame.empty:
        return pd.Series(dtype=object), pd.Series(dtype=bool)
    ids = frame[S.UNIQUE_ID]
    ds = frame[S.DS]
    order = np.lexsort((ds.to_numpy(), ids.to_numpy()))
    sorted_ids = ids.to_numpy()[order]
    days = ds.to_numpy()[order].astype("datetime64[D]").astype(np.int64)
    new_series = np.r_[True, sorted_ids[1:] != sorted_ids[:-1]]
    step = np.where(new_series, -1, np.diff(days, prepend=days[0]))
    work = pd.DataFrame({
        "uid": sorted_ids,
        "step": step,
        "weekday": (days + 3) % 7,  # 1970-01-01 was a Thursday; Monday = 0
        "dom": ds.dt.day.to_numpy()[order],
        "month_end": ds.dt.is_month_end.to_numpy()[order],
    }, index=frame.index[order])
    n_rows = work.groupby("uid", sort=False)["uid"].transform("size")

    month_step = work["step"].between(28, 31)
    monthly_steps = month_step.groupby(work["uid"], sort=False).transform("sum")
    all_steps = (work["step"] >= 0).groupby(work["uid"], sort=False).transform("sum")
    first_of_month = work["dom"] == 1
    on_month_grid = first_of_month | work["month_end"]
    month_share = on_month_grid.groupby(work["uid"], sort=False).transform("mean")
    is_monthly = (month_share >= _ON_GRID_SHARE) & (monthly_steps * 2 > all_steps) & (
        on_month_grid.groupby(work["uid"], sort=False).transform("sum") >= _MIN_ON_GRID
    )
    # Which month anchor (1st or end) does the series mostly use?
    start_share = first_of_month.groupby(work["uid"], sort=False).transform("mean")
    anchor_ok = np.where(start_share >= work["month_end"].groupby(work["uid"], sort=False)
                         .transform("mean"), first_of_month, work["month_end"])

    counts = work.groupby(["uid", "weekday"], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values(["uid", "n", "weekday"], ascending=[True, False, True],
                                kind="stable").drop_duplicates("uid")
    modal_weekday = work["uid"].map(counts.set_index("uid")["weekday"])
    on_weekday = work["weekday"] == modal_weekday
    week_share = on_weekday.groupby(work["uid"], sort=False).transform("mean")
    weekly_steps = (work["step"] == 7).groupby(work["uid"], sort=False).transform("sum")
    is_weekly = (~is_monthly & (week_share >= _ON_GRID_SHARE) & (weekly_steps * 2 > all_steps)
                 & (on_weekday.groupby(work["uid"], sort=False).transform("sum") >= _MIN_ON_GRID))

    off = (is_monthly & ~anchor_ok) | (is_weekly & ~on_weekday)
    off &= n_rows >= _MIN_ON_GRID
    freq_per_row = np.where(is_monthly, "M", np.where(is_weekly, "W", "D"))
    freq = pd.Series(freq_per_row, index=work.index).groupby(work["uid"], sort=False).first()
    freq.index.name = S.UNIQUE_ID
    return freq, off.reindex(frame.index)


def dominant_frequency(freq: pd.Series) -> str:
    """The frequency most series have ("D" when there are none)."""
    if freq.empty:
        return "D"
    return str(freq.value_counts().idxmax())


def pandas_alias(freq: str) -> str:
    """Pandas offset alias for a stockwise frequency (weeks start Monday, months on the 1st)."""
    return {"D": "D", "W": "W-MON", "M": "MS"}[freq]
