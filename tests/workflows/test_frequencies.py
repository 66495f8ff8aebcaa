"""Every regular calendar through the library: forecast and plan.

Each series repeats one season exactly (plus a level per series), so a seasonal naive
forecast with the right season length continues it exactly and beats the naive one in
the backtest: the forecast values prove that the season was taken from the frequency.
The plan then turns the periods into days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import stockwise
from stockwise import calendar_facts
from stockwise.data.frequency import infer_frequencies
from stockwise.inventory.paths import to_daily
from stockwise.workflows.forecast import run_forecast
from stockwise.workflows.plan import plan_inventory

MODELS = ("SeasonalNaive", "Naive")
CASES = [  # pandas alias of the data, rows per series, freq asked for, expected code
    ("h", 24 * 10, None, "h"),
    ("D", 7 * 12, None, "D"),
    ("W-SUN", 52 * 3, None, "W"),
    ("W-WED", 52 * 3, "W", "W"),
    ("MS", 12 * 4, None, "M"),
    ("ME", 12 * 4, "ME", "M"),
    ("QS", 4 * 6, "QS", "Q"),
    ("QE", 4 * 6, None, "Q"),
    ("YS", 12, "YS", "Y"),
]


def _seasonal(alias: str, n: int, season: int) -> pd.DataFrame:
    """Two series: one season's pattern repeated, on different levels."""
    dates = pd.date_range("2001-01-01", periods=n, freq=alias)
    pattern = 20 + 10 * np.sin(2 * np.pi * np.arange(season) / season).round(3)
    frames = [
        pd.DataFrame({"unique_id": uid, "ds": dates, "y": level + pattern[np.arange(n) % season]})
        for uid, level in (("a", 0.0), ("b", 50.0))
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(("alias", "n", "asked", "code"), CASES)
def test_each_calendar_is_forecast_on_its_grid_with_its_season(alias, n, asked, code) -> None:
    season = calendar_facts.SEASON[code]
    sales = _seasonal(alias, n, season)
    assert set(infer_frequencies(sales)[0]) == {code}
    h = 2 * season if season > 1 else 3
    run = run_forecast(sales, h=h, freq=asked, models=MODELS, levels=[80], n_windows=1)
    assert (run.freq, run.season_length) == (code, season)
    out = run.forecasts
    assert out.groupby("unique_id").size().tolist() == [h, h]
    assert (out[["forecast", "forecast-lo-80"]] >= 0).all().all()
    for uid, rows in out.groupby("unique_id"):
        history = sales[sales["unique_id"] == uid]
        # dated by the periods' starts, right after the history's last period
        weekday = history["ds"].iloc[-1].dayofweek  # a week keeps its data's weekday
        last = calendar_facts.period_start(history["ds"].tail(1), code, weekday).iloc[0]
        expected_dates = calendar_facts.shift(
            pd.DatetimeIndex([last] * h), code, np.arange(1, h + 1)
        )
        assert rows["ds"].to_numpy().tolist() == expected_dates.tolist()
        # the season continues exactly (a yearly series has none: the last value)
        continued = np.resize(history["y"].to_numpy()[-season:], h)
        np.testing.assert_allclose(rows["forecast"], continued, atol=1e-6)


@pytest.mark.parametrize(("alias", "n", "asked", "code"), CASES)
def test_each_calendar_is_planned_in_days(alias, n, asked, code) -> None:
    season = calendar_facts.SEASON[code]
    sales = _seasonal(alias, n, season)
    inventory = pd.DataFrame(
        {"unique_id": ["a", "b"], "on_hand": [0.0, 1e6], "lead_time_days": 10.0}
    )
    run = plan_inventory(
        sales,
        inventory,
        models=MODELS,
        n_windows=1,
        seed=0,
        freq=asked if code in ("Q", "Y") else None,
    )
    planned = run.forecasts.forecasts
    # hours are summed to days; quarters and years stay whole; finer ones: the profile's
    assert set(planned["freq"]) == {code if code in ("Q", "Y") else "D"}
    plan = run.plan.plan.set_index("unique_id")
    assert plan.loc["a", "order_qty"] > 0  # nothing on hand: an order
    assert plan.loc["b", "order_qty"] == 0  # a million on hand covers everything
    daily = run.plan.projection
    assert pd.DatetimeIndex(daily["ds"]).normalize().equals(pd.DatetimeIndex(daily["ds"]))
    # the projection starts the day after the last day the sales cover
    last_day = (
        calendar_facts.shift(calendar_facts.period_start(sales["ds"].tail(1), code), code, 1)[0]
        if code in ("Q", "Y")
        else sales["ds"].max().normalize() + pd.Timedelta(days=1)
    )
    assert pd.Timestamp(daily["ds"].min()) == pd.Timestamp(last_day)


def test_season_length_can_be_overridden() -> None:
    sales = _seasonal("QS", 24, 4)
    by_default = stockwise.forecast(sales, h=4, models="SeasonalNaive")
    halves = stockwise.forecast(sales, h=4, models="SeasonalNaive", season_length=2)
    last = sales[sales["unique_id"] == "a"]["y"].to_numpy()
    np.testing.assert_allclose(by_default[by_default["unique_id"] == "a"]["forecast"], last[-4:])
    np.testing.assert_allclose(
        halves[halves["unique_id"] == "a"]["forecast"], np.resize(last[-2:], 4)
    )


def test_days_are_summed_to_any_coarser_calendar_whole_periods_only() -> None:
    days = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2020-01-01", "2021-02-10"), "y": 1.0}
    )
    quarters = run_forecast(days, h=2, freq="QS", models="Naive")
    # 2020's four quarters are whole (the partial 2021 Q1 is what is forecast)
    assert quarters.forecasts["ds"].tolist() == [
        pd.Timestamp("2021-01-01"),
        pd.Timestamp("2021-04-01"),
    ]
    assert quarters.forecasts["forecast"].iloc[0] == 92.0  # 2020 Q4: Oct-Dec
    weeks = run_forecast(days, h=1, freq="W-SUN", models="Naive")
    assert weeks.forecasts["ds"].dt.dayofweek.tolist() == [6]
    assert weeks.forecasts["forecast"].tolist() == [7.0]


