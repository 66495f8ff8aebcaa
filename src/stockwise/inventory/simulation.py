"""Closed-loop replay: run an ordering policy day by day over a real demand history.

A plan is only as good as the stock it leads to. ``simulate`` replays a history: days
before ``start`` train the forecasts; from ``start`` on, each day

1. receives the orders due that day (new lots; with a shelf life they expire
   ``shelf_life_days`` after arrival, at the end of that day, as in :mod:`.projection`);
   backorders, if any, are filled first;
2. on a review day (every ``review_period_days`` from ``start``) decides: the forecast is
   made from the history *strictly before* that day, its quantiles become demand paths
   (:func:`.paths.sample_paths`), :func:`.decision.decide` turns them into an order, and an
   order due today is placed; it arrives after a lead time drawn per order (normal around
   the product's mean, rounded, at least 1 day);
3. serves the day's true demand first expired, first out; what is not served is lost
   (``lost_sales=True``) or backordered;
4. writes off the lots whose last day it was.

``policy="baseline"`` replaces steps 2's forecast and decision by the textbook rule the
issue compares against: seasonal naive (weekly) mean over L + R, σ = standard deviation of
the last 8 weeks of daily demand, S = μ·(L + R) + ``safety_stock_normal`` (which adds the
lead-time spread), order S − position.

Choices worth knowing:

- Forecasts are trained on true demand (the replayed ``y``), not on the sales the
  simulated shelf allowed; so they do not depend on the policy and one set of forecasts
  serves every policy and service level (:class:`ReviewForecasts` caches them).
- ``refit_every = k`` refits the forecast on every k-th review only, with a horizon
  k − 1 reviews longer; the reviews in between use that forecast from their own day on
  (reused and shifted, not updated with the demand seen since).
- Periods are those of the history: for weekly or monthly data every ``*_days`` argument
  counts weeks or months (e.g. ``review_period_days=1`` reviews monthly data monthly).
- A product is replayed from the first review day with ``min_history`` periods of its
  history behind it (later launches start later); its initial stock is
  ``initial_cover_days`` × its mean demand of the last 28 periods (default: the lead
  time + one review), nothing on order. Missing days after a series' first day are zero
  demand. Initial stock with a shelf life is taken as fresh (expires a shelf life after
  the product's first day).
- Randomness (demand paths, lead times) comes from one stream per (seed, product, day), so
  runs are reproducible, changing one product or a later day changes nothing else, and
  all configurations of :func:`compare` see the same lead-time draws.

Metrics are defined in :mod:`.simulation_metrics`.
"""

from __future__ import annotations

import bisect
import math
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.decision import decide
from stockwise.inventory.parameters import ProductParameters, resolve
from stockwise.inventory.paths import DEFAULT_CORRELATION, lead_time_samples, sample_paths
from stockwise.inventory.policies import round_order, safety_stock_normal
from stockwise.inventory.projection import NEVER, Lot, project
from stockwise.inventory.simulation_metrics import product_metrics, summarise

BASELINE = "baseline"
POLICIES = ("RS", "sS", "sQ", BASELINE)
LEVELS = (50, 80, 90, 95, 98, 99)
COVER_WINDOW = 28
BASELINE_WINDOW = 56
HORIZON_MARGIN = 7
BASELINE_SOURCE = "SeasonalNaive+normal"
ForecastFunction = Callable[[pd.DataFrame, int, tuple[int, ...]], pd.DataFrame]
"""(training frame, horizon, levels) → forecast table (``unique_id, ds, forecast, ...``)."""
_PER_PRODUCT = (S.LEAD_TIME_DAYS, S.LEAD_TIME_STD_DAYS, S.UNIT_COST, S.MOQ, S.PACK_SIZE,
                S.SHELF_LIFE_DAYS, "service_level")
_KIND = {"review": 1, "lead": 2}


