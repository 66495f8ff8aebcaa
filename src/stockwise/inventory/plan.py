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
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.inventory.alerts import ALERT_COLUMNS, alerts_for, sale_value
from stockwise.inventory.decision import Decision, days_of_cover, decide, describe_level, to_date
from stockwise.inventory.expiry import sellable_before_expiry
from stockwise.inventory.new_products import NEW_PRODUCT_HEADROOM, with_new_product_cap
from stockwise.inventory.parameters import ProductParameters, resolve
from stockwise.inventory.paths import (
    DEFAULT_CORRELATION,
    DEFAULT_PATHS,
    knot_columns,
    knot_values,
    paths_from_knots,
    to_daily,
)
from stockwise.inventory.projection import Projection, project, stock_lots
from stockwise.inventory.ranking import SEVERITY_RANK, rank_plan
from stockwise.inventory.service_calibration import backtest_outcomes, plan_levels
from stockwise.sectors import DEFAULT_CURRENCY, SectorProfile

log = logging.getLogger(__name__)
COVER_WINDOW = 28
DAYS_PER_PERIOD = calendar_facts.DAYS_PER_PERIOD
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
    *,
    profiles: dict[str, SectorProfile] | None = None,
    batches: pd.DataFrame | None = None,
    prices: pd.Series | None = None,
    today: pd.Timestamp | str | None = None,
    freq: str | dict[str, str] = "D",
    policy: str = "RS",
    target: str = "cycle_service_level",
    n_paths: int = DEFAULT_PATHS,
    correlation: float = DEFAULT_CORRELATION,
    seed: int = 0,
    backtest: pd.DataFrame | None = None,
    demand_groups: Mapping[str, str] | None = None,
    since_listing_by_product: Mapping[str, tuple[float, float]] | None = None,
    last_sale: Mapping[str, pd.Timestamp | None] | None = None,
    currency: str | None = None,
) -> InventoryPlan:
    """Plan every product of ``inventory`` that has a forecast or is in ``last_sale``.

    ``forecasts``: ``unique_id, ds, forecast[, forecast-lo-L, forecast-hi-L][, sector]``.
    ``freq``: the forecasts' frequency, or one per sector. ``today``: the first projected
    day (default: the first forecast date). ``prices``: selling price per unique_id, to
    value lost sales (unit cost otherwise).

    ``backtest`` (the chosen forecasts' backtest windows, ``ForecastRun.backtest``) turns
    on service calibration for cycle-service and fill-rate targets: each product orders at
    the quantile level that served its target share of the past protection intervals (or,
    for a fill rate, of the units their review parts asked for) of its sector and demand
    group (``demand_groups``: e.g. "intermittent" / "smooth" per product), see
    :mod:`.service_calibration`. The plan's ``service_level`` stays the target; the reason
    says the level ordered at.

    ``since_listing_by_product`` (per unique_id: days since its first row, units sold since;
    :func:`.new_products.since_listing`) caps the stock of products too new for their
    forecast to be trusted (:mod:`.new_products`); the reason says so.

    ``last_sale`` (per unique_id this run plans: the day of its last sale, None when it
    never sold) raises dead-stock alerts, and lets a product without a forecast from
    today be planned at zero demand (with the reason). Products without a forecast and
    outside ``last_sale`` (without it: every one) are not planned; a warning names them.

    Money: each line's ``currency`` is ``currency`` when given, else its sector profile's
    (:data:`~stockwise.sectors.DEFAULT_CURRENCY` without a profile); it labels the values,
    nothing is converted. ``expected_lost_value`` is the expected lost sales within the
    lead time at the selling price (unit cost when no price is known, as alerts value
    them); ``lost_value_avoided`` is the do-nothing projection's lost sales, at the same
    value, from the order's arrival to the next order's (lead time to lead time + review
    period): about what placing the proposed order saves, and what a budget weighs
    (:mod:`.budget`). ``budget_cut_units`` / ``_value`` stay 0 until a budget cuts the line.
    """
    profiles = profiles or {}
    daily = _daily_forecasts(forecasts, freq)
    today = pd.Timestamp(today) if today is not None else pd.Timestamp(daily[S.DS].min())
    daily = _ProductForecasts(daily[daily[S.DS] >= today])
    stock_batches = _batches_by_product(batches, today)
    rng = np.random.default_rng(seed)
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
        products.append((uid, span, resolve(item, profiles.get(sector), policy)))
        money.append(
            (_text_or_none(item.get(S.SUPPLIER)), _currency_of(currency, profiles.get(sector)))
        )
    # products without a forecast (zero demand) neither join the calibration pools nor
    # draw from the shared generator: the other products' plans stay exactly as they were
    levels = _calibrated_levels(
        [p[2] for p in products if p[1] is not None],
        backtest,
        demand_groups,
        freq,
        target,
        n_paths,
        correlation,
        seed,
    )
    for (uid, span, params), (supplier, line_currency) in zip(products, money, strict=True):
        record = (since_listing_by_product or {}).get(uid)
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
            target,
            n_paths,
            correlation,
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


