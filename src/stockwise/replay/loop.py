"""The day-by-day engine of a closed-loop replay (see :mod:`.simulation` for the rules).

:class:`ReplayLoop` walks the days of the demand matrix (:class:`~.history.Replay`),
each product's lots on a :class:`~.lots.LotStock`: receive due orders, serve demand,
expire lots, and on review days forecast, decide and order. It returns the daily trace
and one row per review. Kept apart from the public entry points so each file reads on
its own.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.decision import decide
from stockwise.inventory.expiry import sellable_before_expiry
from stockwise.inventory.new_products import since_listing, with_new_product_cap
from stockwise.inventory.parameters import ProductParameters, resolve
from stockwise.inventory.paths import (
    bootstrap_paths,
    demand_over,
    is_intermittent,
    lead_time_samples,
    sample_paths,
)
from stockwise.inventory.policies import round_order, safety_stock_normal
from stockwise.inventory.projection import Lot, project
from stockwise.inventory.service_calibration import (
    FillRateCalibrator,
    ServiceCalibrator,
    stocked_levels,
)
from stockwise.replay.history import Replay, product_settings
from stockwise.replay.lots import LotStock

__all__ = ["BASELINE", "COVER_WINDOW", "LotStock", "Replay", "ReplayLoop", "product_settings"]

BASELINE = "baseline"
COVER_WINDOW = 28
BOOTSTRAP_WINDOW = 365
CALIBRATED_TARGETS = ("cycle_service_level", "fill_rate")
"""Targets the replay calibrates on its past decisions (a cost target sets its own level)."""
_KIND = {"review": 1, "lead": 2, "warmup": 3}


# -- the day-by-day loop --------------------------------------------------------------------


_TRACE = (
    "demand",
    "served",
    "short",
    "received",
    "ordered",
    "on_hand",
    "on_order",
    "backlog",
    "waste",
)


class ReplayLoop:
    def __init__(self, replay: Replay, settings: pd.DataFrame, **options: Any) -> None:
        self.replay, self.settings = replay, settings
        self.o = options
        self.params = [self._template(row) for row in settings.itertuples(index=False)]
        self.calibrator: ServiceCalibrator | FillRateCalibrator | None = None
        if options.get("calibrate_service") and options["target"] in CALIBRATED_TARGETS:
            self.calibrator = (
                FillRateCalibrator() if options["target"] == "fill_rate" else ServiceCalibrator()
            )
        self._pending: list[tuple[int, int, int, np.ndarray, str]] = []
        """Decisions whose protection interval has not passed yet: (product, day, days,
        stock each calibration level would have given, demand group)."""

    def _template(self, row: Any) -> ProductParameters:
        """The product's parameters via :func:`.parameters.resolve` (stock filled per review)."""
        values = row._asdict()
        values.update(
            {
                S.ON_HAND: 0.0,
                "review_period_days": self.o["review"],
                "holding_cost_rate": self.o["holding"],
                "ordering_cost": self.o["ordering"],
            }
        )
        policy = S.POLICY_RS if self.o["policy"] == BASELINE else self.o["policy"]
        return resolve(pd.Series(values), None, policy)

    def run(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        replay, review = self.replay, self.o["review"]
        n, days = len(replay.ids), len(replay.dates) - replay.start
        trace = {name: np.zeros((n, days)) for name in _TRACE}
        self._short = trace["short"]
        active = np.zeros((n, days), dtype=bool)
        evaluated = np.zeros((n, days), dtype=bool)
        cycle = np.full((n, days), -1)
        stocks: list[LotStock | None] = [None] * n
        self.reviews: list[dict[str, Any]] = []
        review_days = list(range(replay.start, len(replay.dates), review))
        self._warm_up_calibration()
        for t in range(replay.start, len(replay.dates)):
            i = t - replay.start
            k, rem = divmod(i, review)
            forecasts = None
            if rem == 0:
                self._score_elapsed(t)
                for p in range(n):  # products start on a review day with enough history
                    if stocks[p] is None and t - replay.first[p] >= self.o["min_history"]:
                        stocks[p] = self._start(p, t)
                        self._mark(p, i, days, evaluated, cycle)
                if self.o["source"] is not None and any(s is not None for s in stocks):
                    fitted_on = replay.dates[review_days[k - k % self.o["source"].refit_every]]
                    forecasts = self.o["source"].at(replay.dates[t], fitted_on)
            for p, stock in enumerate(stocks):
                if stock is None:
                    continue
                active[p, i] = True
                arrived = stock.pipeline.pop(t, 0.0)
                if arrived:
                    stock.add(arrived, t)
                    trace["received"][p, i] = arrived
                    if stock.backlog > 0:
                        stock.backlog -= stock.take(stock.backlog)
                if rem == 0:
                    trace["ordered"][p, i] = self._review(p, t, stock, forecasts)
                demand = float(replay.demand[p, t])
                served = stock.take(demand)
                short = demand - served
                if not self.o["lost_sales"]:
                    stock.backlog += short
                trace["demand"][p, i], trace["served"][p, i] = demand, served
                trace["short"][p, i] = short if short > 1e-9 else 0.0
                trace["waste"][p, i] = stock.expire(t)
                trace["on_hand"][p, i] = stock.on_hand()
                trace["on_order"][p, i] = sum(stock.pipeline.values())
                trace["backlog"][p, i] = stock.backlog
        return self._frames(trace, active, evaluated, cycle), pd.DataFrame(self.reviews)

    def _start(self, p: int, t: int) -> LotStock:
        row = self.settings.iloc[p]
        shelf = row[S.SHELF_LIFE_DAYS]
        stock = LotStock(None if np.isnan(shelf) else int(shelf))
        window = int(self.o.get("cover_window", COVER_WINDOW))
        recent = self.replay.demand[p, max(self.replay.first[p], t - window) : t]
        cover = self.o["cover"]
        cover = row[S.LEAD_TIME_DAYS] + self.o["review"] if cover is None else cover
        units = float(np.mean(recent)) * float(cover) if len(recent) else 0.0
        if units > 0:
            stock.add(units, t)
        return stock

    def _mark(self, p: int, i: int, days: int, evaluated: np.ndarray, cycle: np.ndarray) -> None:
        """Evaluation period: after one lead time (rounded up) + one review of warm-up."""
        review = self.o["review"]
        begin = i + math.ceil(self.settings.iloc[p][S.LEAD_TIME_DAYS]) + review
        if begin >= days:
            return
        evaluated[p, begin:] = True
        blocks = (days - begin) // review
        cycle[p, begin : begin + blocks * review] = np.repeat(np.arange(blocks), review)

    def _review(self, p: int, t: int, stock: LotStock, forecasts: dict | None) -> float:
        params = self.params[p]
        on_order = sum(stock.pipeline.values())
        params = replace(params, on_hand=stock.on_hand() - stock.backlog, on_order=on_order)
        rng = _rng(self.o["seed"], "review", params.unique_id, t)
        service = params.service_level
        if self.o["policy"] == BASELINE:
            level, reorder, raw, quantity = self._baseline(p, t, params)
        else:
            decision = self._decide(p, t, stock, params, forecasts, rng)
            level, reorder = decision.order_up_to, decision.reorder_point
            service = decision.service_level
            raw = decision.raw_quantity if decision.order_day == 0 else 0.0
            quantity = decision.order_quantity if decision.order_day == 0 else 0.0
        lead = 0
        if quantity > 0:
            lead = self._order_lead(params, t)
            stock.pipeline[t + lead] = stock.pipeline.get(t + lead, 0.0) + quantity
        self.reviews.append(
            {
                S.UNIQUE_ID: params.unique_id,
                S.DS: self.replay.dates[t],
                "on_hand": params.on_hand,
                "on_order": on_order,
                "position": params.on_hand + on_order,
                "reorder_point": reorder,
                "order_up_to": level,
                "raw_quantity": raw,
                "order_quantity": quantity,
                "service_level": service,
                "lead_time": lead if quantity > 0 else np.nan,
            }
        )
        return quantity

    def _order_lead(self, params: ProductParameters, t: int) -> int:
        """The lead time of an order placed on day t (one draw per product and day)."""
        rng = _rng(self.o["seed"], "lead", params.unique_id, t)
        return int(lead_time_samples(params.lead_time_days, params.lead_time_std_days, 1, rng)[0])

    def _decide(
        self,
        p: int,
        t: int,
        stock: LotStock,
        params: ProductParameters,
        forecasts: dict | None,
        rng: np.random.Generator,
    ) -> Any:
        rows = (forecasts or {}).get(params.unique_id)
        params, _ = with_new_product_cap(params, since_listing(self.replay.demand[p, :t]))
        if rows is not None and stock.shelf is None:
            # Today's order depends only on demand over lead time + review: sample those days
            # (the longest lead time drawn is within mean + 4σ, or demand_over extends).
            rows = rows.iloc[
                : math.ceil(params.lead_time_days + 4 * params.lead_time_std_days)
                + params.review_period_days
                + 1
            ]
        if rows is None or rows.empty:
            paths = np.zeros((self.o["n_paths"], 1))
        else:
            paths = self._paths(p, t, rows, rng)
        waste = cap = None
        if stock.shelf is not None and rows is not None and not rows.empty:
            lots = [Lot(units, int(expiry - t)) for units, expiry in stock.lots]
            receipts = [(day - t, units) for day, units in stock.pipeline.items()]
            projection = project(paths, pd.DatetimeIndex(rows[S.DS]), lots, receipts, stock.shelf)
            waste = projection.expected_waste
            cap = sellable_before_expiry(
                paths, params.lead_time_days, stock.shelf, projection.expected_on_hand
            )
        target = self.o["target"]
        if self.calibrator is not None:
            params, target = self._calibrate(p, t, params, paths)
        return decide(params, paths, rng, target, cap, waste)

    def _paths(self, p: int, t: int, rows: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        paths = self._bootstrap(p, t, rows, rng)
        if paths is None:
            paths = sample_paths(rows, self.o["n_paths"], self.o["correlation"], rng)
        return paths

    def _calibrate(
        self, p: int, t: int, params: ProductParameters, paths: np.ndarray
    ) -> tuple[ProductParameters, str]:
        """Remember this forecast's protection totals; the calibrated level to order at.

        Either target becomes a quantile level of the protection totals; a fill-rate
        target without enough evidence yet keeps the forecast's own expected fill rate.
        """
        assert self.calibrator is not None  # called only when calibrating
        group = self._remember(p, t, params, paths, params.on_hand + params.on_order)
        level = self.calibrator.level(params.service_level, group)
        if level is None:
            return params, self.o["target"]
        return replace(params, service_level=level), "cycle_service_level"

    def _remember(
        self, p: int, t: int, params: ProductParameters, paths: np.ndarray, position: float
    ) -> str:
        """Queue what each level would have stocked for this interval; returns the group."""
        history = self.replay.demand[p, max(self.replay.first[p], t - BOOTSTRAP_WINDOW) : t]
        group = "intermittent" if is_intermittent(history) else "smooth"
        review = params.review_period_days
        # the interval to cover ends one review after the order arrives: the lead time of
        # an order placed today (the same draw _review makes), and for the quantiles the
        # lead-time distribution, as decide() samples it
        lead = self._order_lead(params, t)
        leads = lead_time_samples(
            params.lead_time_days,
            params.lead_time_std_days,
            len(paths),
            _rng(self.o["seed"], "warmup", "leads", t),
        )
        stocked = stocked_levels(
            demand_over(paths, 0, leads + review), position, params.moq, params.pack_size
        )
        self._pending.append((p, t, lead + review, stocked, group))
        return group

    def _warm_up_calibration(self) -> None:
        """Evidence before the first review: forecasts made on the ``calibration_warmup``
        review days whose protection interval ends before the replay starts (as a planner
        would look back at recent weeks), so the first decisions are calibrated too."""
        source = self.o["source"]
        if self.calibrator is None or source is None:
            return
        replay, review = self.replay, self.o["review"]
        longest = max(max(round(params.lead_time_days), 1) for params in self.params) + review
        for j in range(int(self.o.get("calibration_warmup", 0))):
            t = replay.start - longest - j * review
            if t <= 0:
                break
            forecasts = source.at(replay.dates[t], replay.dates[t])
            for p, params in enumerate(self.params):
                rows = forecasts.get(params.unique_id)
                if t - replay.first[p] < self.o["min_history"] or rows is None or rows.empty:
                    continue
                rng = _rng(self.o["seed"], "warmup", params.unique_id, t)
                self._remember(p, t, params, self._paths(p, t, rows, rng), 0.0)
        self._score_elapsed(replay.start)

    def _score_elapsed(self, t: int) -> None:
        """Score every pending decision whose protection interval ended before day t."""
        if self.calibrator is None:
            return
        waiting = []
        for p, day, days, stocked, group in self._pending:
            if day + days > t:
                waiting.append((p, day, days, stocked, group))
                continue
            lead = days - self.o["review"]
            actual = float(np.nansum(self.replay.demand[p, day : day + days]))
            lead_part = float(np.nansum(self.replay.demand[p, day : day + lead]))
            if self.o["lost_sales"] and day >= self.replay.start:
                # Sales lost before the order arrives no longer need serving from it: the
                # cycle runs short only if the rest exceeds the order-up-to level.
                i = day - self.replay.start
                lost = float(self._short[p, i : i + lead].sum())
                actual, lead_part = actual - lost, lead_part - lost
            self.calibrator.add(
                group, stocked, actual, product=self.replay.ids[p], lead_part=lead_part
            )
        self._pending = waiting

    def _bootstrap(
        self, p: int, t: int, rows: pd.DataFrame, rng: np.random.Generator
    ) -> np.ndarray | None:
        """Block-bootstrap paths for an intermittent product when asked (else None)."""
        if self.o.get("intermittent_paths", "quantiles") != "bootstrap":
            return None
        history = self.replay.demand[p, max(self.replay.first[p], t - BOOTSTRAP_WINDOW) : t]
        if not is_intermittent(history):
            return None
        return bootstrap_paths(
            history, len(rows), self.o["n_paths"], rng, level=float(rows["forecast"].mean())
        )

    def _baseline(
        self, p: int, t: int, params: ProductParameters
    ) -> tuple[float, float, float, float]:
        """Seasonal naive mean over L + R, σ of the last 8 weeks, normal safety stock."""
        season, window = self.o["season"], self.o["window"]
        past = self.replay.demand[p, max(self.replay.first[p], t - max(season, window)) : t]
        cover = params.lead_time_days + params.review_period_days
        last = past[-season:]
        mean = float(np.resize(last, max(math.ceil(cover), 1)).mean()) if len(last) else 0.0
        recent = past[-window:]
        sigma = float(np.std(recent, ddof=1)) if len(recent) > 1 else 0.0
        level = mean * cover + float(
            safety_stock_normal(
                params.service_level,
                mean,
                sigma,
                params.lead_time_days,
                params.lead_time_std_days,
                params.review_period_days,
            )
        )
        raw = max(level - (params.on_hand + params.on_order), 0.0)
        quantity = float(round_order(raw, params.moq, params.pack_size))
        return level, level, raw, quantity

    def _frames(
        self,
        trace: dict[str, np.ndarray],
        active: np.ndarray,
        evaluated: np.ndarray,
        cycle: np.ndarray,
    ) -> pd.DataFrame:
        replay = self.replay
        n, days = active.shape
        mask = active.ravel()
        frame = pd.DataFrame(
            {
                S.UNIQUE_ID: np.repeat(np.asarray(replay.ids, dtype=object), days)[mask],
                S.DS: np.tile(replay.dates[replay.start :].to_numpy(), n)[mask],
                **{name: values.ravel()[mask] for name, values in trace.items()},
            }
        )
        review_day = (np.arange(days) % self.o["review"]) == 0
        frame["review"] = np.tile(review_day, n)[mask]
        frame["evaluated"] = evaluated.ravel()[mask]
        frame["cycle"] = cycle.ravel()[mask]
        return frame


def _rng(seed: int, kind: str, uid: str, day: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), _KIND[kind], zlib.crc32(uid.encode()), int(day)])
