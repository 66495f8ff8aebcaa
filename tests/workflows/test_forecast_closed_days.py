"""Closed days in "auto" on daily data: forecast 0, and out of the bands' estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.errors import InputError
from stockwise.workflows.closed_days import ClosedDays
from stockwise.workflows.forecast import run_forecast

H = 14


def _shops(days: int = 420, seed: int = 2) -> pd.DataFrame:
    """Three shops closed on Sundays and on a few holidays, and one slow item that never
    sells on Sundays either (its zeros are demand: it sells one a day at most)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2025-01-06", periods=days, freq="D")  # a Monday
    week = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.5, 0.0])[np.arange(days) % 7]
    holidays = rng.choice(np.flatnonzero(week > 0), 8, replace=False)
    parts = []
    for i in range(3):
        y = rng.poisson((300 + 100 * i) * week).astype(float)
        y[holidays] = 0.0
        parts.append(pd.DataFrame({"unique_id": f"shop{i}", "ds": ds, "y": y}))
    slow = np.where(week > 0, rng.poisson(0.6, days), 0).astype(float)
    parts.append(pd.DataFrame({"unique_id": "slow", "ds": ds, "y": slow}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def run():
    return run_forecast(_shops(), h=H, freq="D", levels=(80, 95))


def test_days_a_shop_is_closed_are_forecast_zero_with_no_band(run) -> None:
    out = run.forecasts
    shops = out[out["unique_id"] != "slow"]
    sunday = shops["ds"].dt.dayofweek == 6
    values = ["forecast", "forecast-lo-80", "forecast-hi-80", "forecast-lo-95", "forecast-hi-95"]
    assert sunday.sum() == 3 * 2
    assert (shops.loc[sunday, values] == 0).all().all()
    past = run.backtest[run.backtest["unique_id"] != "slow"]
    assert (past.loc[past["ds"].dt.dayofweek == 6, values] == 0).all().all()


def test_open_days_of_a_busy_shop_get_a_band_that_starts_above_zero(run) -> None:
    out = run.forecasts
    open_days = out[(out["unique_id"] != "slow") & (out["ds"].dt.dayofweek != 6)]
    assert (open_days["forecast-lo-80"] > 0.5 * open_days["forecast"]).all()
    assert (open_days["forecast-lo-95"] > 0).all()


def test_a_slow_items_sunday_zeros_stay_demand(run) -> None:
    slow = run.forecasts[run.forecasts["unique_id"] == "slow"]
    assert (slow.loc[slow["ds"].dt.dayofweek == 6, "forecast-hi-80"] > 0).all()


def test_closures_are_left_out_of_the_band_calibration(run) -> None:
    past = run.backtest
    shop_zeros = ((past["unique_id"] != "slow") & (past["y"] <= 0)).sum()
    assert shop_zeros > 0
    scored = run.calibration.loc[run.calibration["segment"] == "all series", "n"]
    assert (scored == len(past) - shop_zeros).all()


def test_a_row_is_judged_from_its_cutoff_only() -> None:
    frame = _shops()
    closed = ClosedDays.of(frame, "D", 7)
    assert closed is not None
    cutoff = frame["ds"].max() - pd.Timedelta(days=30)
    rows = pd.DataFrame(
        {
            "unique_id": "shop0",
            "cutoff": cutoff,
            "ds": cutoff + pd.to_timedelta(np.arange(1, 8), "D"),
        }
    )
    before = closed.expected(rows)
    later = frame["ds"] > cutoff
    reopened = frame.assign(y=np.where(later, 500.0, frame["y"]))  # open every day after
    after = ClosedDays.of(reopened, "D", 7).expected(rows)  # type: ignore[union-attr]
    assert before.sum() == 1 and rows["ds"][before].dt.dayofweek.tolist() == [6]
    np.testing.assert_array_equal(before, after)


def test_weekly_data_has_no_closed_days() -> None:
    assert ClosedDays.of(_shops(), "W", 52) is None


def _store_of_slow_items(days: int = 280, seed: int = 4) -> pd.DataFrame:
    """A shop closed on Sundays and a few holidays whose three products each sell a few
    units a day: none is busy alone, the shop is."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2025-01-06", periods=days, freq="D")
    week = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.5, 0.0])[np.arange(days) % 7]
    holidays = rng.choice(np.flatnonzero(week > 0), 6, replace=False)
    parts = []
    for k, rate in enumerate((2.0, 3.0, 4.0)):
        y = rng.poisson(rate * week).astype(float)
        y[holidays] = 0.0
        parts.append(pd.DataFrame({"unique_id": f"item{k}", "store": "shop", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


def test_a_store_shut_on_sundays_closes_every_product_of_it() -> None:
    items = _store_of_slow_items()
    with_store = run_forecast(items, h=H, freq="D", levels=(80,)).forecasts
    alone = run_forecast(items.drop(columns="store"), h=H, freq="D", levels=(80,)).forecasts
    sunday = with_store["ds"].dt.dayofweek == 6
    assert (with_store.loc[sunday, ["forecast", "forecast-hi-80"]] == 0).all().all()
    assert (with_store.loc[~sunday, "forecast"] > 0).all()
    assert (alone.loc[alone["ds"].dt.dayofweek == 6, "forecast-hi-80"] > 0).any()


def test_store_closures_are_not_scored() -> None:
    items = _store_of_slow_items()
    run = run_forecast(items, h=H, freq="D", levels=(80,))
    past = run.backtest
    shut = past.groupby("ds")["y"].transform("sum") == 0
    assert shut.sum() > 0
    scored = run.calibration.loc[run.calibration["segment"] == "all series", "n"]
    assert (scored == len(past) - shut.sum()).all()


@pytest.mark.slow
def test_days_on_the_calendar_of_closures_are_forecast_zero() -> None:
    shops = _shops()
    holiday = shops["ds"].max() + pd.Timedelta(days=3)
    calendar = pd.DataFrame({"ds": [holiday]})
    out = run_forecast(shops, h=H, freq="D", levels=(80,), closed_calendar=calendar).forecasts
    assert (out.loc[out["ds"] == holiday, ["forecast", "forecast-hi-80"]] == 0).all().all()
    plain = run_forecast(shops, h=H, freq="D", levels=(80,)).forecasts
    assert (
        plain.loc[(plain["ds"] == holiday) & (plain["unique_id"] != "slow"), "forecast"] > 0
    ).all()


@pytest.mark.slow
def test_one_series_per_store_changes_nothing() -> None:
    shops = _shops()
    own_store = shops.assign(store=shops["unique_id"])
    pd.testing.assert_frame_equal(
        run_forecast(own_store, h=H, freq="D", levels=(80,)).forecasts,
        run_forecast(shops, h=H, freq="D", levels=(80,)).forecasts,
    )


def test_a_calendar_naming_stores_needs_a_store_column() -> None:
    calendar = pd.DataFrame({"ds": ["2026-03-04"], "store": ["north"]})
    with pytest.raises(InputError, match="store"):
        run_forecast(_shops(), h=H, freq="D", closed_calendar=calendar)


def test_a_stores_own_closed_day_closes_only_its_products() -> None:
    items = _store_of_slow_items()
    other = items.assign(unique_id=items["unique_id"] + "-b", store="other")
    both = pd.concat([items, other], ignore_index=True)
    day = both["ds"].max() + pd.Timedelta(days=2)
    calendar = pd.DataFrame({"ds": [day], "store": ["shop"]})
    out = run_forecast(both, h=H, freq="D", closed_calendar=calendar).forecasts
    on_day = out[out["ds"] == day].set_index("unique_id")["forecast"]
    assert (on_day[[u for u in on_day.index if not u.endswith("-b")]] == 0).all()
    assert (on_day[[u for u in on_day.index if u.endswith("-b")]] > 0).all()
