"""Which strategy the gradient-boosted models use by default, and how many steps.

Direct for a squared-error objective on daily data
(docs/decisions/0005-direct-strategy-for-daily-gbms.md), recursive for the count
objectives and on weekly data; the workflows pass the forecast horizon as
``direct_horizon``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.features.spec import direct_steps
from stockwise.models.boosting import LightGBM, XGBoost
from stockwise.models.persistence import load_model, save_model
from stockwise.models.registry import with_fallback
from stockwise.workflows.forecast import backtest

SMALL = {"n_estimators": 30, "season_length": 7}


def _smooth(n_series: int = 4, days: int = 160, freq: str = "D", seed: int = 3) -> pd.DataFrame:
    """Sales far from zero with a weekly pattern (squared error on log1p by default)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=days, freq=freq)
    parts = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": ds,
                "y": (50 + 10 * i) * (1 + 0.3 * (ds.dayofweek >= 5)) + rng.normal(0, 3, days),
            }
        )
        for i in range(n_series)
    ]
    return pd.concat(parts, ignore_index=True)


def _counts(days: int = 160) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    ds = pd.date_range("2024-01-01", periods=days, freq="D")
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": f"c{i}", "ds": ds, "y": rng.poisson(0.4, days).astype(float)}
            )
            for i in range(4)
        ],
        ignore_index=True,
    )


@pytest.mark.parametrize("cls", [LightGBM, XGBoost])
@pytest.mark.slow
def test_squared_error_on_daily_data_is_direct_counts_stay_recursive(cls) -> None:
    smooth = cls(**SMALL).fit(_smooth())
    assert smooth.objective_ == "regression" and smooth.spec_.direct
    assert smooth.spec_.direct_horizon == 28 and smooth.spec_.history_offset == 1
    counts = cls(**SMALL).fit(_counts())
    assert counts.objective_ == "tweedie" and not counts.spec_.direct
    assert counts.spec_.history_offset == 28
    weekly = cls(**SMALL).fit(_smooth(days=80, freq="W-MON"))
    assert not weekly.spec_.direct
    forced = cls(**SMALL, strategy="recursive").fit(_smooth())
    assert not forced.spec_.direct


def test_forecasts_beyond_the_learnt_steps_reuse_the_last_step() -> None:
    train = _smooth()
    model = LightGBM(**SMALL, direct_horizon=5).fit(train)
    assert model.spec_.direct_horizon == 5
    out = model.predict(12)
    assert len(out) == 4 * 12 and np.isfinite(out["LightGBM"]).all()
    assert (out["LightGBM"] > 0).all()
    # the level of each series is kept out to step 12
    level = train.groupby("unique_id")["y"].mean()
    far = out.groupby("unique_id")["LightGBM"].mean()
    assert np.allclose(far, level.loc[far.index], rtol=0.25)


def test_clone_and_save_keep_the_steps(tmp_path: Path) -> None:
    model = XGBoost(**SMALL, direct_horizon=9)
    assert model.clone().direct_horizon == 9
    model.fit(_smooth())
    again = load_model(save_model(model, tmp_path / "m"))
    assert again.direct_horizon == 9 and again.spec_.direct_horizon == 9
    pd.testing.assert_frame_equal(again.predict(14), model.predict(14))


def test_workflows_learn_as_many_steps_as_they_forecast() -> None:
    assert direct_steps(14, "D") == 14 and direct_steps(200, "D") == 56
    assert with_fallback("LightGBM", 7, "D", h=14).models[0].direct_horizon == 14
    assert with_fallback("XGBoost", 7, "D").models[0].direct_horizon is None
    given = LightGBM(**SMALL)
    assert with_fallback(given, 7, "D", h=14).models[0] is given  # objects as they are
    result = backtest(_smooth(days=120), h=14, freq="D", models=["LightGBM"], n_windows=1)
    assert len(result.forecasts) == 4 * 14 and result.forecasts["LightGBM"].gt(0).all()
