"""Split-conformal prediction intervals for models without native ones.

For a fitted model, refit clones on rolling-origin windows of its own training data,
collect the absolute errors of each series (pooled over the horizon steps of all
windows), and take the finite-sample conformal quantile: with n scores, the
⌈(n + 1)·L/100⌉-th smallest (the largest when n is too small). The band is the point
forecast ± that quantile, clipped at zero later. Series too short for any window get a
random-walk band z·σ(Δy)·√k instead, so every series still gets an interval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import norm

from stockwise import schema as S
from stockwise.models.splits import rolling_origin

if TYPE_CHECKING:
    from stockwise.models.base import Forecaster

DEFAULT_WINDOWS = 3


def conformal_scores(model: Forecaster, h: int, n_windows: int = DEFAULT_WINDOWS
                     ) -> dict[str, np.ndarray]:
    """Absolute out-of-sample errors per series from refits on the training data."""
    train = model.train_
    scores: dict[str, list[np.ndarray]] = {}
    for window in rolling_origin(train, h, n_windows):
        if window.test.empty:
            continue
        clone = model.clone()
        clone.fit(window.train)
        exog = window.test.drop(columns=[S.Y]) if model.supports_exog else None
        forecast = clone.predict(h, X_df=exog)
        joined = window.test[[S.UNIQUE_ID, S.DS, S.Y]].merge(
            forecast[[S.UNIQUE_ID, S.DS, model.name]], on=[S.UNIQUE_ID, S.DS])
        errors = (joined[S.Y] - joined[model.name]).abs()
        for uid, values in errors.groupby(joined[S.UNIQUE_ID], sort=False):
            scores.setdefault(str(uid), []).append(values.to_numpy())
    return {uid: np.concatenate(parts) for uid, parts in scores.items()}


def conformal_quantile(scores: np.ndarray, level: int) -> float:
    """The ⌈(n+1)·level⌉-th smallest score (finite-sample valid), capped at the largest."""
    n = len(scores)
    rank = int(np.ceil((n + 1) * level / 100.0))
    return float(np.sort(scores)[min(rank, n) - 1])


def add_conformal_intervals(model: Forecaster, point: pd.DataFrame, h: int,
                            levels: tuple[int, ...], X_df: pd.DataFrame | None = None,
                            n_windows: int | None = None) -> pd.DataFrame:
    """Add ``<name>-lo-L`` / ``<name>-hi-L`` to a point forecast of ``model``."""
    n_windows = n_windows or getattr(model, "conformal_windows", DEFAULT_WINDOWS)
    scores = conformal_scores(model, h, n_windows)
    out = point.copy()
    name = model.name
    steps = out.groupby(S.UNIQUE_ID, sort=False).cumcount().to_numpy() + 1
    spread = _random_walk_sigma(model.train_)
    for level in levels:
        by_series = {uid: conformal_quantile(s, level) for uid, s in scores.items() if len(s)}
        width = out[S.UNIQUE_ID].map(by_series).to_numpy(dtype=float)
        missing = np.isnan(width)
        if missing.any():
            z = norm.ppf(0.5 + level / 200.0)
            sigma = out[S.UNIQUE_ID].map(spread).to_numpy(dtype=float)
            width[missing] = z * np.nan_to_num(sigma[missing]) * np.sqrt(steps[missing])
        out[f"{name}-lo-{level}"] = out[name] - width
        out[f"{name}-hi-{level}"] = out[name] + width
    return out


def _random_walk_sigma(train: pd.DataFrame) -> pd.Series:
    diffs = train.groupby(S.UNIQUE_ID, sort=False)[S.Y].diff()
    sigma = diffs.groupby(train[S.UNIQUE_ID], sort=False).std(ddof=0)
    fallback = train.groupby(S.UNIQUE_ID, sort=False)[S.Y].std(ddof=0)
    return sigma.fillna(fallback).fillna(0.0)
