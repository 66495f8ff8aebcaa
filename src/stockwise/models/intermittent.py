"""Models for slow, intermittent and lumpy demand (pharmacy slow movers, luxury pieces).

Croston-type methods forecast demand size and inter-demand interval separately; TSB
tracks the probability of a sale instead of the interval (so obsolescence shows); ADIDA
and IMAPA aggregate over time to smooth away the zeros. Croston (classic and SBA) and TSB
run on the whole panel at once with statsforecast's formulas
(:class:`~.panel_base.PanelForecaster`: one pass for every backtest window, conformal
bands from their own earlier errors); the optimised Croston, ADIDA and IMAPA run through
statsforecast, with conformal bands from refits.
"""

from __future__ import annotations

import numpy as np

from stockwise.models.panel_base import PanelForecaster
from stockwise.models.statsforecast_adapter import ParameterFreeModel

CROSTON_ALPHA = 0.1
SBA_FACTOR = 0.95
"""statsforecast's debiasing factor of the Syntetos-Boylan approximation (1 − α/2)."""


class CrostonClassic(PanelForecaster):
    """Croston (1972): exponential smoothing of sizes and intervals, alpha = 0.1."""

    factor = 1.0

    def __init__(self, alias: str | None = None, freq: str | None = None) -> None:
        self.alias = alias
        self.freq = freq

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        size, interval, seen = croston_states(values, start, cutoffs, CROSTON_ALPHA)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(interval != 0, size / interval, size)
        rate = np.where(seen, rate * self.factor, 0.0)
        return np.repeat(np.maximum(np.nan_to_num(rate), 0.0)[:, :, None], h, axis=2)


class CrostonOptimized(ParameterFreeModel):
    """Croston with smoothing parameters optimised per series."""

    sf_class_name = "CrostonOptimized"


class CrostonSBA(CrostonClassic):
    """Syntetos–Boylan approximation: Croston debiased by (1 − alpha/2)."""

    factor = SBA_FACTOR


class TSB(PanelForecaster):
    """Teunter–Syntetos–Babai: smooths demand probability (alpha_p) and size (alpha_d)."""

    def __init__(
        self,
        alpha_d: float = 0.2,
        alpha_p: float = 0.2,
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p
        self.alias = alias
        self.freq = freq

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        size, _, seen = croston_states(values, start, cutoffs, self.alpha_d)
        probability = _smoothed_occurrence(values, start, cutoffs, self.alpha_p)
        rate = np.where(seen, probability * size, 0.0)
        return np.repeat(np.maximum(np.nan_to_num(rate), 0.0)[:, :, None], h, axis=2)


def croston_states(
    values: np.ndarray, start: np.ndarray, cutoffs: list[int], alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cutoffs × series) smoothed demand size, smoothed interval, and whether any demand
    was seen, at each cutoff.

    statsforecast's recursion: both start at the first demand (its size, and its position
    in the series counted from 1) and are updated at every later demand with ``alpha``
    (sizes) and the number of periods since the previous demand (intervals).
    """
    n_series, n_periods = values.shape
    size = np.zeros(n_series)
    interval = np.zeros(n_series)
    previous = np.full(n_series, -1)
    seen = np.zeros(n_series, dtype=bool)
    wanted = {c: i for i, c in enumerate(cutoffs)}
    out = np.zeros((3, len(cutoffs), n_series))
    for t in range(n_periods):
        y = values[:, t]
        demand = (y > 0) & (t >= start)
        first = demand & ~seen
        later = demand & seen
        size = np.where(first, y, np.where(later, size + alpha * (y - size), size))
        gap = t - previous
        interval = np.where(
            first, t - start + 1, np.where(later, interval + alpha * (gap - interval), interval)
        )
        previous = np.where(demand, t, previous)
        seen |= demand
        if t in wanted:
            out[:, wanted[t]] = size, interval, seen
    return out[0], out[1], out[2].astype(bool)


def _smoothed_occurrence(
    values: np.ndarray, start: np.ndarray, cutoffs: list[int], alpha: float
) -> np.ndarray:
    """(cutoffs × series) exponentially smoothed share of periods with demand, started at
    each series' first period (statsforecast's simple smoothing of the 0/1 occurrences)."""
    n_series, n_periods = values.shape
    level = np.zeros(n_series)
    wanted = {c: i for i, c in enumerate(cutoffs)}
    out = np.zeros((len(cutoffs), n_series))
    for t in range(n_periods):
        occurred = (values[:, t] > 0).astype(float)
        level = np.where(
            t == start, occurred, np.where(t > start, level + alpha * (occurred - level), level)
        )
        if t in wanted:
            out[wanted[t]] = level
    return out


class ADIDA(ParameterFreeModel):
    """Aggregate–disaggregate intermittent demand approach (temporal aggregation)."""

    sf_class_name = "ADIDA"


class IMAPA(ParameterFreeModel):
    """Intermittent multiple aggregation prediction algorithm (several aggregation levels)."""

    sf_class_name = "IMAPA"
