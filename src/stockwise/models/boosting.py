"""Gradient-boosted global forecasters: LightGBM and XGBoost.

Both learn one tree ensemble across all series from the features of
:mod:`stockwise.features` (:mod:`stockwise.models.global_model`). ``strategy="auto"``:
with a squared-error objective on daily data they learn every step from an origin (the
direct strategy, ``direct_horizon`` steps: 28 days unless given; the workflows pass
the forecast horizon, up to 56 days, and steps beyond reuse the last one); with a count
objective, or on weekly / monthly data, they forecast recursively.
``objective="auto"`` picks Tweedie (a compound Poisson–gamma loss made for counts with
many zeros) when at least 30 % of the training periods are zero, squared error otherwise;
``"poisson"``, ``"tweedie"`` and ``"regression"`` force one. With the automatic target
transform, squared error learns ``log1p(y)`` (multiplicative effects such as promotions
become additive) and the count objectives learn y divided by each series' mean (they need
y >= 0 and one scale across series).

``n_jobs`` defaults to 1: on a small shared machine OpenMP threads that wait for busy
cores make a fit several times slower than one thread (docs/benchmarks/lstm_and_gbm.md).

LightGBM's ``n_estimators`` and ``learning_rate`` default to 300 trees at 0.05, and to 100
at 0.15 with a count objective on weekly or monthly data: there the shorter ensemble is
as accurate for a third of the training, which is most of the cost of a weekly luxury
forecast (docs/benchmarks/nightly_scale.md, "Weekly luxury forecast"). With squared error
fewer trees lose accuracy, so it keeps 300.

The libraries are imported when a model is trained or loaded, not when stockwise is
imported. Models are saved in the libraries' own formats: LightGBM's model text and
XGBoost's JSON (no pickle).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockwise.errors import OptionError
from stockwise.models.global_model import (
    COUNT_OBJECTIVES,
    INTERMITTENT_ZERO_SHARE,
    GlobalModel,
)
from stockwise.optional import optional_import

OBJECTIVES = ("auto", "regression", "tweedie", "poisson")
XGB_OBJECTIVES = {
    "regression": "reg:squarederror",
    "tweedie": "reg:tweedie",
    "poisson": "count:poisson",
}
BOOSTING = (300, 0.05)
"""LightGBM's trees and learning rate where not given."""
COUNT_BOOSTING = (100, 0.15)
"""The same with a count objective on weekly or monthly data (see the module docstring)."""


def _resolve(objective: str, y: np.ndarray, who: str) -> str:
    if objective not in OBJECTIVES:
        raise OptionError(f"{who}: objective must be one of {OBJECTIVES}, not {objective!r}")
    if objective != "auto":
        return objective
    zero_share = float(np.mean(y <= 0)) if len(y) else 0.0
    return "tweedie" if zero_share >= INTERMITTENT_ZERO_SHARE and (y >= 0).all() else "regression"


@dataclass(eq=False, repr=False, kw_only=True)
class GradientBoosting(GlobalModel):
    """The parameters LightGBM and XGBoost share, and their choice of objective."""

    objective: str = "auto"
    tweedie_variance_power: float = 1.2
    direct_horizon: int | None = None
    n_jobs: int = 1
    seed: int = 0

    def _objective(self, y: np.ndarray) -> str:
        return _resolve(self.objective, y, self.name)


