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
replays compare against: seasonal naive (weekly) mean over L + R, σ = standard deviation of
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
  ``initial_cover_days`` × its mean demand of the last ``initial_cover_window`` periods
  (defaults: the lead time + one review; 28 periods), nothing on order. Missing days
  after a series' first day are zero demand. Initial stock with a shelf life is taken
  as fresh (expires a shelf life after the product's first day).
- Randomness (demand paths, lead times) comes from one stream per (seed, product, day), so
  runs are reproducible, changing one product or a later day changes nothing else, and
  all configurations of :func:`compare` see the same lead-time draws.

Metrics are defined in :mod:`.simulation_metrics`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.parameters import POLICIES as ORDER_POLICIES
from stockwise.inventory.paths import DEFAULT_CORRELATION
from stockwise.progress import Report, step
from stockwise.replay.loop import (
    BASELINE,
    COVER_WINDOW,
    Replay,
    ReplayLoop,
    product_settings,
)
from stockwise.replay.metrics import product_metrics, summarise
from stockwise.replay.review_forecasts import (
    LEVELS,
    ForecastFunction,
    ReviewForecasts,
    long_frame,
)

POLICIES = (*ORDER_POLICIES, BASELINE)
BASELINE_WINDOW = 56
HORIZON_MARGIN = 7
BASELINE_SOURCE = "SeasonalNaive+normal"
CALIBRATION_WARMUP = 4
"""Review days before the replay whose forecasts seed the service calibration."""


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


def simulate(
    history: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    policy: str = S.POLICY_RS,
    service_level: float = 0.95,
    forecast: str | Sequence[str] | ForecastFunction | ReviewForecasts = "SeasonalNaive",
    review_period_days: int = 7,
    lead_time_days: float = 7.0,
    lead_time_std_days: float = 0.0,
    horizon_days: int | None = None,
    lost_sales: bool = True,
    shelf_life_days: float | None = None,
    initial_cover_days: float | None = None,
    unit_cost: float = 1.0,
    moq: float = 0,
    pack_size: float = 1,
    refit_every: int = 1,
    n_paths: int = 500,
    seed: int = 0,
    target: str = "cycle_service_level",
    inventory: pd.DataFrame | None = None,
    correlation: float = DEFAULT_CORRELATION,
    season_length: int = 7,
    holding_cost_rate: float = 0.20,
    ordering_cost: float = 10.0,
    train_window: int | None = None,
    min_history: int | None = None,
    baseline_window: int = BASELINE_WINDOW,
    intermittent_paths: str = "quantiles",
    calibrate_service: bool = True,
    calibration_warmup: int = CALIBRATION_WARMUP,
    drivers: Sequence[str] = (),
    initial_cover_window: int = COVER_WINDOW,
) -> SimulationResult:
    """Replay ``history`` (``unique_id, ds, y``) from ``start`` under one policy.

    ``inventory`` (one row per ``unique_id``) may set ``lead_time_days``,
    ``lead_time_std_days``, ``unit_cost``, ``moq``, ``pack_size``, ``shelf_life_days``
    and ``service_level`` per product; empty cells keep the scalar arguments. With
    ``forecast`` a :class:`ReviewForecasts`, its cached forecasts (and its ``refit_every``)
    are used. ``correlation`` ties the days of a demand path (see :mod:`.paths`);
    ``intermittent_paths="bootstrap"`` builds the paths of intermittent products from
    blocks of their own last year instead (:func:`.paths.bootstrap_paths`). ``drivers``
    names known-ahead columns of ``history`` (promotions, prices) the forecasts use with
    their planned values (:class:`.review_forecasts.ReviewForecasts`).
    ``calibrate_service`` (as the plan does) orders at the quantile level that the
    replay's past decisions showed to serve the target share of cycles
    (:mod:`.service_calibration`; for ``target="fill_rate"`` the level whose past
    decisions reached that fill rate, mean over products), starting with the
    forecasts of ``calibration_warmup`` review days before ``start``; False orders at
    the target quantile itself.
    """
    started = time.perf_counter()
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, not {policy!r}")
    if review_period_days < 1:
        raise ValueError("review_period_days must be >= 1")
    if intermittent_paths not in ("quantiles", "bootstrap"):
        raise ValueError(
            f"intermittent_paths must be 'quantiles' or 'bootstrap', not {intermittent_paths!r}"
        )
    replay = Replay.build(history, start)
    settings = product_settings(
        replay.ids,
        inventory,
        lead_time_days=lead_time_days,
        lead_time_std_days=lead_time_std_days,
        unit_cost=unit_cost,
        moq=moq,
        pack_size=pack_size,
        shelf_life_days=shelf_life_days,
        service_level=service_level,
    )
    config = {
        "policy": policy,
        "service_level": service_level,
        "target": target,
        "correlation": correlation if policy != BASELINE else np.nan,
        "lost_sales": lost_sales,
        "seed": seed,
        "intermittent_paths": intermittent_paths if policy != BASELINE else "",
        "calibrate_service": bool(calibrate_service) and policy != BASELINE,
    }
    source = None
    if policy == BASELINE:
        config["forecast"], config["refit_every"] = BASELINE_SOURCE, 1
    else:
        source = (
            forecast
            if isinstance(forecast, ReviewForecasts)
            else ReviewForecasts(
                history,
                forecast,
                levels=LEVELS,
                season_length=season_length,
                refit_every=refit_every,
                review_period_days=review_period_days,
                train_window=train_window,
                horizon=horizon_days or horizon_for(settings, review_period_days),
                drivers=drivers,
            )
        )
        config["forecast"], config["refit_every"] = source.name, source.refit_every
        config["train_window"] = source.train_window
    fit_seconds = source.seconds if source else 0.0
    loop = ReplayLoop(
        replay,
        settings,
        policy=policy,
        source=source,
        review=review_period_days,
        lost_sales=lost_sales,
        cover=initial_cover_days,
        cover_window=initial_cover_window,
        n_paths=n_paths,
        seed=seed,
        target=target,
        correlation=correlation,
        season=season_length,
        holding=holding_cost_rate,
        ordering=ordering_cost,
        min_history=min_history or 2 * season_length,
        window=baseline_window,
        intermittent_paths=intermittent_paths,
        calibrate_service=config["calibrate_service"],
        calibration_warmup=calibration_warmup,
    )
    trace, reviews = loop.run()
    products = product_metrics(trace, settings)
    label = (
        f"{policy}/{config['forecast']}/{service_level:g}"
        + ("" if policy == BASELINE else f"/rho={correlation:g}")
        + ("/boot" if policy != BASELINE and intermittent_paths == "bootstrap" else "")
        + ("/uncalibrated" if policy != BASELINE and not config["calibrate_service"] else "")
        + ("/fill-rate" if policy != BASELINE and target == "fill_rate" else "")
    )
    summary = {
        "label": label,
        **config,
        **summarise(products, lost_sales),
        "forecast_seconds": (source.seconds - fit_seconds) if source else 0.0,
        "seconds": time.perf_counter() - started,
    }
    return SimulationResult(config, summary, products, trace, reviews)


def simulate_many(
    history: pd.DataFrame,
    configs: Sequence[dict[str, Any]],
    *,
    start: str | pd.Timestamp,
    baseline_levels: Sequence[float] | None = None,
    progress: Report | None = None,
    **common: Any,
) -> list[SimulationResult]:
    """Run each configuration (keyword arguments of :func:`simulate` over ``common``).

    The baseline is always included: at ``baseline_levels`` (default: every service level
    of ``configs``) unless the configurations already hold it. Configurations with the
    same forecast source share one :class:`ReviewForecasts`, so each forecast is made once.
    ``progress`` hears each configuration as its replay starts (:mod:`stockwise.progress`).
    """
    configs = [dict(c) for c in configs]
    default_level = common.get("service_level", 0.95)
    levels = sorted({c.get("service_level", default_level) for c in configs} or {default_level})
    have = {c.get("service_level", default_level) for c in configs if c.get("policy") == BASELINE}
    for level in levels if baseline_levels is None else baseline_levels:
        if level not in have:
            configs.append({"policy": BASELINE, "service_level": level})
    shared: dict[tuple, ReviewForecasts] = {}
    results = []
    for done, config in enumerate(configs):
        step(progress, "replaying configuration", done, len(configs), item=_described(config))
        options = {**common, **config}
        if options.get("policy", S.POLICY_RS) != BASELINE and not isinstance(
            options.get("forecast"), ReviewForecasts
        ):
            options["forecast"] = _shared_source(history, options, configs, common, shared)
        results.append(simulate(history, start=start, **options))
    return results


def _described(config: dict[str, Any]) -> str:
    """ "RS, AutoETS, 95 %": what a configuration replays."""
    source = config.get("forecast")
    parts = [
        str(config.get("policy", S.POLICY_RS)),
        source if isinstance(source, str) else getattr(source, "name", None),
        f"{config['service_level']:.0%}" if "service_level" in config else None,
    ]
    return ", ".join(p for p in parts if p)


def compare(
    history: pd.DataFrame,
    configs: Sequence[dict[str, Any]],
    start: str | pd.Timestamp,
    **common: Any,
) -> pd.DataFrame:
    """One summary row per configuration (see :func:`simulate_many`), baseline included."""
    return pd.DataFrame([r.summary for r in simulate_many(history, configs, start=start, **common)])


def horizon_for(settings: pd.DataFrame, review_period_days: int) -> int:
    """Forecast horizon: the longest lead time (+3σ) + two reviews + a margin."""
    longest = float((settings[S.LEAD_TIME_DAYS] + 3 * settings[S.LEAD_TIME_STD_DAYS]).max())
    return math.ceil(longest) + 2 * review_period_days + HORIZON_MARGIN


def _shared_source(
    history: pd.DataFrame,
    options: dict[str, Any],
    configs: Sequence[dict[str, Any]],
    common: dict[str, Any],
    shared: dict[tuple, ReviewForecasts],
) -> ReviewForecasts:
    source = options.get("forecast", "SeasonalNaive")
    review = options.get("review_period_days", 7)
    drivers = tuple(options.get("drivers", ()))
    key = (
        source if isinstance(source, str) else repr(source),
        options.get("refit_every", 1),
        options.get("train_window"),
        options.get("season_length", 7),
        review,
        drivers,
    )
    if key not in shared:
        ids = sorted(long_frame(history)[S.UNIQUE_ID].unique())
        horizon = options.get("horizon_days") or max(
            horizon_for(
                product_settings(
                    ids, {**common, **c}.get("inventory"), **_scalars({**common, **c})
                ),
                review,
            )
            for c in configs
        )
        shared[key] = ReviewForecasts(
            history,
            source,
            horizon=horizon,
            season_length=options.get("season_length", 7),
            refit_every=options.get("refit_every", 1),
            review_period_days=review,
            train_window=options.get("train_window"),
            drivers=drivers,
        )
    return shared[key]


def _scalars(options: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "lead_time_days": 7.0,
        "lead_time_std_days": 0.0,
        "unit_cost": 1.0,
        "moq": 0,
        "pack_size": 1,
        "shelf_life_days": None,
        "service_level": 0.95,
    }
    return {k: options.get(k, v) for k, v in defaults.items()}


# -- data ---------------------------------------------------------------------------------
