"""Sales summed to a plan level, and a plan made for the groups (a distribution centre)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.errors import FrameError, OptionError
from stockwise.hierarchy.levels import level_columns, sales_at_level
from stockwise.workflows.plan import plan_inventory


def store_sales(days: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    parts = [
        pd.DataFrame(
            {
                "unique_id": f"{store}-{p}",
                "ds": dates,
                "y": rng.poisson(4 + p, days).astype(float),
                "store": store,
                "category": f"cat{p % 2}",
                "sector": "retail",
                "on_hand": 50.0,
                "price": 3.0,
            }
        )
        for store in ("S1", "S2")
        for p in range(3)
    ]
    return pd.concat(parts, ignore_index=True)


def test_the_level_sums_its_members_per_date() -> None:
    sales = store_sales()
    summed = sales_at_level(sales, "store")
    assert sorted(summed["unique_id"].unique()) == ["S1", "S2"]
    s1 = summed[summed["unique_id"] == "S1"].set_index("ds")
    expected = sales[sales["store"] == "S1"].groupby("ds")[["y", "on_hand"]].sum()
    pd.testing.assert_frame_equal(s1[["y", "on_hand"]], expected)
    assert set(summed["sector"]) == {"retail"} and "price" not in summed.columns
    crossed = sales_at_level(sales, "category*store")
    assert sorted(crossed["unique_id"].unique()) == ["cat0|S1", "cat0|S2", "cat1|S1", "cat1|S2"]


def test_bad_levels_are_refused() -> None:
    sales = store_sales(10)
    assert level_columns("category/store") == ("category", "store")
    with pytest.raises(OptionError, match="empty"):
        level_columns("store*")
    with pytest.raises(FrameError, match="region"):
        sales_at_level(sales, "region")
    mixed = sales.assign(sector=np.where(sales["unique_id"] == "S1-0", "pharmacy", "retail"))
    with pytest.raises(FrameError, match="mix sectors"):
        sales_at_level(mixed, "store")


def test_a_plan_at_the_store_level_has_one_line_per_store() -> None:
    sales = store_sales()
    inventory = pd.DataFrame(
        {
            "unique_id": ["S1", "S2"],
            "on_hand": [10.0, 500.0],
            "lead_time_days": [4, 4],
            "unit_cost": [1.5, 1.5],
        }
    )
    summed = sales_at_level(sales.drop(columns="on_hand"), "store")
    run = plan_inventory(summed, inventory, models=("SeasonalNaive",))
    plan = run.plan.plan.set_index("unique_id")
    assert sorted(plan.index) == ["S1", "S2"]
    # the store's forecast is of its whole demand (about 15 a day), not of one product's
    daily = run.forecasts.forecasts.groupby("unique_id")["forecast"].mean()
    assert daily["S1"] == pytest.approx(
        sales[sales["store"] == "S1"].groupby("ds")["y"].sum().mean(), rel=0.35
    )
    assert plan.loc["S1", "order_qty"] > plan.loc["S2", "order_qty"] >= 0
