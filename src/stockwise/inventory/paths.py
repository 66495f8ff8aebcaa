"""Demand sample paths from a forecast's quantiles: the common currency of the plan.

A forecast gives, per day, a point and a few quantiles (the bands). Sampling whole paths
from them lets every inventory question be answered the same way — demand over a random
lead time, the chance of running out by a given day, the units a batch will not sell
before it expires — instead of with one approximation per question.

Per day the quantile function is piecewise linear through the known quantiles (the point
is taken as the median), extended beyond the widest band with the slope of its outer
segment and clipped at zero. Days are tied together by a Gaussian copula with equal
correlation ``correlation`` between days (0 = independent days, 1 = one shared
percentile). Without bands, each day falls back to a Poisson around the point.

Two choices rest on closed-loop replays (docs/decisions/0008-demand-paths.md):

- *Independent days by default* (``DEFAULT_CORRELATION = 0``). Forecast errors of
  consecutive days are positively correlated in principle, but with the point as the
  median the multi-day totals are already wide, and a positive correlation over-serves
  more, with more stock.
- *The point stays the median by default.* Forecasters give the conditional mean, and on
  slow items whose lower bands are clipped at zero the paths' mean comes out several
  times the point forecast. ``point_is_mean=True`` rescales those days to the point's
  mean: the mean is then right but the lead-time totals are too narrow (independent days
  hide the bursts of intermittent demand), so orders under-serve and save less stock.
  So it is an option, not the default.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.special import ndtr

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.schema import FORECAST

DEFAULT_PATHS = 1000
DEFAULT_CORRELATION = 0.0


def quantile_knots(rows: pd.DataFrame, column: str = FORECAST) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities (k,), values (days, k)) from ``forecast`` and its bands, sorted."""
    probs, names = knot_columns(rows.columns, column)
    return probs, knot_values(rows, names)


def knot_columns(columns: Iterable[str], column: str = FORECAST) -> tuple[np.ndarray, list[str]]:
    """(probabilities, column names) of the point (as the median) and its bands, sorted.

    Split from :func:`knot_values` so a table of many products is read once and sliced
    per product, instead of every product's rows going through pandas again.
    """
    probs, names = [0.5], [column]
    for name in columns:
        if name.startswith(f"{column}-lo-") or name.startswith(f"{column}-hi-"):
            side, level = name.split("-")[-2:]
            tail = (100 - float(level)) / 200
            probs.append(tail if side == "lo" else 1 - tail)
            names.append(name)
    order = np.argsort(probs)
    return np.asarray(probs)[order], [names[i] for i in order]


def knot_values(rows: pd.DataFrame, names: list[str]) -> np.ndarray:
    """(rows, k) quantile values of ``names``: NaN as 0, each row made non-decreasing."""
    knots = np.column_stack([rows[name].to_numpy(dtype=float) for name in names])
    # Bands from different models can cross a hair; keep each day's quantiles monotone.
    return np.maximum.accumulate(np.nan_to_num(knots, nan=0.0), axis=1)


def sample_paths(
    rows: pd.DataFrame,
    n_paths: int = DEFAULT_PATHS,
    correlation: float = DEFAULT_CORRELATION,
    rng: np.random.Generator | None = None,
    column: str = FORECAST,
    point_is_mean: bool = False,
) -> np.ndarray:
    """(n_paths, days) non-negative demand paths for one product's forecast rows.

    ``point_is_mean`` rescales the draws of each day whose lowest band is zero so their
    mean is the point forecast (see the module docstring); False keeps the point as the
    median everywhere.
    """
    probs, knots = quantile_knots(rows, column)
    out = paths_from_knots(probs, knots, n_paths, correlation, rng)
    if point_is_mean and len(probs) > 1:
        point = rows[column].to_numpy(dtype=float)
        clipped = knots[:, 0] <= 0
        _rescale_to_mean(out, np.where(clipped, np.nan_to_num(point), np.nan))
    return out


def paths_from_knots(
    probs: np.ndarray,
    knots: np.ndarray,
    n_paths: int = DEFAULT_PATHS,
    correlation: float = DEFAULT_CORRELATION,
    rng: np.random.Generator | None = None,
    days: int | None = None,
) -> np.ndarray:
    """(n_paths, days) demand paths from quantile knots (:func:`quantile_knots`).

    The normals for every row of ``knots`` are drawn whatever ``days`` is, so the draws
    (and the generator's state after them) do not depend on it; only the first ``days``
    (default: all) are turned into demand, for callers that need no more.
    """
    if not 0 <= correlation <= 1:
        raise ValueError("correlation must be between 0 and 1")
    rng = rng or np.random.default_rng(0)
    shared = rng.standard_normal((n_paths, 1))
    own = rng.standard_normal((n_paths, len(knots)))
    if days is not None and days < len(knots):
        own, knots = np.ascontiguousarray(own[:, : max(days, 0)]), knots[: max(days, 0)]
    # With independent days (the default) the mix below is the draw itself: skip it.
    z = (
        own
        if correlation == 0
        else (np.sqrt(correlation) * shared + np.sqrt(1 - correlation) * own)
    )
    u = ndtr(z, out=z)  # in place: the draws are not needed again
    if len(probs) == 1:  # no bands: Poisson around the point, via the same uniforms
        from scipy.stats import poisson

        return poisson.ppf(u, np.maximum(knots[:, 0], 1e-9)[None, :]).astype(float)
    out = _inverse_cdf(u, probs, knots)
    return np.maximum(out, 0.0, out=out)


