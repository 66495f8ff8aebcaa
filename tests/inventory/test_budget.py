"""The budget cap: a hand-checkable allocation, cut-down lines in whole packs, what is
left out said in the plan, and money in one currency only."""

from __future__ import annotations

import pandas as pd
import pytest

from stockwise.errors import OptionError
from stockwise.inventory.budget import apply_budget, left_out


def _plan(**lines: tuple[float, float, float]) -> pd.DataFrame:
    """Lines ``id=(order_qty, unit_cost, lost_value_avoided)``, in plan (urgency) order."""
    return pd.DataFrame(
        [
            {
                "unique_id": uid,
                "supplier": "S1",
                "urgency": "order now",
                "order_qty": qty,
                "order_value": qty * cost,
                "currency": "EUR",
                "arrival_date": pd.Timestamp("2025-03-10"),
                "lost_value_avoided": avoided,
                "budget_cut_units": 0.0,
                "budget_cut_value": 0.0,
                "reason": "order up to 100",
            }
            for uid, (qty, cost, avoided) in lines.items()
        ]
    )


def test_spends_first_where_an_order_saves_most_per_unit_of_money() -> None:
    # A: 600 for 1200 saved (2 per unit of money), B: 500 for 500 (1), C: 300 for 900 (3).
    # Budget 1000: C whole (300, 700 left), A whole (600, 100 left), then B cut down to
    # what 100 buys at 5 a unit in packs of 10: 20 units (100), 80 units (400) left out.
    plan = _plan(A=(60, 10.0, 1200.0), B=(100, 5.0, 500.0), C=(30, 10.0, 900.0))
    inventory = pd.DataFrame(
        {"unique_id": ["A", "B", "C"], "pack_size": [1, 10, 1], "moq": [0, 0, 0]}
    )
    outcome = apply_budget(plan, 1000.0, inventory)
    capped = outcome.plan.set_index("unique_id")
    assert capped["order_qty"].to_dict() == {"A": 60, "B": 20, "C": 30}
    assert capped.loc["B", "order_value"] == pytest.approx(100.0)
    assert capped.loc["B", "budget_cut_units"] == 80
    assert capped.loc["B", "budget_cut_value"] == pytest.approx(400.0)
    assert outcome.spent == pytest.approx(1000.0)
    assert "cut down from 100 to 20 units (400.00 EUR left out)" in capped.loc["B", "reason"]
    # the 80 units left out would have saved 80 % of B's 500
    assert "~400.00 EUR of expected lost sales left at risk" in capped.loc["B", "reason"]
    assert capped.loc["A", "reason"] == "order up to 100"  # untouched lines say nothing
    cut = outcome.left_out
    assert cut["unique_id"].tolist() == ["B"]
    assert cut.iloc[0][["proposed_units", "kept_units", "cut_units"]].tolist() == [100, 20, 80]
    assert cut.iloc[0]["risk_left"] == pytest.approx(400.0)
    assert "1 line(s) left out or cut down (0 left out, 1 cut down)" in outcome.summary()


def test_a_line_below_its_minimum_is_left_out_and_a_smaller_one_still_fits() -> None:
    # budget 250: X (200, ratio 3) fits; Y (300, ratio 2) could get 5 units (50) but its
    # MOQ is 10: left out whole; Z (40, ratio 1) still fits.
    plan = _plan(X=(20, 10.0, 600.0), Y=(30, 10.0, 600.0), Z=(4, 10.0, 40.0))
    inventory = pd.DataFrame({"unique_id": ["X", "Y", "Z"], "moq": [0, 10, 0]})
    outcome = apply_budget(plan, 250.0, inventory)
    capped = outcome.plan.set_index("unique_id")
    assert capped["order_qty"].to_dict() == {"X": 20, "Y": 0, "Z": 4}
    assert pd.isna(capped.loc["Y", "arrival_date"])
    assert "left out (30 units, 300.00 EUR)" in capped.loc["Y", "reason"]
    assert outcome.spent == pytest.approx(240.0)
    assert left_out(outcome.plan)["unique_id"].tolist() == ["Y"]


def test_a_budget_that_covers_everything_changes_nothing() -> None:
    plan = _plan(A=(10, 2.0, 5.0), B=(5, 3.0, 0.0))
    outcome = apply_budget(plan, 1_000.0)
    pd.testing.assert_frame_equal(outcome.plan, plan)
    assert outcome.left_out.empty and "whole order list fits" in outcome.summary()


def test_a_budget_needs_one_currency_and_a_positive_amount() -> None:
    plan = _plan(A=(10, 2.0, 5.0), B=(5, 3.0, 1.0))
    plan.loc[1, "currency"] = "USD"
    with pytest.raises(OptionError, match="several currencies"):
        apply_budget(plan, 100.0)
    for wrong in (0, -5, float("nan"), float("inf"), "lots"):
        with pytest.raises(OptionError, match="budget"):
            apply_budget(plan.iloc[:1], wrong)