@dataclass
class SimulationResult:
    """Outcome of one replay: the configuration, overall figures and the details."""

    config: dict[str, Any]
    summary: dict[str, Any]
    """Configuration fields + :func:`.simulation_metrics.summarise` + run times."""
    products: pd.DataFrame
    """One row per product (:data:`.simulation_metrics.PRODUCT_METRICS`)."""
    trace: pd.DataFrame
    """One row per product and replayed day: demand, served, short, received, ordered,
    on_hand (end of day), on_order, backlog, waste, review, evaluated, cycle."""
    reviews: pd.DataFrame
    """One row per product and review: levels, position and the order (0 if none)."""


class ReviewForecasts:
    """Forecasts made on review days from the history strictly before them, cached.

    ``source`` is a stockwise model name, a list of names, ``"auto"`` (all run through
    :func:`stockwise.forecast`) or a function ``(train, h, levels) -> forecast table``.
    ``train_window`` (periods) keeps only the most recent history for fitting.
    """

    def __init__(self, history: pd.DataFrame, source: str | Sequence[str] | ForecastFunction =
                 "SeasonalNaive", *, horizon: int, levels: Sequence[int] = LEVELS,
                 season_length: int = 7, refit_every: int = 1, review_period_days: int = 7,
                 train_window: int | None = None, n_windows: int = 2) -> None:
        if refit_every < 1:
            raise ValueError("refit_every must be >= 1")
        self.history = _long_frame(history)
        self.calendar = pd.DatetimeIndex(np.sort(self.history[S.DS].unique()))
        self.source, self.horizon, self.levels = source, int(horizon), tuple(levels)
        self.season_length, self.refit_every = season_length, int(refit_every)
        self.review_period, self.train_window = int(review_period_days), train_window
        self.n_windows = n_windows
        self.seconds, self.fits = 0.0, 0
        self._cache: dict[pd.Timestamp, dict[str, pd.DataFrame]] = {}

    @property
    def name(self) -> str:
        if callable(self.source):
            return getattr(self.source, "__name__", "custom")
        return self.source if isinstance(self.source, str) else "+".join(self.source)

    def at(self, day: pd.Timestamp, fitted_on: pd.Timestamp) -> dict[str, pd.DataFrame]:
        """Per product, the rows from ``day`` on of the forecast fitted on ``fitted_on``."""
        if fitted_on not in self._cache:
            self._cache[fitted_on] = self._fit(fitted_on)
        rows = self._cache[fitted_on]
        if day == fitted_on:
            return rows
        return {uid: part[part[S.DS] >= day] for uid, part in rows.items()}

    def _fit(self, fitted_on: pd.Timestamp) -> dict[str, pd.DataFrame]:
        started = time.perf_counter()
        train = self.history[self.history[S.DS] < fitted_on]  # nothing from that day on
        if self.train_window:
            position = self.calendar.searchsorted(fitted_on)
            train = train[train[S.DS] >= self.calendar[max(position - self.train_window, 0)]]
        h = self.horizon + (self.refit_every - 1) * self.review_period
        if callable(self.source):
            out = self.source(train, h, self.levels)
        else:
            from stockwise.workflows.forecast import forecast  # the engine reads tables

            out = forecast(train, h, season_length=self.season_length, models=self.source,
                           levels=self.levels, n_windows=self.n_windows)
        out = out.sort_values([S.UNIQUE_ID, S.DS], kind="stable")
        out = out[[S.UNIQUE_ID, S.DS, *(c for c in out.columns if c.startswith("forecast"))]]
        self.seconds += time.perf_counter() - started
        self.fits += 1
        return {str(uid): part.reset_index(drop=True)
                for uid, part in out.groupby(S.UNIQUE_ID, sort=False)}


