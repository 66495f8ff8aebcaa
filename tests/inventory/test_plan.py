"""The plan: order proposals, levels, alerts and the workbook, on controlled forecasts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from stockwise.inventory import PlanOptions, ProductFacts, build_plan
from stockwise.report.order_list import write_order_workbook
from stockwise.sectors import load_profile

TODAY = pd.Timestamp("2025-03-03")


def _forecast(
    uid: str, mean: float, days: int = 60, spread: float = 0.0, sector: str = "retail"
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "unique_id": uid,
            "ds": pd.date_range(TODAY, periods=days),
            "forecast": mean,
            "sector": sector,
        }
    )
    for level, z in ((80, 1.2816), (95, 1.96), (99, 2.5758)):
        frame[f"forecast-lo-{level}"] = max(mean - z * spread, 0.0)
        frame[f"forecast-hi-{level}"] = mean + z * spread
    return frame


def _inventory(**rows: dict) -> pd.DataFrame:
    base = {
        "on_hand": 0.0,
        "on_order": 0.0,
        "lead_time_days": 7.0,
        "lead_time_std_days": 0.0,
        "unit_cost": 2.0,
        "moq": 0,
        "pack_size": 1,
        "sector": "retail",
    }
    return pd.DataFrame([{"unique_id": uid, **base, **values} for uid, values in rows.items()])


def _plan(
    forecasts: pd.DataFrame,
    inventory: pd.DataFrame,
    facts: ProductFacts | None = None,
    **options,
) -> pd.DataFrame:
    result = build_plan(
        forecasts,
        inventory,
        PlanOptions(
            profiles={"retail": load_profile("retail")}, today=TODAY, n_paths=400, **options
        ),
        facts,
    )
    return result


def test_certain_demand_orders_up_to_lead_time_plus_review() -> None:
    # demand exactly 10/day, L = 7, R = 7 (retail): S = 140; position 50 -> order 90,
    # rounded up to packs of 12 -> 96
    plan = _plan(_forecast("A", 10.0), _inventory(A={"on_hand": 50.0, "pack_size": 12})).plan
    line = plan.iloc[0]
    assert line["order_up_to"] == pytest.approx(140.0)
    assert line["safety_stock"] == pytest.approx(0.0, abs=1e-9)
    assert line["order_qty"] == 96 and line["urgency"] == "order now"
    assert line["order_date"] == TODAY and line["arrival_date"] == TODAY + pd.Timedelta(days=7)
    assert line["order_value"] == pytest.approx(192.0)
    # 50 units last 5 days (03-03 .. 03-07); the first unmet demand is on 03-08
    assert line["stockout_date"] == pd.Timestamp("2025-03-08")
    assert "order up to 140.0" in line["reason"] and "pack 12" in line["reason"]


def test_uncertainty_raises_the_level_and_higher_service_more_so() -> None:
    forecasts = _forecast("A", 10.0, spread=4.0)
    low = _plan(forecasts, _inventory(A={"on_hand": 50.0, "service_level": 0.80})).plan
    high = _plan(forecasts, _inventory(A={"on_hand": 50.0, "service_level": 0.99})).plan
    assert 140 < low["order_up_to"].iloc[0] < high["order_up_to"].iloc[0]
    assert high["safety_stock"].iloc[0] > low["safety_stock"].iloc[0] > 0
    assert high["cycle_service_level"].iloc[0] >= 0.99
    assert 0 < low["fill_rate"].iloc[0] <= 1


def test_plenty_of_stock_means_no_order_but_an_overstock_alert() -> None:
    result = _plan(_forecast("A", 10.0), _inventory(A={"on_hand": 2000.0}))
    line = result.plan.iloc[0]
    assert line["order_qty"] == 0 or line["urgency"] != "order now"
    # need = order-up-to 140 + one review period of demand 70
    assert line["excess_units"] == pytest.approx(2000 - 140 - 70)
    alert = result.alerts[result.alerts["type"] == "overstock"].iloc[0]
    assert alert["severity"] == "high" and alert["value_at_stake"] == pytest.approx(1790 * 2.0)
    modest = _plan(_forecast("A", 10.0), _inventory(A={"on_hand": 300.0}))
    assert "overstock" not in set(modest.alerts["type"])  # 9 days of excess: normal


def test_empty_shelf_is_a_critical_stockout_alert() -> None:
    result = _plan(_forecast("A", 10.0), _inventory(A={"on_hand": 0.0}))
    alert = result.alerts[result.alerts["type"] == "stockout_risk"].iloc[0]
    assert alert["severity"] == "critical"
    # 7 days of lead time at 10/day are lost whatever happens: 70 units at unit cost 2
    assert alert["value_at_stake"] == pytest.approx(140.0)
    assert result.plan["stockout_probability"].iloc[0] == 1.0


def test_expiring_batch_raises_expiry_risk_and_caps_the_order() -> None:
    batches = pd.DataFrame(
        {
            "unique_id": ["A"],
            "batch_id": ["L1"],
            "quantity": [100.0],
            "expiry_date": [TODAY + pd.Timedelta(days=4)],
        }
    )
    inventory = _inventory(A={"on_hand": 100.0, "shelf_life_days": 10.0})
    result = _plan(_forecast("A", 10.0), inventory, ProductFacts(batches=batches))
    line = result.plan.iloc[0]
    # 5 days (0..4) sell 50; the other 50 expire at the end of day 4
    assert line["expected_waste_units"] == pytest.approx(50.0)
    assert "expiry_risk" in set(result.alerts["type"])
    # a new batch can sell 10/day over its 10-day shelf life: at most 100 units
    assert 0 < line["order_qty"] <= 100
    # half the stock expires inside the protection interval: order today, not on day 4
    assert line["urgency"] == "order now"


def test_moq_and_max_stock() -> None:
    plan = _plan(_forecast("A", 1.0), _inventory(A={"on_hand": 0.0, "moq": 50})).plan
    assert plan["order_qty"].iloc[0] == 50
    capped = _plan(_forecast("B", 10.0), _inventory(B={"on_hand": 0.0, "max_stock": 60})).plan
    assert capped["order_qty"].iloc[0] == 60


def test_due_orders_count_in_the_position_and_the_projection() -> None:
    inventory = _inventory(
        A={"on_hand": 20.0, "on_order": 200.0, "on_order_due": TODAY + pd.Timedelta(days=1)}
    )
    result = _plan(_forecast("A", 10.0), inventory)
    line = result.plan.iloc[0]
    # 20 on hand + 200 arriving on day 1 last until day 21; first unmet demand on day 22
    assert line["position"] == 220
    assert line["stockout_date"] == TODAY + pd.Timedelta(days=22)
    projection = result.projection
    assert projection["expected_on_hand"].iloc[1] == pytest.approx(200.0)


def test_weekly_forecasts_are_planned_in_days() -> None:
    weekly = pd.DataFrame(
        {
            "unique_id": "W",
            "ds": pd.date_range(TODAY, periods=20, freq="7D"),
            "forecast": 70.0,
            "forecast-lo-80": 70.0,
            "forecast-hi-80": 70.0,
            "sector": "retail",
        }
    )
    plan = _plan(weekly, _inventory(W={"on_hand": 0.0}), freq="W").plan
    assert plan["mean_daily_demand"].iloc[0] == pytest.approx(10.0)
    assert plan["order_up_to"].iloc[0] == pytest.approx(140.0)


def test_plan_is_sorted_by_urgency_and_skips_products_without_forecasts() -> None:
    forecasts = pd.concat([_forecast("calm", 1.0), _forecast("urgent", 10.0)])
    inventory = _inventory(calm={"on_hand": 500.0}, urgent={"on_hand": 5.0}, ghost={"on_hand": 3.0})
    plan = _plan(forecasts, inventory).plan
    assert plan["unique_id"].tolist() == ["urgent", "calm"]


def test_the_workbook_has_formatted_sheets(tmp_path: Path) -> None:
    result = _plan(_forecast("A", 10.0, spread=2.0), _inventory(A={"on_hand": 10.0}))
    path = write_order_workbook(result.plan, result.alerts, tmp_path / "plan.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Orders", "Totals", "Plan", "Alerts"]
    orders = book["Orders"]
    header = [c.value for c in orders[1]]
    # the key first ("id": no separate product or store column in this inventory)
    assert header[:6] == ["id", "sector", "supplier", "urgency", "order on", "order quantity"]
    assert "runs out if nothing is ordered" in header
    assert "P(stockout before an order placed today arrives)" in header
    plan_header = [c.value for c in book["Plan"][1]]  # the CSV's names, with notes
    assert plan_header[:2] == ["unique_id", "sector"] and "urgency" in plan_header
    note = book["Plan"].cell(1, plan_header.index("stockout_probability") + 1).comment
    assert note is not None and "before an order placed today" in note.text
    assert orders.freeze_panes == "B2" and orders.auto_filter.ref.startswith("A1:")
    assert orders.cell(2, header.index("order value") + 1).number_format == '#,##0.00 "EUR"'
    assert orders.cell(2, header.index("urgency") + 1).fill.fgColor.rgb.endswith("F8CBAD")


def test_reorder_point_never_falls_as_the_service_level_rises() -> None:
    forecasts = _forecast("A", 5.0, spread=3.0)
    levels = [0.8, 0.9, 0.95, 0.98, 0.995]
    points = [
        _plan(forecasts, _inventory(A={"on_hand": 0.0, "service_level": s}), seed=4)
        .plan["reorder_point"]
        .iloc[0]
        for s in levels
    ]
    assert np.all(np.diff(points) >= 0)


def test_cost_target_uses_the_critical_ratio() -> None:
    # shortage 1.0 x unit cost vs holding 0.2/yr x 7/365 per cycle: ratio ~ 0.9962
    forecasts = _forecast("A", 10.0, spread=4.0)
    inventory = _inventory(A={"on_hand": 0.0, "shortage_cost_rate": 1.0})
    line = _plan(forecasts, inventory, target="cost").plan.iloc[0]
    assert line["service_level"] == pytest.approx(1.0 / (1.0 + 0.2 * 7 / 365))
    cheap = _plan(
        forecasts, _inventory(A={"on_hand": 0.0, "shortage_cost_rate": 0.002}), target="cost"
    ).plan.iloc[0]
    assert cheap["service_level"] < line["service_level"]
    assert cheap["order_up_to"] < line["order_up_to"]
    with pytest.raises(ValueError, match="target must be"):
        _plan(forecasts, inventory, target="profit")


def test_an_empty_sector_cell_takes_the_sector_of_the_forecast() -> None:
    """An inventory row whose sector is empty (a stored product without one) is planned
    with the profile of the sector its forecast was made in, not the generic defaults."""
    forecasts = _forecast("A", 10.0, spread=3.0)
    named = _plan(forecasts, _inventory(A={"on_hand": 20.0})).plan
    empty = _plan(forecasts, _inventory(A={"on_hand": 20.0, "sector": None})).plan
    assert empty["sector"].tolist() == ["retail"]
    assert empty["service_level"].iloc[0] == load_profile("retail").service_level
    assert empty["order_qty"].iloc[0] == named["order_qty"].iloc[0]
