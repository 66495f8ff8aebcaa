"""Holes: long runs of missing periods are missing data; short gaps stay "nothing sold"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.data.holes import (
    bridge_holes,
    describe_holes,
    find_holes,
    in_holes,
)
from stockwise.data.prepare import regularize
from stockwise.errors import ProfileError
from stockwise.sectors import SectorProfile, load_profile

WEEK = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.5, 0.0])


def _daily(uid: str, days: int, level: float = 100.0, start: str = "2025-01-06") -> pd.DataFrame:
    ds = pd.date_range(start, periods=days, freq="D")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": level * WEEK[np.arange(days) % 7]})


def _cut(frame: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """``frame`` without its rows from ``first`` to ``last`` (no row at all, not zeros)."""
    return frame[~frame["ds"].between(first, last)].reset_index(drop=True)


def test_a_long_run_without_rows_is_a_hole_and_a_short_one_is_not() -> None:
    sales = pd.concat(
        [
            _cut(_daily("A", 120), "2025-02-10", "2025-03-01"),  # 20 days
            _cut(_daily("B", 120), "2025-02-10", "2025-02-19"),
        ],  # 10 days
        ignore_index=True,
    )
    holes = find_holes(sales)
    assert holes["unique_id"].tolist() == ["A"]
    hole = holes.iloc[0]
    assert (hole["start"], hole["end"]) == (pd.Timestamp("2025-02-10"), pd.Timestamp("2025-03-01"))
    assert (hole["days"], hole["periods"], hole["trailing"]) == (20, 20, False)
    assert find_holes(sales, max_gap_days=9)["unique_id"].tolist() == ["A", "B"]


def test_rows_with_zero_sales_are_never_missing() -> None:
    sales = _daily("A", 120)
    sales.loc[sales["ds"].between("2025-02-10", "2025-03-31"), "y"] = 0.0
    assert find_holes(sales).empty


def test_a_series_silent_up_to_the_tables_last_date_has_a_trailing_hole() -> None:
    sales = pd.concat([_daily("A", 120), _daily("B", 90)], ignore_index=True)
    holes = find_holes(sales)
    assert holes["unique_id"].tolist() == ["B"]
    assert bool(holes["trailing"].iloc[0]) and holes["days"].iloc[0] == 30
    assert holes["end"].iloc[0] == sales["ds"].max()


def test_an_item_exported_on_sale_days_only_has_no_holes() -> None:
    rng = np.random.default_rng(1)
    days = np.cumsum(rng.integers(10, 35, 30))  # a sale every 10 to 34 days
    sales = pd.DataFrame(
        {
            "unique_id": "slow",
            "y": 1.0,
            "ds": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, "D"),
        }
    )
    assert find_holes(sales).empty


def test_the_calendars_own_zeros_count_as_absent() -> None:
    sales = _cut(_daily("A", 120), "2025-02-10", "2025-03-01")
    filled = regularize(sales, "D")
    assert filled["gap_filled"].sum() == 20
    pd.testing.assert_frame_equal(find_holes(filled), find_holes(sales))


def test_weekly_data_needs_more_than_two_missing_weeks() -> None:
    ds = pd.date_range("2024-01-03", periods=60, freq="7D")  # Wednesdays
    weekly = pd.DataFrame({"unique_id": "W", "ds": ds, "y": 50.0})
    assert find_holes(weekly.drop(index=[20, 21])).empty
    holes = find_holes(weekly.drop(index=range(20, 25)))
    assert holes["days"].tolist() == [35] and holes["start"].iloc[0] == ds[20]


def test_the_sentence_names_the_count_the_longest_hole_and_its_dates() -> None:
    sales = pd.concat(
        [
            _cut(_daily("A", 200), "2025-02-10", "2025-03-01"),
            _cut(_daily("B", 200), "2025-03-01", "2025-04-30"),
            _daily("C", 200),
        ],
        ignore_index=True,
    )
    said = describe_holes(find_holes(sales))
    assert said is not None
    assert said.startswith("2 series have holes of up to 61 days")
    assert "B, 2025-03-01 to 2025-04-30" in said
    assert describe_holes(find_holes(_daily("C", 200))) is None


def test_daily_rows_fall_in_a_weekly_hole() -> None:
    holes = pd.DataFrame(
        {
            "unique_id": ["W"],
            "start": [pd.Timestamp("2024-01-03")],
            "end": [pd.Timestamp("2024-01-17")],
            "periods": [3],
            "days": [21],
            "trailing": [False],
        }
    )
    rows = pd.DataFrame(
        {
            "unique_id": "W",
            "ds": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-23", "2024-01-24"]),
        }
    )
    assert in_holes(rows, holes).tolist() == [False, True, True, False]


def test_a_long_segment_after_the_hole_is_fitted_alone() -> None:
    sales = _cut(_daily("A", 300), "2025-03-01", "2025-06-30")
    frame = regularize(sales, "D")[["unique_id", "ds", "y"]]
    out, bridged = bridge_holes(frame, find_holes(sales), min_periods=60, season_length=7)
    assert bridged.empty
    assert out["ds"].min() == pd.Timestamp("2025-07-01")
    assert out["ds"].max() == frame["ds"].max()


def test_a_short_segment_after_the_hole_keeps_the_history_with_seasonal_estimates() -> None:
    sales = _cut(_daily("A", 300), "2025-06-01", "2025-10-15")
    frame = regularize(sales, "D")[["unique_id", "ds", "y"]]
    out, bridged = bridge_holes(frame, find_holes(sales), min_periods=60, season_length=7)
    assert len(out) == len(frame) and len(bridged) == 1
    estimated = in_holes(out, bridged)
    assert estimated.sum() == (pd.Timestamp("2025-10-15") - pd.Timestamp("2025-06-01")).days + 1
    expected = 100.0 * WEEK[(out["ds"] - pd.Timestamp("2025-01-06")).dt.days % 7]
    np.testing.assert_allclose(out.loc[estimated, "y"], expected[estimated])


def test_without_holes_the_frame_is_untouched() -> None:
    frame = _daily("A", 100)
    out, bridged = bridge_holes(frame, find_holes(frame), min_periods=60, season_length=7)
    assert out is frame and bridged.empty


def test_profiles_set_the_threshold_and_reject_a_bad_one() -> None:
    assert load_profile("retail").max_gap_days == 14
    data = load_profile("retail").to_dict()
    assert SectorProfile.from_dict({**data, "max_gap_days": 30}).max_gap_days == 30
    with pytest.raises(ProfileError, match="max_gap_days"):
        SectorProfile.from_dict({**data, "max_gap_days": 0})