def simulate(
    history: pd.DataFrame, *, start: str | pd.Timestamp, policy: str = "RS",
    service_level: float = 0.95, forecast: str | Sequence[str] | ForecastFunction |
    ReviewForecasts = "SeasonalNaive", review_period_days: int = 7,
    lead_time_days: float = 7.0, lead_time_std_days: float = 0.0, horizon_days: int | None = None,
    lost_sales: bool = True, shelf_life_days: float | None = None,
    initial_cover_days: float | None = None, unit_cost: float = 1.0, moq: float = 0,
    pack_size: float = 1, refit_every: int = 1, n_paths: int = 500, seed: int = 0,
    target: str = "cycle_service_level", inventory: pd.DataFrame | None = None,
    correlation: float = DEFAULT_CORRELATION, season_length: int = 7,
    holding_cost_rate: float = 0.20, ordering_cost: float = 10.0,
    train_window: int | None = None, min_history: int | None = None,
    baseline_window: int = BASELINE_WINDOW,
) -> SimulationResult:
    """Replay ``history`` (``unique_id, ds, y``) from ``start`` under one policy.

    ``inventory`` (one row per ``unique_id``) may set ``lead_time_days``,
    ``lead_time_std_days``, ``unit_cost``, ``moq``, ``pack_size``, ``shelf_life_days``
    and ``service_level`` per product; empty cells keep the scalar arguments. With
    ``forecast`` a :class:`ReviewForecasts`, its cached forecasts (and its ``refit_every``)
    are used. ``correlation`` ties the days of a demand path (see :mod:`.paths`).
    """
    started = time.perf_counter()
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, not {policy!r}")
    if review_period_days < 1:
        raise ValueError("review_period_days must be >= 1")
    replay = _Replay.build(history, start)
    settings = _settings(replay.ids, inventory, lead_time_days=lead_time_days,
                         lead_time_std_days=lead_time_std_days, unit_cost=unit_cost, moq=moq,
                         pack_size=pack_size, shelf_life_days=shelf_life_days,
                         service_level=service_level)
    config = {"policy": policy, "service_level": service_level, "target": target,
              "correlation": correlation if policy != BASELINE else np.nan,
              "lost_sales": lost_sales, "seed": seed}
    source = None
    if policy == BASELINE:
        config["forecast"], config["refit_every"] = BASELINE_SOURCE, 1
    else:
        source = forecast if isinstance(forecast, ReviewForecasts) else ReviewForecasts(
            history, forecast, levels=LEVELS, season_length=season_length,
            refit_every=refit_every, review_period_days=review_period_days,
            train_window=train_window, horizon=horizon_days or horizon_for(
                settings, review_period_days))
        config["forecast"], config["refit_every"] = source.name, source.refit_every
    fit_seconds = source.seconds if source else 0.0
    loop = _Loop(replay, settings, policy=policy, source=source, review=review_period_days,
                 lost_sales=lost_sales, cover=initial_cover_days, n_paths=n_paths, seed=seed,
                 target=target, correlation=correlation, season=season_length,
                 holding=holding_cost_rate, ordering=ordering_cost,
                 min_history=min_history or 2 * season_length, window=baseline_window)
    trace, reviews = loop.run()
    products = product_metrics(trace, settings)
    label = (f"{policy}/{config['forecast']}/{service_level:g}" +
             ("" if policy == BASELINE else f"/rho={correlation:g}"))
    summary = {"label": label, **config, **summarise(products, lost_sales),
               "forecast_seconds": (source.seconds - fit_seconds) if source else 0.0,
               "seconds": time.perf_counter() - started}
    return SimulationResult(config, summary, products, trace, reviews)


def simulate_many(history: pd.DataFrame, configs: Sequence[dict[str, Any]], *,
                  start: str | pd.Timestamp, baseline_levels: Sequence[float] | None = None,
                  **common: Any) -> list[SimulationResult]:
    """Run each configuration (keyword arguments of :func:`simulate` over ``common``).

    The baseline is always included: at ``baseline_levels`` (default: every service level
    of ``configs``) unless the configurations already hold it. Configurations with the
    same forecast source share one :class:`ReviewForecasts`, so each forecast is made once.
    """
    configs = [dict(c) for c in configs]
    default_level = common.get("service_level", 0.95)
    levels = sorted({c.get("service_level", default_level) for c in configs} or
                    {default_level})
    have = {c.get("service_level", default_level) for c in configs
            if c.get("policy") == BASELINE}
    for level in (levels if baseline_levels is None else baseline_levels):
        if level not in have:
            configs.append({"policy": BASELINE, "service_level": level})
    shared: dict[tuple, ReviewForecasts] = {}
    results = []
    for config in configs:
        options = {**common, **config}
        if options.get("policy", "RS") != BASELINE and not isinstance(
                options.get("forecast"), ReviewForecasts):
            options["forecast"] = _shared_source(history, options, configs, common, shared)
        results.append(simulate(history, start=start, **options))
    return results


