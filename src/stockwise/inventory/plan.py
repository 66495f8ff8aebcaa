"""The inventory plan: per product the projection, the order proposal, and its alerts.

Inputs are tables, never models: a forecast table (daily, or weekly/monthly with its
``freq``), the inventory snapshot, optional batches and prices. For each product the
forecast's quantiles become demand paths; the do-nothing projection gives the stockout
date and probability, overstock and expected waste; the decision gives the levels and
the order; alerts summarise what needs attention, most urgent first. Lines are ranked
worst first (:mod:`.ranking`).

Every product of the inventory that has sold (or has stock) gets a line: one whose
forecast does not reach today — no sale for so long that its series ends before it — is
planned at zero demand, with a dead-stock alert when it holds stock.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.alerts import ALERT_COLUMNS, alerts_for, sale_value
from stockwise.inventory.new_products import NEW_PRODUCT_HEADROOM, with_new_product_cap
from stockwise.inventory.parameters import resolve
from stockwise.inventory.plan_forecasts import (
    DAYS_PER_PERIOD,
    _batches_by_product,
    _calibrated_levels,
    _daily_forecasts,
    _ProductForecasts,
)
from stockwise.inventory.plan_lines import (
    COVER_WINDOW,
    _currency_of,
    _idle_days,
    _money_columns,
    _no_demand,
    _plan_product,
    _text_or_none,
    _worst,
    due_receipts,
)
from stockwise.inventory.plan_options import PlanOptions, ProductFacts
from stockwise.inventory.ranking import SEVERITY_RANK, rank_plan

log = logging.getLogger(__name__)
UNPLANNED_COLUMNS = [S.UNIQUE_ID, S.SECTOR, S.ON_HAND, "reason"]
"""``unplanned.csv``: the inventory's products no line could be made for, and why."""
PLAN_COLUMNS = [
    S.UNIQUE_ID,
    S.SECTOR,
    S.SUPPLIER,
    "urgency",
    "order_date",
    "order_qty",
    "order_value",
    "currency",
    "arrival_date",
    "stockout_date",
    "stockout_probability",
    "days_of_cover",
    "mean_daily_demand",
    "on_hand",
    "on_order",
    "on_order_due",
    "position",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "policy",
    "service_level",
    "cycle_service_level",
    "fill_rate",
    "lead_time_days",
    "review_period_days",
    "excess_units",
    "excess_value",
    "expected_waste_units",
    "expected_waste_value",
    "expected_lost_units",
    "expected_lost_value",
    "lost_value_avoided",
    "budget_cut_units",
    "budget_cut_value",
    "alert",
    "severity",
    "value_at_stake",
    "reason",
]
"""``stockout_date``: the day stock runs out if nothing more is ordered (deliveries already
due included; the first day half the demand paths are short). ``stockout_probability``:
the chance of running out before an order placed today can arrive (within the lead
time) — what no order placed today can change. ``on_order_due``: the open order's due
date. ``severity`` / ``value_at_stake``: the line's most severe alert and the most money
an alert of that severity puts at stake (what :mod:`.ranking` sorts by)."""


@dataclass
class InventoryPlan:
    """The order list (one row per product), daily projections and alerts."""

    plan: pd.DataFrame
    projection: pd.DataFrame
    alerts: pd.DataFrame
    today: pd.Timestamp
    unplanned: pd.DataFrame = field(default_factory=lambda: unplanned_frame([]))
    """Inventory products left out, with the reason (:data:`UNPLANNED_COLUMNS`)."""

    @property
    def orders(self) -> pd.DataFrame:
        """Products to order now (the lines a buyer acts on today)."""
        return self.plan[(self.plan["order_qty"] > 0) & (self.plan["urgency"] == "order now")]


