"""From sales and stock to an order list: prepare → uncensor → forecast → plan → files.

Days with an empty shelf are corrected before forecasting (their sales are a lower bound
of demand), the forecasts are made per sector with extra quantile levels (the plan needs
the tails for high service levels) over a horizon long enough to cover each sector's
longest lead time plus two review periods, and the plan turns them into orders.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.data.closed_calendar import read_closed_days
from stockwise.data.holes import describe_holes, in_holes
from stockwise.data.prepare import prepare_sales
from stockwise.data.read_options import NO_OPTIONS
from stockwise.inventory.budget import BudgetOutcome, apply_budget
from stockwise.inventory.censoring import uncensor_demand
from stockwise.inventory.plan import InventoryPlan, build_plan
from stockwise.inventory.plan_options import PlanOptions, ProductFacts
from stockwise.progress import Report, shares, step, within
from stockwise.sectors import SectorProfile, list_profiles, load_profile
from stockwise.workflows import plan_grain
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_demand import (
    demand_groups,
    last_prices,
    last_sales,
    plan_holes,
    since_listing_by_product,
)
from stockwise.workflows.plan_demand import last_prices as _last_prices  # noqa: F401
from stockwise.workflows.plan_validation import PlanSources, validate_plan_inputs
from stockwise.workflows.plan_writing import plan_tables, write_plan, write_supplier_orders
from stockwise.workflows.sector_forecast import SectorForecasts, forecast_sectors
from stockwise.workflows.stages import StageClock, StageTime
from stockwise.workflows.tracking import NullTracker, Tracker, track_forecasts
from stockwise.workflows.validate import ValidationRun

__all__ = [
    "PlanRun",
    "demand_groups",
    "last_sales",
    "plan_files",
    "plan_inventory",
    "plan_tables",
    "since_listing_by_product",
    "validate_plan_inputs",
    "write_plan",
    "write_supplier_orders",
]

log = logging.getLogger(__name__)
PLAN_LEVELS = (50, 80, 90, 95, 98, 99)
FORECAST_SPAN = (0.1, 0.85)
"""Share of a plan reported for forecasting: preparing and correcting stockouts come
before it, building the order list after."""


@dataclass
class PlanRun:
    """What a planning run produced, and the files it wrote."""

    plan: InventoryPlan
    forecasts: SectorForecasts
    censoring: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    holes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The long holes of the sales (:func:`~stockwise.data.holes.find_holes`): missing
    data, left out of the forecasts, demand groups and new-product records."""
    demand_groups: dict[str, str] = field(default_factory=dict)
    """"intermittent" or "smooth" per product (:func:`demand_groups`)."""
    budget: BudgetOutcome | None = None
    """What a budget kept and left out (None: no budget)."""


@dataclass(frozen=True)
class PlanTables:
    """What a planning run takes beside its options: the tables that are data rather than
    settings, and the observers of the run (neither travels in a :class:`PlanConfig`)."""

    batches: pd.DataFrame | None = None
    X_df: pd.DataFrame | None = None
    """Future values of the known-ahead inputs (``config.exog``) over the horizon."""
    closed_calendar: pd.DataFrame | None = None
    """Days known closed, given as a frame (a file goes in ``config.closed_days``)."""
    timings: dict[str, StageTime] | None = None
    progress: Report | None = None


def plan_inventory(
    sales: pd.DataFrame,
    inventory: pd.DataFrame,
    *,
    batches: pd.DataFrame | None = None,
    X_df: pd.DataFrame | None = None,
    timings: dict[str, StageTime] | None = None,
    progress: Report | None = None,
    closed_days: str | Path | pd.DataFrame | None = None,
    **options: Any,
) -> PlanRun:
    """Plan orders for every product with an inventory row and sales history, and for the
    inventory's products without any (at zero demand, see :func:`last_sales`).

    ``calibrate_service``: order at the quantile level that served the target share of
    past protection intervals (for a fill-rate target: of the units asked for) in the
    forecasts' own backtest windows
    (:mod:`stockwise.inventory.service_calibration`), pooled per sector and demand group.
    ``X_df``/``exog``: future values of the known-ahead inputs (planned drivers: promo,
    price, ...) and the columns to use (default: all of ``X_df``'s), see
    :func:`stockwise.workflows.sector_forecast.forecast_sectors`; they must cover each
    sector's planning horizon (lead time + two reviews).
    ``timings``: when given, receives the wall and CPU time of each stage (prepare,
    censoring, forecast, plan).
    ``currency``: the ISO 4217 code of the plan's money (default: each sector profile's).
    ``budget``: cap the order list at this sum (:mod:`stockwise.inventory.budget`); the
    run's ``budget`` says what was left out.
    ``closed_days``: a calendar of days known closed (``ds``, optionally ``store``; a file
    or a frame, :func:`stockwise.data.closed_calendar.read_closed_days`, read as
    ``reading`` says), forecast 0.
    ``progress``: hears each stage, and each sector's forecasting steps
    (:mod:`stockwise.progress`); raising from it stops the plan there.
    ``freq``/``season_length``: the frequency to forecast at and its season (default:
    each sector profile's; hourly sales are planned on their daily totals, quarterly and
    yearly ones at their own frequency, :mod:`stockwise.workflows.plan_grain`); the
    forecasts are spread over days for the plan.
    ``cold_start``: series with fewer periods since their first sale are forecast from
    their peers (:mod:`stockwise.models.cold_start`; 0: none; None: the profiles').

    ``options``: the fields of :class:`~stockwise.workflows.plan_config.PlanConfig`
    (``sector``, ``models``, ``policy``, ``target``, ``budget``, ...), checked once by it;
    the run itself is :func:`plan_with_config`.
    """
    calendar = closed_days if isinstance(closed_days, pd.DataFrame) else None
    if closed_days is not None and calendar is None:
        options["closed_days"] = str(closed_days)
    tables = PlanTables(batches, X_df, calendar, timings, progress)
    return plan_with_config(sales, inventory, PlanConfig.from_options(options), tables)