def _rescale_to_mean(paths: np.ndarray, target: np.ndarray) -> None:
    """In place: scale each day's draws so their mean is ``target`` (NaN = leave as is).

    A day whose draws are all zero, or whose target is zero or less, is left as is: there
    is no shape to rescale, and a zero forecast with positive bands keeps its bands.
    """
    mean = paths.mean(axis=0)
    scale = np.where(
        np.isfinite(target) & (target > 0) & (mean > 0), target / np.where(mean > 0, mean, 1.0), 1.0
    )
    paths *= scale[None, :]


def _inverse_cdf(u: np.ndarray, probs: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Piecewise-linear quantile functions with linear tails beyond the outer knots.

    ``u``: (paths, days) probabilities; ``knots``: (days, k) values at ``probs``. Every
    day shares the probabilities, so the segment of each draw is found once for all days
    and each value is its segment's start plus slope × distance, the arithmetic of
    ``np.interp`` (the tails continue the outer segments). ``u`` is overwritten with the
    values, which are returned.
    """
    days = len(knots)
    slopes = (knots[:, 1:] - knots[:, :-1]) / (probs[1:] - probs[:-1])
    # per anchor knot (the segment's start; the last knot anchors the upper tail and the
    # first the lower one), its value and the slope that leaves it, as (k, days) tables
    slope_at = np.concatenate([slopes, slopes[:, -1:]], axis=1).T.ravel()
    value_at = np.ascontiguousarray(knots.T).ravel()
    below = np.greater_equal(u, probs[1])
    anchor = below.view(np.uint8).copy()
    for p in probs[2:]:
        anchor += np.greater_equal(u, p, out=below).view(np.uint8)
    index = anchor.astype(np.intp)
    gathered = probs.take(index, mode="clip")  # (the indices are all in range)
    u -= gathered
    index *= days
    index += np.arange(days)
    u *= slope_at.take(index, out=gathered, mode="clip")
    u += value_at.take(index, out=gathered, mode="clip")
    return u


def to_daily(forecasts: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Forecasts per day: hours summed to their day, longer periods spread evenly over
    their days (bands scaled alike).

    Inventory runs in days (lead times, expiry dates); a weekly forecast of 14 units
    becomes 2 units on each of its 7 days, a quarter's 91 units 1 a day. Scaling the
    bands by the same factor treats the days of a period as perfectly correlated, which
    is conservative; summing the hours' bands does the same for the hours of a day.
    """
    code = calendar_facts.code_of(freq)
    if code == "D":
        return forecasts.copy()
    value_columns = [c for c in forecasts.columns if c.startswith(FORECAST)]
    if code == "h":
        return _hours_to_days(forecasts, value_columns)
    # rows by period, then as listed (a period's rows are spread together)
    rows = forecasts[forecasts[S.DS].notna()].sort_values(S.DS, kind="stable")
    periods = pd.DatetimeIndex(rows[S.DS])
    _, first, which = np.unique(periods.asi8, return_index=True, return_inverse=True)
    period_days = calendar_facts.days_in_period(periods[first], code)
    days = period_days[which.ravel()]
    take = np.repeat(np.arange(len(rows)), days)
    out = rows.iloc[take].reset_index(drop=True)
    day_of_period = np.arange(len(take)) - np.repeat(np.cumsum(days) - days, days)
    out[S.DS] = periods[take] + pd.to_timedelta(day_of_period, unit="D")
    out[value_columns] = out[value_columns].div(days[take], axis=0)
    return _by_product_and_day(out)


def _hours_to_days(forecasts: pd.DataFrame, value_columns: list[str]) -> pd.DataFrame:
    """Hourly forecasts summed per product and day (other columns: the day's first)."""
    rows = forecasts[forecasts[S.DS].notna()]
    keys = [rows[S.UNIQUE_ID], rows[S.DS].dt.normalize().rename(S.DS)]
    rules = {
        c: ("sum" if c in value_columns else "first")
        for c in rows.columns
        if c not in (S.UNIQUE_ID, S.DS)
    }
    out = rows.groupby(keys, sort=True).agg(rules).reset_index()
    return _by_product_and_day(out[list(forecasts.columns)])


def _by_product_and_day(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.sort_values([unique_id, ds], kind="stable")`` with a fresh index.

    With text ids and dates (no missing date) the order is worked out on integer codes,
    (ids factorised in sorted order, a missing id last, as pandas places it), which
    gives the same rows in the same order as pandas sorting the text itself, faster.
    """
    ids, dates = frame[S.UNIQUE_ID], frame[S.DS]
    if (
        ids.dtype != object
        or pd.api.types.infer_dtype(ids) != "string"
        or not pd.api.types.is_datetime64_dtype(dates)
        or dates.isna().any()
    ):
        return frame.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
    codes, uniques = pd.factorize(ids, sort=True)
    codes = np.where(codes < 0, len(uniques), codes)
    order = np.lexsort((dates.to_numpy().view(np.int64), codes))
    return frame.iloc[order].reset_index(drop=True)


def lead_time_samples(
    mean: float, std: float, n: int, rng: np.random.Generator, minimum: int = 1
) -> np.ndarray:
    """Integer lead times in days: a normal around the mean, rounded, at least ``minimum``."""
    if not np.isfinite(std) or std <= 0:
        return np.full(n, max(round(mean), minimum))
    return np.maximum(np.rint(rng.normal(mean, std, n)).astype(int), minimum)


def demand_over(paths: np.ndarray, start: np.ndarray | int, length: np.ndarray | int) -> np.ndarray:
    """Per path, total demand over ``length`` days starting at day index ``start``.

    Paths shorter than needed are extended by repeating their last week's average, so a
    lead time longer than the forecast horizon still gets a (documented) estimate.
    """
    n_paths, days = paths.shape
    start = np.broadcast_to(np.asarray(start), (n_paths,))
    end = start + np.broadcast_to(np.asarray(length), (n_paths,))
    needed = int(end.max()) if n_paths else 0
    if n_paths and min(start.min(), end.min()) < 0:
        needed = max(needed, days)  # negative indices count from the end of every day
    totals = running_demand(paths, needed)
    # (index from the end as numpy does, for the negative ones)
    end, start = end % len(totals), start % len(totals)
    flat = totals.ravel()
    rows = np.arange(n_paths)
    return flat[end * n_paths + rows] - flat[start * n_paths + rows]


def running_demand(paths: np.ndarray, days: int) -> np.ndarray:
    """(days + 1, n_paths): per path, its total demand over its first 0, 1, …, ``days`` days.

    Beyond the paths' length each day adds their last week's average (as in
    :func:`demand_over`). The totals are running sums, day after day, so the total over
    the first d days is the same whatever ``days`` is asked for. They are summed a day at
    a time across all paths (the paths' days laid out as rows), which is faster than
    summing each path along its days and gives the same sums.
    """
    n_paths, length = paths.shape
    days = max(int(days), 0)
    if days > length:
        tail = paths[:, -min(7, length) :].mean(axis=1, keepdims=True)
        paths = np.concatenate([paths, np.repeat(tail, days - length, axis=1)], axis=1)
    by_day = np.ascontiguousarray(paths[:, :days].T)
    totals = np.empty((days + 1, n_paths))
    totals[0] = 0.0
    for day in range(days):
        np.add(totals[day], by_day[day], out=totals[day + 1])
    return totals


INTERMITTENT_ADI = 1.32
"""Average inter-demand interval from which a history counts as intermittent (Syntetos-Boylan)."""
BOOTSTRAP_BLOCK = 7


def is_intermittent(history: np.ndarray) -> bool:
    """True when demand occurs in fewer than 1 of 1.32 periods since the first sale."""
    values = history[np.isfinite(history)]
    sold = np.flatnonzero(values > 0)
    if len(sold) == 0:
        return False
    return (len(values) - sold[0]) / len(sold) >= INTERMITTENT_ADI


def bootstrap_paths(
    history: np.ndarray,
    days: int,
    n_paths: int,
    rng: np.random.Generator,
    level: float | None = None,
    block: int = BOOTSTRAP_BLOCK,
) -> np.ndarray | None:
    """Demand paths made of blocks of the product's own recent daily demand.

    Why: for intermittent items the lead-time total is driven by how demand clusters (a
    customer buying several days running, quiet weeks), which independent daily draws from
    forecast quantiles cannot reproduce: with the right mean their totals are too narrow,
    and with the point taken as a median their mean is too high (see the module doc).
    Resampling whole ``block``-day stretches of history (a moving-block bootstrap, in the
    spirit of Willemain, Smart & Schwarz 2004) keeps that clustering. ``level`` (mean
    units per day, e.g. the forecast's) rescales the paths so the forecast still sets the
    level while history sets the shape. None when the history is too short or has no
    demand.
    """
    values = history[np.isfinite(history)]
    if len(values) < 2 * block or values.mean() <= 0:
        return None
    n_blocks = -(-days // block)
    starts = rng.integers(0, len(values) - block + 1, size=(n_paths, n_blocks))
    index = starts[:, :, None] + np.arange(block)[None, None, :]
    paths = values[index].reshape(n_paths, n_blocks * block)[:, :days].astype(float)
    if level is not None:
        paths *= max(level, 0.0) / values.mean()
    return np.maximum(paths, 0.0)
