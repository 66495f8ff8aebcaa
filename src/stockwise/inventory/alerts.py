"""Alerts: what needs a person's attention, how badly, how much money is at stake, and
what to do about it (each alert's ``action``, also the start of its message).

Five kinds, each from the plan line and the do-nothing projection:

- ``stockout_risk``: the chance of running out before an order placed today could arrive
  exceeds what the service level tolerates (1 − target). Critical when the shelf is
  already empty or the chance is at least 50 %, high from 20 %, medium above. Value at
  stake: the expected lost sales over the lead time, at the selling price (unit cost
  when no price is known). Action: expedite the open delivery when it comes after the
  stock runs out, else order (now, or by the order date).
- ``overdue_delivery``: an open order whose due date has passed. The plan still expects
  it (it stays in the position, so it is not ordered twice) but not before an order
  placed today could arrive (see :func:`stockwise.inventory.plan.due_receipts`).
  Critical when the shelf runs out before then (empty, or ≥ 50 %), high when the risk
  exceeds the tolerated one, else medium. Value: the expected lost sales until then.
- ``dead_stock``: stock on hand without a sale for :data:`DEAD_STOCK_DAYS` days or more
  (or never in the sales history). High beyond 90 days (or never sold), else medium.
  Value: the stock at unit cost. It replaces the overstock alert of the same stock.
- ``overstock``: stock beyond the order-up-to level plus one review period of demand.
  Raised when the excess covers at least two weeks of demand (less is the normal
  saw-tooth after a delivery); high beyond 90 days of demand, medium beyond 30, else low.
  Value: the excess at unit cost.
- ``expiry_risk``: units expected to expire unsold (FEFO over the projection). High when
  the expected waste is worth more than a tenth of the product's stock value, else medium.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.parameters import ProductParameters
from stockwise.inventory.projection import Projection

MIN_EXCESS_DAYS = 14
DEAD_STOCK_DAYS = 28
"""No sale for this many days with stock on hand: dead stock."""
ALERT_TYPES = ("stockout_risk", "overdue_delivery", "dead_stock", "overstock", "expiry_risk")
ALERT_COLUMNS = [S.UNIQUE_ID, S.SECTOR, "type", "severity", "value_at_stake", "action", "message"]


def sale_value(price: float, unit_cost: float) -> float:
    """What one unit of lost sales is worth: its selling price, or its unit cost when no
    price is known (a lost sale costs at least the stock it would have used)."""
    return price if np.isfinite(price) and price > 0 else unit_cost


def alerts_for(
    params: ProductParameters,
    line: dict,
    projection: Projection,
    price: float = float("nan"),
    *,
    today: pd.Timestamp | None = None,
    idle_days: float | None = None,
) -> list[dict]:
    """Alerts for one product (possibly none).

    ``today``: the plan's first day (to tell an overdue delivery); ``idle_days``: days
    since the product's last sale (``inf``: none in the sales history; None: unknown).
    """
    unit_value = sale_value(price, params.unit_cost)
    lost_value = float(line["expected_lost_units"]) * unit_value
    dead = _dead_stock(params, idle_days)
    found = [
        _stockout(params, line, lost_value, today),
        _overdue(params, line, lost_value, today),
        dead,
        None if dead else _overstock(params, line),
        _expiry(params, line),
    ]
    return [alert for alert in found if alert is not None]


def _stockout(
    params: ProductParameters, line: dict, lost_value: float, today: pd.Timestamp | None
) -> dict | None:
    risk = float(line["stockout_probability"])
    tolerated = 1 - params.service_level
    if params.on_hand > 0 and risk <= tolerated:
        return None
    severity = (
        "critical" if params.on_hand <= 0 or risk >= 0.5 else "high" if risk >= 0.2 else "medium"
    )
    date = line["stockout_date"]
    when = f"runs out {_day(date)} if nothing is ordered" if date is not None else "may run out"
    return _alert(
        params,
        "stockout_risk",
        severity,
        lost_value,
        stockout_action(params, line, today),
        f"{when}; {risk:.0%} chance of running out before an order placed today "
        f"can arrive (tolerated {tolerated:.1%}); "
        f"~{float(line['expected_lost_units']):,.1f} units of sales lost",
    )


def _overdue(
    params: ProductParameters, line: dict, lost_value: float, today: pd.Timestamp | None
) -> dict | None:
    late = overdue_days(params, today)
    if late is None or today is None:
        return None
    risk = float(line["stockout_probability"])
    severity = (
        "critical"
        if params.on_hand <= 0 or risk >= 0.5
        else "high"
        if risk > 1 - params.service_level
        else "medium"
    )
    arrives = today + pd.Timedelta(days=max(round(params.lead_time_days), 1))
    return _alert(
        params,
        "overdue_delivery",
        severity,
        lost_value,
        f"chase the delivery of {params.on_order:,.0f} due {_day(params.on_order_due)}",
        f"{late} days late; planned as arriving {_day(arrives)} (one lead time "
        f"from today); {risk:.0%} chance of running out before then, "
        f"~{float(line['expected_lost_units']):,.1f} units of sales lost",
    )


def _dead_stock(params: ProductParameters, idle_days: float | None) -> dict | None:
    if idle_days is None or idle_days < DEAD_STOCK_DAYS or params.on_hand <= 0:
        return None
    never = not np.isfinite(idle_days)
    since = "no sale in the sales history" if never else f"no sale for {idle_days:.0f} days"
    return _alert(
        params,
        "dead_stock",
        "high" if never or idle_days > 90 else "medium",
        params.on_hand * params.unit_cost,
        "clear the stock (return, transfer or mark down)",
        f"{since}; {params.on_hand:,.0f} units on hand",
    )


def _overstock(params: ProductParameters, line: dict) -> dict | None:
    excess = float(line["excess_units"])
    daily = float(line["mean_daily_demand"])
    excess_days = excess / daily if daily > 0 else float("inf") if excess > 0 else 0.0
    if excess_days < MIN_EXCESS_DAYS:
        return None
    severity = "high" if excess_days > 90 else "medium" if excess_days > 30 else "low"
    cover = (
        "no expected demand"
        if not np.isfinite(excess_days)
        else f"{excess_days:.0f} days of demand"
    )
    return _alert(
        params,
        "overstock",
        severity,
        excess * params.unit_cost,
        "order nothing; consider moving the excess",
        f"{excess:,.0f} units above need ({cover}); "
        f"{line['days_of_cover']:.0f} days of cover in total",
    )


def _expiry(params: ProductParameters, line: dict) -> dict | None:
    waste = float(line["expected_waste_units"])
    if waste <= 0.5:
        return None
    stock_value = max(params.on_hand * params.unit_cost, 1e-9)
    severity = "high" if waste * params.unit_cost > 0.1 * stock_value else "medium"
    return _alert(
        params,
        "expiry_risk",
        severity,
        waste * params.unit_cost,
        "sell the oldest batches first (promote or transfer)",
        f"~{waste:,.1f} units expected to expire unsold (FEFO)",
    )


def overdue_days(params: ProductParameters, today: pd.Timestamp | None) -> int | None:
    """Days an open order is past its due date; None when it is not overdue."""
    due = params.on_order_due
    if today is None or params.on_order <= 0 or due is None or pd.isna(due) or due >= today:
        return None
    return int((today - due).days)


def stockout_action(params: ProductParameters, line: dict, today: pd.Timestamp | None) -> str:
    """What to do about a stockout risk, in words: expedite the open delivery when the
    stock runs out before it comes, else order (now or by the order date)."""
    stockout = line["stockout_date"]
    due = params.on_order_due
    has_due = params.on_order > 0 and due is not None and not pd.isna(due)
    if has_due and today is not None and due < today:
        return f"chase the delivery of {params.on_order:,.0f} due {_day(due)} (overdue)"
    runs_out_first = (
        params.on_hand <= 0 or (stockout is not None and stockout < due) if has_due else False
    )
    if runs_out_first:
        return f"expedite the delivery of {params.on_order:,.0f} due {_day(due)}"
    quantity = float(line["order_qty"])
    if quantity > 0 and line["order_date"] is not None:
        if line["urgency"] == "order now":
            return f"order {quantity:,.0f} now"
        return f"order {quantity:,.0f} by {_day(line['order_date'])}"
    return "find stock elsewhere: an order placed today arrives too late"


def _day(value: object) -> str:
    return str(pd.Timestamp(value).date())


def _alert(
    params: ProductParameters, kind: str, severity: str, value: float, action: str, detail: str
) -> dict:
    """One alert; its message starts with the action."""
    return {
        S.UNIQUE_ID: params.unique_id,
        S.SECTOR: params.sector,
        "type": kind,
        "severity": severity,
        "value_at_stake": round(float(value), 2),
        "action": action,
        "message": f"{action}: {detail}",
    }
