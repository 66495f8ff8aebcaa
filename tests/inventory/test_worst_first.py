"""Worst first: the ranking, on-order dates, actions, overdue deliveries and dead stock."""

from __future__ import annotations

import pandas as pd
import pytest

from stockwise.inventory import PlanOptions, ProductFacts, build_plan
from stockwise.inventory.plan import sort_plan
from stockwise.inventory.ranking import priority_tier, rank_plan
from stockwise.sectors import load_profile

TODAY = pd.Timestamp("2025-03-03")
DAY = pd.Timedelta(days=1)


def _forecast(uid: str, mean: float, days: int = 60) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "unique_id": uid,
            "ds": pd.date_range(TODAY, periods=days),
            "forecast": mean,
            "sector": "retail",
        }
    )
    for level in (80, 95):
        frame[f"forecast-lo-{level}"] = mean
        frame[f"forecast-hi-{level}"] = mean
    return frame


def _plan(products: dict[str, dict], demand: dict[str, float], **facts):
    base = {
        "on_hand": 0.0,
        "on_order": 0.0,
        "lead_time_days": 7.0,
        "unit_cost": 2.0,
        "sector": "retail",
    }
    inventory = pd.DataFrame([{"unique_id": uid, **base, **row} for uid, row in products.items()])
    forecasts = pd.concat([_forecast(uid, mean) for uid, mean in demand.items()])
    return build_plan(
        forecasts,
        inventory,
        PlanOptions(profiles={"retail": load_profile("retail")}, today=TODAY, n_paths=200),
        ProductFacts(**facts),
    )


def _routine_and_critical() -> dict:
    """Twelve routine "order now" lines (100 on hand, 10/day, lead 7: no stockout before
    an order arrives, order value up to 13 × 40) and three empty shelves."""
    products = {f"R{i:02d}": {"on_hand": 100.0, "unit_cost": 2.0 + i} for i in range(12)}
    products |= {"C5": {}, "C20": {}, "C40": {}}
    demand = {uid: 10.0 for uid in products if uid.startswith("R")}
    demand |= {"C5": 5.0, "C20": 20.0, "C40": 40.0}
    return {"products": products, "demand": demand}


def test_critical_stockouts_come_before_routine_orders_by_sales_at_stake() -> None:
    case = _routine_and_critical()
    result = _plan(case["products"], case["demand"])
    plan = result.plan
    routine = plan[plan["unique_id"].str.startswith("R")]
    assert (routine["urgency"] == "order now").all()
    assert (routine["stockout_probability"] == 0).all()
    # the empty shelves first, most lost sales first (7 days × demand × unit cost 2)
    assert plan["unique_id"].head(3).tolist() == ["C40", "C20", "C5"]
    assert plan["severity"].head(3).eq("critical").all()
    assert plan["value_at_stake"].head(3).tolist() == pytest.approx([560.0, 280.0, 70.0])
    critical = set(
        result.alerts.loc[
            (result.alerts["type"] == "stockout_risk") & (result.alerts["severity"] == "critical"),
            "unique_id",
        ]
    )
    assert critical == {"C5", "C20", "C40"}
    # then the routine orders, biggest order value first
    assert plan["unique_id"].iloc[3:].tolist() == [f"R{i:02d}" for i in range(11, -1, -1)]


def test_ranking_is_one_stable_function_whatever_the_input_order() -> None:
    case = _routine_and_critical()
    plan = _plan(case["products"], case["demand"]).plan
    shuffled = plan.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(rank_plan(shuffled), plan)
    pd.testing.assert_frame_equal(sort_plan(plan), plan)
    assert priority_tier(plan).is_monotonic_increasing


def test_a_plan_without_the_severity_column_still_puts_critical_stockouts_first() -> None:
    old = pd.DataFrame(
        {
            "unique_id": ["routine", "empty"],
            "urgency": ["order now", "at risk"],
            "stockout_probability": [0.0, 1.0],
            "order_value": [900.0, 0.0],
            "on_hand": [50.0, 0.0],
            "alert": ["", "stockout_risk"],
        }
    )
    assert rank_plan(old)["unique_id"].tolist() == ["empty", "routine"]


def test_order_now_lines_rank_by_risk_times_value() -> None:
    plan = pd.DataFrame(
        {
            "unique_id": ["cheap-risky", "dear-safe", "dear-risky"],
            "urgency": ["order now"] * 3,
            "severity": ["high", "", "medium"],
            "stockout_probability": [0.3, 0.0, 0.1],
            "value_at_stake": [100.0, 0.0, 2000.0],
            "order_value": [50.0, 5000.0, 800.0],
        }
    )
    # 0.1 × 2000 = 200 > 0.3 × 100 = 30 > 0 (then by value)
    assert rank_plan(plan)["unique_id"].tolist() == ["dear-risky", "cheap-risky", "dear-safe"]


def test_the_open_order_and_its_due_date_are_shown_and_expediting_is_the_action() -> None:
    due = TODAY + DAY
    result = _plan(
        {"E": {"on_order": 4677.0, "on_order_due": due}, "N": {}}, {"E": 20.0, "N": 20.0}
    )
    line = result.plan.set_index("unique_id").loc["E"]
    assert line["on_order"] == 4677 and line["on_order_due"] == due
    assert pd.isna(result.plan.set_index("unique_id").loc["N", "on_order_due"])
    actions = result.alerts[result.alerts["type"] == "stockout_risk"].set_index("unique_id")
    assert actions.loc["E", "action"] == "expedite the delivery of 4,677 due 2025-03-04"
    assert actions.loc["E", "message"].startswith(actions.loc["E", "action"])
    quantity = result.plan.set_index("unique_id").loc["N", "order_qty"]
    assert actions.loc["N", "action"] == f"order {quantity:,.0f} now"


