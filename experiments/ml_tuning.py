"""Choose the GBM defaults on a validation window *before* the benchmark's test period.

Usage::

    .venv/bin/python -m experiments.ml_tuning --dataset m5_hobbies2_ca3 --variants base,slow

The last ``h`` days of the benchmark's training part (``benchmarks/ml_accuracy.py``) are
held out as validation; each variant of LightGBM (or XGBoost, ``"model"``) is fit on the
days before and scored by mean RMSSE there (SeasonalNaive and AutoETS as references). The
test period is never read. ``--points-only`` skips the intervals (and the conformal refits
they need), so the coverage columns are empty.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd
from benchmarks.common import DEFAULT_DATA, log
from benchmarks.ml_accuracy import SEASON, Data, in_sample, score

from stockwise.evaluation.metrics import rmsse
from stockwise.features.spec import default_spec, direct_steps
from stockwise.models.boosting import LightGBM, XGBoost
from stockwise.models.global_model import COUNT_OBJECTIVES, INTERMITTENT_ZERO_SHARE
from stockwise.models.registry import make_model, with_fallback

DIRECT = {
    "strategy": "direct",
    "history_offset": 1,
    "lags": (1, 2, 3, 4, 5, 6, 7, 14, 21, 28),
    "rolling_windows": (7, 14, 28, 56, 112),
    "rolling_stats": ("mean", "std"),
    "direct_horizon": 28,
    "origin_stride": 7,
}
"""Origin-based direct strategy: features of the last observed day, step 1-28 as a feature."""
DIRECT_RICH = {
    **DIRECT,
    "rolling_stats": ("mean", "std", "zeros"),
    "recency_cap": 365,
    "seasonal_windows": (7, 28),
}
"""+ share of zero days per window, days since the last sale, last year's same weeks."""

