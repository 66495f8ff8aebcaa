"""Prototype: the direct LightGBM trained on the metric itself, RMSE per 28-day block.

Usage::

    PYTHONPATH=src .venv/bin/python -m experiments.direct_block_loss --floors 0.05,0.2

Mean RMSSE averages each series' RMSE over the horizon (divided by its scale); a
squared-error or Tweedie fit learns the conditional mean of each day instead, and on m5's
nearly dead items the conditional mean (about 0.085) scores worse than a lower forecast
(docs/archive/benchmarks-log.md, "Why the GBMs stop at 0.684"). The direct strategy has natural
blocks: the up to 28 steps of one (series, origin). This script trains the direct model
(features of ``DIRECT_RICH`` in ``ml_tuning.py``) with a custom LightGBM objective, the sum
over blocks of ``w_s · sqrt(mean_k e_k² + floor²)`` on the target y / series mean
(``w_s`` = series mean / RMSSE scale, so a block counts as it does in mean RMSSE), starting
from each origin's 56-day mean (the init score) with an identity link. Gradient
``w e_k / (n R)``, Hessian ``w / (n R)`` (Gauss-Newton, an upper bound of the exact one).

Scored on the validation window of ``ml_tuning.py`` (the 28 days before the benchmark's
test; the test period is not read), points only; ``--test`` scores the configuration the
validation chose on the test period of ``ml_accuracy.py`` instead (the "validation"
label of the printed row then means that split's test period). A prototype: it reaches into the
forecaster's training rows through a subclass and is not a stockwise option.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
from benchmarks.common import DEFAULT_DATA
from benchmarks.ml_accuracy import SEASON, Data

import stockwise.models.global_model as gm
from experiments.ml_tuning import DIRECT_RICH, validation_data, validation_row
from stockwise.features.spec import FeatureSpec, default_spec
from stockwise.models.boosting import LightGBM

BASE = "rolling_mean_56"
"""Default init score of every row: the origin's 56-day mean (scaled), a good level by
itself (0.678 on the validation window)."""


class BlockRMSE(LightGBM):
    """The direct LightGBM with the block-RMSE objective (see the module docstring)."""

    floor: float = 0.1
    base: str = BASE
    rmsse_scale: dict[str, float] | None = None

    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        original = gm.direct_training_columns
        seen: dict[str, Any] = {}

        def recording(columns, values, starts, spec):
            out, at = original(columns, values, starts, spec)
            seen["series"] = np.searchsorted(np.unique(starts), starts[at])
            seen["block"] = at - out["step"].astype(np.int64)  # the origin row
            return out, at

        gm.direct_training_columns = recording
        self._seen = seen
        try:
            super()._fit(df, X_df)
        finally:
            gm.direct_training_columns = original

    def _train(self, X: pd.DataFrame, y: np.ndarray) -> Any:
        import lightgbm as lgb

        series, block = self._seen["series"], self._seen["block"]
        if len(series) != len(X):
            raise RuntimeError("rows were dropped; the prototype needs every training row")
        _, block = np.unique(block, return_inverse=True)
        size = np.bincount(block).astype(float)
        mean = self.transforms_.scale_[series]
        scales = self.rmsse_scale or {}
        scale = np.array([scales.get(u, np.nan) for u in self.ids_])[series]
        weight = np.where(np.isfinite(scale) & (scale > 0), mean / scale, 0.0)
        floor2 = self.floor**2

        def objective(pred: np.ndarray, data: lgb.Dataset) -> tuple[np.ndarray, np.ndarray]:
            error = pred - y
            rmse = np.sqrt(np.bincount(block, error * error) / size + floor2)
            factor = weight / (size[block] * rmse[block])
            return error * factor, factor

        base = self._base(X)
        params = {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": 100,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.n_jobs,
            "verbosity": -1,
        }
        data = lgb.Dataset(X, label=y, init_score=base, free_raw_data=True)
        return lgb.train(params, data, num_boost_round=self.n_estimators)

    def _apply(self, estimator: Any, X: pd.DataFrame) -> np.ndarray:
        base = self._base(X)
        return np.maximum(estimator.predict(X, num_threads=self.n_jobs) + base, 0.0)

    def _base(self, X: pd.DataFrame) -> np.ndarray:
        if self.base == "none":
            return np.zeros(len(X))
        return np.nan_to_num(X[self.base].to_numpy(dtype=float))


def rmsse_scales(data) -> dict[str, float]:
    """Each series' RMSSE denominator: RMSE of the in-sample seasonal naive."""
    out = {}
    for uid, values in data.scale.items():
        diff = values[SEASON:] - values[:-SEASON]
        out[uid] = float(np.sqrt(np.mean(diff**2))) if len(diff) else np.nan
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="m5_hobbies2_ca3")
    parser.add_argument("--floors", default="0.05,0.2")
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--stride", type=int, default=7)
    parser.add_argument("--init", default=BASE, help="feature used as init score, or none")
    parser.add_argument(
        "--test",
        action="store_true",
        help="fit on the benchmark's training part and score its test period "
        "(ml_accuracy.py's split) instead of the validation window",
    )
    args = parser.parse_args(argv)
    data = Data(args.dataset, DEFAULT_DATA, 150) if args.test else validation_data(args.dataset)
    spec = default_spec("D", SEASON, exog=data.drivers)
    spec = FeatureSpec.from_dict({**spec.to_dict(), **DIRECT_RICH, "origin_stride": args.stride})
    rows = []
    for floor in [float(f) for f in args.floors.split(",")]:
        model = BlockRMSE(
            season_length=SEASON,
            features=spec,
            objective="regression",
            target_transform="scale",
            n_estimators=args.trees,
            learning_rate=args.learning_rate,
            alias=f"block_rmse_floor{floor:g}_stride{args.stride}_"
            f"trees{args.trees}_lr{args.learning_rate:g}_init{args.init}",
        )
        model.floor, model.base = floor, args.init
        model.rmsse_scale = rmsse_scales(data)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = model.fit(data.train).predict(data.h, X_df=data.future)
        rows.append(validation_row(args.dataset, data, out, model.name, model.name, started))
    print(pd.DataFrame(rows).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
