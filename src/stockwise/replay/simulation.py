"""Closed-loop replay: run an ordering policy day by day over a real demand history.

A plan is only as good as the stock it leads to. :func:`replay_policy` replays a history: days
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

Metrics are defined in :mod:`.metrics`.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.progress import Report, step
from stockwise.replay.config import (
    ReplayConfig,
)
from stockwise.replay.loop import (
    BASELINE,
    Replay,
    ReplayLoop,
    product_settings,
)
from stockwise.replay.metrics import product_metrics, summarise
from stockwise.replay.review_forecasts import (
    LEVELS,
    ForecastFunction,
    RefitSchedule,
    ReviewForecasts,
    long_frame,
)

HORIZON_MARGIN = 7
PRODUCT_SCALARS = (
    "lead_time_days",
    "lead_time_std_days",
    "unit_cost",
    "moq",
    "pack_size",
    "shelf_life_days",
    "service_level",
)
"""The options an inventory table may set per product (:func:`.loop.product_settings`)."""
BASELINE_SOURCE = "SeasonalNaive+normal"


@dataclass
class ReplayResult:
    """Outcome of one replay: the configuration, overall figures and the details."""

    config: dict[str, Any]
    summary: dict[str, Any]
    """Configuration fields + :func:`.metrics.summarise` + run times."""
    products: pd.DataFrame
    """One row per product (:data:`.metrics.PRODUCT_METRICS`)."""
    trace: pd.DataFrame
    """One row per product and replayed day: demand, served, short, received, ordered,
    on_hand (end of day), on_order, backlog, waste, review, evaluated, cycle."""
    reviews: pd.DataFrame
    """One row per product and review: levels, position and the order (0 if none)."""


def replay_policy(
    history: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    forecast: str | Sequence[str] | ForecastFunction | ReviewForecasts = "SeasonalNaive",
    inventory: pd.DataFrame | None = None,
    config: ReplayConfig | None = None,
    **options: Any,
) -> ReplayResult:
    """Replay ``history`` (``unique_id, ds, y``) from ``start`` under one policy.

    ``config``: the options (:class:`~stockwise.replay.config.ReplayConfig`); keyword
    ``options`` are its fields, over ``config`` when both are given.

    ``inventory`` (one row per ``unique_id``) may set ``lead_time_days``,
    ``lead_time_std_days``, ``unit_cost``, ``moq``, ``pack_size``, ``shelf_life_days``
    and ``service_level`` per product; empty cells keep the scalar arguments. With
    ``forecast`` a :class:`ReviewForecasts`, its cached forecasts (and its ``refit_every``)
    are used. ``correlation`` ties the days of a demand path (see :mod:`.paths`);
    ``intermittent_paths="bootstrap"`` builds the paths of intermittent products from
    blocks of their own last year instead (:func:`.paths.bootstrap_paths`). ``exog``
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
    config = replace(config, **options) if config is not None else ReplayConfig(**options)
    replay = Replay.build(history, start)
    settings = product_settings(
        replay.ids,
        inventory,
        lead_time_days=config.lead_time_days,
        lead_time_std_days=config.lead_time_std_days,
        unit_cost=config.unit_cost,
        moq=config.moq,
        pack_size=config.pack_size,
        shelf_life_days=config.shelf_life_days,
        service_level=config.service_level,
    )
    described = {
        "policy": config.policy,
        "service_level": config.service_level,
        "target": config.target,
        "correlation": config.correlation if config.policy != BASELINE else np.nan,
        "lost_sales": config.lost_sales,
        "seed": config.seed,
        "intermittent_paths": config.intermittent_paths if config.policy != BASELINE else "",
        "calibrate_service": bool(config.calibrate_service) and config.policy != BASELINE,
    }
    source = None
    if config.policy == BASELINE:
        described["forecast"], described["refit_every"] = BASELINE_SOURCE, 1
    else:
        source = (
            forecast
            if isinstance(forecast, ReviewForecasts)
            else ReviewForecasts(
                history,
                forecast,
                levels=LEVELS,
                season_length=config.season_length,
                schedule=RefitSchedule(
                    config.refit_every, config.review_period_days, config.train_window
                ),
                horizon=config.horizon_days or horizon_for(settings, config.review_period_days),
                exog=config.exog,
            )
        )
        described["forecast"], described["refit_every"] = source.name, source.refit_every
        described["train_window"] = source.train_window
    fit_seconds = source.seconds if source else 0.0
    loop = ReplayLoop(
        replay,
        settings,
        policy=config.policy,
        source=source,
        review=config.review_period_days,
        lost_sales=config.lost_sales,
        cover=config.initial_cover_days,
        cover_window=config.initial_cover_window,
        n_paths=config.n_paths,
        seed=config.seed,
        target=config.target,
        correlation=config.correlation,
        season=config.season_length,
        holding=config.holding_cost_rate,
        ordering=config.ordering_cost,
        min_history=config.min_history or 2 * config.season_length,
        window=config.baseline_window,
        intermittent_paths=config.intermittent_paths,
        calibrate_service=described["calibrate_service"],
        calibration_warmup=config.calibration_warmup,
    )
    trace, reviews = loop.run()
    products = product_metrics(trace, settings)
    label = _label(config, described)
    summary = {
        "label": label,
        **described,
        **summarise(products, config.lost_sales),
        "forecast_seconds": (source.seconds - fit_seconds) if source else 0.0,
        "seconds": time.perf_counter() - started,
    }
    return ReplayResult(described, summary, products, trace, reviews)


