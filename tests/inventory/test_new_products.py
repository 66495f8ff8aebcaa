"""New products: stock capped by the demand rate since their listing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.inventory import PlanOptions, ProductFacts, build_plan
from stockwise.inventory.new_products import (
    NEW_PRODUCT_HEADROOM,
    new_product_cap,
    since_listing,
    with_new_product_cap,
)
from stockwise.inventory.parameters import resolve
from stockwise.replay.simulation import replay_policy
from stockwise.sectors import load_profile

TODAY = pd.Timestamp("2025-03-03")


def test_history_counts_from_the_first_row_zeros_included() -> None:
    history = np.array([np.nan, np.nan, 0.0, 0.0, 4.0, 0.0, 2.0])
    assert since_listing(history) == (5.0, 6.0)
    assert since_listing(history, period_days=7.0) == (35.0, 6.0)
    assert since_listing(np.array([np.nan, 0.0, 0.0])) is None


def test_cap_is_the_rate_since_launch_over_the_protection_interval_while_new() -> None:
    # 60 units in 20 days = 3/day; protection 30 days -> 1.5 × 3 × 30 = 135
    assert new_product_cap(20.0, 60.0, 30.0) == pytest.approx(NEW_PRODUCT_HEADROOM * 90.0)
    assert new_product_cap(59.0, 60.0, 30.0) is not None
    assert new_product_cap(60.0, 60.0, 30.0) is None  # two protection intervals: not new
    assert new_product_cap(20.0, 0.0, 30.0) is None


def test_a_tighter_maximum_stock_of_the_user_stays() -> None:
    row = pd.Series(
        {
            "unique_id": "A",
            "on_hand": 0.0,
            "on_order": 0.0,
            "lead_time_days": 20.0,
            "review_period_days": 10,
            "max_stock": 50.0,
            "unit_cost": 1.0,
        }
    )
    params = resolve(row, load_profile("retail"))
    capped, cap = with_new_product_cap(params, (20.0, 60.0))
    assert cap == pytest.approx(NEW_PRODUCT_HEADROOM * 3.0 * (20.0 + 10))
    assert capped.max_stock == 50.0
    loose = params.__class__(**{**params.__dict__, "max_stock": None})
    assert with_new_product_cap(loose, (20.0, 60.0))[0].max_stock == pytest.approx(cap)
    assert with_new_product_cap(params, (400.0, 60.0)) == (params, None)
    assert with_new_product_cap(params, None) == (params, None)


def _launch(days: int = 260, launch_day: int = 170) -> pd.DataFrame:
    """An established product at 5/day, one launched 30 days before the replay with a
    spike of 40/day in its first week, 2/day after, and one listed from the start whose
    first demand (the same spike) comes on that launch day."""
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    old = pd.DataFrame({"unique_id": "OLD", "ds": dates, "y": 5.0})
    new_days = dates[launch_day:]
    y = np.where(np.arange(len(new_days)) < 7, 40.0, 2.0)
    new = pd.DataFrame({"unique_id": "NEW", "ds": new_days, "y": y})
    # listed from the start, first demand on the launch day of NEW: not new, only late
    late = pd.DataFrame(
        {
            "unique_id": "LATE",
            "ds": dates,
            "y": np.where(np.arange(days) >= launch_day, new["y"].iloc[0], 0.0),
        }
    )
    late.loc[launch_day + 7 :, "y"] = 2.0
    return pd.concat([old, new, late], ignore_index=True)


def test_the_replay_caps_a_just_launched_product_s_order() -> None:
    history = _launch()
    start = pd.Timestamp("2024-06-19")  # day 170: the launch; first review 30 days later
    start = start + pd.Timedelta(days=30)
    result = replay_policy(
        history,
        start=start,
        forecast="SeasonalNaive",
        service_level=0.99,
        review_period_days=7,
        lead_time_days=14.0,
        n_paths=200,
        calibrate_service=False,
        season_length=7,
    )
    first = result.reviews.sort_values("ds").groupby("unique_id").first()
    # the launch week is in the seasonal naive's history: the level it asks for at 99 %
    # (bands from its errors since the launch) is high,
    # but NEW has sold 7 × 40 + 23 × 2 = 326 units in 30 days: cap 1.5 × 326/30 × 21
    cap = NEW_PRODUCT_HEADROOM * 326 / 30 * 21
    new = first.loc["NEW"]
    assert new["position"] + new["order_quantity"] <= cap + 1.0
    assert new["raw_quantity"] > new["order_quantity"]
    for uid in ("OLD", "LATE"):
        assert first.loc[uid, "order_quantity"] == pytest.approx(
            np.ceil(first.loc[uid, "raw_quantity"]), abs=1.0
        )
    assert first.loc["LATE", "raw_quantity"] > 0


def _rows(uid: str, mean: float, spread: float) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "unique_id": uid,
            "ds": pd.date_range(TODAY, periods=60),
            "forecast": mean,
            "sector": "retail",
        }
    )
    for level, z in ((80, 1.2816), (95, 1.96), (99, 2.5758)):
        frame[f"forecast-lo-{level}"] = max(mean - z * spread, 0.0)
        frame[f"forecast-hi-{level}"] = mean + z * spread
    return frame


def test_the_plan_caps_a_new_product_and_says_why() -> None:
    forecasts = _rows("NEW", 20.0, 8.0)
    inventory = pd.DataFrame(
        [
            {
                "unique_id": "NEW",
                "on_hand": 10.0,
                "on_order": 0.0,
                "lead_time_days": 7.0,
                "lead_time_std_days": 0.0,
                "unit_cost": 2.0,
                "moq": 0,
                "pack_size": 1,
                "sector": "retail",
            }
        ]
    )
    options = PlanOptions(profiles={"retail": load_profile("retail")}, today=TODAY, n_paths=300)
    plain = build_plan(forecasts, inventory, options).plan.iloc[0]
    # sold 40 units in its 10 days: 4/day; L + R = 14 days -> cap 1.5 × 4 × 14 = 84
    capped = build_plan(
        forecasts, inventory, options, ProductFacts(since_listing_by_product={"NEW": (10.0, 40.0)})
    ).plan.iloc[0]
    assert plain["order_qty"] > 200
    assert capped["order_qty"] == pytest.approx(84 - 10)
    assert "new product (10 days of history)" in capped["reason"]
    old = build_plan(
        forecasts,
        inventory,
        options,
        ProductFacts(since_listing_by_product={"NEW": (400.0, 4000.0)}),
    ).plan.iloc[0]
    assert old["order_qty"] == plain["order_qty"] and "new product" not in old["reason"]


def test_the_plan_workflow_reads_each_product_s_days_and_units_from_its_sales() -> None:
    from stockwise.workflows.plan import since_listing_by_product

    sales = pd.DataFrame(
        {
            "unique_id": ["B", "A", "A", "A", "C"],
            "ds": pd.to_datetime(
                ["2025-01-05", "2025-01-03", "2025-01-01", "2025-01-02", "2025-01-01"]
            ),
            "y": [3.0, 2.0, 0.0, 5.0, 0.0],
        }
    )
    assert since_listing_by_product(sales) == {"A": (3.0, 7.0), "B": (1.0, 3.0)}