def compare(history: pd.DataFrame, configs: Sequence[dict[str, Any]],
            start: str | pd.Timestamp, **common: Any) -> pd.DataFrame:
    """One summary row per configuration (see :func:`simulate_many`), baseline included."""
    return pd.DataFrame([r.summary for r in simulate_many(history, configs, start=start,
                                                          **common)])


def horizon_for(settings: pd.DataFrame, review_period_days: int) -> int:
    """Forecast horizon: the longest lead time (+3σ) + two reviews + a margin."""
    longest = float((settings[S.LEAD_TIME_DAYS] + 3 * settings[S.LEAD_TIME_STD_DAYS]).max())
    return math.ceil(longest) + 2 * review_period_days + HORIZON_MARGIN


def _shared_source(history: pd.DataFrame, options: dict[str, Any],
                   configs: Sequence[dict[str, Any]], common: dict[str, Any],
                   shared: dict[tuple, ReviewForecasts]) -> ReviewForecasts:
    source = options.get("forecast", "SeasonalNaive")
    review = options.get("review_period_days", 7)
    key = (source if isinstance(source, str) else repr(source), options.get("refit_every", 1),
           options.get("train_window"), options.get("season_length", 7), review)
    if key not in shared:
        ids = sorted(_long_frame(history)[S.UNIQUE_ID].unique())
        horizon = options.get("horizon_days") or max(
            horizon_for(_settings(ids, {**common, **c}.get("inventory"), **_scalars(
                {**common, **c})), review) for c in configs)
        shared[key] = ReviewForecasts(
            history, source, horizon=horizon, season_length=options.get("season_length", 7),
            refit_every=options.get("refit_every", 1), review_period_days=review,
            train_window=options.get("train_window"))
    return shared[key]


def _scalars(options: dict[str, Any]) -> dict[str, Any]:
    defaults = {"lead_time_days": 7.0, "lead_time_std_days": 0.0, "unit_cost": 1.0, "moq": 0,
                "pack_size": 1, "shelf_life_days": None, "service_level": 0.95}
    return {k: options.get(k, v) for k, v in defaults.items()}


# -- data ---------------------------------------------------------------------------------
def _long_frame(history: pd.DataFrame) -> pd.DataFrame:
    missing = {S.UNIQUE_ID, S.DS, S.Y} - set(history.columns)
    if missing:
        raise ValueError(f"history needs columns unique_id, ds, y; missing {sorted(missing)}")
    frame = history[[S.UNIQUE_ID, S.DS, S.Y]].copy()
    frame[S.UNIQUE_ID] = frame[S.UNIQUE_ID].astype(str)
    frame[S.DS] = pd.to_datetime(frame[S.DS])
    frame[S.Y] = frame[S.Y].astype(float)
    return frame.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)


