"""Holt-Winters with a day-of-month profile: learns paydays, from its own past only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.models.base import check_training_frame
from stockwise.models.month_day import HoltWintersMonthDay
from stockwise.models.smoothing import HoltWinters
from stockwise.models.splits import CUTOFF, rolling_origin, window_forecast

WEEK = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.4, 0.0])  # closed on Sundays


def _paydays(days: int = 760, n: int = 3, seed: int = 5) -> pd.DataFrame:
    """Shops whose sales jump by half in the first five days of each month."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=days, freq="D")  # a Monday
    uplift = np.where(ds.day <= 5, 1.5, 1.0)
    parts = []
    for i in range(n):
        mean = (200 + 50 * i) * WEEK[np.arange(days) % 7] * uplift
        parts.append(
            pd.DataFrame({"unique_id": f"shop{i}", "ds": ds, "y": rng.poisson(mean).astype(float)})
        )
    return pd.concat(parts, ignore_index=True)


def test_it_learns_the_paydays_that_a_weekly_season_misses() -> None:
    frame = _paydays()
    train = frame[frame["ds"] < "2026-01-01"]
    test = frame[frame["ds"] >= "2026-01-01"].groupby("unique_id").head(28)
    errors = {}
    for model in (HoltWinters(season_length=7), HoltWintersMonthDay(season_length=7)):
        out = model.fit(train).predict(28).merge(test, on=["unique_id", "ds"])
        errors[model.name] = float((out[model.name] - out["y"]).abs().mean())
        if model.name == "HoltWintersMonthDay":
            open_days = out[out["ds"].dt.dayofweek < 6]
            early = open_days["ds"].dt.day <= 5
            ratio = (open_days.loc[early, model.name] / open_days.loc[early, "y"]).mean()
            assert 0.85 < ratio < 1.15  # the uplift is in the forecast
    assert errors["HoltWintersMonthDay"] < 0.7 * errors["HoltWinters"]


def test_without_an_earlier_window_it_is_holt_winters() -> None:
    frame = _paydays(days=30)  # the origin 35 days back lies before the history
    plain = HoltWinters(season_length=7).fit(frame).predict(35)
    month = HoltWintersMonthDay(season_length=7).fit(frame).predict(35)
    np.testing.assert_allclose(month["HoltWintersMonthDay"], plain["HoltWinters"])


def test_one_pass_backtest_equals_refitting_in_every_window() -> None:
    """Each window's profile and bands come from before its cutoff: the one-pass backtest
    gives what a model fitted on the window's own training data gives."""
    frame = check_training_frame(_paydays(days=400), "test")
    model = HoltWintersMonthDay(season_length=7)
    cv = model.cross_validation(frame, 14, n_windows=3, levels=(80,))
    expected = []
    for window in rolling_origin(frame, 14, 3):
        forecast, _ = window_forecast(model, window, 14, (80,))
        test = window.test[["unique_id", "ds", "y"]].merge(forecast, on=["unique_id", "ds"])
        test.insert(2, CUTOFF, test["unique_id"].map(window.cutoffs))
        expected.append(test)
    refit = pd.concat(expected).sort_values(["unique_id", CUTOFF, "ds"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(cv[refit.columns], refit, check_dtype=False)


@pytest.mark.parametrize("change", [0.0, 5000.0])
def test_the_future_does_not_move_a_backtest_window(change: float) -> None:
    frame = _paydays(days=400)
    later = frame["ds"] > frame["ds"].max() - pd.Timedelta(days=14)
    changed = frame.assign(y=np.where(later, frame["y"] + change, frame["y"]))
    model = HoltWintersMonthDay(season_length=7)
    first = model.cross_validation(frame, 14, n_windows=2, levels=(80,))
    second = model.cross_validation(changed, 14, n_windows=2, levels=(80,))
    early = first[CUTOFF] == first[CUTOFF].min()
    pd.testing.assert_frame_equal(first[early].drop(columns="y"), second[early].drop(columns="y"))


def test_on_weekly_data_it_is_holt_winters() -> None:
    frame = _paydays(days=900)
    frame["ds"] = frame["ds"].dt.to_period("W").dt.start_time
    weekly = frame.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    plain = HoltWinters(season_length=52).fit(weekly).predict(8)
    month = HoltWintersMonthDay(season_length=52).fit(weekly).predict(8)
    np.testing.assert_allclose(month["HoltWintersMonthDay"], plain["HoltWinters"])


def test_net_returns_never_make_a_forecast_negative() -> None:
    """Checked on the backtest, which does not pass through predict's final clip."""
    frame = _paydays(days=400)
    frame["y"] = np.round(frame["y"] / 80)  # a few a day: not busy, its zeros are demand
    frame.loc[frame["ds"].dt.day == 3, "y"] = -40.0  # returns booked on the 3rd
    cv = HoltWintersMonthDay(season_length=7).cross_validation(frame, 35, n_windows=1)
    third = cv["ds"].dt.day == 3
    assert (cv.loc[third, "HoltWintersMonthDay"] == 0).all()  # the 3rd's factor is < 0
    assert (cv["HoltWintersMonthDay"] >= 0).all()
    open_days = ~third & (cv["ds"].dt.dayofweek < 6)
    assert cv.loc[open_days, "HoltWintersMonthDay"].mean() > 1.0
