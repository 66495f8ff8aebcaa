"""Exponential smoothing for a whole panel at once: Holt-Winters and simple smoothing.

The fast default of "auto" on daily data. statsforecast's AutoETS optimises each series'
parameters numerically (about a quarter of a CPU-second per two-year daily series, times
every backtest window); here each series picks its parameters from a small grid by the
mean squared one-step error, and the recursion runs for every series and every grid point
at once, one numpy step per period. Because the state at any column depends only on the
data up to it, one pass also gives the forecast from every backtest cutoff, each with the
parameters that were best *up to that cutoff* (the running error sums are snapshot
there), so the backtest uses nothing from the future.

Model (additive error correction form, Hyndman et al. 2008, ETS(A,Ad,A)):
``ŷ_t = l + φ·b + s_p``, ``e = y_t − ŷ_t``, ``l ← l + φ·b + α·e``, ``b ← φ·b + β·e``,
``s_p ← s_p + γ·e``, with ``p`` the period's phase in the season. The first season of each
series initialises the level (its mean) and the seasonal terms (deviations from it); a
series with fewer than one season plus one period up to the origin is forecast by its
mean (there is nothing to smooth yet).
"""

from __future__ import annotations

import itertools

import numpy as np

from stockwise.models.panel_base import PanelForecaster

ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
GAMMAS = (0.02, 0.1, 0.25)
DAMPING = 0.9
TREND_SHARE = 0.1
"""β of the damped-trend variants as a share of α (a slow trend, as ETS usually finds)."""


class HoltWinters(PanelForecaster):
    """Additive-seasonal exponential smoothing with an optional damped trend, per series
    parameters from a grid (level α, season γ, trend or not); all series at once."""

    min_history = 1

    def __init__(self, season_length: int = 1, damped: bool = True,
                 alias: str | None = None, freq: str | None = None) -> None:
        self.season_length = season_length
        self.damped = damped
        self.alias = alias
        self.freq = freq

    def _grid(self) -> list[tuple[float, float, float, float]]:
        gammas = GAMMAS if self.season_length > 1 else (0.0,)
        trends = [(0.0, 1.0)] + ([(TREND_SHARE, DAMPING)] if self.damped else [])
        return [(a, g, a * share, phi) for a, g, (share, phi)
                in itertools.product(ALPHAS, gammas, trends)]

    def _point(self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
               ) -> np.ndarray:
        return smooth_panel(values, start, cutoffs, h, max(self.season_length, 1),
                            self._grid())


class SES(HoltWinters):
    """Simple exponential smoothing (a flat level), α per series from a grid."""

    def __init__(self, alias: str | None = None, freq: str | None = None) -> None:
        self.alias = alias
        self.freq = freq

    @property
    def season_length(self) -> int:  # type: ignore[override]
        return 1

    @property
    def damped(self) -> bool:  # type: ignore[override]
        return False


def smooth_panel(values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int, m: int,
                 grid: list[tuple[float, float, float, float]]) -> np.ndarray:
    """(cutoffs × series × h) forecasts of the smoothing recursion (module docstring).

    ``grid`` holds (α, γ, β, φ) tuples; each series, at each cutoff, uses the one with the
    smallest mean squared one-step error up to that cutoff.
    """
    n_series, n_periods = values.shape
    alpha, gamma, beta, phi = (np.array(p)[:, None] for p in zip(*grid, strict=True))
    n_grid = len(grid)
    level, seasonal = _initial_states(values, start, m)
    level = np.repeat(level[None, :], n_grid, axis=0)
    trend = np.zeros((n_grid, n_series))
    season = np.repeat(seasonal[:, None, :], n_grid, axis=1)  # (m, grid, series)
    sse = np.zeros((n_grid, n_series))
    count = np.zeros(n_series)
    first = start + m  # first column smoothed (the first season initialises)
    wanted = set(cutoffs)
    snapshots: dict[int, tuple[np.ndarray, ...]] = {}
    for t in range(int(first.min(initial=n_periods)) if n_series else 0, n_periods):
        active = first <= t
        phase = t % m
        fitted = level + phi * trend + season[phase]
        error = np.where(active, values[:, t] - fitted, 0.0)
        level = np.where(active, level + phi * trend + alpha * error, level)
        trend = np.where(active, phi * trend + beta * error, trend)
        season[phase] += gamma * error
        sse += error * error
        count += active
        if t in wanted:
            snapshots[t] = (level.copy(), trend.copy(), season.copy(), sse.copy(), count.copy())
    out = np.empty((len(cutoffs), n_series, h))
    running_mean = _running_mean(values)
    horizon = np.arange(1, h + 1)
    for i, cutoff in enumerate(cutoffs):
        mean = running_mean[:, cutoff] if cutoff >= 0 else np.full(n_series, np.nan)
        if cutoff not in snapshots:  # no series smoothed yet at this cutoff
            out[i] = np.nan_to_num(mean)[:, None]
            continue
        lvl, trd, sea, err, cnt = snapshots[cutoff]
        best = np.argmin(err, axis=0)
        pick = np.arange(n_series)
        damp = np.cumsum(phi[best, 0][:, None] ** horizon[None, :], axis=1)
        phases = (cutoff + horizon) % m
        forecast = (lvl[best, pick][:, None] + damp * trd[best, pick][:, None]
                    + sea[phases][:, best, pick].T)
        forecast = np.where((cnt > 0)[:, None], forecast, np.nan_to_num(mean)[:, None])
        out[i] = np.maximum(np.nan_to_num(forecast), 0.0)
    return out


def _initial_states(values: np.ndarray, start: np.ndarray, m: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Level = mean of each series' first season; seasonal terms = deviations from it,
    stored by phase (column modulo ``m``)."""
    n_series, n_periods = values.shape
    rows = np.arange(n_series)
    columns = np.clip(start[:, None] + np.arange(m)[None, :], 0, n_periods - 1)
    first_season = values[rows[:, None], columns]
    inside = (start[:, None] + np.arange(m)[None, :]) < n_periods
    first_season = np.where(inside, first_season, np.nan)
    with np.errstate(invalid="ignore"):
        counted = np.sum(~np.isnan(first_season), axis=1)
        level = np.where(counted > 0, np.nansum(first_season, axis=1) / np.maximum(counted, 1),
                         0.0)
    seasonal = np.zeros((m, n_series))
    if m > 1:
        deviation = np.nan_to_num(first_season - level[:, None])
        seasonal[columns % m, rows[:, None]] = deviation
    return level, seasonal


def _running_mean(values: np.ndarray) -> np.ndarray:
    """Mean of each series' observations up to every column (NaN before its start)."""
    seen = ~np.isnan(values)
    total = np.cumsum(np.nan_to_num(values), axis=1)
    count = np.cumsum(seen, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