VARIANTS: dict[str, dict] = {
    "base": {},
    "recursive": {"strategy": "recursive"},
    "xgb_recursive": {"model": "XGBoost", "strategy": "recursive"},
    "long_windows": {"features": {"rolling_windows": (7, 28, 56, 112)}},
    "regularised": {"num_leaves": 31, "min_child_samples": 100},
    "power15": {"tweedie_variance_power": 1.5},
    "rolling_only": {
        "features": {
            "lags": (),
            "rolling_windows": (7, 14, 28, 56, 112),
            "rolling_stats": ("mean",),
        }
    },
    "week_lags": {"features": {"lags": (7, 14, 21, 28), "rolling_windows": (7, 28, 56)}},
    "l2_scale": {"objective": "regression", "target_transform": "scale"},
    "recent730": {"train_window": 730},
    "direct28": {
        "features": {
            "lags": (28, 35, 42, 49, 56),
            "rolling_windows": (7, 28, 56),
            "history_offset": 28,
        }
    },
    "direct7": {
        "features": {"lags": (7, 14, 21, 28), "rolling_windows": (7, 28, 56), "history_offset": 7}
    },
    "direct28_noyear": {
        "features": {
            "lags": (28, 35, 42, 49, 56),
            "rolling_windows": (7, 28, 56),
            "history_offset": 28,
            "calendar": ("dayofweek", "month_end", "payday"),
        }
    },
    "noyear": {"features": {"calendar": ("dayofweek", "month_end", "payday")}},
    "direct28_mcs100": {"min_child_samples": 100},
    "direct28_l2": {
        "objective": "regression",
        "target_transform": "scale",
        "features": {
            "lags": (28, 35, 42, 49, 56),
            "rolling_windows": (7, 28, 56),
            "history_offset": 28,
        },
    },
    "nobagging": {"subsample": 1.0, "colsample": 1.0},
    "allfeatures": {"colsample": 1.0},
    "conservative": {
        "num_leaves": 15,
        "min_child_samples": 200,
        "colsample": 0.5,
        "features": {"lags": (7, 14, 21, 28), "rolling_windows": (7, 28, 56)},
    },
    # 2026-11-25 (m5, from the kept defaults: offset 28, Tweedie on y / series mean)
    "poisson": {"objective": "poisson"},
    "power11": {"tweedie_variance_power": 1.1},
    "leaf500": {"min_child_samples": 500},
    "leaf2000_15leaves": {"min_child_samples": 2000, "num_leaves": 15},
    "slow": {"learning_rate": 0.02, "num_leaves": 15, "min_child_samples": 500},
    "trees100": {"n_estimators": 100},
    "trees1000_lr001": {"n_estimators": 1000, "learning_rate": 0.01},
    "raw_target": {"target_transform": None},
    "no_expanding": {"features": {"expanding_stats": ()}},
    "means_noyear": {
        "features": {
            "lags": (28,),
            "rolling_windows": (7, 28, 56, 112, 364),
            "rolling_stats": ("mean",),
            "calendar": ("dayofweek", "month_end", "payday"),
        }
    },
    "means_dow_nodrivers": {
        "exog": (),
        "features": {
            "lags": (28,),
            "rolling_windows": (7, 28, 56, 112, 364),
            "rolling_stats": ("mean",),
            "calendar": ("dayofweek",),
        },
    },
    # 2026-11-26 (fifth session): origin-based direct forecasts (FeatureSpec.strategy)
    "direct_base": {"features": DIRECT},
    "direct_rich": {"features": DIRECT_RICH},
    "direct_rich_l2": {
        "objective": "regression",
        "target_transform": "scale",
        "features": DIRECT_RICH,
    },
    "direct_means": {
        "features": {**DIRECT_RICH, "lags": (1, 7), "rolling_windows": (7, 14, 28, 56, 112, 364)}
    },
    "direct_rich_stride3": {"features": {**DIRECT_RICH, "origin_stride": 3}},
    "direct_rich_leaf500": {"min_child_samples": 500, "features": DIRECT_RICH},
    "xgb_direct_rich": {"model": "XGBoost", "features": DIRECT_RICH},
    "xgb_base": {"model": "XGBoost"},
    "xgb_direct": {"model": "XGBoost", "features": DIRECT},
    "direct_h48": {"features": {**DIRECT, "direct_horizon": 48}},
    "xgb_direct_h48": {"model": "XGBoost", "features": {**DIRECT, "direct_horizon": 48}},
}
"""Feature changes are applied to the spec the model would use by default: the dataset's
drivers and, when the objective is a count one (Tweedie / Poisson, which "auto" picks on
m5), the intermittent default that starts four weeks back. Until 2026-11-25 the changes
were applied to the non-intermittent spec (lags from 1 day back, recursive), so the
feature rows recorded before then (e.g. "noyear") compare recursive variants.

Since 2026-11-26 the squared-error objective on daily data is direct by default, so on
rossmann the variants without a feature change ("base", "xgb_base", tree settings) are
direct with ``direct_steps(h)`` steps (48); "recursive" / "xgb_recursive" are the earlier
defaults. Feature variants still start from the recursive spec unless they set
``strategy``."""


def variant(name: str, drivers: list[str], y: np.ndarray, h: int) -> LightGBM | XGBoost:
    """The named variant; the direct strategy learns ``direct_steps(h)`` steps, as the
    workflows ask for (``with_fallback(..., h)``), unless the variant says otherwise."""
    params = dict(VARIANTS[name])
    cls = XGBoost if params.pop("model", "LightGBM") == "XGBoost" else LightGBM
    changes = params.pop("features", None)
    if changes:
        objective = params.get("objective", "auto")
        count = objective in COUNT_OBJECTIVES or (
            objective == "auto" and float(np.mean(y <= 0)) >= INTERMITTENT_ZERO_SHARE
        )
        spec = default_spec("D", SEASON, exog=drivers, intermittent=count)
        params["features"] = spec.from_dict({**spec.to_dict(), **changes})
    elif "direct_horizon" not in params:
        params["direct_horizon"] = direct_steps(h, "D")
    return cls(season_length=SEASON, alias=name, **params)