class _ProductForecasts:
    """The daily forecast table read once: per product its rows (by date), as arrays.

    Every product's paths need its dates and quantile knots; taking them from one sorted
    table by position costs the same for ten products or ten thousand, where selecting
    each product's rows from a DataFrame costs pandas' overhead per product.
    """

    def __init__(self, daily: pd.DataFrame) -> None:
        self.frame = daily
        codes, ids = pd.factorize(daily[S.UNIQUE_ID])  # (a missing id: -1, left out)
        dates = pd.DatetimeIndex(daily[S.DS])
        order = np.lexsort((dates.asi8, codes))  # by product, then date; stable
        order = order[codes[order] >= 0]
        codes = codes[order]
        starts = np.flatnonzero(np.diff(codes, prepend=-1))
        ends = np.r_[starts[1:], len(codes)]
        self._spans = {
            ids[code]: (int(lo), int(hi))
            for code, lo, hi in zip(codes[starts], starts, ends, strict=True)
        }
        # each product's first row in the table's own order (where its sector is read)
        first = np.minimum.reduceat(order, starts) if len(starts) else order
        self._first_row = dict(zip(starts.tolist(), first.tolist(), strict=True))
        self.dates = dates[order]
        self.probs, names = knot_columns(daily.columns)
        self.knots = knot_values(daily, names)[order]

    def span(self, uid: str) -> tuple[int, int] | None:
        """Positions of the product's rows in the sorted table; None without any."""
        return self._spans.get(uid)

    def first_sector(self, span: tuple[int, int]) -> object:
        """The sector of the product's first row as the forecast table lists it."""
        if S.SECTOR not in self.frame.columns:
            return "all"
        return self.frame[S.SECTOR].iloc[self._first_row[span[0]]]

    def forecast(self, span: tuple[int, int]) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
        """(dates, quantile probabilities, knots (days, k)) of one product."""
        lo, hi = span
        return self.dates[lo:hi], self.probs, self.knots[lo:hi]

    def projection_frame(
        self, planned: list[tuple[str, tuple[int, int] | None]], projections: list[Projection]
    ) -> pd.DataFrame:
        """The products' projections as one table (:meth:`Projection.to_frame` + id)."""
        if not projections:
            return pd.DataFrame()
        spans = [span for _, span in planned if span is not None]
        if len(spans) == len(planned):
            dates = self.dates[np.concatenate([np.arange(lo, hi) for lo, hi in spans])]
        else:  # a product planned without a forecast has its own dates
            dates = pd.DatetimeIndex(np.concatenate([p.dates.to_numpy() for p in projections]))
        frame = pd.DataFrame(
            {
                "ds": dates,
                **{
                    name: np.concatenate([getattr(p, field) for p in projections])
                    for name, field in Projection.COLUMNS
                },
            }
        )
        frame[S.UNIQUE_ID] = np.repeat(
            np.array([uid for uid, _ in planned], dtype=object), [len(p.dates) for p in projections]
        )
        return frame


def _batches_by_product(
    batches: pd.DataFrame | None, today: pd.Timestamp
) -> dict[object, list[tuple[float, int]]]:
    """Per product its batches as (quantity, days from today to expiry), by expiry."""
    if batches is None or batches.empty:
        return {}
    rows = batches.sort_values(S.EXPIRY_DATE, kind="stable")
    days = [(pd.Timestamp(expiry) - today).days for expiry in rows[S.EXPIRY_DATE]]
    out: dict[object, list[tuple[float, int]]] = {}
    for uid, quantity, day in zip(
        rows[S.UNIQUE_ID].tolist(), rows[S.QUANTITY].tolist(), days, strict=True
    ):
        out.setdefault(uid, []).append((quantity, day))
    return out


def _calibrated_levels(
    params: list[ProductParameters],
    backtest: pd.DataFrame | None,
    groups: Mapping[str, str] | None,
    freq: str | dict[str, str],
    target: str,
    n_paths: int,
    correlation: float,
    seed: int,
) -> dict[str, tuple[float, int]]:
    """Per product (level to order at, past intervals behind it); empty = no calibration."""
    if backtest is None or backtest.empty or target not in ("cycle_service_level", "fill_rate"):
        return {}
    protection: dict[str, tuple[int, int] | tuple[float, float, int]] = {}
    for p in params:
        period = _freq_of(freq, p.sector)
        if period == "D":  # the lead time drawn as the decision draws it
            protection[p.unique_id] = (p.lead_time_days, p.lead_time_std_days, p.review_period_days)
            continue
        lead = max(round(p.lead_time_days), 1)
        per = DAYS_PER_PERIOD.get(period, 1)
        periods = max(math.ceil((lead + p.review_period_days) / per), 1)
        # the review part in whole periods (at least one); the periods before it are lead
        protection[p.unique_id] = (
            periods,
            max(periods - max(round(p.review_period_days / per), 1), 0),
        )
    outcomes = backtest_outcomes(
        backtest,
        protection,
        {p.unique_id: (p.moq, p.pack_size) for p in params},
        n_paths=n_paths,
        correlation=correlation,
        seed=seed,
    )
    return plan_levels(
        outcomes,
        {p.unique_id: p.service_level for p in params},
        groups or {},
        pools={p.unique_id: str(p.sector) for p in params},
        target=target,
    )


def _freq_of(freq: str | dict[str, str], sector: str | None) -> str:
    """The stockwise code of the forecasts' frequency (for ``sector``, when per sector)."""
    return calendar_facts.code_of(freq if isinstance(freq, str) else freq.get(str(sector), "D"))


def _plan_product(
    params: ProductParameters,
    forecast: tuple[pd.DatetimeIndex, np.ndarray, np.ndarray],
    batches: Iterable[tuple[float, int]],
    today: pd.Timestamp,
    rng: np.random.Generator,
    target: str,
    n_paths: int,
    correlation: float,
    calibrated: tuple[float, int] | None = None,
) -> tuple[dict, Projection]:
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


def _daily_forecasts(forecasts: pd.DataFrame, freq: str | dict[str, str]) -> pd.DataFrame:
    if isinstance(freq, str):
        return to_daily(forecasts, freq)
    parts = [
        to_daily(rows, freq.get(str(sector), "D"))
        for sector, rows in forecasts.groupby(S.SECTOR, sort=False)
    ]
    return pd.concat(parts, ignore_index=True)


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