def plan_with_config(
    sales: pd.DataFrame,
    inventory: pd.DataFrame,
    config: PlanConfig,
    tables: PlanTables = PlanTables(),
) -> PlanRun:
    """:func:`plan_inventory` for a built ``config``: what the CLI, the API and each chunk
    of a chunked run call. ``config.budget`` caps this run's order list (a chunk's config
    has none: the budget caps the joined list)."""
    progress = tables.progress
    clock = StageClock(tables.timings)
    step(progress, "preparing the sales", 0, 1, span=(0.0, 0.05))
    grain = plan_grain.data_grain(sales)
    if grain == "h":
        sales = plan_grain.hours_to_days(sales)
    prepared = prepare_sales(sales, freq="D", end=plan_grain.last_day(sales, grain))
    clock.lap("prepare")
    censoring = pd.DataFrame()
    if config.correct_censoring and prepared[S.STOCKOUT].any():
        step(progress, "correcting stocked-out days", 0, 1, span=(0.05, FORECAST_SPAN[0]))
        prepared = uncensor_demand(prepared)
        flagged = prepared[prepared["demand_corrected"]]
        censoring = flagged[[S.UNIQUE_ID, S.DS, "y_observed", S.Y]]
        log.info("corrected %d stocked-out days of demand", len(censoring))
    clock.lap("censoring")
    profiles = _profiles(prepared, config.sector, config.extra_dirs)
    holes = plan_holes(prepared, profiles, config.sector)
    if not holes.empty:  # the calendar's zeros there are no demand: no row, as given
        log.warning("%s", describe_holes(holes))
        prepared = prepared[~in_holes(prepared, holes)].reset_index(drop=True)
    calendar = tables.closed_calendar
    if calendar is None and config.closed_days is not None:
        calendar = read_closed_days(config.closed_days, config.reading or NO_OPTIONS)
    forecasts = _forecast(
        prepared,
        inventory,
        profiles,
        config,
        tables.X_df,
        calendar,
        within(progress, *FORECAST_SPAN),
        plan_grain.PlanCalendar(grain, config.freq, config.season_length),
    )
    clock.lap("forecast")
    step(progress, "building the order list", 0, 1, span=(FORECAST_SPAN[1], 1.0))
    sector_freq = {
        str(s): str(f)
        for s, f in forecasts.forecasts[[S.SECTOR, "freq"]]
        .drop_duplicates()
        .itertuples(index=False)
    }
    today = (
        pd.Timestamp(config.today)
        if config.today is not None
        else (pd.Timestamp(prepared[S.DS].max()) + pd.Timedelta(days=1))
    )
    groups = demand_groups(prepared)
    plan = build_plan(
        forecasts.forecasts,
        inventory,
        PlanOptions(
            profiles=profiles,
            today=today,
            freq=sector_freq,
            policy=config.policy,
            target=config.target,
            seed=config.seed,
            currency=config.currency,
        ),
        ProductFacts(
            batches=tables.batches,
            prices=last_prices(sales),
            backtest=forecasts.backtest if config.calibrate_service else None,
            demand_groups=groups,
            since_listing_by_product=since_listing_by_product(prepared),
            last_sale=last_sales(sales, inventory, config.sector),
        ),
    )
    capped = None
    if config.budget is not None:
        capped = apply_budget(plan.plan, config.budget, inventory)
        plan.plan = capped.plan
    clock.lap("plan")
    return PlanRun(plan, forecasts, censoring, holes=holes, demand_groups=groups, budget=capped)


def _profiles(
    sales: pd.DataFrame, sector: str | None, extra_dirs: tuple[str | Path, ...]
) -> dict[str, SectorProfile]:
    names = (
        [sector]
        if sector
        else (sorted(sales[S.SECTOR].dropna().astype(str).unique()) if S.SECTOR in sales else [])
    )
    if sector and S.SECTOR not in sales:  # it names the profile of every series
        load_profile(sector, extra_dirs=extra_dirs)  # unknown: a clear error, not defaults
    known = list_profiles(extra_dirs=extra_dirs)
    return {name: load_profile(name, extra_dirs=extra_dirs) for name in names if name in known}