def validation_row(
    dataset: str, data: Data, out: pd.DataFrame, name: str, column: str, started: float
) -> dict:
    """One variant's validation scores (overall and by recent level), time and mean
    forecast against the mean actual; logged as it is made."""
    joined = data.test.merge(out, on=["unique_id", "ds"])
    row = {
        "variant": name,
        **score(data, out, column),
        **by_recent_level(data, out, column),
        "seconds": time.perf_counter() - started,
        "mean_forecast": joined[column].mean(),
        "mean_actual": joined["y"].mean(),
    }
    log(
        f"{dataset} validation: {name}: RMSSE {row['rmsse']:.4f} MASE {row['mase']:.4f} "
        f"WAPE {row['wape']:.4f} ({row['seconds']:.0f}s) mean forecast "
        f"{row['mean_forecast']:.4f} actual {row['mean_actual']:.4f}"
    )
    return row


def by_recent_level(data: Data, out: pd.DataFrame, column: str, days: int = 56) -> dict[str, float]:
    """Mean RMSSE over the fifth of series with the lowest mean of their last ``days``
    training days (on m5 the nearly dead items, where the GBMs lost to simple means) and
    over the other four fifths; each part's share of the overall mean in ``*_share``."""
    recent = data.train.groupby("unique_id")["y"].apply(lambda y: y.iloc[-days:].mean())
    joined = data.test.merge(out, on=["unique_id", "ds"])
    per = {
        uid: rmsse(
            part["y_scored"].to_numpy(dtype=float),
            part[column].to_numpy(dtype=float),
            data.scale[uid],
            SEASON,
        )
        for uid, part in joined.groupby("unique_id")
    }
    table = pd.DataFrame({"rmsse": pd.Series(per), "recent": recent}).dropna()
    low = table["recent"].rank(method="first") <= len(table) / 5
    return {
        "rmsse_low20": table.loc[low, "rmsse"].mean(),
        "rmsse_rest": table.loc[~low, "rmsse"].mean(),
        "forecast_low20": joined.loc[joined["unique_id"].isin(table.index[low]), column].mean(),
    }


def validation_data(dataset: str, rossmann_series: int = 150) -> Data:
    """The benchmark's data with the split moved back by h: validation = the last h days
    of the training part (the test period is dropped, never read)."""
    data = Data(dataset, DEFAULT_DATA, rossmann_series)
    train = data.train
    last = train.groupby("unique_id").cumcount(ascending=False) < data.h
    valid = train[last]
    data.train = train[~last].reset_index(drop=True)
    # scales from the days the models see; the validation tables of docs/archive/benchmarks-log.md
    # before "Validation re-run with in-sample scales" used scales that included the
    # validation days (m5 RMSSE about 0.004 lower)
    data.scale = in_sample(data.train, data.name)
    data.future = valid.drop(columns="y").reset_index(drop=True)
    data.test = (
        valid[["unique_id", "ds", "y"]]
        .assign(
            y_scored=lambda t: t["y"].where(
                ~valid.get("open", pd.Series(1, index=valid.index)).eq(0)
            )
        )
        .reset_index(drop=True)
    )
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="m5_hobbies2_ca3")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--references", default="SeasonalNaive,AutoETS")
    parser.add_argument("--rossmann-series", type=int, default=150)
    parser.add_argument(
        "--points-only",
        action="store_true",
        help="no intervals (skips the conformal refits; RMSSE unchanged)",
    )
    args = parser.parse_args(argv)
    data = validation_data(args.dataset, args.rossmann_series)
    rows = []
    names = [r for r in args.references.split(",") if r] + [
        v for v in args.variants.split(",") if v
    ]
    for name in names:
        model = (
            make_model(
                name, season_length=SEASON, freq="D", direct_horizon=direct_steps(data.h, "D")
            )
            if name not in VARIANTS
            else variant(name, data.drivers, data.train["y"].to_numpy(dtype=float), data.h)
        )
        chain = with_fallback(model, SEASON, "D")
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chain.fit(data.train)
            out = chain.predict(
                data.h, X_df=data.future, levels=() if args.points_only else (80, 95)
            )
        rows.append(validation_row(args.dataset, data, out, name, chain.name, started))
    print(pd.DataFrame(rows).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
