"""The origin-based direct strategy of the global forecasters (``strategy="direct"``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.errors import OptionError
from stockwise.features.spec import FeatureSpec, default_spec
from stockwise.models.boosting import LightGBM, XGBoost
from stockwise.models.persistence import load_model, save_model

SMALL = {"n_estimators": 40, "season_length": 7}
H = 10


def _intermittent(n_series: int = 6, days: int = 150, seed: int = 2) -> pd.DataFrame:
    """Sparse counts with a weekday pattern and a promotion that triples the rate."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=days, freq="D")
    parts = []
    for i in range(n_series):
        promo = (rng.random(days) < 0.2).astype(int)
        rate = (0.2 + 0.1 * i) * (1 + (ds.dayofweek >= 5)) * (1 + 2 * promo)
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": f"i{i}",
                    "ds": ds,
                    "y": rng.poisson(rate).astype(float),
                    "promo": promo,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


PANEL = _intermittent()
CUT = PANEL["ds"].max() - pd.Timedelta(days=H)
TRAIN = PANEL[PANEL["ds"] <= CUT].reset_index(drop=True)
FUTURE = PANEL[PANEL["ds"] > CUT].drop(columns="y").reset_index(drop=True)


def test_direct_default_spec_reads_the_origin_and_learns_each_step() -> None:
    model = LightGBM(**SMALL, strategy="direct").fit(TRAIN)
    spec = model.spec_
    assert spec.direct and spec.history_offset == 1 and 1 in spec.lags
    assert model.objective_ == "tweedie" and spec.recency_cap > 0
    assert "rolling_zeros_28" in spec.feature_names() and "step" in spec.feature_names()
    out = model.predict(H, X_df=FUTURE, levels=(80, 95))
    assert len(out) == 6 * H and (out.iloc[:, 2:].to_numpy() >= 0).all()
    assert (out["LightGBM-lo-95"] <= out["LightGBM"]).all()
    assert (out["LightGBM"] <= out["LightGBM-hi-80"]).all()
    promo = out.merge(FUTURE)["promo"].eq(1).to_numpy()
    assert out["LightGBM"][promo].mean() > 1.5 * out["LightGBM"][~promo].mean()
    assert out["LightGBM"].mean() == pytest.approx(PANEL["y"].mean(), rel=0.4)


def test_forecasts_use_the_newest_day_and_nothing_after_it() -> None:
    """A sale on the last observed day moves the first step (the recursive count default
    reads nothing newer than 28 days); y after the origin is never an input."""
    model = LightGBM(**SMALL, strategy="direct").fit(TRAIN)
    base = model.predict(H, X_df=FUTURE)
    pd.testing.assert_frame_equal(model.predict(H, X_df=FUTURE.assign(y=1e6)), base)
    busy = TRAIN.copy()
    last = busy["ds"] == busy["ds"].max()
    busy.loc[last, "y"] = 0.0
    quiet = LightGBM(**SMALL, strategy="direct").fit(busy).predict(H, X_df=FUTURE)
    busy.loc[last, "y"] = 8.0
    loud = LightGBM(**SMALL, strategy="direct").fit(busy).predict(H, X_df=FUTURE)
    first = loud["ds"] == loud["ds"].min()
    assert (
        loud.loc[first, "LightGBM"].to_numpy() > quiet.loc[first, "LightGBM"].to_numpy()
    ).mean() >= 0.5


@pytest.mark.parametrize("cls", [LightGBM, XGBoost], ids=["LightGBM", "XGBoost"])
@pytest.mark.slow
def test_saved_direct_models_reload_and_predict_identically(cls, tmp_path: Path) -> None:
    spec = FeatureSpec.from_dict(
        {
            **default_spec("D", 7, intermittent=True, strategy="direct").to_dict(),
            "seasonal_lag": 70,
            "seasonal_windows": (7,),
            "promo": ["promo"],
        }
    )
    model = cls(**SMALL, features=spec).fit(TRAIN)
    first = model.predict(H, X_df=FUTURE, levels=(80,))
    loaded = load_model(save_model(model, tmp_path / "m"))
    assert loaded.spec_ == spec and loaded.buffer_.shape[1] == spec.history_length
    pd.testing.assert_frame_equal(loaded.predict(H, X_df=FUTURE, levels=(80,)), first)
    days = pd.date_range(CUT + pd.Timedelta(days=1), periods=40, freq="D")
    ahead = pd.DataFrame(
        [(u, d, 0) for u in TRAIN["unique_id"].unique() for d in days],
        columns=["unique_id", "ds", "promo"],
    )
    longer = loaded.predict(40, X_df=ahead)  # beyond direct_horizon: the last step again
    assert len(longer) == 6 * 40 and np.isfinite(longer[model.name]).all()


def test_strategy_is_checked_against_the_spec() -> None:
    recursive = FeatureSpec(lags=(1, 7), rolling_windows=(7,))
    with pytest.raises(OptionError, match="strategy='direct' but the feature spec"):
        LightGBM(**SMALL, strategy="direct", features=recursive).fit(TRAIN)
    with pytest.raises(OptionError, match="strategy must be"):
        LightGBM(**SMALL, strategy="both").fit(TRAIN)
    model = LightGBM(
        **SMALL,
        features={
            "strategy": "direct",
            "lags": [1, 7],
            "rolling_windows": [7],
            "direct_horizon": 5,
        },
    )
    assert model.fit(TRAIN).spec_.direct and model.strategy == "auto"
    assert not LightGBM(**SMALL).fit(TRAIN).spec_.direct  # the default stays recursive
