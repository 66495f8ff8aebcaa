"""Baselines every model must beat: naive, seasonal naive, moving and historic averages.

They also end every fallback chain, because they cannot fail on a non-empty series.
Naive, SeasonalNaive and HistoricAverage have native intervals; the moving average gets
conformal ones.
"""

from __future__ import annotations

from typing import Any

from stockwise.models.statsforecast_adapter import ParameterFreeModel, StatsForecastModel


class Naive(ParameterFreeModel):
    """Repeat the last value."""

    sf_class_name = "Naive"
    native_intervals = True


class SeasonalNaive(StatsForecastModel):
    """Repeat the last season (e.g. the same weekday last week)."""

    sf_class_name = "SeasonalNaive"
    native_intervals = True

    def __init__(self, season_length: int = 1, alias: str | None = None,
                 freq: str | None = None) -> None:
        self.season_length = season_length
        self.alias = alias
        self.freq = freq

    @property
    def min_history(self) -> int:  # type: ignore[override]
        return self.season_length

    def _sf_params(self) -> dict[str, Any]:
        return {"season_length": self.season_length}


class WindowAverage(StatsForecastModel):
    """Mean of the last ``window_size`` observations (a moving average)."""

    sf_class_name = "WindowAverage"

    def __init__(self, window_size: int = 7, alias: str | None = None,
                 freq: str | None = None) -> None:
        self.window_size = window_size
        self.alias = alias
        self.freq = freq

    @property
    def min_history(self) -> int:  # type: ignore[override]
        return self.window_size

    def _sf_params(self) -> dict[str, Any]:
        return {"window_size": self.window_size}


class HistoricAverage(ParameterFreeModel):
    """Mean of the whole history: the last resort of every fallback chain."""

    sf_class_name = "HistoricAverage"
    native_intervals = True
