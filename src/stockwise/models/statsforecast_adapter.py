"""Glue between the stockwise contract and Nixtla statsforecast's local models.

One :class:`StatsForecastModel` subclass per model only names the statsforecast class and
its parameters; fitting runs all series in one vectorised ``StatsForecast.fit`` (so the
wrapper adds little over raw statsforecast) and drops to one-series-at-a-time only when
that joint fit raises, to find and report the failing series instead of stopping.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, ClassVar

import pandas as pd

from stockwise import schema as S
from stockwise.models.base import Forecaster, pandas_freq

log = logging.getLogger(__name__)


class StatsForecastModel(Forecaster):
    """Base for models backed by one ``statsforecast.models`` class."""

    sf_class_name: ClassVar[str] = ""

    def _sf_params(self) -> dict[str, Any]:
        """Keyword arguments for the statsforecast class (subclasses override)."""
        return {}

    def _make_sf_model(self) -> Any:
        import statsforecast.models as sfm

        return getattr(sfm, self.sf_class_name)(alias=self.name, **self._sf_params())

    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        from statsforecast import StatsForecast

        frame = df[[S.UNIQUE_ID, S.DS, S.Y]]
        self.sf_freq_ = pandas_freq(self.freq_, frame[S.DS])
        try:
            self.sf_ = self._fit_sf(StatsForecast, frame)
            return
        except Exception as exc:  # find the culprits one series at a time
            log.info("%s failed on the joint fit (%s); retrying series by series", self.name, exc)
        good = []
        for uid, series in frame.groupby(S.UNIQUE_ID, sort=True):
            try:
                self._fit_sf(StatsForecast, series)
                good.append(uid)
            except Exception as exc:
                self.failures_[str(uid)] = f"{type(exc).__name__}: {exc}"
        if good:
            self.sf_ = self._fit_sf(StatsForecast, frame[frame[S.UNIQUE_ID].isin(good)])

    def _fit_sf(self, factory: Any, frame: pd.DataFrame) -> Any:
        sf = factory(models=[self._make_sf_model()], freq=self.sf_freq_, n_jobs=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sf.fit(frame)

    def _predict(self, h: int, X_df: pd.DataFrame | None, levels: tuple[int, ...]) -> pd.DataFrame:
        try:
            out = self._predict_sf(self.sf_, h, levels)
        except Exception as exc:  # one series' bands can fail (e.g. a zero spread)
            log.info(
                "%s failed on the joint forecast (%s); retrying series by series", self.name, exc
            )
            out = self._predict_one_by_one(h, levels)
        out[S.UNIQUE_ID] = out[S.UNIQUE_ID].astype(str)
        return out.reset_index(drop=True)

    def _predict_sf(self, sf: Any, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = sf.predict(h=h, level=list(levels) or None)
        return out.reset_index() if S.UNIQUE_ID not in out.columns else out

    def _predict_one_by_one(self, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
        """Refit and forecast each series alone; the ones that still fail are reported
        (``failures_``) and left out, for a fallback chain to serve."""
        from statsforecast import StatsForecast

        parts = []
        frame = self.train_[self.train_[S.UNIQUE_ID].isin(self.fitted_ids_)]
        for uid, series in frame.groupby(S.UNIQUE_ID, sort=True):
            try:
                sf = self._fit_sf(StatsForecast, series[[S.UNIQUE_ID, S.DS, S.Y]])
                parts.append(self._predict_sf(sf, h, levels))
            except Exception as exc:
                self.failures_[str(uid)] = f"{type(exc).__name__}: {exc}"
        self.fitted_ids_ = [u for u in self.fitted_ids_ if u not in self.failures_]
        if not parts:
            raise ValueError(f"{self.name} could forecast none of its series")
        return pd.concat(parts, ignore_index=True)


class ParameterFreeModel(StatsForecastModel):
    """A statsforecast model whose only settings are the output name and the frequency."""

    def __init__(self, alias: str | None = None, freq: str | None = None) -> None:
        self.alias = alias
        self.freq = freq
