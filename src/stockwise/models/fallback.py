"""A chain of forecasters: series the first cannot handle go to the next, and so on.

``FallbackChain([AutoARIMA(12), AutoETS(12), SeasonalNaive(12)])`` fits AutoARIMA on all
series, hands the ones it failed on (too short, numerical errors, non-finite forecasts)
to AutoETS, and so on. A final zero forecast catches anything left, so a chain never
stops a run. ``used_`` tells which model served each series and ``failures_`` why the
earlier ones did not; both are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.models.base import (
    Forecaster,
    check_training_frame,
    future_dates,
    infer_freq,
    interval_columns,
    normalise_levels,
)

log = logging.getLogger(__name__)
ZERO = "Zero"


class FallbackChain(Forecaster):
    """Try each model in turn per series; output columns carry the first model's name."""

    native_intervals = True  # each member brings its own (native or conformal)

    def __init__(
        self, models: Sequence[Forecaster], alias: str | None = None, freq: str | None = None
    ) -> None:
        self.models = models
        self.alias = alias
        self.freq = freq

    @property
    def name(self) -> str:
        return self.alias or (self.models[0].name if self.models else ZERO)

    @property
    def is_global(self) -> bool:  # type: ignore[override]
        return any(m.is_global for m in self.models)

    @property
    def supports_exog(self) -> bool:  # type: ignore[override]
        return any(m.supports_exog for m in self.models)

    @property
    def conformal_refits(self) -> int:
        return self.models[0].conformal_refits if self.models else 0

    @property
    def one_pass_backtest(self) -> bool:
        """The first model backtests in one pass and never hands a series on."""
        return bool(self.models) and getattr(self.models[0], "one_pass_backtest", False)

    def cross_validation(
        self,
        df: pd.DataFrame,
        h: int,
        n_windows: int = 2,
        step: int | None = None,
        levels: tuple[int, ...] = (),
    ) -> pd.DataFrame:
        """The first model's one-pass backtest, under the chain's name."""
        first = self.models[0].clone()
        if first.get_params().get("freq", "absent") is None:
            first.set_params(freq=self.freq)
        cv = first.cross_validation(df, h, n_windows, step, levels)  # type: ignore[attr-defined]
        return _rename(cv, first.name, self.name)

    def fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None = None) -> FallbackChain:
        frame = check_training_frame(df, "FallbackChain")
        self.freq_ = self.freq or infer_freq(frame)
        self.train_ = frame
        self.exog_train_ = X_df
        self.failures_: dict[str, str] = {}
        self.used_: dict[str, str] = {}
        self.stages_: list[list[Forecaster]] = [[] for _ in self.models]
        self.attempted_: list[set[str]] = [set() for _ in self.models]
        remaining = set(frame[S.UNIQUE_ID].unique())
        for index in range(len(self.models)):
            if not remaining:
                break
            model = self._fit_stage(index, remaining)
            remaining -= set(model.fitted_ids_)
        for uid in sorted(remaining):
            log.warning("no model could forecast series %s; forecasting zero", uid)
        self.fitted_ids_ = sorted(frame[S.UNIQUE_ID].unique())
        return self

    def _fit_stage(self, index: int, ids: set[str]) -> Forecaster:
        """Fit a clone of model ``index`` on ``ids``; record what it could not handle."""
        model = self.models[index].clone()
        if model.get_params().get("freq", "absent") is None:
            model.set_params(freq=self.freq_)
        model.fit(self.train_[self.train_[S.UNIQUE_ID].isin(ids)], self.exog_train_)
        self.stages_[index].append(model)
        self.attempted_[index] |= ids
        self._note_failures(model)
        for uid in model.fitted_ids_:
            self.used_.setdefault(uid, model.name)
        return model

    def _note_failures(self, model: Forecaster) -> None:
        for uid, reason in model.failures_.items():
            entry = f"{model.name}: {reason}"
            if entry not in self.failures_.get(uid, ""):
                previous = self.failures_.get(uid)
                self.failures_[uid] = f"{previous}; {entry}" if previous else entry
                log.info(
                    "%s failed on series %s (%s); trying the next model", model.name, uid, reason
                )

    def predict(
        self, h: int, X_df: pd.DataFrame | None = None, levels: tuple[int, ...] | list[int] = ()
    ) -> pd.DataFrame:
        """Each series is served by the first model that fits *and* forecasts it."""
        self.check_is_fitted()
        levels = normalise_levels(levels)
        parts = []
        pending = set(self.fitted_ids_)
        for index in range(len(self.models)):
            if not pending:
                break
            untried = pending - self.attempted_[index]
            if untried:  # failed later stages at predict time: give this model a go
                self._fit_stage(index, untried)
            for model in self.stages_[index]:
                mine = pending & set(model.fitted_ids_)
                if not mine:
                    continue
                forecast = model.predict(h, X_df=X_df, levels=levels)
                self._note_failures(model)
                forecast = forecast[forecast[S.UNIQUE_ID].isin(mine)]
                served = set(forecast[S.UNIQUE_ID])
                pending -= served
                self.used_.update(dict.fromkeys(served, model.name))
                parts.append(_rename(forecast, model.name, self.name))
        if pending:
            parts.append(self._zero(sorted(pending), h, levels))
            self.used_.update(dict.fromkeys(pending, ZERO))
        out = pd.concat(parts, ignore_index=True)
        return out.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)

    def _zero(self, ids: list[str], h: int, levels: tuple[int, ...]) -> pd.DataFrame:
        train = self.train_[self.train_[S.UNIQUE_ID].isin(ids)]
        last = train.groupby(S.UNIQUE_ID, sort=True)[S.DS].max()
        out = future_dates(last, h, self.freq_, self.train_[S.DS])
        for column in [self.name, *interval_columns(self.name, levels)]:
            out[column] = np.zeros(len(out))
        return out


def _rename(frame: pd.DataFrame, old: str, new: str) -> pd.DataFrame:
    if old == new:
        return frame
    return frame.rename(
        columns={
            c: new + c[len(old) :] for c in frame.columns if c == old or c.startswith(f"{old}-")
        }
    )
