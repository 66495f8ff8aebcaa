"""Baselines every model must beat: naive, seasonal naive, moving and historic averages.

They also end every fallback chain, because they cannot fail on a non-empty series. All
four work on the whole panel at once (:class:`~.panel_base.PanelForecaster`): the point
forecasts are statsforecast's (the same formulas), the bands conformal from the model's
own earlier errors, and a backtest costs one pass. Inside a backtest, a window with less
history than a model needs takes the nearest thing it can compute (seasonal naive: the
last value; moving average: the mean of what there is).
"""

from __future__ import annotations

import numpy as np

from stockwise.models.panel import mean_up_to
from stockwise.models.panel_base import PanelForecaster


def _at(values: np.ndarray, cutoffs: list[int]) -> np.ndarray:
    """(cutoffs × series) value of each series at each cutoff column."""
    return np.stack([values[:, c] for c in cutoffs]) if cutoffs else np.empty((0, len(values)))


class Naive(PanelForecaster):
    """Repeat the last value."""

    def __init__(self, alias: str | None = None, freq: str | None = None) -> None:
        self.alias = alias
        self.freq = freq

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        last = np.nan_to_num(_at(values, cutoffs))
        return np.repeat(np.maximum(last, 0.0)[:, :, None], h, axis=2)


class SeasonalNaive(PanelForecaster):
    """Repeat the last season (e.g. the same weekday last week)."""

    def __init__(
        self, season_length: int = 1, alias: str | None = None, freq: str | None = None
    ) -> None:
        self.season_length = season_length
        self.alias = alias
        self.freq = freq

    @property
    def min_history(self) -> int:  # type: ignore[override]
        return self.season_length

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        m = max(self.season_length, 1)
        out = np.empty((len(cutoffs), len(values), h))
        lag = (np.arange(h) % m) - m + 1  # column offset from the cutoff, per step
        for i, cutoff in enumerate(cutoffs):
            columns = cutoff + lag
            seasonal = values[:, np.clip(columns, 0, None)]
            seen = columns[None, :] >= start[:, None]
            out[i] = np.where(seen, seasonal, values[:, [cutoff]])
        return np.maximum(np.nan_to_num(out), 0.0)


class WindowAverage(PanelForecaster):
    """Mean of the last ``window_size`` observations (a moving average)."""

    def __init__(
        self, window_size: int = 7, alias: str | None = None, freq: str | None = None
    ) -> None:
        self.window_size = window_size
        self.alias = alias
        self.freq = freq

    @property
    def min_history(self) -> int:  # type: ignore[override]
        return self.window_size

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        total = np.cumsum(np.nan_to_num(values), axis=1)
        count = np.cumsum(~np.isnan(values), axis=1)
        out = np.empty((len(cutoffs), len(values)))
        for i, cutoff in enumerate(cutoffs):
            before = cutoff - self.window_size
            window_total = total[:, cutoff] - (total[:, before] if before >= 0 else 0.0)
            window_count = count[:, cutoff] - (count[:, before] if before >= 0 else 0)
            out[i] = window_total / np.maximum(window_count, 1)
        return np.repeat(np.maximum(out, 0.0)[:, :, None], h, axis=2)


class HistoricAverage(PanelForecaster):
    """Mean of the whole history: the last resort of every fallback chain."""

    def __init__(self, alias: str | None = None, freq: str | None = None) -> None:
        self.alias = alias
        self.freq = freq

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        out = mean_up_to(values, cutoffs)
        return np.repeat(np.maximum(out, 0.0)[:, :, None], h, axis=2)
