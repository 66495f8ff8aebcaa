"""Preparation (ETL) of validated sales: stockout flags, a regular calendar, aggregation.

Models need one row per series and period. Missing periods in a sales export almost always
mean "nothing sold", so the default gap policy fills them with zero, and every filled row
is flagged (``gap_filled``) so that nothing invented passes for observed data. Days with
no stock on hand are flagged ``stockout``: their sales are censored demand (the shelf was
empty), which later steps correct instead of learning "demand was zero".
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.frequency import infer_frequencies

GapPolicy = Literal["zero", "nan"]
STOCKOUT_DAYS = "stockout_days"
_STATIC = (S.SECTOR, S.PRODUCT, S.STORE, S.CATEGORY)


def flag_stockouts(sales: pd.DataFrame) -> pd.DataFrame:
    """Add ``stockout``: True where the end-of-period stock on hand was zero (or below).

    Rows without a known stock level are not flagged: absence of evidence of a stockout
    is not a stockout.
    """
    out = sales.copy()
    if S.ON_HAND in out.columns:
        out[S.STOCKOUT] = (out[S.ON_HAND] <= 0).fillna(False).astype(bool)
    else:
        out[S.STOCKOUT] = False
    return out


def regularize(
    sales: pd.DataFrame,
    freq: str | None = None,
    *,
    gap_policy: GapPolicy = "zero",
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Put every series on a complete calendar from its first period to its last (or ``end``).

    ``freq`` is a stockwise frequency or pandas alias (:mod:`stockwise.calendar_facts`);
    ``None`` infers it per series. Monthly, quarterly and yearly dates are moved to the
    first day of their period, hourly ones to their whole hour, and weekly series keep
    their own weekday. Filled rows get
    ``y`` = 0 (``gap_policy="zero"``) or NaN (``"nan"``), ``gap_filled`` = True, the
    series' static attributes, the last known price, no promotion and unknown stock.
    """
    if gap_policy not in ("zero", "nan"):
        raise ValueError(f"gap_policy must be 'zero' or 'nan', not {gap_policy!r}")
    if sales.empty:
        return sales.assign(**{S.GAP_FILLED: pd.Series(dtype=bool)})
    frame = sales.copy()
    if freq is None:
        freqs, _ = infer_frequencies(frame[[S.UNIQUE_ID, S.DS]])
    else:
        freqs = pd.Series(calendar_facts.code_of(freq), index=frame[S.UNIQUE_ID].unique())
    per_row = frame[S.UNIQUE_ID].map(freqs)
    for code in ("M", "Q", "Y", "h"):
        snap = (per_row == code).to_numpy()
        if snap.any():
            frame.loc[snap, S.DS] = calendar_facts.period_start(frame.loc[snap, S.DS], code)
    frame = _combine_same_period(frame)
    grid = _calendar(frame, freqs, None if end is None else pd.Timestamp(end))
    merged = grid.merge(frame, on=[S.UNIQUE_ID, S.DS], how="left", indicator=True)
    filled = (merged.pop("_merge") == "left_only").to_numpy()
    merged[S.GAP_FILLED] = filled
    if filled.any():
        merged.loc[filled, S.Y] = 0.0 if gap_policy == "zero" else np.nan
        by_series = merged.groupby(S.UNIQUE_ID, sort=False)
        for column in [c for c in (*_STATIC, S.PRICE) if c in merged.columns]:
            merged[column] = by_series[column].ffill()
            if column != S.PRICE:
                merged[column] = merged.groupby(S.UNIQUE_ID, sort=False)[column].bfill()
        if S.PROMO in merged.columns:
            merged[S.PROMO] = merged[S.PROMO].fillna(0).astype("int8")
        if S.STOCKOUT in merged.columns:
            merged[S.STOCKOUT] = merged[S.STOCKOUT].astype("boolean").fillna(False).astype(bool)
    return merged


def sum_duplicates(sales: pd.DataFrame) -> pd.DataFrame:
    """One row per ``(unique_id, ds)``: ``y`` summed, the other columns' first value.

    For the caller who knows that two rows of one series and date are parts of that
    day's sales (two tills, two lines of one receipt). The library refuses such rows by
    default: summing them silently would also sum a row exported twice.
    """
    rules = {c: "first" for c in sales.columns if c not in (S.UNIQUE_ID, S.DS)}
    rules[S.Y] = "sum"
    return sales.groupby([S.UNIQUE_ID, S.DS], sort=False, as_index=False).agg(rules)


