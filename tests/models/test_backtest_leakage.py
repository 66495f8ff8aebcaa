"""Backtests: windows, cutoffs, and proof that nothing leaks from the future."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.evaluation.backtest import backtest
from stockwise.models import make_model
from stockwise.models.splits import rolling_origin

H = 3


def _series(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    ds = pd.date_range("2021-01-01", periods=n, freq="MS")
    return pd.concat(
        [
            pd.DataFrame({"unique_id": "a", "ds": ds, "y": 20 + rng.normal(0, 3, n)}),
            pd.DataFrame({"unique_id": "b", "ds": ds, "y": rng.poisson(1.0, n).astype(float)}),
        ],
        ignore_index=True,
    )


def test_windows_end_at_the_cutoff() -> None:
    df = _series()
    windows = list(rolling_origin(df, h=H, n_windows=3, step=2))
    assert [w.number for w in windows] == [0, 1, 2]
    last = df["ds"].max()
    for w in windows:
        for uid, cutoff in w.cutoffs.items():
            train = w.train[w.train["unique_id"] == uid]
            test = w.test[w.test["unique_id"] == uid]
            assert train["ds"].max() == cutoff
            assert (test["ds"] > cutoff).all() and len(test) == H
    # the last window tests the final h periods; earlier ones step back by 2
    assert windows[-1].test["ds"].max() == last
    offsets = [w.cutoffs["a"] for w in windows]
    assert [(offsets[i + 1] - offsets[i]).days > 0 for i in range(2)] == [True, True]


@pytest.mark.parametrize(
    "name", ["AutoETS", "CrostonSBA", "SeasonalNaive", "WindowAverage", "HoltWinters", "SES"]
)
def test_changing_the_future_does_not_move_earlier_forecasts(name: str) -> None:
    model = make_model(name, season_length=12)
    df = _series()
    cv = backtest(model, df, h=H, n_windows=2, levels=(80,))
    cutoffs = sorted(cv["cutoff"].unique())
    # Scramble everything after the first cutoff: window 0 forecasts must not change.
    later = df["ds"] > cutoffs[0]
    changed = df.copy()
    changed.loc[later, "y"] = changed.loc[later, "y"] * 10 + 100
    cv2 = backtest(model, changed, h=H, n_windows=2, levels=(80,))
    first = cv[cv["cutoff"] == cutoffs[0]].reset_index(drop=True)
    first2 = cv2[cv2["cutoff"] == cutoffs[0]].reset_index(drop=True)
    columns = [name, f"{name}-lo-80", f"{name}-hi-80"]
    pd.testing.assert_frame_equal(first[columns], first2[columns])
    # ... while the later window, which trains on the changed values, does move (seasonal
    # naive with h < season repeats values from before the first cutoff, so it cannot).
    if name == "SeasonalNaive":
        return
    second = cv[cv["cutoff"] == cutoffs[1]][name].to_numpy()
    second2 = cv2[cv2["cutoff"] == cutoffs[1]][name].to_numpy()
    assert not np.allclose(second, second2)


def test_backtest_output_has_one_row_per_series_window_and_step() -> None:
    cv = backtest(make_model("Naive"), _series(), h=H, n_windows=4)
    assert len(cv) == 2 * 4 * H
    assert cv.groupby(["unique_id", "cutoff"]).size().eq(H).all()
    assert list(cv.columns[:4]) == ["unique_id", "ds", "cutoff", "y"]


def test_series_too_short_for_a_window_are_left_out() -> None:
    df = _series()
    short = pd.DataFrame({"unique_id": "c", "ds": df["ds"].unique()[:2], "y": [1.0, 2.0]})
    cv = backtest(make_model("Naive"), pd.concat([df, short]), h=H, n_windows=2)
    assert "c" not in set(cv["unique_id"])


def test_conformal_bands_follow_the_skew_of_the_errors() -> None:
    from stockwise.models.conformal import conformal_band, conformal_quantile

    errors = np.array([-1.0] * 18 + [10.0, 12.0])  # mostly small misses, rare big spikes
    low, high = conformal_band(errors, 80)
    # n=20, alpha/2=0.1: lower rank floor(21*0.1)=2 -> -1; upper rank ceil(21*0.9)=19 -> 10
    assert (low, high) == (-1.0, 10.0)
    assert conformal_quantile(np.arange(1.0, 11.0), 90) == 10.0  # rank ceil(11*0.9)=10
    # too few errors for the rank: the extremes
    assert conformal_band(np.array([-2.0, 3.0]), 95) == (-2.0, 3.0)


def _ragged_daily() -> pd.DataFrame:
    """Two daily series ending on different dates: "short" stops 30 days before "long"."""
    rng = np.random.default_rng(11)
    long_ds = pd.date_range("2024-01-01", periods=150, freq="D")
    frames = [
        pd.DataFrame(
            {
                "unique_id": "long",
                "ds": long_ds,
                "y": 20 + 5 * np.sin(np.arange(150) / 3) + rng.normal(0, 1, 150),
            }
        ),
        pd.DataFrame(
            {
                "unique_id": "short",
                "ds": long_ds[:120],
                "y": 18 + 5 * np.sin(np.arange(120) / 3) + rng.normal(0, 1, 120),
            }
        ),
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("name", ["LightGBM", "XGBoost"])
@pytest.mark.slow
def test_global_models_do_not_see_other_series_after_a_cutoff(name: str) -> None:
    """A global model backtested on series with different end dates: the one cut early
    must not be forecast from the other series' later rows (its future)."""
    model = make_model(name, season_length=7)
    model.set_params(n_estimators=20)
    df = _ragged_daily()
    cv = backtest(model, df, h=7, n_windows=1, levels=(80,))
    short = cv[cv["unique_id"] == "short"]
    cutoff = short["cutoff"].iloc[0]
    changed = df.copy()
    after = (changed["unique_id"] == "long") & (changed["ds"] > cutoff)
    changed.loc[after, "y"] = changed.loc[after, "y"] * 5 + 50
    cv2 = backtest(model, changed, h=7, n_windows=1, levels=(80,))
    short2 = cv2[cv2["unique_id"] == "short"]
    columns = [name, f"{name}-lo-80", f"{name}-hi-80"]
    pd.testing.assert_frame_equal(
        short[columns].reset_index(drop=True), short2[columns].reset_index(drop=True)
    )
    # the series cut late trains on the changed values, so its forecasts do move
    long1, long2 = cv[cv["unique_id"] == "long"], cv2[cv2["unique_id"] == "long"]
    assert not np.allclose(long1[name], long2[name])


@pytest.mark.parametrize("name", ["ADIDA", "CrostonOptimized"])
def test_conformal_bands_from_shared_cutoffs_equal_the_refits_in_each_window(name: str) -> None:
    """One fit per cutoff gives the same bands as refitting inside every window."""
    from stockwise.models.splits import rolling_origin, window_forecast

    df = _series()
    model = make_model(name, season_length=12)
    shared = backtest(model, df, h=H, n_windows=2, levels=(80, 95))
    parts = []
    for window in rolling_origin(df.sort_values(["unique_id", "ds"]), H, 2):
        forecast, _ = window_forecast(model, window, H, (80, 95))  # conformal refits inside
        part = window.test[["unique_id", "ds", "y"]].merge(forecast, on=["unique_id", "ds"])
        part.insert(2, "cutoff", part["unique_id"].map(window.cutoffs))
        parts.append(part)
    nested = pd.concat(parts).sort_values(["unique_id", "cutoff", "ds"]).reset_index(drop=True)
    assert len(shared) == len(nested)
    pd.testing.assert_frame_equal(shared[nested.columns], nested, check_dtype=False)