def build_plan(
    forecasts: pd.DataFrame,
    inventory: pd.DataFrame,
    options: PlanOptions | None = None,
    facts: ProductFacts | None = None,
) -> InventoryPlan:
    """Plan every product of ``inventory`` that has a forecast or is in ``facts.last_sale``.

    ``forecasts``: ``unique_id, ds, forecast[, forecast-lo-L, forecast-hi-L][, sector]``.
    ``options``: how to plan (:class:`.plan_options.PlanOptions`; default: daily forecasts,
    the RS policy, cycle-service targets, generic profiles). ``facts``: what the run knows
    about its products (:class:`.plan_options.ProductFacts`; default: nothing more).

    A backtest (the chosen forecasts' backtest windows, ``ForecastRun.backtest``) turns on
    service calibration for cycle-service and fill-rate targets: each product orders at
    the quantile level that served its target share of the past protection intervals (or,
    for a fill rate, of the units their review parts asked for) of its sector and demand
    group, see :mod:`.service_calibration`. The plan's ``service_level`` stays the target;
    the reason says the level ordered at.

    Days and units since listing (:func:`.new_products.since_listing`) cap the stock of
    products too new for their forecast to be trusted (:mod:`.new_products`); the reason
    says so.

    The last sale per product raises dead-stock alerts, and lets a product without a
    forecast from today be planned at zero demand (with the reason). Products without a
    forecast and without a known last sale (without ``facts.last_sale``: every one) are not
    planned; a warning names them.

    Money: each line's ``currency`` is ``options.currency`` when given, else its sector
    profile's (:data:`~stockwise.sectors.DEFAULT_CURRENCY` without a profile); it labels
    the values, nothing is converted. ``expected_lost_value`` is the expected lost sales
    within the lead time at the selling price (unit cost when no price is known, as alerts
    value them); ``lost_value_avoided`` is the do-nothing projection's lost sales, at the
    same value, from the order's arrival to the next order's (lead time to lead time +
    review period): about what placing the proposed order saves, and what a budget weighs
    (:mod:`.budget`). ``budget_cut_units`` / ``_value`` stay 0 until a budget cuts the line.
    """
    options = options or PlanOptions()
    facts = facts or ProductFacts()
    profiles, last_sale, seed = options.profiles, facts.last_sale, options.seed
    daily = _daily_forecasts(forecasts, options.freq)
    today = (
        pd.Timestamp(options.today)
        if options.today is not None
        else pd.Timestamp(daily[S.DS].min())
    )
    daily = _ProductForecasts(daily[daily[S.DS] >= today])
    stock_batches = _batches_by_product(facts.batches, today)
    rng = np.random.default_rng(seed)
    prices = facts.prices
    # a dict answers a lookup per product faster than a Series (same values)
    price_of = {} if prices is None else prices.to_dict() if prices.index.is_unique else prices
    rows, alerts = [], []
    missing = []
    products = []
    money: list[tuple[str | None, str]] = []  # per product: (supplier, currency)
    planned, projections = [], []
    fallback_sector = next(iter(profiles)) if len(profiles) == 1 else "all"
    for item in inventory.to_dict("records"):
        uid = str(item[S.UNIQUE_ID])
        span = daily.span(uid)
        if span is None and (last_sale is None or uid not in last_sale):
            missing.append(item)
            continue
        sector = item.get(S.SECTOR)  # an empty cell: the sector the forecast was made in
        sector = str(
            sector
            if sector is not None and sector == sector
            else daily.first_sector(span)
            if span is not None
            else fallback_sector
        )
        products.append((uid, span, resolve(item, profiles.get(sector), options.policy)))
        money.append(
            (
                _text_or_none(item.get(S.SUPPLIER)),
                _currency_of(options.currency, profiles.get(sector)),
            )
        )
    # products without a forecast (zero demand) neither join the calibration pools nor
    # draw from the shared generator: the other products' plans stay exactly as they were
    levels = _calibrated_levels(
        [p[2] for p in products if p[1] is not None],
        facts.backtest,
        facts.demand_groups,
        options,
    )
    sampling = options.sampling
    for (uid, span, params), (supplier, line_currency) in zip(products, money, strict=True):
        record = (facts.since_listing_by_product or {}).get(uid)
        params, launch_cap = with_new_product_cap(params, record)
        forecast = (
            daily.forecast(span) if span is not None else _no_demand(params, today, daily.probs)
        )
        line, proj = _plan_product(
            params,
            forecast,
            stock_batches.get(uid, ()),
            today,
            rng if span is not None else np.random.default_rng(seed),
            sampling,
            levels.get(uid),
        )
        idle = _idle_days(last_sale, uid, today)
        if span is None:
            line["reason"] = (
                f"no forecast from {today:%Y-%m-%d}: "
                + (
                    "no sale in the sales history"
                    if idle == math.inf
                    else f"no sale since {(last_sale or {})[uid]:%Y-%m-%d}"
                )
                + "; planned at zero demand. "
                + line["reason"]
            )
        if launch_cap is not None and record is not None:
            line["reason"] += (
                f"; new product ({record[0]:g} days of history): stock capped at "
                f"{launch_cap:.1f} ({NEW_PRODUCT_HEADROOM:g} × its rate since "
                "listing over lead time + review)"
            )
        price = float(price_of.get(uid, np.nan))
        line.update(
            _money_columns(
                params, line, proj, sale_value(price, params.unit_cost), supplier, line_currency
            )
        )
        line_alerts = alerts_for(params, line, proj, price, today=today, idle_days=idle)
        line["alert"] = ", ".join(sorted({a["type"] for a in line_alerts})) or ""
        line["severity"], line["value_at_stake"] = _worst(line_alerts)
        rows.append(line)
        alerts.extend(line_alerts)
        planned.append((uid, span))
        projections.append(proj)
    if missing:
        log.warning(
            "%d products have no forecast and no sales in this run (e.g. %s); not planned",
            len(missing),
            ", ".join(str(m[S.UNIQUE_ID]) for m in missing[:3]),
        )
    plan = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    plan["on_order_due"] = pd.to_datetime(plan["on_order_due"])  # a date even when none
    plan = rank_plan(plan)
    projection = daily.projection_frame(planned, projections)
    alert_frame = _alerts_frame(alerts)
    unplanned = unplanned_frame(missing, "no forecast from today and no sales in this run")
    return InventoryPlan(plan, projection, alert_frame, today, unplanned)


