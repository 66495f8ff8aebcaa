"""Exponential smoothing for a whole panel at once: Holt-Winters and simple smoothing.

The fast default of "auto" on daily data. statsforecast's AutoETS optimises each series'
parameters numerically, series by series and again in every backtest window
(docs/decisions/0001-fast-auto-preset.md); here each series picks its parameters from a
small grid by the mean squared one-step error, and the recursion runs for every series and
every grid point at once, one numpy step per period. Because the state at any column
depends only on the data up to it, one pass also gives the forecast from every backtest
cutoff, each with the parameters that were best *up to that cutoff* (the running error
sums are snapshot there), so the backtest uses nothing from the future.

Model (additive error correction form, Hyndman et al. 2008, ETS(A,Ad,A)):
``ŷ_t = l + φ·b + s_p``, ``e = y_t − ŷ_t``, ``l ← l + φ·b + α·e``, ``b ← φ·b + β·e``,
``s_p ← s_p + γ·e``, with ``p`` the period's phase in the season. The first seasons of each
series (``seasons_to_start``) initialise the level (their mean) and the seasonal terms
(the mean deviation from it, or ratio to it, per phase). A series without that much
history up to the origin is forecast by simple smoothing, and one without even four
periods by its mean (there is nothing to smooth yet).
"""

from __future__ import annotations

import itertools
import warnings
from typing import NamedTuple

import numpy as np

from stockwise.models.panel import mean_up_to
from stockwise.models.panel_base import PanelForecaster

ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
GAMMAS = (0.02, 0.1, 0.25)
DAMPING = 0.9
TREND_SHARE = 0.1
"""β of the damped-trend variants as a share of α (a slow trend, as ETS usually finds)."""
MIN_RATIO = 0.05
MIN_LEVEL = 1e-3
"""Floors of the divisors of the multiplicative updates (a closed day's ratio is ~0)."""


