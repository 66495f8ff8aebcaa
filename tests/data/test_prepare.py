"""Preparation: regular calendars with flagged gaps, aggregation, stockout flags."""

from __future__ import annotations

import pandas as pd
import pytest

from stockwise.data import aggregate, flag_stockouts, prepare_sales, regularize
from stockwise.data.frequency import infer_frequencies


def _frame(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unique_id", "ds", "y", "on_hand"])
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


def test_daily_gaps_are_zero_filled_and_flagged() -> None:
    sales = _frame([("A", "2024-01-01", 2, 5), ("A", "2024-01-04", 3, 0)])
    out = regularize(sales, "D")
    assert out["ds"].dt.day.tolist() == [1, 2, 3, 4]
    assert out["y"].tolist() == [2, 0, 0, 3]
    assert out["gap_filled"].tolist() == [False, True, True, False]
    assert out["on_hand"].isna().tolist() == [False, True, True, False]


def test_nan_gap_policy_keeps_gaps_missing() -> None:
    sales = _frame([("A", "2024-01-01", 2, 5), ("A", "2024-01-03", 3, 1)])
    out = regularize(sales, "D", gap_policy="nan")
    assert out["y"].isna().tolist() == [False, True, False]


def test_monthly_and_weekly_series_keep_their_grids() -> None:
    sales = _frame(
        [
            ("M", "2024-01-31", 1, 1),
            ("M", "2024-02-29", 2, 1),
            ("M", "2024-03-31", 3, 1),
            ("M", "2024-05-31", 5, 1),
            ("W", "2024-01-03", 1, 1),
            ("W", "2024-01-10", 1, 1),
            ("W", "2024-01-17", 1, 1),
            ("W", "2024-01-31", 1, 1),
        ]
    )
    out = regularize(sales)
    monthly = out[out["unique_id"] == "M"]
    assert monthly["ds"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
        "2024-05-01",
    ]
    assert monthly["y"].tolist() == [1, 2, 3, 0, 5]
    weekly = out[out["unique_id"] == "W"]
    assert (weekly["ds"].dt.dayofweek == 2).all() and len(weekly) == 5


def test_extend_to_a_common_end() -> None:
    sales = _frame([("A", "2024-01-01", 1, 1), ("B", "2024-01-03", 1, 1)])
    out = regularize(sales, "D", end="2024-01-04")
    assert out.groupby("unique_id")["ds"].max().nunique() == 1
    assert len(out) == 4 + 2


def test_weekly_aggregation_starts_on_monday_and_counts_stockouts() -> None:
    days = pd.date_range("2024-01-03", "2024-01-16", freq="D")  # Wednesday .. Tuesday
    sales = pd.DataFrame(
        {
            "unique_id": "A",
            "ds": days,
            "y": 1.0,
            "on_hand": [0, 0, 3, 3, 3, 3, 3, 3, 0, 3, 3, 3, 3, 3],
        }
    )
    out = prepare_sales(sales, to="W")
    assert out["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert out["y"].tolist() == [5.0, 7.0, 2.0]
    assert out["n_obs"].tolist() == [5, 7, 2]
    assert out["stockout_days"].tolist() == [2, 1, 0]
    assert out["on_hand"].tolist() == [3, 3, 3]


def test_monthly_aggregation_sums_and_averages() -> None:
    days = pd.date_range("2024-01-30", "2024-02-02", freq="D")
    sales = pd.DataFrame(
        {
            "unique_id": "A",
            "ds": days,
            "y": [1.0, 2, 3, 4],
            "price": [1.0, 3, 5, 5],
            "promo": [0, 1, 0, 0],
        }
    )
    out = aggregate(flag_stockouts(sales), "M")
    assert out["y"].tolist() == [3.0, 7.0]
    assert out["price"].tolist() == [2.0, 5.0]
    assert out["promo"].tolist() == [1, 0]
    assert not out["stockout"].any()


def test_stockout_flags_only_where_stock_is_known_zero() -> None:
    sales = _frame(
        [("A", "2024-01-01", 2, 0), ("A", "2024-01-02", 1, float("nan")), ("A", "2024-01-03", 1, 4)]
    )
    assert flag_stockouts(sales)["stockout"].tolist() == [True, False, False]
    assert not flag_stockouts(sales.drop(columns="on_hand"))["stockout"].any()


def test_frequency_inference_marks_off_grid_rows() -> None:
    sales = _frame(
        [("M", f"2024-{m:02d}-01", 1, 1) for m in range(1, 6)]
        + [("M", "2024-02-14", 1, 1)]
        + [("D", "2024-01-05", 1, 1), ("D", "2024-01-06", 1, 1)]
    )
    freq, off = infer_frequencies(sales)
    assert freq.to_dict() == {"M": "M", "D": "D"}
    assert off.tolist() == [False] * 5 + [True, False, False]


def test_bad_arguments() -> None:
    sales = _frame([("A", "2024-01-01", 1, 1)])
    with pytest.raises(ValueError, match="gap_policy"):
        regularize(sales, gap_policy="interpolate")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="freq"):
        regularize(sales, "fortnightly")
    with pytest.raises(ValueError, match="aggregate"):
        aggregate(sales, "h")
