"""Exponential smoothing, ARIMA, Theta and CES: the workhorses for smooth and seasonal demand.

All four choose their own specification per series (information criteria for ETS, CES and
ARIMA, the best Theta variant for AutoTheta) and give native prediction intervals.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.models.statsforecast_adapter import StatsForecastModel


class AutoETS(StatsForecastModel):
    """Exponential smoothing state-space model chosen per series (error/trend/season).

    ``model="ZZZ"`` lets each component be chosen; ``damped=None`` tries both.
    """

    sf_class_name = "AutoETS"
    native_intervals = True
    min_history = 3

    def __init__(
        self,
        season_length: int = 1,
        model: str = "ZZZ",
        damped: bool | None = None,
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.season_length = season_length
        self.model = model
        self.damped = damped
        self.alias = alias
        self.freq = freq

    def _sf_params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "model": self.model, "damped": self.damped}


class AutoARIMA(StatsForecastModel):
    """Seasonal ARIMA with orders chosen per series (stepwise search).

    The slowest statistical model (seconds per long daily series): choose it where the
    backtest says it pays for itself.
    """

    sf_class_name = "AutoARIMA"
    native_intervals = True
    min_history = 4

    def __init__(
        self,
        season_length: int = 1,
        approximation: bool | None = None,
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.season_length = season_length
        self.approximation = approximation
        self.alias = alias
        self.freq = freq

    def _sf_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"season_length": self.season_length}
        if self.approximation is not None:
            params["approximation"] = self.approximation
        return params


class AutoTheta(StatsForecastModel):
    """Theta method (standard, optimised, dynamic variants) chosen per series."""

    sf_class_name = "AutoTheta"
    native_intervals = True
    min_history = 3

    def __init__(
        self,
        season_length: int = 1,
        decomposition_type: str = "multiplicative",
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.season_length = season_length
        self.decomposition_type = decomposition_type
        self.alias = alias
        self.freq = freq

    def _sf_params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "decomposition_type": self.decomposition_type}


class AutoCES(StatsForecastModel):
    """Complex exponential smoothing, its variant (none, simple, partial or full season)
    chosen per series by information criterion.

    CES models level and trend as one complex-valued state, so it needs no separate trend
    choice; it errs differently from ETS and Theta, which is what makes it a useful member
    of a combination (:mod:`stockwise.models.combination`).
    """

    sf_class_name = "AutoCES"
    native_intervals = True
    min_history = 3

    def __init__(
        self,
        season_length: int = 1,
        model: str = "Z",
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.season_length = season_length
        self.model = model
        self.alias = alias
        self.freq = freq

    def _sf_params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "model": self.model}

    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        """A constant series has no spread for CES's bands to scale (they fail): it is
        reported, for the fallback chain to serve with a simpler model."""
        by_series = df.groupby(S.UNIQUE_ID, sort=False)[S.Y]
        spread = by_series.transform("max") - by_series.transform("min")
        flat = df.loc[spread.to_numpy() == 0, S.UNIQUE_ID].unique()
        for uid in flat:
            self.failures_[str(uid)] = "a constant series: CES has no spread to model"
        rest = df[~df[S.UNIQUE_ID].isin(flat)]
        if not rest.empty:
            super()._fit(rest, X_df)