@dataclass
class _Replay:
    dates: pd.DatetimeIndex
    ids: list[str]
    demand: np.ndarray
    """(products, periods); NaN before a series' first period, 0 for gaps after it."""
    first: np.ndarray
    start: int

    @classmethod
    def build(cls, history: pd.DataFrame, start: str | pd.Timestamp) -> _Replay:
        frame = _long_frame(history)
        if frame.duplicated([S.UNIQUE_ID, S.DS]).any():
            raise ValueError("history has duplicate (unique_id, ds) rows")
        dates = pd.DatetimeIndex(np.sort(frame[S.DS].unique()))
        if len(dates) > 2 and pd.infer_freq(dates) is None:
            raise ValueError("history must be on a regular calendar (daily, weekly, monthly)")
        codes, ids = pd.factorize(frame[S.UNIQUE_ID], sort=True)
        demand = np.full((len(ids), len(dates)), np.nan)
        demand[codes, dates.searchsorted(frame[S.DS])] = frame[S.Y].to_numpy()
        seen = ~np.isnan(demand)
        first = seen.argmax(axis=1)
        after_first = np.arange(len(dates))[None, :] >= first[:, None]
        demand[after_first & ~seen] = 0.0
        position = int(dates.searchsorted(pd.Timestamp(start)))
        if not 0 < position < len(dates):
            raise ValueError(f"start {start} must fall after the first and within the "
                             f"history ({dates[0].date()} .. {dates[-1].date()})")
        return cls(dates, [str(i) for i in ids], demand, first, position)


def _settings(ids: list[str], inventory: pd.DataFrame | None, **scalars: Any) -> pd.DataFrame:
    """Per-product lead time, costs, pack rules, shelf life and service level."""
    table = pd.DataFrame({S.UNIQUE_ID: ids})
    for column in _PER_PRODUCT:
        value = scalars[column]
        table[column] = np.nan if value is None else float(value)
    if inventory is not None and not inventory.empty:
        rows = inventory.assign(**{S.UNIQUE_ID: inventory[S.UNIQUE_ID].astype(str)})
        rows = rows.drop_duplicates(S.UNIQUE_ID).set_index(S.UNIQUE_ID)
        for column in _PER_PRODUCT:
            if column in rows.columns:
                given = pd.to_numeric(table[S.UNIQUE_ID].map(rows[column]), errors="coerce")
                table[column] = given.where(given.notna(), table[column])
    table[S.PACK_SIZE] = table[S.PACK_SIZE].fillna(1.0).clip(lower=1.0)
    table[S.MOQ] = table[S.MOQ].fillna(0.0)
    table[S.LEAD_TIME_STD_DAYS] = table[S.LEAD_TIME_STD_DAYS].fillna(0.0)
    table.loc[table[S.SHELF_LIFE_DAYS] <= 0, S.SHELF_LIFE_DAYS] = np.nan
    return table


# -- the day-by-day loop --------------------------------------------------------------------
class _Stock:
    """One product's shelf: lots [units, expiry day] in expiry order, orders, backlog."""

    __slots__ = ("backlog", "lots", "pipeline", "shelf")

    def __init__(self, shelf: int | None) -> None:
        self.lots: list[list[float]] = []
        self.pipeline: dict[int, float] = {}
        self.backlog = 0.0
        self.shelf = shelf

    def on_hand(self) -> float:
        return float(sum(lot[0] for lot in self.lots))

    def add(self, units: float, day: int) -> None:
        expiry = day + self.shelf if self.shelf is not None else NEVER
        keys = [lot[1] for lot in self.lots]
        at = bisect.bisect_left(keys, expiry)
        if at < len(self.lots) and self.lots[at][1] == expiry:
            self.lots[at][0] += units
        else:
            self.lots.insert(at, [units, expiry])

    def take(self, units: float) -> float:
        """Serve up to ``units`` first expired, first out; returns the units served."""
        served = 0.0
        for lot in self.lots:
            if units <= 0:
                break
            part = min(lot[0], units)
            lot[0] -= part
            units -= part
            served += part
        self.lots = [lot for lot in self.lots if lot[0] > 1e-12]
        return served

    def expire(self, day: int) -> float:
        wasted = sum(lot[0] for lot in self.lots if lot[1] <= day)
        if wasted:
            self.lots = [lot for lot in self.lots if lot[1] > day]
        return float(wasted)


_TRACE = ("demand", "served", "short", "received", "ordered", "on_hand", "on_order",
          "backlog", "waste")