class HoltWinters(PanelForecaster):
    """Additive-seasonal exponential smoothing with an optional damped trend, per series
    parameters from a grid (level α, season γ, trend or not); all series at once.

    ``multiplicative`` also tries a multiplicative season on every grid point (twice the
    cost; off by default: chosen by the one-step error, it does not forecast daily store
    or generated retail and pharmacy sales better; docs/decisions/0001-fast-auto-preset.md).
    """

    min_history = 1

    def __init__(
        self,
        season_length: int = 1,
        damped: bool = True,
        multiplicative: bool = False,
        init_seasons: int | None = None,
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.season_length = season_length
        self.damped = damped
        self.multiplicative = multiplicative
        self.init_seasons = init_seasons
        self.alias = alias
        self.freq = freq

    @property
    def seasons_to_start(self) -> int:
        """Seasons that initialise the states: enough for a steady weekly profile on
        daily data (4 weeks), two years of months, one year of weeks."""
        m = max(self.season_length, 1)
        return self.init_seasons or max(1, min(4, 28 // m))

    def _grid(self) -> list[tuple[float, float, float, float, bool]]:
        seasonal = self.season_length > 1
        gammas = GAMMAS if seasonal else (0.0,)
        trends = [(0.0, 1.0)] + ([(TREND_SHARE, DAMPING)] if self.damped else [])
        kinds = (False, True) if seasonal and self.multiplicative else (False,)
        return [
            (a, g, a * share, phi, multiplicative)
            for a, g, (share, phi), multiplicative in itertools.product(
                ALPHAS, gammas, trends, kinds
            )
        ]

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        m = max(self.season_length, 1)
        out = smooth_panel(values, start, cutoffs, h, m, self._grid(), self.seasons_to_start)
        short = np.isnan(out)
        if short.any() and m > 1:  # not enough seasons yet: a flat level instead
            level = SES()._point(values, start, cutoffs, h)
            out[short] = level[short]
        short = np.isnan(out)
        if short.any():  # not even the level's start: the mean so far
            out[short] = np.broadcast_to(mean_up_to(values, cutoffs)[:, :, None], out.shape)[short]
        return out


class SES(HoltWinters):
    """Simple exponential smoothing (a flat level), α per series from a grid."""

    def __init__(self, alias: str | None = None, freq: str | None = None) -> None:
        self.alias = alias
        self.freq = freq

    @property
    def init_seasons(self) -> int | None:  # type: ignore[override]
        return None

    @property
    def season_length(self) -> int:  # type: ignore[override]
        return 1

    @property
    def damped(self) -> bool:  # type: ignore[override]
        return False

    @property
    def multiplicative(self) -> bool:  # type: ignore[override]
        return False


def smooth_panel(
    values: np.ndarray,
    start: np.ndarray,
    cutoffs: list[int],
    h: int,
    m: int,
    grid: list[tuple[float, float, float, float, bool]],
    init_seasons: int = 1,
) -> np.ndarray:
    """(cutoffs × series × h) forecasts of the smoothing recursion (module docstring).

    ``grid`` holds (α, γ, β, φ, multiplicative season) tuples; each series, at each
    cutoff, uses the one with the smallest mean squared one-step error up to that cutoff.
    A multiplicative season (ETS(A,Ad,M)) keeps a closed day at zero whatever the level.
    """
    n_series, n_periods = values.shape
    alpha, gamma, beta, phi, mult = (np.array(p)[:, None] for p in zip(*grid, strict=True))
    params = SmoothingGrid(alpha, gamma, beta, phi, mult)
    n_grid = len(grid)
    level, additive, ratio = _initial_states(values, start, m, init_seasons)
    state = SmoothingState(
        level=np.repeat(level[None, :], n_grid, axis=0),
        trend=np.zeros((n_grid, n_series)),
        season=np.where(mult[None, :, :], ratio[:, None, :], additive[:, None, :]),
        sse=np.zeros((n_grid, n_series)),
    )
    count = np.zeros(n_series)
    first = start + m * init_seasons  # first column smoothed (the first seasons initialise)
    wanted = set(cutoffs)
    snapshots: dict[int, tuple[np.ndarray, ...]] = {}
    step = _additive_step if not mult.any() else _mixed_step
    filled = np.nan_to_num(values)
    for t in range(int(first.min(initial=n_periods)) if n_series else 0, n_periods):
        active = (first <= t).astype(float)
        # before its start a series' error is 0 and its trend 0: its states stay put
        state = step(state, params, t % m, filled[:, t], active)
        count += active
        if t in wanted:
            snapshots[t] = (*(part.copy() for part in state), count.copy())
    out = np.full((len(cutoffs), n_series, h), np.nan)
    horizon = np.arange(1, h + 1)
    for i, cutoff in enumerate(cutoffs):
        if cutoff not in snapshots:  # no series smoothed yet at this cutoff
            continue
        lvl, trd, sea, err, cnt = snapshots[cutoff]
        best = np.argmin(err, axis=0)
        pick = np.arange(n_series)
        damp = np.cumsum(phi[best, 0][:, None] ** horizon[None, :], axis=1)
        phases = (cutoff + horizon) % m
        base = lvl[best, pick][:, None] + damp * trd[best, pick][:, None]
        seasonal = sea[phases][:, best, pick].T
        forecast = np.where(mult[best, 0][:, None], base * seasonal, base + seasonal)
        forecast = np.maximum(np.nan_to_num(forecast), 0.0)
        out[i] = np.where((cnt > 0)[:, None], forecast, np.nan)
    return out


class SmoothingState(NamedTuple):
    """The recursion's state per (grid point, series): level, trend, seasonal terms by
    phase (phase × grid × series) and the running sum of squared one-step errors."""

    level: np.ndarray
    trend: np.ndarray
    season: np.ndarray
    sse: np.ndarray


class SmoothingGrid(NamedTuple):
    """The grid's parameters as columns (grid × 1), one row per grid point: level α,
    season γ, trend β, damping φ, and whether the season is multiplicative."""

    alpha: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    phi: np.ndarray
    mult: np.ndarray


def _additive_step(
    state: SmoothingState, grid: SmoothingGrid, phase: int, y: np.ndarray, active: np.ndarray
) -> SmoothingState:
    """One period of the additive recursion for every grid point and series (the hot loop:
    in-place operations, no masks beyond the error's)."""
    trend, season, sse = state.trend, state.season, state.sse
    trend *= grid.phi
    base = state.level + trend
    error = y - base
    error -= season[phase]
    error *= active
    season[phase] += grid.gamma * error
    sse += error * error
    trend += grid.beta * error
    base += grid.alpha * error
    return SmoothingState(base, trend, season, sse)


def _mixed_step(
    state: SmoothingState, grid: SmoothingGrid, phase: int, y: np.ndarray, active: np.ndarray
) -> SmoothingState:
    """One period with additive and multiplicative seasons side by side (``grid.mult``):
    the multiplicative error is shared out relative to the season and the level."""
    mult, season, sse = grid.mult, state.season, state.sse
    base = state.level + grid.phi * state.trend
    current = season[phase]
    fitted = np.where(mult, base * current, base + current)
    error = (y - fitted) * active
    to_level = np.where(mult, error / np.maximum(current, MIN_RATIO), error)
    to_season = np.where(mult, error / np.maximum(base, MIN_LEVEL), error)
    season[phase] = current + grid.gamma * to_season
    sse += error * error
    trend = grid.phi * state.trend + grid.beta * to_level
    return SmoothingState(base + grid.alpha * to_level, trend, season, sse)


def _initial_states(
    values: np.ndarray, start: np.ndarray, m: int, seasons: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level = mean of each series' first ``seasons`` seasons; seasonal terms = the mean
    deviations from it and ratios to it (1 where the level is zero) per phase, stored by
    phase (column modulo ``m``)."""
    n_series, n_periods = values.shape
    rows = np.arange(n_series)
    width = m * seasons
    offsets = np.arange(width)[None, :]
    inside = (start[:, None] + offsets) < n_periods
    window = np.where(
        inside, values[rows[:, None], np.clip(start[:, None] + offsets, 0, n_periods - 1)], np.nan
    )
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        level = np.nan_to_num(np.nanmean(window, axis=1))
        by_phase = np.nanmean(window.reshape(n_series, seasons, m), axis=1)  # (series, m)
    phase_columns = (start[:, None] + np.arange(m)[None, :]) % m
    additive = np.zeros((m, n_series))
    ratio = np.ones((m, n_series))
    if m > 1:
        additive[phase_columns, rows[:, None]] = np.nan_to_num(by_phase - level[:, None])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(level[:, None] > 0, by_phase / level[:, None], 1.0)
        ratio[phase_columns, rows[:, None]] = np.nan_to_num(share, nan=1.0)
    return level, additive, ratio