def _label(config: ReplayConfig, described: dict[str, Any]) -> str:
    """ "RS/AutoETS/0.95/rho=0.5": the replay's name in a comparison table."""
    label = f"{config.policy}/{described['forecast']}/{config.service_level:g}"
    if config.is_baseline:
        return label
    return (
        label
        + f"/rho={config.correlation:g}"
        + ("/boot" if config.intermittent_paths == "bootstrap" else "")
        + ("" if described["calibrate_service"] else "/uncalibrated")
        + ("/fill-rate" if config.target == "fill_rate" else "")
    )


def replay_policies(
    history: pd.DataFrame,
    configs: Sequence[dict[str, Any]],
    *,
    start: str | pd.Timestamp,
    baseline_levels: Sequence[float] | None = None,
    progress: Report | None = None,
    **common: Any,
) -> list[ReplayResult]:
    """Run each configuration (keyword arguments of :func:`replay_policy` over ``common``).

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
        results.append(replay_policy(history, start=start, **options))
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
    """One summary row per configuration (see :func:`replay_policies`), baseline included."""
    return pd.DataFrame(
        [r.summary for r in replay_policies(history, configs, start=start, **common)]
    )


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
    exog = tuple(options.get("exog") or options.get("drivers") or ())
    key = (
        source if isinstance(source, str) else repr(source),
        options.get("refit_every", 1),
        options.get("train_window"),
        options.get("season_length", 7),
        review,
        exog,
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
            schedule=RefitSchedule(
                options.get("refit_every", 1), review, options.get("train_window")
            ),
            exog=exog,
        )
    return shared[key]


def _scalars(options: dict[str, Any]) -> dict[str, Any]:
    """The per-product settings among ``options`` (the defaults where not given)."""
    defaults = ReplayConfig()
    return {k: options.get(k, getattr(defaults, k)) for k in PRODUCT_SCALARS}


_FORMER_NAMES: dict[str, Any] = {
    "simulate": replay_policy,
    "simulate_many": replay_policies,
    "SimulationResult": ReplayResult,
}
"""Names this module's functions had while "simulate" also meant the synthetic data's
demand and stock; read for one release with a FutureWarning, so that scripts keep
working, then dropped: "replay" is the closed loop's one verb."""


def __getattr__(name: str) -> Any:
    if name in _FORMER_NAMES:
        new = _FORMER_NAMES[name]
        warnings.warn(
            f"stockwise.replay.simulation.{name} is deprecated: use {new.__name__}",
            FutureWarning,
            stacklevel=2,
        )
        return new
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
