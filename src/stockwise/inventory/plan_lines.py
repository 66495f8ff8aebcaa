"""One product's line of the plan: its projection and decision turned into the plan's
columns, the money values and the urgency, kept apart from the loop over products.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.decision import Decision, days_of_cover, decide, describe_level, to_date
from stockwise.inventory.expiry import sellable_before_expiry
from stockwise.inventory.parameters import ProductParameters
from stockwise.inventory.paths import paths_from_knots
from stockwise.inventory.projection import Projection, project, stock_lots
from stockwise.inventory.ranking import SEVERITY_RANK
from stockwise.sectors import DEFAULT_CURRENCY, SectorProfile

COVER_WINDOW = 28


@dataclass(frozen=True)
class Sampling:
    """How a plan draws and reads demand paths: the service target the levels aim at, the
    number of paths and the correlation of a path's days. The same for every product."""

    target: str
    n_paths: int
    correlation: float


def _plan_product(
    params: ProductParameters,
    forecast: tuple[pd.DatetimeIndex, np.ndarray, np.ndarray],
    batches: Iterable[tuple[float, int]],
    today: pd.Timestamp,
    rng: np.random.Generator,
    sampling: Sampling,
    calibrated: tuple[float, int] | None = None,
) -> tuple[dict, Projection]:
    target, n_paths, correlation = sampling.target, sampling.n_paths, sampling.correlation
    dates, probs, knots = forecast
    paths = paths_from_knots(probs, knots, n_paths, correlation, rng)
    lots = stock_lots(params.on_hand, batches)
    receipts = due_receipts(params, today)
    projection = project(paths, dates, lots, receipts, params.shelf_life_days)
    expiry_cap = _expiry_cap(params, paths, projection)
    ordered, rule = params, target
    if calibrated is not None and calibrated[1] > 0:
        # either target is now a quantile level of the protection totals
        ordered = replace(params, service_level=calibrated[0])
        rule = "cycle_service_level" if target == "fill_rate" else target
    decision = decide(ordered, paths, rng, rule, expiry_cap, projection.expected_waste)
    reason = decision.reason
    if calibrated is not None and ordered is not params:
        kind = "fill-rate target" if target == "fill_rate" else "target"
        reason += (
            f"; ordered up to {describe_level(calibrated[0])}, calibrated for the "
            f"{params.service_level:.1%} {kind} on {calibrated[1]} past protection "
            "intervals"
        )
    mean_daily = float(paths[:, :COVER_WINDOW].mean()) if paths.size else 0.0
    lead = max(round(params.lead_time_days), 1)
    stockout_within_lead = float(projection.stockout_by[min(lead, len(dates)) - 1])
    excess = max(
        decision.position - (decision.order_up_to + mean_daily * params.review_period_days), 0.0
    )
    waste_units = float(projection.expected_waste.sum())
    order_date = to_date(today, decision.order_day)
    line = {
        S.UNIQUE_ID: params.unique_id,
        S.SECTOR: params.sector,
        "urgency": _urgency(decision, stockout_within_lead, params),
        "order_date": order_date,
        "order_qty": decision.order_quantity,
        "order_value": decision.order_quantity * params.unit_cost,
        "arrival_date": (order_date + pd.Timedelta(days=lead))
        if order_date is not None and decision.order_quantity > 0
        else None,
        "stockout_date": projection.stockout_date(),
        "stockout_probability": stockout_within_lead,
        "days_of_cover": days_of_cover(params.on_hand, mean_daily),
        "mean_daily_demand": mean_daily,
        "on_hand": params.on_hand,
        "on_order": params.on_order,
        "on_order_due": params.on_order_due if params.on_order > 0 else None,
        "position": decision.position,
        "safety_stock": decision.safety_stock,
        "reorder_point": decision.reorder_point,
        "order_up_to": decision.order_up_to,
        "policy": params.policy,
        "service_level": params.service_level if ordered is not params else decision.service_level,
        "cycle_service_level": decision.cycle_service_level,
        "fill_rate": decision.fill_rate,
        "lead_time_days": params.lead_time_days,
        "review_period_days": params.review_period_days,
        "excess_units": excess,
        "excess_value": excess * params.unit_cost,
        "expected_waste_units": waste_units,
        "expected_waste_value": waste_units * params.unit_cost,
        "expected_lost_units": float(projection.expected_lost[:lead].sum()),
        "reason": reason,
    }
    return line, projection