def _forecast(
    prepared: pd.DataFrame,
    inventory: pd.DataFrame,
    profiles: dict[str, SectorProfile],
    config: PlanConfig,
    X_df: pd.DataFrame | None,
    closed_calendar: pd.DataFrame | None,
    progress: Report | None,
    plan_calendar: plan_grain.PlanCalendar = plan_grain.DAILY,
) -> SectorForecasts:
    """Forecast far enough ahead for the longest lead time + two reviews of each sector
    (``progress``: each sector's share in proportion to its series), at the frequency
    :class:`~stockwise.workflows.plan_grain.PlanCalendar` gives it."""
    parts = []
    groups = (
        [(config.sector, prepared)]
        if config.sector or S.SECTOR not in prepared
        else list(prepared.groupby(S.SECTOR, sort=True))
    )
    spans = shares([rows[S.UNIQUE_ID].nunique() for _, rows in groups])
    for index, (name, rows) in enumerate(groups):
        label = f"sector {name} ({index + 1} of {len(groups)})" if len(groups) > 1 else ""
        profile = profiles.get(str(name)) if name is not None else None
        ids = set(rows[S.UNIQUE_ID])
        stock = inventory[inventory[S.UNIQUE_ID].astype(str).isin(ids)]
        lead = stock[S.LEAD_TIME_DAYS].max() if S.LEAD_TIME_DAYS in stock else float("nan")
        if not math.isfinite(lead):
            lead = profile.lead_time_days.max if profile else 14.0
        review = profile.review_period_days if profile else 7
        freq = plan_calendar.freq_for(profile)
        needed_days = lead + 2 * review + 7
        horizon = plan_grain.horizon(profile, freq, needed_days)
        levels = tuple(sorted(set(PLAN_LEVELS) | set(profile.levels if profile else ())))
        own = freq == (profile.frequency if profile else "D")
        parts.append(
            forecast_sectors(
                rows,
                horizon=horizon,
                freq=None if own else freq,
                season_length=plan_calendar.season_length,
                sector=str(name) if profile is not None else None,
                models=config.models,
                levels=levels,
                n_windows=config.n_windows,
                extra_dirs=config.extra_dirs,
                X_df=X_df,
                exog=config.exog,
                quality=config.quality,
                closed_calendar=closed_calendar,
                progress=within(progress, *spans[index], label),
                cold_start=config.cold_start,
            )
        )
    return SectorForecasts(
        pd.concat([p.forecasts for p in parts], ignore_index=True),
        pd.concat([p.selection for p in parts], ignore_index=True),
        pd.concat([p.metrics for p in parts if not p.metrics.empty], ignore_index=True)
        if any(not p.metrics.empty for p in parts)
        else pd.DataFrame(),
        [s for p in parts for s in p.settings],
        {sector: models for p in parts for sector, models in p.models.items()},
        pd.concat([p.backtest for p in parts if not p.backtest.empty], ignore_index=True)
        if any(not p.backtest.empty for p in parts)
        else pd.DataFrame(),
    )


def plan_files(
    sales: str | Path | pd.DataFrame,
    inventory: str | Path | pd.DataFrame,
    out_dir: str | Path,
    *,
    batches: str | Path | pd.DataFrame | None = None,
    X_df: str | Path | pd.DataFrame | None = None,
    tracker: Tracker | None = None,
    **options: Any,
) -> tuple[PlanRun, ValidationRun]:
    """Validate the files, plan, and write every output (quarantine files included).

    ``options``: how to read the files (``column_map``, ``inventory_map``,
    ``batches_map``, ``bounds``, ``reading``: :class:`PlanSources`), and the plan's
    options (:class:`PlanConfig`; ``csv_format``: the CSV files' form, like the sales
    file by default). ``X_df``: a planned-inputs file (or frame) whose driver columns
    (or ``exog``) the forecasts use for the planning horizon.
    """
    sources = PlanSources.take(
        options, sales=sales, inventory=inventory, batches=batches, X_df=X_df
    )
    config = PlanConfig.from_options(options)
    tracked = {k: v for k, v in options.items() if k not in ("exog", "drivers", "csv_format")}
    out = Path(out_dir)
    tracker = tracker or NullTracker()
    with tracker.start_run("plan", tags={"stockwise.kind": "plan"}):
        validation = validate_plan_inputs(sources, out)
        tables = validation.tables
        run = plan_with_config(
            tables["sales"].data,
            tables["inventory"].data,
            config,
            PlanTables(
                tables["batches"].data if "batches" in tables else None,
                sources.planned_frame(config.exog),
            ),
        )
        write_plan(
            run,
            out,
            config,
            tables["inventory"].data,
            config.output_format(tables["sales"].report.dialect),
        )
        from stockwise.workflows.report import write_validation_summary

        run.files["validation_summary"] = write_validation_summary(validation, out / "validation")
        track_forecasts(
            tracker,
            "plan",
            sales=tables["sales"].data,
            options=tracked,
            result=run.forecasts,
            out_dir=out,
            files=run.files,
        )
    return run, validation