def aggregate(sales: pd.DataFrame, to: str) -> pd.DataFrame:
    """Aggregate sales to a coarser calendar: days (from hours), weeks starting Monday
    (or the weekday of ``W-SUN`` ...), calendar months, quarters or years.

    ``y`` is summed; ``on_hand`` is the last known level of the period; ``price`` the mean;
    ``promo`` is 1 if any day was on promotion; ``stockout_days`` counts stocked-out
    periods, ``stockout`` is True if there was any; ``n_obs`` counts input rows, so partial
    first and last periods can be recognised (and dropped) downstream.
    """
    code, week_start = calendar_facts.parse(to)
    if code == "h":
        raise ValueError("aggregate to days, weeks, months, quarters or years, not hours")
    frame = sales.copy()
    frame[S.DS] = calendar_facts.period_start(frame[S.DS], code, week_start or 0)
    rules: dict[str, tuple[str, str]] = {S.Y: (S.Y, "sum"), S.N_OBS: (S.Y, "size")}
    for column in _STATIC:
        if column in frame.columns:
            rules[column] = (column, "first")
    optional = {S.ON_HAND: "last", S.PRICE: "mean", S.PROMO: "max", S.GAP_FILLED: "all"}
    for column, how in optional.items():
        if column in frame.columns:
            rules[column] = (column, how)
    if S.STOCKOUT in frame.columns:
        rules[STOCKOUT_DAYS] = (S.STOCKOUT, "sum")
        rules[S.STOCKOUT] = (S.STOCKOUT, "any")
    out = frame.groupby([S.UNIQUE_ID, S.DS], sort=True).agg(**rules).reset_index()
    # min_count semantics: a period whose every y is NaN stays NaN rather than 0.
    counts = frame.groupby([S.UNIQUE_ID, S.DS], sort=True)[S.Y].count().to_numpy()
    out.loc[counts == 0, S.Y] = np.nan
    return out


def prepare_sales(
    sales: pd.DataFrame,
    *,
    freq: str | None = None,
    to: str | None = None,
    gap_policy: GapPolicy = "zero",
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Flag stockouts, regularise the calendar, then aggregate when ``to`` is given."""
    prepared = regularize(flag_stockouts(sales), freq, gap_policy=gap_policy, end=end)
    if to is not None:
        prepared = aggregate(prepared, to)
    return prepared


def _combine_same_period(frame: pd.DataFrame) -> pd.DataFrame:
    """After snapping monthly dates, two rows can share a period: sum them."""
    dup = frame.duplicated([S.UNIQUE_ID, S.DS], keep=False)
    if not dup.any():
        return frame
    rules = {c: "first" for c in frame.columns if c not in (S.UNIQUE_ID, S.DS)}
    rules[S.Y] = "sum"
    return frame.groupby([S.UNIQUE_ID, S.DS], sort=False, as_index=False).agg(rules)


def _calendar(frame: pd.DataFrame, freqs: pd.Series, end: pd.Timestamp | None) -> pd.DataFrame:
    """Every (unique_id, period) from each series' first period to its last (or ``end``)."""
    bounds = frame.groupby(S.UNIQUE_ID, sort=True)[S.DS].agg(["min", "max"])
    if end is not None:
        bounds["max"] = bounds["max"].clip(lower=end)
    freq = freqs.reindex(bounds.index).to_numpy()
    first = bounds["min"].to_numpy().astype("datetime64[ns]")
    last = bounds["max"].to_numpy().astype("datetime64[ns]")
    counts = np.ones(len(freq), dtype=np.int64)
    for code in np.unique(freq.astype(str)):
        kind = freq == code
        if code == "W":  # weeks keep the series' own weekday: count from its first date
            days = last[kind].astype("datetime64[D]") - first[kind].astype("datetime64[D]")
            counts[kind] = days.astype(np.int64) // 7 + 1
        else:
            grid = code if code in calendar_facts.CODES else "D"
            counts[kind] = (
                calendar_facts.period_index(last[kind], grid)
                - calendar_facts.period_index(first[kind], grid)
                + 1
            )
    counts = np.maximum(counts, 1)
    ids = np.repeat(bounds.index.to_numpy(), counts)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    kind = np.repeat(freq, counts)
    start = np.repeat(first, counts)
    ds = np.empty(len(ids), dtype="datetime64[ns]")
    for code in np.unique(freq.astype(str)):
        rows = kind == code
        grid = code if code in calendar_facts.CODES else "D"
        origin = start[rows] if grid == "h" else start[rows].astype("datetime64[D]")
        ds[rows] = calendar_facts.shift(origin, grid, step[rows])
    return pd.DataFrame({S.UNIQUE_ID: ids, S.DS: ds})