def test_an_overdue_delivery_is_alerted_and_not_counted_as_received() -> None:
    # 20 on hand at 10/day; 200 were due five days ago
    result = _plan(
        {"O": {"on_hand": 20.0, "on_order": 200.0, "on_order_due": TODAY - 5 * DAY}}, {"O": 10.0}
    )
    overdue = result.alerts[result.alerts["type"] == "overdue_delivery"]
    assert len(overdue) == 1
    alert = overdue.iloc[0]
    assert "5 days late" in alert["message"] and "due 2025-02-26" in alert["action"]
    # the shelf empties on day 2, long before the late delivery is counted on
    assert alert["severity"] == "critical"
    assert alert["value_at_stake"] == pytest.approx(5 * 10 * 2.0)  # days 2-6 lost, cost 2
    projection = result.projection
    assert projection["expected_on_hand"].iloc[0] == pytest.approx(10.0)  # not received
    # received one lead time (7 days) from today: 200 then
    assert projection["expected_on_hand"].iloc[7] == pytest.approx(190.0)
    line = result.plan.iloc[0]
    assert line["position"] == 220  # still expected: not ordered a second time
    assert line["severity"] == "critical"


def test_a_delivery_due_today_or_later_is_not_overdue() -> None:
    result = _plan({"T": {"on_hand": 20.0, "on_order": 200.0, "on_order_due": TODAY}}, {"T": 10.0})
    assert "overdue_delivery" not in set(result.alerts["type"])
    assert result.projection["expected_on_hand"].iloc[0] == pytest.approx(210.0)


def test_dead_stock_without_a_forecast_is_planned_at_zero_demand_with_an_alert() -> None:
    last = {"A": TODAY - DAY, "DEAD": TODAY - 61 * DAY, "NEVER": None}
    result = _plan(
        {
            "A": {"on_hand": 50.0},
            "DEAD": {"on_hand": 30.0, "unit_cost": 4.0},
            "NEVER": {"on_hand": 5.0},
            "GHOST": {"on_hand": 3.0},
        },
        {"A": 10.0},
        last_sale=last,
    )
    plan = result.plan.set_index("unique_id")
    assert set(plan.index) == {"A", "DEAD", "NEVER"}  # GHOST: outside this run's sales
    assert result.unplanned["unique_id"].tolist() == ["GHOST"]
    assert "no sales in this run" in result.unplanned["reason"].iloc[0]
    dead = plan.loc["DEAD"]
    assert dead["order_qty"] == 0 and dead["mean_daily_demand"] == 0
    assert "no sale since 2025-01-01" in dead["reason"]
    assert "zero demand" in dead["reason"]
    alerts = result.alerts.set_index("unique_id")
    assert alerts.loc["DEAD", "type"] == "dead_stock"  # and no overstock of the same units
    assert alerts.loc["DEAD", "value_at_stake"] == pytest.approx(30 * 4.0)
    assert "no sale for 60 days" in alerts.loc["DEAD", "message"]
    assert alerts.loc["NEVER", "type"] == "dead_stock"
    assert "no sale in the sales history" in alerts.loc["NEVER", "message"]
    assert alerts.loc["NEVER", "severity"] == "high"
    assert "dead_stock" not in set(result.alerts.loc[result.alerts["unique_id"] == "A", "type"])
    days = result.projection.groupby("unique_id").size()
    assert days["DEAD"] >= 28 and result.projection.notna().all().all()


def test_a_forecast_product_without_a_recent_sale_is_dead_stock_too() -> None:
    result = _plan({"S": {"on_hand": 40.0}}, {"S": 0.1}, last_sale={"S": TODAY - 40 * DAY})
    alert = result.alerts[result.alerts["type"] == "dead_stock"].iloc[0]
    assert alert["severity"] == "medium" and alert["value_at_stake"] == pytest.approx(80.0)
    assert "overstock" not in set(result.alerts["type"])


def test_without_sales_dates_products_without_forecast_are_left_out_as_before() -> None:
    result = _plan({"A": {"on_hand": 5.0}, "GHOST": {"on_hand": 3.0}}, {"A": 10.0})
    assert result.plan["unique_id"].tolist() == ["A"]
    assert "dead_stock" not in set(result.alerts["type"])


def test_planning_dead_stock_leaves_the_other_products_plans_unchanged() -> None:
    products = {
        "A": {"on_hand": 30.0, "lead_time_std_days": 2.0},
        "B": {"on_hand": 5.0, "lead_time_std_days": 2.0},
    }
    forecasts = pd.concat([_forecast("A", 10.0), _forecast("B", 4.0)])
    forecasts["forecast-hi-95"] *= 1.5  # uncertain demand: the paths use the generator

    def plan(with_dead: bool) -> pd.DataFrame:
        rows = ({"DEAD": {"on_hand": 9.0}} if with_dead else {}) | products
        base = {"on_order": 0.0, "lead_time_days": 7.0, "unit_cost": 2.0, "sector": "retail"}
        inventory = pd.DataFrame([{"unique_id": uid, **base, **row} for uid, row in rows.items()])
        last = {"A": TODAY - DAY, "B": TODAY - DAY, "DEAD": TODAY - 50 * DAY}
        result = build_plan(
            forecasts,
            inventory,
            PlanOptions(
                profiles={"retail": load_profile("retail")}, today=TODAY, n_paths=200, seed=3
            ),
            ProductFacts(last_sale=last),
        )
        return result.plan[result.plan["unique_id"] != "DEAD"].reset_index(drop=True)

    pd.testing.assert_frame_equal(plan(True), plan(False))