@dataclass(eq=False, repr=False, kw_only=True)
class LightGBM(GradientBoosting):
    """LightGBM gradient boosting across series (histogram trees, deterministic).

    No row or feature subsampling by default: on daily store sales bagging and feature
    fraction cost accuracy, and on intermittent items they gain nothing
    (``experiments/ml_tuning.py``; docs/benchmarks/lstm_and_gbm.md).
    """

    estimator_suffix = ".txt"
    direct_by_default = True

    n_estimators: int | None = None
    learning_rate: float | None = None
    num_leaves: int = 63
    min_child_samples: int | None = None
    subsample: float = 1.0
    colsample: float = 1.0

    def _train(self, X: pd.DataFrame, y: np.ndarray) -> Any:
        lgb = optional_import("lightgbm", "LightGBM")

        trees, rate = self.boosting_rounds()
        params = {
            "objective": self.objective_,
            "learning_rate": rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self._min_leaf(),
            "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1 else 0,
            "feature_fraction": self.colsample,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.n_jobs,
            "verbosity": -1,
        }
        if self.objective_ == "tweedie":
            params["tweedie_variance_power"] = self.tweedie_variance_power
        data = lgb.Dataset(X, label=y, free_raw_data=True)
        # keep_training_booster: the trained booster as it is, not written to model text
        # and parsed back (what lgb.train does by default to drop the binned training
        # data); the predictions are the same and the data is small next to the trees.
        return lgb.train(params, data, num_boost_round=trees, keep_training_booster=True)

    def boosting_rounds(self) -> tuple[int, float]:
        """(trees, learning rate) of the fitted model: each as given, else
        :data:`COUNT_BOOSTING`'s with a count objective on weekly or monthly data, else
        :data:`BOOSTING`'s."""
        count = self.objective_ in COUNT_OBJECTIVES and self.freq_ != "D"
        trees, rate = COUNT_BOOSTING if count else BOOSTING
        return (
            trees if self.n_estimators is None else int(self.n_estimators),
            rate if self.learning_rate is None else float(self.learning_rate),
        )

    def _min_leaf(self) -> int:
        """20 rows per leaf, 100 with a count objective: a Tweedie / Poisson leaf of only
        zeros gets a very negative log-mean, and small ones made the forecasts of a
        noise-only intermittent panel collapse towards zero (0.01 instead of 0.31)."""
        if self.min_child_samples is not None:
            return int(self.min_child_samples)
        return 100 if self.objective_ in ("tweedie", "poisson") else 20

    def _apply(self, estimator: Any, X: pd.DataFrame) -> np.ndarray:
        return estimator.predict(X, num_threads=self.n_jobs)

    def _save_estimator(self, estimator: Any, file: Path) -> None:
        estimator.save_model(str(file))

    def _load_estimator(self, file: Path) -> Any:
        lgb = optional_import("lightgbm", "LightGBM")

        return lgb.Booster(model_file=str(file))


@dataclass(eq=False, repr=False, kw_only=True)
class XGBoost(GradientBoosting):
    """XGBoost gradient boosting across series (``hist`` trees)."""

    estimator_suffix = ".json"
    direct_by_default = True

    n_estimators: int = 300
    learning_rate: float = 0.05
    max_depth: int = 8
    min_child_weight: float = 1.0
    subsample: float = 0.8
    colsample: float = 0.8

    def _train(self, X: pd.DataFrame, y: np.ndarray) -> Any:
        xgb = optional_import("xgboost", "XGBoost")

        params = {
            "objective": XGB_OBJECTIVES[self.objective_],
            "eta": self.learning_rate,
            "max_depth": self.max_depth,
            "min_child_weight": self.min_child_weight,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample,
            "tree_method": "hist",
            "seed": self.seed,
            "nthread": self.n_jobs,
            "verbosity": 0,
        }
        if self.objective_ == "tweedie":
            params["tweedie_variance_power"] = self.tweedie_variance_power
        data = xgb.DMatrix(X, label=y, missing=np.nan)
        return xgb.train(params, data, num_boost_round=self.n_estimators)

    def _apply(self, estimator: Any, X: pd.DataFrame) -> np.ndarray:
        return estimator.inplace_predict(X)

    def _save_estimator(self, estimator: Any, file: Path) -> None:
        estimator.save_model(str(file))

    def _load_estimator(self, file: Path) -> Any:
        xgb = optional_import("xgboost", "XGBoost")

        booster = xgb.Booster()
        booster.load_model(str(file))
        booster.set_param({"nthread": self.n_jobs})
        return booster


def lightgbm_tweedie(
    season_length: int | None = None, freq: str | None = None, **params: object
) -> LightGBM:
    """LightGBM with the Tweedie objective whatever the share of zeros (``LightGBM-tweedie``)."""
    return LightGBM(
        season_length=season_length,
        freq=freq,
        objective="tweedie",
        alias="LightGBM-tweedie",
        **params,  # type: ignore[arg-type]
    )


def lightgbm_direct(
    season_length: int | None = None,
    freq: str | None = None,
    direct_horizon: int | None = None,
    **params: object,
) -> LightGBM:
    """LightGBM learning every step from an origin on any frequency (``LightGBM-direct``)."""
    return LightGBM(
        season_length=season_length,
        freq=freq,
        strategy="direct",
        direct_horizon=direct_horizon,
        alias="LightGBM-direct",
        **params,  # type: ignore[arg-type]
    )
