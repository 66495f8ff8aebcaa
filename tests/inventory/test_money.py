"""Money in the plan: lost sales in value, currency from the profile or the option,
suppliers from the inventory, and the totals every output shows."""

from __future__ import annotations

import pandas as pd
import pytest

from stockwise.inventory import PlanOptions, ProductFacts, build_plan
from stockwise.inventory.money import NO_SUPPLIER, by_supplier, format_money, totals
from stockwise.sectors import load_profile

TODAY = pd.Timestamp("2025-03-03")


def _forecast(uid: str, mean: float) -> pd.DataFrame:
    """Certain demand: every quantile at the mean."""
    frame = pd.DataFrame(
        {
            "unique_id": uid,
            "ds": pd.date_range(TODAY, periods=60),
            "forecast": mean,
            "sector": "retail",
        }
    )
    for level in (80, 95):
        frame[f"forecast-lo-{level}"] = frame[f"forecast-hi-{level}"] = mean
    return frame


def _two_products(**kwargs) -> pd.DataFrame:
    # 10 units a day, lead time 7, review 7 (retail), unit cost 2; A sells at 5
    forecasts = pd.concat([_forecast("A", 10.0), _forecast("B", 10.0)])
    inventory = pd.DataFrame(
        {
            "unique_id": ["A", "B"],
            "on_hand": [0.0, 30.0],
            "lead_time_days": 7.0,
            "unit_cost": 2.0,
            "sector": "retail",
            "supplier": ["Acme", None],
        }
    )
    result = build_plan(
        forecasts,
        inventory,
        PlanOptions(
            profiles={"retail": load_profile("retail")}, today=TODAY, n_paths=200, **kwargs
        ),
        ProductFacts(prices=pd.Series({"A": 5.0})),
    )
    return result.plan.set_index("unique_id")


def test_lost_sales_are_valued_at_the_price_or_else_the_unit_cost() -> None:
    plan = _two_products()
    # A: empty shelf, 70 units lost within the lead time at its price 5
    assert plan.loc["A", "expected_lost_units"] == pytest.approx(70.0)
    assert plan.loc["A", "expected_lost_value"] == pytest.approx(350.0)
    # B: 30 units last 3 days, 40 lost before an order arrives, no price: unit cost 2
    assert plan.loc["B", "expected_lost_value"] == pytest.approx(80.0)
    # what the order saves: the week after it arrives (days 7-13), 70 units each
    assert plan.loc["A", "lost_value_avoided"] == pytest.approx(350.0)
    assert plan.loc["B", "lost_value_avoided"] == pytest.approx(140.0)
    assert (plan["budget_cut_units"] == 0).all()


def test_currency_comes_from_the_profile_unless_an_option_names_one() -> None:
    assert set(_two_products()["currency"]) == {"EUR"}  # the retail profile's
    assert set(_two_products(currency="CHF")["currency"]) == {"CHF"}


def test_supplier_comes_from_the_inventory_and_groups_the_order_list() -> None:
    plan = _two_products()
    assert plan.loc["A", "supplier"] == "Acme" and plan.loc["B", "supplier"] is None
    grouped = by_supplier(plan.reset_index())
    assert grouped["supplier"].tolist() == ["Acme", NO_SUPPLIER]  # largest order first
    acme = grouped.iloc[0]
    assert acme["order_lines"] == 1
    assert acme["order_value"] == pytest.approx(plan.loc["A", "order_value"])
    assert by_supplier(plan.reset_index().drop(columns="supplier")).empty


def test_totals_add_up_per_currency_never_across() -> None:
    plan = pd.DataFrame(
        {
            "unique_id": ["a", "b", "c"],
            "currency": ["EUR", "EUR", "USD"],
            "order_qty": [10, 0, 5],
            "order_value": [100.0, 0.0, 50.0],
            "expected_lost_value": [30.0, 20.0, 7.0],
            "excess_value": [0.0, 400.0, float("inf")],
            "expected_waste_value": [1.0, float("nan"), 0.0],
        }
    )
    table = totals(plan).set_index("currency")
    assert table.loc["EUR"].to_dict() == {
        "order_lines": 1,
        "order_units": 10.0,
        "order_value": 100.0,
        "lost_value_at_stake": 50.0,
        "excess_value": 400.0,
        "waste_value": 1.0,
    }
    assert table.loc["USD", "order_value"] == 50.0 and table.loc["USD", "excess_value"] == 0
    assert format_money(1234.5, "EUR") == "1,234.50 EUR" and format_money(3.0) == "3.00"
