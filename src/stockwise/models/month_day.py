"""Holt-Winters with a day-of-month profile, for daily sales that follow paydays.

Daily retail sales often rise in the first days of a month and around its middle (wages,
benefits, pay cycles) and sag in between; a weekly season cannot see that. This model
forecasts with :class:`~.smoothing.HoltWinters` and multiplies each day by the series'
own day-of-month factor: how far its actuals ran above or below the same model's
forecasts on that day of the month, over the :data:`PROFILE_WINDOWS` horizon-long windows
before the forecast origin, relative to all days of those windows:

``factor(d) = (Σ_d y + τ·R·f̄) / (Σ_d f + τ·f̄) / R``, with ``R = Σ y / Σ f`` over all
days and ``f̄`` the mean forecast of a day, ``τ =`` :data:`PRIOR_DAYS` (a day of the month
seen a few times only stays near 1).

The factors come from forecasts made from earlier origins and compared with what
followed, all before the origin, so a backtest window sees nothing from its future; a
series with no earlier window keeps factors of 1. Closures (zeros of a busy series,
:mod:`stockwise.features.closed_days`) are left out of the sums: a shop closed on the
3rd of October says nothing about how it sells on the 3rd of a month. Because ``R`` is
divided out, the profile reshapes the month and leaves the level to the smoothing.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from stockwise.features.closed_days import RECENT_PERIODS, busy
from stockwise.models.panel import Panel
from stockwise.models.smoothing import HoltWinters

PROFILE_WINDOWS = 8
"""Earlier horizon-long windows that estimate the profile (about a year at h = 48)."""
PRIOR_DAYS = 1.0
"""Weight, in days at the series' average ratio, that pulls each factor toward 1."""
DAYS = 32
"""Day-of-month bins (1-31; 0 unused)."""


class HoltWintersMonthDay(HoltWinters):
    """:class:`~.smoothing.HoltWinters` times a per-series day-of-month profile learned
    from its own earlier errors (module docstring); daily data only.

    Its conformal bands take the errors of six horizons before the origin: the default
    three of the panel models can see a single calm season and come out too narrow; see
    docs/decisions/0002-closed-days-and-month-days.md."""

    conformal_windows: ClassVar[int] = 6

    def __init__(
        self,
        season_length: int = 1,
        damped: bool = True,
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.season_length = season_length
        self.damped = damped
        self.alias = alias
        self.freq = freq

    @property
    def multiplicative(self) -> bool:  # type: ignore[override]
        return False

    @property
    def init_seasons(self) -> int | None:  # type: ignore[override]
        return None

    def _forecasts(self, panel: Panel, cutoffs: list[int], h: int) -> np.ndarray:
        if panel.freq != "D":  # a week or a month has no day of the month to learn
            return self._point(panel.values, panel.start, cutoffs, h)
        earlier = {c - h * k for c in cutoffs for k in range(1, PROFILE_WINDOWS + 1)}
        every = sorted({*cutoffs, *(c for c in earlier if c >= 0)})
        base = dict(zip(every, self._point(panel.values, panel.start, every, h), strict=True))
        out = np.empty((len(cutoffs), len(panel.ids), h))
        for i, cutoff in enumerate(cutoffs):
            past = [c for c in (cutoff - h * k for k in range(1, PROFILE_WINDOWS + 1)) if c >= 0]
            factors = _profile(panel, past, [base[c] for c in past], h, cutoff)
            days = _days_ahead(panel, cutoff, h)
            # net returns (negative days) can make a day's factor negative: never below 0
            out[i] = np.maximum(base[cutoff] * np.take_along_axis(factors, days, axis=1), 0.0)
        return out


def _days_ahead(panel: Panel, cutoff: int, h: int) -> np.ndarray:
    """(series × h) day of the month of the ``h`` days after column ``cutoff`` (0 where the
    series has not started)."""
    origin = panel.dates[:, cutoff].astype("datetime64[D]")
    ahead = origin[:, None] + np.arange(1, h + 1).astype("timedelta64[D]")[None, :]
    days = pd.DatetimeIndex(ahead.ravel()).day.to_numpy()
    return np.nan_to_num(days, nan=0).astype(int).reshape(ahead.shape)


def _profile(
    panel: Panel, past: list[int], forecasts: list[np.ndarray], h: int, cutoff: int
) -> np.ndarray:
    """(series × :data:`DAYS`) factors from the windows after the ``past`` cutoffs, whose
    days all lie at or before ``cutoff``."""
    n_series = len(panel.ids)
    if not past:
        return np.ones((n_series, DAYS))
    closures = busy(panel.values[:, max(0, cutoff + 1 - RECENT_PERIODS) : cutoff + 1])
    total_y: np.ndarray = np.zeros(n_series * DAYS)  # flat while summing, then by day
    total_f: np.ndarray = np.zeros(n_series * DAYS)
    n_days = np.zeros(n_series)
    rows = np.arange(n_series)[:, None] * DAYS
    for start, forecast in zip(past, forecasts, strict=True):
        stop = min(start + 1 + h, cutoff + 1)
        actual = panel.values[:, start + 1 : stop]
        point = forecast[:, : actual.shape[1]]
        days = _days_ahead(panel, start, h)[:, : actual.shape[1]]
        keep = (
            ~np.isnan(actual) & ~np.isnan(point) & (days > 0) & ~(closures[:, None] & (actual <= 0))
        )
        index = (rows + days)[keep]
        total_y += np.bincount(index, actual[keep], n_series * DAYS)
        total_f += np.bincount(index, point[keep], n_series * DAYS)
        n_days += keep.sum(axis=1)
    total_y = total_y.reshape(n_series, DAYS)
    total_f = total_f.reshape(n_series, DAYS)
    sum_f = total_f.sum(axis=1, keepdims=True)
    sum_y = total_y.sum(axis=1, keepdims=True)
    usable = (sum_f > 0) & (sum_y > 0)
    ratio = np.where(usable, sum_y / np.where(usable, sum_f, 1.0), 1.0)
    prior = PRIOR_DAYS * sum_f / np.maximum(n_days, 1)[:, None]  # f̄: one average day
    factors = (total_y + prior * ratio) / np.maximum(total_f + prior, 1e-12) / ratio
    return np.where(usable, factors, 1.0)
