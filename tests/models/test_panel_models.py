"""The panel-wide smoothing models: one pass gives what refitting per window gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.models.base import check_training_frame
from stockwise.models.smoothing import SES, HoltWinters
from stockwise.models.splits import CUTOFF, rolling_origin, window_forecast

H = 7


def _panel(n: int = 6, days: int = 150, seed: int = 3) -> pd.DataFrame:
    """Weekly-seasonal daily counts; series start and end on different days."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n):
        pattern = rng.uniform(0.3, 1.7, 7)
        length = days - 11 * i
        end = pd.Timestamp("2026-06-30") - pd.Timedelta(days=2 * i)
        ds = pd.date_range(end=end, periods=length, freq="D")
        y = rng.poisson(20 * pattern[np.arange(length) % 7])
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y.astype(float)}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("model", [HoltWinters(season_length=7), SES()], ids=["HoltWinters", "SES"])
def test_one_pass_backtest_equals_refitting_in_every_window(model) -> None:
    frame = check_training_frame(_panel(), "test")
    cv = model.cross_validation(frame, H, n_windows=3, levels=(80, 95))
    expected = []
    for window in rolling_origin(frame, H, 3):
        forecast, _ = window_forecast(model, window, H, (80, 95))
        test = window.test[["unique_id", "ds", "y"]].merge(forecast, on=["unique_id", "ds"])
        test.insert(2, CUTOFF, test["unique_id"].map(window.cutoffs))
        expected.append(test)
    refit = pd.concat(expected).sort_values(["unique_id", CUTOFF, "ds"]).reset_index(drop=True)
    assert len(cv) == len(refit) == 6 * 3 * H
    pd.testing.assert_frame_equal(cv[refit.columns], refit, check_dtype=False)


def test_holt_winters_learns_the_weekly_pattern() -> None:
    ds = pd.date_range("2026-01-05", periods=140, freq="D")
    pattern = np.array([10, 12, 14, 16, 30, 40, 5], dtype=float)
    frame = pd.DataFrame({"unique_id": "a", "ds": ds, "y": pattern[np.arange(140) % 7]})
    out = HoltWinters(season_length=7).fit(frame).predict(14, levels=(80,))
    assert out["ds"].min() == ds[-1] + pd.Timedelta(days=1)
    np.testing.assert_allclose(out["HoltWinters"], pattern[np.arange(140, 154) % 7], atol=1e-6)
    # a series that repeats exactly has no backtest error: the band is the point
    np.testing.assert_allclose(out["HoltWinters-hi-80"], out["HoltWinters"], atol=1e-6)


def test_each_series_is_forecast_from_its_own_end_and_never_below_zero() -> None:
    frame = _panel()
    rows = frame["unique_id"] == "s1"
    frame.loc[rows, "y"] = np.r_[np.zeros(rows.sum() - 28), np.full(28, 50.0)]
    out = HoltWinters(season_length=7).fit(frame).predict(H, levels=(95,))
    last = frame.groupby("unique_id")["ds"].max()
    first = out.groupby("unique_id")["ds"].min()
    pd.testing.assert_series_equal(first, last + pd.Timedelta(days=1), check_names=False)
    assert (out.filter(like="HoltWinters").to_numpy() >= 0).all()
    # the level jumped to 50 recently: the forecast follows it, not the long-run mean
    assert out.loc[out["unique_id"] == "s1", "HoltWinters"].mean() > 35


def test_a_series_shorter_than_a_season_gets_its_mean() -> None:
    ds = pd.date_range("2026-03-01", periods=5, freq="D")
    frame = pd.DataFrame({"unique_id": "new", "ds": ds, "y": [1.0, 3, 2, 6, 3]})
    out = HoltWinters(season_length=7).fit(frame).predict(3)
    np.testing.assert_allclose(out["HoltWinters"], 3.0)


def test_weekly_and_monthly_dates_follow_the_data() -> None:
    months = pd.date_range("2020-01-01", periods=40, freq="MS")
    frame = pd.DataFrame({"unique_id": "m", "ds": months, "y": np.arange(40.0) % 12})
    out = HoltWinters(season_length=12, freq="M").fit(frame).predict(3)
    assert list(out["ds"]) == list(pd.date_range("2023-05-01", periods=3, freq="MS"))
    ends = pd.date_range("2020-01-31", periods=40, freq="ME")
    out = SES(freq="M").fit(frame.assign(ds=ends)).predict(2)
    assert list(out["ds"]) == [pd.Timestamp("2023-05-31"), pd.Timestamp("2023-06-30")]


def test_a_multiplicative_season_keeps_a_closed_day_at_zero_when_the_level_moves() -> None:
    ds = pd.date_range("2026-01-05", periods=182, freq="D")
    pattern = np.array([1.0, 1.0, 1.0, 1.2, 1.5, 1.8, 0.0])  # closed on Sundays
    level = np.where(np.arange(182) < 126, 20.0, 40.0)  # the level doubles
    frame = pd.DataFrame({"unique_id": "shop", "ds": ds, "y": level * pattern[np.arange(182) % 7]})
    out = HoltWinters(season_length=7, multiplicative=True).fit(frame).predict(7)
    sunday = out["ds"].dt.dayofweek == 6
    assert out.loc[sunday, "HoltWinters"].max() < 1.0
    assert out.loc[~sunday, "HoltWinters"].min() > 30.0