def _money_columns(
    params: ProductParameters,
    line: dict,
    projection: Projection,
    unit_value: float,
    supplier: str | None,
    currency: str,
) -> dict:
    """The line's supplier, currency, and its lost sales in money (see :func:`build_plan`)."""
    lead = max(round(params.lead_time_days), 1)
    covered = projection.expected_lost[lead : lead + params.review_period_days]
    avoided = float(covered.sum()) * unit_value if line["order_qty"] > 0 else 0.0
    return {
        S.SUPPLIER: supplier,
        "currency": currency,
        "expected_lost_value": line["expected_lost_units"] * unit_value,
        "lost_value_avoided": avoided,
        "budget_cut_units": 0.0,
        "budget_cut_value": 0.0,
    }


def _currency_of(chosen: str | None, profile: SectorProfile | None) -> str:
    if chosen:
        return chosen
    return profile.currency if profile is not None else DEFAULT_CURRENCY


def _text_or_none(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def due_receipts(params: ProductParameters, today: pd.Timestamp) -> list[tuple[int, float]]:
    """When the open order reaches the shelf in the projection, as (day index, units).

    On its due date; after the mean lead time when no date is known. An order already
    past its due date is still expected (it stays in the position, so it is not ordered
    twice) but not counted on before an order placed today could arrive: it is planned
    to arrive one mean lead time from today (at least one day). Counting it as received
    today would hide the very stockout its lateness causes; the ``overdue_delivery``
    alert asks the buyer to chase it.
    """
    if params.on_order <= 0:
        return []
    lead = max(round(params.lead_time_days), 0)
    due = params.on_order_due
    if due is None or pd.isna(due):
        return [(lead, params.on_order)]
    if due < today:
        return [(max(lead, 1), params.on_order)]
    return [((due - today).days, params.on_order)]


def _worst(alerts: list[dict]) -> tuple[str, float]:
    """The most severe of a line's alerts, and the most money one of that severity puts
    at stake ("", 0 without alerts): what the line is ranked by."""
    if not alerts:
        return "", 0.0
    severity = min((a["severity"] for a in alerts), key=SEVERITY_RANK.__getitem__)
    return severity, max(a["value_at_stake"] for a in alerts if a["severity"] == severity)


def _no_demand(
    params: ProductParameters, today: pd.Timestamp, probs: np.ndarray
) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """A zero forecast for a product whose forecast ends before today (no recent sale):
    long enough to cover its lead time, two reviews and a week, like the forecasts."""
    days = max(math.ceil(params.lead_time_days) + 2 * params.review_period_days + 7, COVER_WINDOW)
    probs = probs if len(probs) else np.array([0.5])
    return (pd.date_range(today, periods=days, freq="D"), probs, np.zeros((days, len(probs))))


def _idle_days(
    last_sale: Mapping[str, pd.Timestamp | None] | None, uid: str, today: pd.Timestamp
) -> float | None:
    """Days from the product's last sale to today (inf: never sold; None: unknown)."""
    if last_sale is None or uid not in last_sale:
        return None
    day = last_sale[uid]
    if day is None or pd.isna(day):
        return math.inf
    return float(max((today - pd.Timestamp(day)).days - 1, 0))


def _expiry_cap(
    params: ProductParameters, paths: np.ndarray, projection: Projection
) -> float | None:
    """The FEFO cap on a new batch (:func:`.expiry.sellable_before_expiry`); None if none."""
    if params.shelf_life_days is None or not np.isfinite(params.shelf_life_days):
        return None
    return sellable_before_expiry(
        paths, params.lead_time_days, params.shelf_life_days, projection.expected_on_hand
    )


def _urgency(decision: Decision, stockout_within_lead: float, params: ProductParameters) -> str:
    if decision.order_day == 0 and decision.order_quantity > 0:
        return "order now"
    if decision.order_day is not None and decision.order_day <= params.review_period_days:
        return "order soon"
    if stockout_within_lead > 1 - params.service_level:
        return "at risk"
    if decision.order_day is not None:
        return "planned"
    return "no action"
