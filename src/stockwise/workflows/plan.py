"""From sales and stock to an order list: prepare → uncensor → forecast → plan → files.

Days with an empty shelf are corrected before forecasting (their sales are a lower bound
of demand), the forecasts are made per sector with extra quantile levels (the plan needs
the tails for high service levels) over a horizon long enough to cover each sector's
longest lead time plus two review periods, and the plan turns them into orders.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.closed_calendar import read_closed_days
from stockwise.data.holes import describe_holes, in_holes
from stockwise.data.prepare import prepare_sales
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.inventory.budget import BudgetOutcome, apply_budget
from stockwise.inventory.censoring import uncensor_demand
from stockwise.inventory.plan import InventoryPlan, build_plan
from stockwise.progress import Report, shares, step, within
from stockwise.sectors import SectorProfile, list_profiles, load_profile
from stockwise.workflows import plan_grain
from stockwise.workflows.forecast import ModelSpec
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_demand import (
    demand_groups,
    last_prices,
    last_sales,
    plan_holes,
    since_listing_by_product,
)
from stockwise.workflows.plan_demand import last_prices as _last_prices  # noqa: F401
from stockwise.workflows.plan_validation import validate_plan_inputs
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


def plan_inventory(
    sales: pd.DataFrame,
    inventory: pd.DataFrame,
    *,
    batches: pd.DataFrame | None = None,
    sector: str | None = None,
    models: ModelSpec = "auto",
    n_windows: int = 2,
    policy: str = S.POLICY_RS,
    target: str = "cycle_service_level",
    correct_censoring: bool = True,
    extra_dirs: tuple[str | Path, ...] = (),
    today: pd.Timestamp | str | None = None,
    seed: int = 0,
    calibrate_service: bool = True,
    planned: pd.DataFrame | None = None,
    drivers: Sequence[str] = (),
    timings: dict[str, StageTime] | None = None,
    quality: str = "fast",
    currency: str | None = None,
    budget: float | None = None,
    closed_days: str | Path | pd.DataFrame | None = None,
    progress: Report | None = None,
    freq: str | None = None,
    season_length: int | None = None,
    cold_start: int | None = None,
    reading: ReadOptions = NO_OPTIONS,
) -> PlanRun:
    """Plan orders for every product with an inventory row and sales history, and for the
    inventory's products without any (at zero demand, see :func:`last_sales`).

    ``calibrate_service``: order at the quantile level that served the target share of
    past protection intervals (for a fill-rate target: of the units asked for) in the
    forecasts' own backtest windows
    (:mod:`stockwise.inventory.service_calibration`), pooled per sector and demand group.
    ``planned``/``drivers``: planned values of known-ahead drivers for the forecast
    periods (see :func:`stockwise.workflows.sector_forecast.forecast_sectors`); they must
    cover each sector's planning horizon (lead time + two reviews).
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
    """
    clock = StageClock(timings)
    step(progress, "preparing the sales", 0, 1, span=(0.0, 0.05))
    grain = plan_grain.data_grain(sales)
    if grain == "h":
        sales = plan_grain.hours_to_days(sales)
    prepared = prepare_sales(sales, freq="D", end=plan_grain.last_day(sales, grain))
    clock.lap("prepare")
    censoring = pd.DataFrame()
    if correct_censoring and prepared[S.STOCKOUT].any():
        step(progress, "correcting stocked-out days", 0, 1, span=(0.05, FORECAST_SPAN[0]))
        prepared = uncensor_demand(prepared)
        flagged = prepared[prepared["demand_corrected"]]
        censoring = flagged[[S.UNIQUE_ID, S.DS, "y_observed", S.Y]]
        log.info("corrected %d stocked-out days of demand", len(censoring))
    clock.lap("censoring")
    profiles = _profiles(prepared, sector, extra_dirs)
    holes = plan_holes(prepared, profiles, sector)
    if not holes.empty:  # the calendar's zeros there are no demand: no row, as given
        log.warning("%s", describe_holes(holes))
        prepared = prepared[~in_holes(prepared, holes)].reset_index(drop=True)
    calendar = read_closed_days(closed_days, reading) if closed_days is not None else None
    forecasts = _forecast(
        prepared,
        inventory,
        profiles,
        sector,
        models,
        n_windows,
        extra_dirs,
        planned,
        tuple(drivers),
        quality,
        calendar,
        within(progress, *FORECAST_SPAN),
        plan_grain.PlanCalendar(grain, freq, season_length),
        cold_start,
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
        pd.Timestamp(today)
        if today is not None
        else (pd.Timestamp(prepared[S.DS].max()) + pd.Timedelta(days=1))
    )
    groups = demand_groups(prepared)
    plan = build_plan(
        forecasts.forecasts,
        inventory,
        profiles=profiles,
        batches=batches,
        prices=last_prices(sales),
        today=today,
        freq=sector_freq,
        policy=policy,
        target=target,
        seed=seed,
        backtest=forecasts.backtest if calibrate_service else None,
        demand_groups=groups,
        since_listing_by_product=since_listing_by_product(prepared),
        last_sale=last_sales(sales, inventory, sector),
        currency=currency,
    )
    capped = None
    if budget is not None:
        capped = apply_budget(plan.plan, budget, inventory)
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
    sector: str | None,
    models: ModelSpec,
    n_windows: int,
    extra_dirs: tuple[str | Path, ...],
    planned: pd.DataFrame | None = None,
    drivers: tuple[str, ...] = (),
    quality: str = "fast",
    closed_calendar: pd.DataFrame | None = None,
    progress: Report | None = None,
    plan_calendar: plan_grain.PlanCalendar = plan_grain.DAILY,
    cold_start: int | None = None,
) -> SectorForecasts:
    """Forecast far enough ahead for the longest lead time + two reviews of each sector
    (``progress``: each sector's share in proportion to its series), at the frequency
    :class:`~stockwise.workflows.plan_grain.PlanCalendar` gives it."""
    parts = []
    groups = (
        [(sector, prepared)]
        if sector or S.SECTOR not in prepared
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
                models=models,
                levels=levels,
                n_windows=n_windows,
                extra_dirs=extra_dirs,
                planned=planned,
                drivers=drivers,
                quality=quality,
                closed_calendar=closed_calendar,
                progress=within(progress, *spans[index], label),
                cold_start=cold_start,
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
    column_map: dict[str, str] | None = None,
    inventory_map: dict[str, str] | None = None,
    tracker: Tracker | None = None,
    planned: str | Path | pd.DataFrame | None = None,
    drivers: Sequence[str] = (),
    bounds: Bounds = DEFAULT_BOUNDS,
    csv_format: str = "input",
    batches_map: dict[str, str] | None = None,
    reading: ReadOptions = NO_OPTIONS,
    **options: object,
) -> tuple[PlanRun, ValidationRun]:
    """Validate the files, plan, and write every output (quarantine files included).

    ``csv_format``: the CSV files' form, like the sales file by default
    (:attr:`PlanConfig.csv_format`).

    ``planned``: a planned-inputs file (:func:`stockwise.data.planned.read_planned`) whose
    driver columns (or ``drivers``) the forecasts use for the planning horizon.
    ``reading``: how to read the three files; each has its mapping (``column_map`` for
    the sales, ``inventory_map``, ``batches_map``).
    """
    from stockwise.data.planned import read_planned

    future = read_planned(planned, drivers, reading) if planned is not None else None
    out = Path(out_dir)
    tracker = tracker or NullTracker()
    with tracker.start_run("plan", tags={"stockwise.kind": "plan"}):
        validation = validate_plan_inputs(
            sales,
            inventory,
            batches,
            column_map,
            inventory_map,
            out,
            bounds=bounds,
            batches_map=batches_map,
            reading=reading,
        )
        tables = validation.tables
        run = plan_inventory(
            tables["sales"].data,
            tables["inventory"].data,
            batches=tables["batches"].data if "batches" in tables else None,
            planned=future,
            drivers=drivers,
            **options,  # type: ignore[arg-type]
        )
        config = PlanConfig.from_options(
            {**options, "drivers": tuple(drivers), "csv_format": csv_format}
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
            options=options,
            result=run.forecasts,
            out_dir=out,
            files=run.files,
        )
    return run, validation
