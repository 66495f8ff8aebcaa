"""Split-conformal prediction intervals for models without native ones.

For a fitted model, refit clones on rolling-origin windows of its own training data and
collect the signed errors y − ŷ of each series (pooled over the horizon steps of all
windows). The band of level L is the point plus the errors' lower and upper tail
quantiles, with the finite-sample conformal ranks: with n errors, the
⌈(n + 1)·(1 − α/2)⌉-th smallest for the upper end and the ⌊(n + 1)·α/2⌋-th for the lower
one, α = 1 − L/100 (the extremes when n is too small). Signed rather than absolute errors
matter for intermittent demand: errors are mostly small and negative with rare large
positive ones, so a symmetric band would be too wide below and too narrow above. Where
zeros are at least as frequent as the lower tail, the band starts at zero. Series
too short for any window get a random-walk band ±z·σ(Δy)·√k instead, so every series
still gets an interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.models.splits import rolling_origin, window_forecast

if TYPE_CHECKING:
    from stockwise.models.base import Forecaster

DEFAULT_WINDOWS = 3


def conformal_scores(
    model: Forecaster, h: int, n_windows: int = DEFAULT_WINDOWS
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Signed out-of-sample errors (y − ŷ) per series, and each series' share of zero
    actuals in those windows, from refits on the training data."""
    train = model.train_
    scores: dict[str, list[np.ndarray]] = {}
    actuals: dict[str, list[np.ndarray]] = {}
    for window in rolling_origin(train, h, n_windows):
        if window.test.empty:
            continue
        forecast, _ = window_forecast(model, window, h)
        joined = window.test[[S.UNIQUE_ID, S.DS, S.Y]].merge(
            forecast[[S.UNIQUE_ID, S.DS, model.name]], on=[S.UNIQUE_ID, S.DS]
        )
        errors = joined[S.Y] - joined[model.name]
        for uid, values in errors.groupby(joined[S.UNIQUE_ID], sort=False):
            scores.setdefault(str(uid), []).append(values.to_numpy())
            actuals.setdefault(str(uid), []).append(joined.loc[values.index, S.Y].to_numpy())
    zero_share = {uid: float(np.mean(np.concatenate(parts) <= 0)) for uid, parts in actuals.items()}
    return {uid: np.concatenate(parts) for uid, parts in scores.items()}, zero_share


def conformal_quantile(scores: np.ndarray, level: int) -> float:
    """The ⌈(n+1)·level⌉-th smallest score (finite-sample valid), capped at the largest."""
    n = len(scores)
    rank = int(np.ceil((n + 1) * level / 100.0))
    return float(np.sort(scores)[min(rank, n) - 1])


def conformal_band(errors: np.ndarray, level: int) -> tuple[float, float]:
    """(lower, upper) offsets to add to the point for a two-sided band of ``level``."""
    n = len(errors)
    ordered = np.sort(errors)
    tail = (100 - level) / 200.0
    upper = int(np.ceil((n + 1) * (1 - tail)))
    lower = int(np.floor((n + 1) * tail))
    return float(ordered[max(lower, 1) - 1]), float(ordered[min(upper, n) - 1])


def add_conformal_intervals(
    model: Forecaster,
    point: pd.DataFrame,
    h: int,
    levels: tuple[int, ...],
    X_df: pd.DataFrame | None = None,
    n_windows: int | None = None,
    *,
    scores: tuple[dict[str, np.ndarray], dict[str, float]] | None = None,
    spread: pd.Series | None = None,
) -> pd.DataFrame:
    """Add ``<name>-lo-L`` / ``<name>-hi-L`` to a point forecast of ``model``.

    ``scores`` (from :func:`conformal_scores`) and ``spread`` (random-walk sigma per
    series) may be given precomputed: a saved model keeps them instead of its training data.
    """
    windows = n_windows or int(getattr(model, "conformal_windows", DEFAULT_WINDOWS))
    errors_by_id, zero_share = scores if scores is not None else conformal_scores(model, h, windows)
    out = point.copy()
    name = model.name
    steps = out.groupby(S.UNIQUE_ID, sort=False).cumcount().to_numpy() + 1
    spread = random_walk_sigma(model.train_) if spread is None else spread
    ids, row = np.unique(out[S.UNIQUE_ID].to_numpy(dtype=str), return_inverse=True)
    width = max((len(e) for e in errors_by_id.values()), default=0)
    errors = np.full((len(ids), max(width, 1)), np.nan)
    for i, uid in enumerate(ids):
        found = errors_by_id.get(uid)
        if found is not None and len(found):
            errors[i, : len(found)] = found
    shares = np.array([zero_share.get(u, 0.0) for u in ids])
    sigma = spread.reindex(ids).to_numpy(dtype=float)
    bands = conformal_offsets(errors, shares, sigma, levels)
    values = out[name].to_numpy(dtype=float)
    for level, (low, high) in bands.items():
        z = two_sided_z(level)
        lo, hi = low[row], high[row]
        walk = np.isnan(hi)  # no errors for this series: random-walk band
        width_rw = z * np.nan_to_num(sigma[row][walk]) * np.sqrt(steps[walk])
        lo[walk], hi[walk] = -width_rw, width_rw
        out[f"{name}-lo-{level}"] = values + np.minimum(lo, 0.0)
        out[f"{name}-hi-{level}"] = values + np.maximum(hi, 0.0)
    return out


def two_sided_z(level: float) -> float:
    """The standard normal quantile of a two-sided band of ``level`` percent (the
    standard library's, so forecasting never imports scipy.stats, which is slow to import
    in a cold process)."""
    return NormalDist().inv_cdf(0.5 + level / 200.0)


def conformal_offsets(
    errors: np.ndarray, zero_share: np.ndarray, sigma: np.ndarray, levels: Sequence[int]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per series (rows of ``errors``, NaN-padded), the band offsets of each level.

    The finite-sample conformal ranks of :func:`conformal_band`, for every series at once.
    Where zero demand is at least as common as the lower tail (``zero_share``), the lower
    offset is −inf, so the band starts at 0: the point moves between refits, and "point +
    lower error" would miss the zeros. A series without errors gets NaN (the caller gives
    it a random-walk band from ``sigma``).
    """
    count = np.sum(~np.isnan(errors), axis=1)
    ordered = np.sort(errors, axis=1)  # NaN last
    out = {}
    for level in levels:
        tail = (100 - level) / 200.0
        upper = np.minimum(np.ceil((count + 1) * (1 - tail)).astype(int), count) - 1
        lower = np.maximum(np.floor((count + 1) * tail).astype(int), 1) - 1
        has = count > 0
        hi = np.where(
            has, np.take_along_axis(ordered, np.clip(upper, 0, None)[:, None], 1)[:, 0], np.nan
        )
        lo = np.where(
            has, np.take_along_axis(ordered, np.clip(lower, 0, None)[:, None], 1)[:, 0], np.nan
        )
        lo = np.where(has & (zero_share >= tail), -np.inf, lo)
        out[int(level)] = (lo, hi)
    return out


def random_walk_sigma(train: pd.DataFrame) -> pd.Series:
    diffs = train.groupby(S.UNIQUE_ID, sort=False)[S.Y].diff()
    sigma = diffs.groupby(train[S.UNIQUE_ID], sort=False).std(ddof=0)
    fallback = train.groupby(S.UNIQUE_ID, sort=False)[S.Y].std(ddof=0)
    return sigma.fillna(fallback).fillna(0.0)
