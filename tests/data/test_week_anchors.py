"""Weekly data dated on a mix of weekdays is read as weekly, put on one weekday with a
warning, and forecast at its weekly level; a week that cannot be told is refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from stockwise.data import load_table
from stockwise.data.frequency import align_week_anchors
from stockwise.workflows.forecast import run_forecast
from stockwise.workflows.plan import plan_files

AS_OF = "2025-06-30"
WEEKS = pd.date_range("2023-01-02", periods=60, freq="W-MON")
SHIFTS = {  # days from each week's Monday
    "mondays": lambda i: 0,
    "sundays_before": lambda i: -1,  # weeks dated on the Sunday they start
    "switches_to_sunday": lambda i: 0 if i < 30 else -1,
    "alternates": lambda i: -1 if i % 2 else 0,
    "switches_to_week_end": lambda i: 0 if i < 30 else 6,  # ... or on the Sunday they end
}
LEVEL = 100.0


def _weekly(shifts=SHIFTS, sector: str | None = None) -> pd.DataFrame:
    rows = [
        (uid, (week + pd.Timedelta(days=shift(i))).strftime("%Y-%m-%d"), LEVEL)
        for uid, shift in shifts.items()
        for i, week in enumerate(WEEKS)
    ]
    frame = pd.DataFrame(rows, columns=["unique_id", "ds", "y"])
    if sector is not None:
        frame["sector"] = sector
    return frame.sample(frac=1.0, random_state=4).reset_index(drop=True)


def _sundays(frame: pd.DataFrame) -> int:
    return int((pd.to_datetime(frame["ds"]).dt.dayofweek == 6).sum())


def test_mixed_anchors_are_read_as_weekly_and_put_on_mondays_with_a_warning():
    sales = _weekly()
    result = load_table(sales, "sales", as_of=AS_OF)
    report = result.report
    assert report.frequency == "W"
    assert report.n_quarantined == 0 and report.n_accepted == len(sales)
    assert set(result.data["ds"].dt.dayofweek) == {0}
    assert (result.data.groupby("unique_id")["ds"].nunique() == len(WEEKS)).all()
    moved = report.warnings[report.warnings["rule"] == "week_anchor_moved"]
    assert len(moved) == _sundays(sales)
    assert "moved from Sunday" in moved["message"].iloc[0]
    assert any(
        "weekly data dated on several weekdays" in note and "nearest Monday" in note
        for note in report.notes
    )
    # a week's Sunday goes to the Monday of the week it starts or ends, whichever keeps
    # one date per week: the series that dates weeks by their end keeps its last week
    ends = result.data[result.data["unique_id"] == "switches_to_week_end"]
    assert ends["ds"].max() == WEEKS[-1]


def test_the_plan_forecasts_mixed_anchor_weeks_at_their_weekly_level(tmp_path: Path):
    # luxury plans by week: a week with two rows (a Sunday and a Monday) used to count
    # twice and the next one nothing
    sales = _weekly(sector="luxury")
    inventory = pd.DataFrame({"unique_id": list(SHIFTS), "on_hand": 50.0, "lead_time_days": 14.0})
    run, _ = plan_files(sales, inventory, tmp_path, models="SeasonalNaive")
    forecasts = run.forecasts.forecasts
    assert set(forecasts["freq"]) == {"W"}
    level = forecasts.groupby("unique_id")["forecast"].agg(["min", "max"])
    assert ((level["min"] > 0.9 * LEVEL) & (level["max"] < 1.1 * LEVEL)).all(), level
    daily = run.plan.plan.set_index("unique_id")["mean_daily_demand"]
    assert ((daily - LEVEL / 7).abs() < 0.1 * LEVEL / 7).all(), daily


def test_a_library_forecast_of_mixed_anchors_is_weekly_and_says_so(caplog):
    sales = _weekly().assign(ds=lambda f: pd.to_datetime(f["ds"]))
    with caplog.at_level(logging.WARNING, logger="stockwise.workflows.forecast"):
        run = run_forecast(sales, h=4, models="SeasonalNaive")
    assert run.freq == "W"
    assert "weekly data dated on several weekdays" in caplog.text
    assert set(run.forecasts["ds"].dt.dayofweek) == {0}
    assert run.forecasts["forecast"].between(0.9 * LEVEL, 1.1 * LEVEL).all()


def test_a_week_dated_twice_is_refused_naming_the_row():
    # 2024-01-07 (a Sunday) and 2024-01-08 (a Monday): one week or two? It cannot be told.
    dates = [
        "2024-01-01",
        "2024-01-07",
        "2024-01-08",
        "2024-01-15",
        "2024-01-21",
        "2024-01-29",
        "2024-02-05",
    ]
    sales = pd.DataFrame({"unique_id": "A", "ds": dates, "y": 3.0})
    result = load_table(sales, "sales", as_of=AS_OF)
    errors = result.report.errors
    assert list(errors["rule"]) == ["ambiguous_week"]
    assert list(errors["row"]) == [2]  # the Sunday, as a frame numbers rows from 1
    assert "cannot be told" in errors["message"].iloc[0]
    assert result.report.n_accepted == 6
    assert result.report.frequency == "W"
    assert set(result.data["ds"].dt.dayofweek) == {0}  # the Sunday of 2024-01-21 moved


def test_daily_data_is_never_moved():
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    sunday_monday = days[days.dayofweek.isin([6, 0])]  # a shop open two days a week
    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": "open_daily", "ds": days}),
            pd.DataFrame({"unique_id": "weekend_shop", "ds": sunday_monday}),
        ]
    )
    assert align_week_anchors(frame) is None
    result = load_table(frame.assign(y=1.0), "sales", as_of=AS_OF)
    assert result.report.frequency == "D" and result.report.n_quarantined == 0
    assert result.report.warnings.empty
