"""Alerts: what needs a person's attention, how badly, and how much money is at stake.

Three kinds, each from the plan line and the do-nothing projection:

- ``stockout_risk``: the chance of running out before an order placed today could arrive
  exceeds what the service level tolerates (1 − target). Critical when the shelf is
  already empty or the chance is at least 50 %, high from 20 %, medium above. Value at
  stake: the expected lost sales over the lead time, at the selling price (unit cost
  when no price is known).
- ``overstock``: stock beyond the order-up-to level plus one review period of demand.
  Raised when the excess covers at least two weeks of demand (less is the normal
  saw-tooth after a delivery); high beyond 90 days of demand, medium beyond 30, else low.
  Value: the excess at unit cost.
- ``expiry_risk``: units expected to expire unsold (FEFO over the projection). High when
  the expected waste is worth more than a tenth of the product's stock value, else medium.
"""

from __future__ import annotations

import numpy as np

from stockwise import schema as S
from stockwise.inventory.parameters import ProductParameters
from stockwise.inventory.projection import Projection

MIN_EXCESS_DAYS = 14


def sale_value(price: float, unit_cost: float) -> float:
    """What one unit of lost sales is worth: its selling price, or its unit cost when no
    price is known (a lost sale costs at least the stock it would have used)."""
    return price if np.isfinite(price) and price > 0 else unit_cost


def alerts_for(params: ProductParameters, line: dict, projection: Projection,
               price: float = float("nan")) -> list[dict]:
    """Alerts for one product (possibly none)."""
    found: list[dict] = []
    unit_value = sale_value(price, params.unit_cost)
    risk = float(line["stockout_probability"])
    tolerated = 1 - params.service_level
    if params.on_hand <= 0 or risk > tolerated:
        severity = ("critical" if params.on_hand <= 0 or risk >= 0.5 else
                    "high" if risk >= 0.2 else "medium")
        lost = float(line["expected_lost_units"])
        date = line["stockout_date"]
        when = f"expected to run out on {date.date()}" if date is not None else "may run out"
        found.append(_alert(params, "stockout_risk", severity, lost * unit_value,
                            f"{when}; {risk:.0%} chance before a new order can arrive "
                            f"(tolerated {tolerated:.1%}); ~{lost:.1f} units of sales lost"))
    excess = float(line["excess_units"])
    daily = float(line["mean_daily_demand"])
    excess_days = excess / daily if daily > 0 else float("inf") if excess > 0 else 0.0
    if excess_days >= MIN_EXCESS_DAYS:
        severity = "high" if excess_days > 90 else "medium" if excess_days > 30 else "low"
        cover = "no expected demand" if not np.isfinite(excess_days) else \
            f"{excess_days:.0f} days of demand"
        found.append(_alert(params, "overstock", severity, excess * params.unit_cost,
                            f"{excess:.0f} units above need ({cover}); "
                            f"{line['days_of_cover']:.0f} days of cover in total"))
    waste = float(line["expected_waste_units"])
    if waste > 0.5:
        stock_value = max(params.on_hand * params.unit_cost, 1e-9)
        severity = "high" if waste * params.unit_cost > 0.1 * stock_value else "medium"
        found.append(_alert(params, "expiry_risk", severity, waste * params.unit_cost,
                            f"~{waste:.1f} units expected to expire unsold (FEFO)"))
    return found


def _alert(params: ProductParameters, kind: str, severity: str, value: float, message: str
           ) -> dict:
    return {S.UNIQUE_ID: params.unique_id, S.SECTOR: params.sector, "type": kind,
            "severity": severity, "value_at_stake": round(float(value), 2),
            "message": message}