class _Loop:
    def __init__(self, replay: _Replay, settings: pd.DataFrame, **options: Any) -> None:
        self.replay, self.settings = replay, settings
        self.o = options
        self.params = [self._template(row) for row in settings.itertuples(index=False)]

    def _template(self, row: Any) -> ProductParameters:
        """The product's parameters via :func:`.parameters.resolve` (stock filled per review)."""
        values = row._asdict()
        values.update({S.ON_HAND: 0.0, "review_period_days": self.o["review"],
                       "holding_cost_rate": self.o["holding"],
                       "ordering_cost": self.o["ordering"]})
        policy = "RS" if self.o["policy"] == BASELINE else self.o["policy"]
        return resolve(pd.Series(values), None, policy)

    def run(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        replay, review = self.replay, self.o["review"]
        n, days = len(replay.ids), len(replay.dates) - replay.start
        trace = {name: np.zeros((n, days)) for name in _TRACE}
        active = np.zeros((n, days), dtype=bool)
        evaluated = np.zeros((n, days), dtype=bool)
        cycle = np.full((n, days), -1)
        stocks: list[_Stock | None] = [None] * n
        self.reviews: list[dict[str, Any]] = []
        review_days = list(range(replay.start, len(replay.dates), review))
        for t in range(replay.start, len(replay.dates)):
            i = t - replay.start
            k, rem = divmod(i, review)
            forecasts = None
            if rem == 0:
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

    def _start(self, p: int, t: int) -> _Stock:
        row = self.settings.iloc[p]
        shelf = row[S.SHELF_LIFE_DAYS]
        stock = _Stock(None if np.isnan(shelf) else int(shelf))
        recent = self.replay.demand[p, max(self.replay.first[p], t - COVER_WINDOW):t]
        cover = self.o["cover"]
        cover = row[S.LEAD_TIME_DAYS] + self.o["review"] if cover is None else cover
        units = float(np.mean(recent)) * float(cover) if len(recent) else 0.0
        if units > 0:
            stock.add(units, t)
        return stock

    def _mark(self, p: int, i: int, days: int, evaluated: np.ndarray, cycle: np.ndarray
              ) -> None:
        """Evaluation period: after one lead time (rounded up) + one review of warm-up."""
        review = self.o["review"]
        begin = i + math.ceil(self.settings.iloc[p][S.LEAD_TIME_DAYS]) + review
        if begin >= days:
            return
        evaluated[p, begin:] = True
        blocks = (days - begin) // review
        cycle[p, begin:begin + blocks * review] = np.repeat(np.arange(blocks), review)

    def _review(self, p: int, t: int, stock: _Stock, forecasts: dict | None) -> float:
        params = self.params[p]
        on_order = sum(stock.pipeline.values())
        params = replace(params, on_hand=stock.on_hand() - stock.backlog, on_order=on_order)
        rng = _rng(self.o["seed"], "review", params.unique_id, t)
        if self.o["policy"] == BASELINE:
            level, reorder, raw, quantity = self._baseline(p, t, params)
        else:
            decision = self._decide(p, t, stock, params, forecasts, rng)
            level, reorder = decision.order_up_to, decision.reorder_point
            raw = decision.raw_quantity if decision.order_day == 0 else 0.0
            quantity = decision.order_quantity if decision.order_day == 0 else 0.0
        lead = 0
        if quantity > 0:
            lead_rng = _rng(self.o["seed"], "lead", params.unique_id, t)
            lead = int(lead_time_samples(params.lead_time_days, params.lead_time_std_days, 1,
                                         lead_rng)[0])
            stock.pipeline[t + lead] = stock.pipeline.get(t + lead, 0.0) + quantity
        self.reviews.append({
            S.UNIQUE_ID: params.unique_id, S.DS: self.replay.dates[t],
            "on_hand": params.on_hand, "on_order": on_order,
            "position": params.on_hand + on_order, "reorder_point": reorder,
            "order_up_to": level, "raw_quantity": raw, "order_quantity": quantity,
            "lead_time": lead if quantity > 0 else np.nan})
        return quantity

    def _decide(self, p: int, t: int, stock: _Stock, params: ProductParameters,
                forecasts: dict | None, rng: np.random.Generator) -> Any:
        rows = (forecasts or {}).get(params.unique_id)
        if rows is not None and stock.shelf is None:
            # Today's order depends only on demand over lead time + review: sample those days
            # (the longest lead time drawn is within mean + 4σ, or demand_over extends).
            rows = rows.iloc[:math.ceil(params.lead_time_days + 4 * params.lead_time_std_days)
                             + params.review_period_days + 1]
        if rows is None or rows.empty:
            paths = np.zeros((self.o["n_paths"], 1))
        else:
            paths = sample_paths(rows, self.o["n_paths"], self.o["correlation"], rng)
        waste = cap = None
        if stock.shelf is not None and rows is not None and not rows.empty:
            lots = [Lot(units, int(expiry - t)) for units, expiry in stock.lots]
            receipts = [(day - t, units) for day, units in stock.pipeline.items()]
            projection = project(paths, pd.DatetimeIndex(rows[S.DS]), lots, receipts,
                                 stock.shelf)
            waste = projection.expected_waste
            cap = _expiry_cap(params, paths, projection.expected_on_hand, stock.shelf)
        return decide(params, paths, rng, self.o["target"], cap, waste)

    def _baseline(self, p: int, t: int, params: ProductParameters
                  ) -> tuple[float, float, float, float]:
        """Seasonal naive mean over L + R, σ of the last 8 weeks, normal safety stock."""
        season, window = self.o["season"], self.o["window"]
        past = self.replay.demand[p, max(self.replay.first[p], t - max(season, window)):t]
        cover = params.lead_time_days + params.review_period_days
        last = past[-season:]
        mean = float(np.resize(last, max(math.ceil(cover), 1)).mean()) if len(last) else 0.0
        recent = past[-window:]
        sigma = float(np.std(recent, ddof=1)) if len(recent) > 1 else 0.0
        level = mean * cover + float(safety_stock_normal(
            params.service_level, mean, sigma, params.lead_time_days,
            params.lead_time_std_days, params.review_period_days))
        raw = max(level - (params.on_hand + params.on_order), 0.0)
        quantity = float(round_order(raw, params.moq, params.pack_size))
        return level, level, raw, quantity

    def _frames(self, trace: dict[str, np.ndarray], active: np.ndarray,
                evaluated: np.ndarray, cycle: np.ndarray) -> pd.DataFrame:
        replay = self.replay
        n, days = active.shape
        mask = active.ravel()
        frame = pd.DataFrame({
            S.UNIQUE_ID: np.repeat(np.asarray(replay.ids, dtype=object), days)[mask],
            S.DS: np.tile(replay.dates[replay.start:].to_numpy(), n)[mask],
            **{name: values.ravel()[mask] for name, values in trace.items()},
        })
        review_day = (np.arange(days) % self.o["review"]) == 0
        frame["review"] = np.tile(review_day, n)[mask]
        frame["evaluated"] = evaluated.ravel()[mask]
        frame["cycle"] = cycle.ravel()[mask]
        return frame


def _expiry_cap(params: ProductParameters, paths: np.ndarray, expected_on_hand: np.ndarray,
                shelf: int) -> float:
    """Units a new lot can sell before it expires, after the stock expected at arrival."""
    lead = max(round(params.lead_time_days), 0)
    window = paths[:, lead:lead + shelf]
    sellable = float(window.sum(axis=1).mean()) if window.size else 0.0
    if window.shape[1] < shelf and paths.shape[1]:
        sellable *= shelf / max(window.shape[1], 1)
    arrival = min(lead, len(expected_on_hand) - 1)
    return max(sellable - float(expected_on_hand[arrival]), 0.0)


def _rng(seed: int, kind: str, uid: str, day: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), _KIND[kind], zlib.crc32(uid.encode()), int(day)])