def test_quarters_spread_over_their_days_keep_their_totals() -> None:
    forecasts = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.to_datetime(["2024-01-01", "2024-04-01"]),
            "forecast": [91.0, 182.0],
            "forecast-hi-80": [182.0, 364.0],
        }
    )
    daily = to_daily(forecasts, "QS")
    assert len(daily) == 91 + 91  # 2024 is a leap year: Jan-Mar has 91 days, Apr-Jun 91
    totals = daily.groupby(daily["ds"].dt.quarter)[["forecast", "forecast-hi-80"]].sum()
    np.testing.assert_allclose(totals.to_numpy(), [[91.0, 182.0], [182.0, 364.0]])


def test_hours_are_summed_to_days_for_the_plan() -> None:
    hours = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2024-01-01 06:00", periods=30, freq="h"),
            "forecast": 1.0,
            "forecast-lo-80": 0.5,
        }
    )
    daily = to_daily(hours, "h")
    assert daily["ds"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]
    assert daily["forecast"].tolist() == [18.0, 12.0]
    assert daily["forecast-lo-80"].tolist() == [9.0, 6.0]


def test_unknown_or_fiscal_frequencies_are_refused_by_name() -> None:
    sales = _seasonal("QS", 12, 4)
    for bad in ("fortnightly", "QS-APR", "W-XYZ"):
        with pytest.raises(ValueError, match="freq must be one of"):
            stockwise.forecast(sales, h=2, freq=bad)
    with pytest.raises(ValueError, match="finer"):
        stockwise.forecast(sales, h=2, freq="MS")


def test_a_sector_profile_states_a_quarterly_calendar_and_its_season(tmp_path) -> None:
    from stockwise.sectors import load_profile
    from stockwise.workflows.sector_forecast import forecast_sectors

    (tmp_path / "budgets.yaml").write_text(
        "extends: retail\nfrequency: QS\nseason_length: 2\nhorizon: 3\n"
        "candidate_models: [SeasonalNaive]\n",
        encoding="utf-8",
    )
    profile = load_profile("budgets", extra_dirs=[tmp_path])
    assert (profile.frequency, profile.season_length, profile.pandas_freq) == ("Q", 2, "QS")
    sales = _seasonal("QS", 24, 4).assign(sector="budgets")
    run = forecast_sectors(sales, models="SeasonalNaive", extra_dirs=[tmp_path])
    assert [(s.freq, s.season_length, s.horizon) for s in run.settings] == [("Q", 2, 3)]
    a = run.forecasts[run.forecasts["unique_id"] == "a"]
    np.testing.assert_allclose(a["forecast"], np.resize(sales["y"].to_numpy()[22:24], 3))
    overridden = forecast_sectors(
        sales, models="SeasonalNaive", extra_dirs=[tmp_path], season_length=4
    )
    assert overridden.settings[0].season_length == 4


@pytest.mark.parametrize(
    ("alias", "n", "asked", "expected"),
    [
        ("D", 7 * 8, None, 14),
        ("YS", 12, None, 3),
        ("QS", 4 * 6, None, 8),
        ("D", 7 * 8, "QS", 8),
        ("h", 24 * 7, None, 48),
    ],
)
def test_without_a_horizon_or_profile_the_calendar_sets_how_far_to_look(
    alias, n, asked, expected
) -> None:
    from stockwise.workflows.sector_forecast import forecast_sectors

    sales = _seasonal(alias, n, 4)
    run = forecast_sectors(sales, models="Naive", freq=asked)
    assert run.settings[0].horizon == expected
    assert (run.forecasts.groupby("unique_id").size() == expected).all()
    fixed = forecast_sectors(sales, models="Naive", freq=asked, horizon=2)
    assert (fixed.forecasts.groupby("unique_id").size() == 2).all()