def unplanned_frame(items: Iterable[Mapping], reason: str = "") -> pd.DataFrame:
    """Inventory rows no plan line could be made for, with ``reason`` (unless they
    carry their own ``reason``)."""
    rows = [
        {
            S.UNIQUE_ID: str(item[S.UNIQUE_ID]),
            S.SECTOR: item.get(S.SECTOR),
            S.ON_HAND: item.get(S.ON_HAND),
            "reason": item.get("reason", reason),
        }
        for item in items
    ]
    return pd.DataFrame(rows, columns=UNPLANNED_COLUMNS)


def sort_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """Worst first (:func:`.ranking.rank_plan`), e.g. after joining sectors' plans."""
    return rank_plan(plan)


def sort_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Most severe first, then by value at stake (the alert list's order)."""
    return _alerts_frame(alerts.to_dict("records"))


def _alerts_frame(alerts: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(alerts, columns=ALERT_COLUMNS)
    if frame.empty:
        return frame
    rank = frame["severity"].map(SEVERITY_RANK)
    frame = frame.assign(_rank=rank).sort_values(
        ["_rank", "value_at_stake"], ascending=[True, False], kind="stable"
    )
    return frame.drop(columns="_rank").reset_index(drop=True)


__all__ = [
    "COVER_WINDOW",
    "DAYS_PER_PERIOD",
    "PLAN_COLUMNS",
    "UNPLANNED_COLUMNS",
    "InventoryPlan",
    "PlanOptions",
    "ProductFacts",
    "build_plan",
    "due_receipts",
    "log",
    "sort_alerts",
    "sort_plan",
    "unplanned_frame",
]
