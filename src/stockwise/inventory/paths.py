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

Two choices were measured in closed-loop replays (docs/benchmarks.md, "Closed-loop
inventory replays"):

- *Independent days by default* (``DEFAULT_CORRELATION = 0``). Forecast errors of
  consecutive days are positively correlated in principle, but with the point as the
  median the multi-day totals are already wide, and every correlation tried (0.25, 0.5)
  over-served more, with more stock.
- *The point stays the median by default.* Forecasters give the conditional mean, and on
  slow items whose lower bands are clipped at zero the paths' mean comes out 1.8-5.3
  times the point forecast. ``point_is_mean=True`` rescales those days to the point's
  mean. Measured on M5 (149 intermittent items) it made the mean right but the
  lead-time totals too narrow (independent days hide the bursts of intermittent demand):
  realised CSL 88.9 / 91.4 / 93.6 % at 90 / 95 / 98 % targets instead of 96.4 / 97.7 /
  98.7 %, and only 1-8 % less stock than the baseline at equal fill rate instead of
  22-34 %. So it is an option, not the default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from stockwise import schema as S

FORECAST = "forecast"
DEFAULT_PATHS = 1000
DEFAULT_CORRELATION = 0.0


def quantile_knots(rows: pd.DataFrame, column: str = FORECAST) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities (k,), values (days, k)) from ``forecast`` and its bands, sorted."""
    probs = [0.5]
    values = [rows[column].to_numpy(dtype=float)]
    for name in rows.columns:
        if name.startswith(f"{column}-lo-") or name.startswith(f"{column}-hi-"):
            side, level = name.split("-")[-2:]
            tail = (100 - float(level)) / 200
            probs.append(tail if side == "lo" else 1 - tail)
            values.append(rows[name].to_numpy(dtype=float))
    order = np.argsort(probs)
    knots = np.column_stack(values)[:, order]
    # Bands from different models can cross a hair; keep each day's quantiles monotone.
    knots = np.maximum.accumulate(np.nan_to_num(knots, nan=0.0), axis=1)
    return np.asarray(probs)[order], knots


def sample_paths(
    rows: pd.DataFrame, n_paths: int = DEFAULT_PATHS, correlation: float = DEFAULT_CORRELATION,
    rng: np.random.Generator | None = None, column: str = FORECAST, point_is_mean: bool = False,
) -> np.ndarray:
    """(n_paths, days) non-negative demand paths for one product's forecast rows.

    ``point_is_mean`` rescales the draws of each day whose lowest band is zero so their
    mean is the point forecast (see the module docstring); False keeps the point as the
    median everywhere.
    """
    if not 0 <= correlation <= 1:
        raise ValueError("correlation must be between 0 and 1")
    rng = rng or np.random.default_rng(0)
    days = len(rows)
    shared = rng.standard_normal((n_paths, 1))
    own = rng.standard_normal((n_paths, days))
    u = norm.cdf(np.sqrt(correlation) * shared + np.sqrt(1 - correlation) * own)
    probs, knots = quantile_knots(rows, column)
    if len(probs) == 1:  # no bands: Poisson around the point, via the same uniforms
        from scipy.stats import poisson

        return poisson.ppf(u, np.maximum(knots[:, 0], 1e-9)[None, :]).astype(float)
    out = np.empty((n_paths, days))
    for day in range(days):
        out[:, day] = _inverse_cdf(u[:, day], probs, knots[day])
    out = np.maximum(out, 0.0)
    if point_is_mean:
        point = rows[column].to_numpy(dtype=float)
        clipped = knots[:, 0] <= 0
        _rescale_to_mean(out, np.where(clipped, np.nan_to_num(point), np.nan))
    return out


def _rescale_to_mean(paths: np.ndarray, target: np.ndarray) -> None:
    """In place: scale each day's draws so their mean is ``target`` (NaN = leave as is).

    A day whose draws are all zero, or whose target is zero or less, is left as is: there
    is no shape to rescale, and a zero forecast with positive bands keeps its bands.
    """
    mean = paths.mean(axis=0)
    scale = np.where(np.isfinite(target) & (target > 0) & (mean > 0),
                     target / np.where(mean > 0, mean, 1.0), 1.0)
    paths *= scale[None, :]


def _inverse_cdf(u: np.ndarray, probs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Piecewise-linear quantile function with linear tails beyond the outer knots."""
    inside = np.interp(u, probs, values)
    low_slope = (values[1] - values[0]) / (probs[1] - probs[0])
    high_slope = (values[-1] - values[-2]) / (probs[-1] - probs[-2])
    below = u < probs[0]
    above = u > probs[-1]
    inside[below] = values[0] - (probs[0] - u[below]) * low_slope
    inside[above] = values[-1] + (u[above] - probs[-1]) * high_slope
    return inside


def to_daily(forecasts: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Spread weekly or monthly forecasts evenly over their days (bands scaled alike).

    Inventory runs in days (lead times, expiry dates); a weekly forecast of 14 units
    becomes 2 units on each of its 7 days. Scaling the bands by the same factor treats
    the days of a period as perfectly correlated, which is conservative.
    """
    if freq == "D":
        return forecasts.copy()
    value_columns = [c for c in forecasts.columns if c.startswith(FORECAST)]
    parts = []
    for ds, group in forecasts.groupby(S.DS, sort=True):
        start = pd.Timestamp(ds)
        end = start + (pd.offsets.Week(1) if freq == "W" else pd.offsets.MonthBegin(1))
        days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
        expanded = group.loc[group.index.repeat(len(days))].copy()
        expanded[S.DS] = np.tile(days.to_numpy(), len(group))
        expanded[value_columns] = expanded[value_columns] / len(days)
        parts.append(expanded)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)


def lead_time_samples(mean: float, std: float, n: int, rng: np.random.Generator,
                      minimum: int = 1) -> np.ndarray:
    """Integer lead times in days: a normal around the mean, rounded, at least ``minimum``."""
    if not np.isfinite(std) or std <= 0:
        return np.full(n, max(round(mean), minimum))
    return np.maximum(np.rint(rng.normal(mean, std, n)).astype(int), minimum)


def demand_over(paths: np.ndarray, start: np.ndarray | int, length: np.ndarray | int
                ) -> np.ndarray:
    """Per path, total demand over ``length`` days starting at day index ``start``.

    Paths shorter than needed are extended by repeating their last week's average, so a
    lead time longer than the forecast horizon still gets a (documented) estimate.
    """
    n_paths, days = paths.shape
    start = np.broadcast_to(np.asarray(start), (n_paths,))
    length = np.broadcast_to(np.asarray(length), (n_paths,))
    needed = int((start + length).max()) if n_paths else 0
    if needed > days:
        tail = paths[:, -min(7, days):].mean(axis=1, keepdims=True)
        paths = np.concatenate([paths, np.repeat(tail, needed - days, axis=1)], axis=1)
    cumulative = np.concatenate([np.zeros((n_paths, 1)), np.cumsum(paths, axis=1)], axis=1)
    rows = np.arange(n_paths)
    return cumulative[rows, start + length] - cumulative[rows, start]


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


def bootstrap_paths(history: np.ndarray, days: int, n_paths: int, rng: np.random.Generator,
                    level: float | None = None, block: int = BOOTSTRAP_BLOCK
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
