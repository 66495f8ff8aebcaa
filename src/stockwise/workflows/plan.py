"""From sales and stock to an order list: prepare → uncensor → forecast → plan → files.

Days with an empty shelf are corrected before forecasting (their sales are a lower bound
of demand), the forecasts are made per sector with extra quantile levels (the plan needs
the tails for high service levels) over a horizon long enough to cover each sector's
longest lead time plus two review periods, and the plan turns them into orders.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.cells import STANDARD, CsvFormat, round_to_meaning, write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.closed_calendar import read_closed_days
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS, describe_holes, find_holes, in_holes
from stockwise.data.identity import beside_id, identity_of
from stockwise.data.partition import PartMap, is_parquet_file, stream_sales
from stockwise.data.prepare import prepare_sales
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.inventory.budget import BudgetOutcome, apply_budget
from stockwise.inventory.censoring import uncensor_demand
from stockwise.inventory.money import by_supplier
from stockwise.inventory.new_products import since_listing
from stockwise.inventory.paths import is_intermittent
from stockwise.inventory.plan import InventoryPlan, build_plan
from stockwise.progress import Report, shares, step, within
from stockwise.report.order_list import write_order_workbook
from stockwise.sectors import SectorProfile, list_profiles, load_profile
from stockwise.words import SENTENCES, say_columns
from stockwise.workflows import plan_grain
from stockwise.workflows.forecast import ModelSpec
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.sector_forecast import SectorForecasts, forecast_sectors
from stockwise.workflows.stages import StageClock, StageTime
from stockwise.workflows.tracking import NullTracker, Tracker, track_forecasts
from stockwise.workflows.validate import ValidationRun, cross_check, validate_sources

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
    holes = _holes(prepared, profiles, sector)
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
        prices=_last_prices(sales),
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


def _holes(
    prepared: pd.DataFrame, profiles: dict[str, SectorProfile], sector: str | None
) -> pd.DataFrame:
    """The long holes of every series, each sector's by its profile's ``max_gap_days``;
    trailing holes run to the table's last date."""

    def threshold(name: object) -> int:
        profile = profiles.get(str(name)) if name is not None else None
        return profile.max_gap_days if profile is not None else DEFAULT_MAX_GAP_DAYS

    end = prepared[S.DS].max() if not prepared.empty else None
    if sector or S.SECTOR not in prepared.columns:
        return find_holes(prepared, max_gap_days=threshold(sector), end=end)
    parts = [
        find_holes(rows, max_gap_days=threshold(name), end=end)
        for name, rows in prepared.groupby(S.SECTOR, sort=True)
    ]
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else find_holes(prepared.iloc[:0])


def last_sales(
    sales: pd.DataFrame, inventory: pd.DataFrame, sector: str | None = None
) -> dict[str, pd.Timestamp | None]:
    """Per product this run plans, the day of its last sale (None: never sold).

    The run plans the products of ``sales``, and the inventory's products without any
    sales row — dead stock, or new products, planned at zero demand rather than left
    out — of the run's sectors when both tables say (``sector``, else those of the sales).
    """
    sold = sales[sales[S.Y] > 0]
    out: dict[str, pd.Timestamp | None] = dict.fromkeys(
        sales[S.UNIQUE_ID].dropna().astype(str).unique().tolist()
    )
    out.update(
        {
            str(uid): pd.Timestamp(day)
            for uid, day in sold.groupby(S.UNIQUE_ID)[S.DS].max().items()
            if not pd.isna(day)
        }
    )
    stock_only = inventory[~inventory[S.UNIQUE_ID].astype(str).isin(out)]
    if S.SECTOR in stock_only.columns and (sector is not None or S.SECTOR in sales.columns):
        sectors = {sector} if sector is not None else set(sales[S.SECTOR].dropna().astype(str))
        stock_only = stock_only[stock_only[S.SECTOR].astype(str).isin(sectors)]
    out.update(dict.fromkeys(stock_only[S.UNIQUE_ID].astype(str).tolist()))
    return out


def since_listing_by_product(sales: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Per product with a sale: days since its first row and units sold since (daily)."""
    runs = _product_runs(sales, by_date=True, sort_ids=True)
    parts: Iterable[tuple[object, np.ndarray]]
    if runs is None:  # dates that are not datetimes: let pandas order them
        frame = sales.sort_values([S.UNIQUE_ID, S.DS], kind="stable")
        parts = (
            (uid, part[S.Y].to_numpy(dtype=float))
            for uid, part in frame.groupby(S.UNIQUE_ID, sort=False)
        )
    else:
        parts = runs
    out = {}
    for uid, values in parts:
        record = since_listing(values)
        if record is not None:
            out[str(uid)] = record
    return out


def demand_groups(sales: pd.DataFrame, window: int = 365) -> dict[str, str]:
    """ "intermittent" or "smooth" per product from its last ``window`` days (ADI)."""
    recent = sales[sales[S.DS] > sales[S.DS].max() - pd.Timedelta(days=window)]
    runs = _product_runs(recent, by_date=False, sort_ids=False)
    assert runs is not None  # None only when ordering by date
    return {
        str(uid): "intermittent" if is_intermittent(values) else "smooth" for uid, values in runs
    }


def _product_runs(
    sales: pd.DataFrame, *, by_date: bool, sort_ids: bool
) -> list[tuple[object, np.ndarray]] | None:
    """Per product (sorted ids, or in order of first appearance), its ``y`` as floats, rows
    by date (stable; missing dates last) or as listed; rows without an id left out.

    The same products, rows and order as a ``groupby`` over the table sorted that way,
    but the table is ordered once with numpy instead of pandas sorting and splitting it
    per product. None when ``by_date`` and the dates are not datetimes or the ids not
    all text (pandas' own order of mixed ids is left to pandas).
    """
    if by_date and (
        not pd.api.types.is_datetime64_dtype(sales[S.DS])
        or pd.api.types.infer_dtype(sales[S.UNIQUE_ID]) != "string"
    ):
        return None
    codes, ids = pd.factorize(sales[S.UNIQUE_ID], sort=sort_ids)
    if by_date:
        dates = sales[S.DS].to_numpy().view(np.int64).copy()
        dates[pd.isna(sales[S.DS]).to_numpy()] = np.iinfo(np.int64).max
        order = np.lexsort((dates, codes))
    else:
        order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]
    codes = codes[order]
    values = sales[S.Y].to_numpy(dtype=float)[order]
    starts = np.flatnonzero(np.diff(codes, prepend=-1))
    ends = np.r_[starts[1:], len(codes)]
    return [
        (ids[code], values[lo:hi])
        for code, lo, hi in zip(codes[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)
    ]


def write_plan(
    run: PlanRun,
    out_dir: str | Path,
    config: PlanConfig | None = None,
    inventory: pd.DataFrame | None = None,
    csv_format: CsvFormat = STANDARD,
) -> dict[str, Path]:
    """plan.csv, plan.xlsx (formatted), alerts.csv, projection.csv, forecasts.csv, and
    with the run's ``config`` (and ``inventory``) settings.json and the workbook's
    "Settings" sheet (:mod:`stockwise.workflows.plan_settings`);
    orders_by_supplier.csv when the inventory names suppliers. CSV files in ``csv_format``."""
    from stockwise.report.settings_view import SETTINGS_FILE, settings_sheet
    from stockwise.workflows.plan_settings import plan_settings, write_settings

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    lang = (config.lang if config is not None else None) or "en"
    identity = identity_of(inventory)
    written = {
        name: beside_id(round_to_meaning(say_columns(table, lang, SENTENCES)), identity)
        for name, table in plan_tables(run).items()
    }
    for name, table in written.items():
        files[name] = out / f"{name}.csv"
        write_csv(table, files[name], csv_format)
    sheet = None
    (out / SETTINGS_FILE).unlink(missing_ok=True)  # never an earlier run's settings
    if config is not None:
        config = replace(config, today=config.today or run.plan.today.isoformat())
        settings = plan_settings(config, run.plan.plan, inventory, run.forecasts.settings)
        files["settings"] = write_settings(settings, out)
        sheet = settings_sheet(settings.to_dict())
    files.update(write_supplier_orders(run.plan.plan, out, csv_format))
    files["plan_xlsx"] = write_order_workbook(
        written["plan"],
        written["alerts"],
        out / "plan.xlsx",
        sheet,
        budget=run.budget.budget if run.budget is not None else None,
        lang=lang,
    )
    run.files = files
    return files


def write_supplier_orders(
    plan: pd.DataFrame, out: Path, csv_format: CsvFormat = STANDARD
) -> dict[str, Path]:
    """``orders_by_supplier.csv`` (:func:`stockwise.inventory.money.by_supplier`) when the
    plan names a supplier; an older copy is removed when it names none."""
    path = out / "orders_by_supplier.csv"
    if S.SUPPLIER not in plan or plan[S.SUPPLIER].isna().all():
        path.unlink(missing_ok=True)
        return {}
    write_csv(round_to_meaning(by_supplier(plan)), path, csv_format)
    return {"orders_by_supplier": path}


def plan_tables(run: PlanRun) -> dict[str, pd.DataFrame]:
    """The run's output tables by file name; censored_demand, backtest_metrics, holes and
    unplanned only when there is something in them."""
    tables = {
        "plan": run.plan.plan,
        "alerts": run.plan.alerts,
        "projection": run.plan.projection,
        "forecasts": run.forecasts.forecasts,
        "selection": run.forecasts.selection,
    }
    if not run.censoring.empty:
        tables["censored_demand"] = run.censoring
    if not run.forecasts.metrics.empty:
        tables["backtest_metrics"] = run.forecasts.metrics
    if not run.holes.empty:
        tables["holes"] = run.holes
    if not run.plan.unplanned.empty:
        tables["unplanned"] = run.plan.unplanned
    return tables


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


def _last_prices(sales: pd.DataFrame) -> pd.Series | None:
    """Per product, the price on its last date with one (ids sorted)."""
    if S.PRICE not in sales.columns:
        return None
    priced = sales.dropna(subset=[S.PRICE])
    last = _last_rows(priced)
    if last is None:  # ties on a product's last date, or ids / dates pandas must order
        return priced.sort_values(S.DS).groupby(S.UNIQUE_ID)[S.PRICE].last()
    rows, ids = last
    return pd.Series(
        priced[S.PRICE].to_numpy()[rows], index=pd.Index(ids, name=S.UNIQUE_ID), name=S.PRICE
    )


def _last_rows(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index] | None:
    """Positions of each product's row with the latest date, and the ids (sorted).

    None where which row a pandas sort puts last would be a matter of its sort algorithm
    (two rows of a product on its last date; missing dates) or the ids are not plain
    objects: the caller then asks pandas itself.
    """
    ids, dates = frame[S.UNIQUE_ID], frame[S.DS]
    if (
        frame.empty
        or ids.dtype != object
        or pd.api.types.infer_dtype(ids) != "string"
        or not pd.api.types.is_datetime64_dtype(dates)
        or dates.isna().any()
    ):
        return None
    codes, uniques = pd.factorize(ids, sort=True)
    keep = np.flatnonzero(codes >= 0)
    stamps = dates.to_numpy().view(np.int64)[keep]
    order = keep[np.lexsort((stamps, codes[keep]))]
    ends = np.flatnonzero(np.diff(codes[order], append=-2))
    last, before = order[ends], order[np.maximum(ends - 1, 0)]
    stamp = dates.to_numpy().view(np.int64)
    tied = (codes[before] == codes[last]) & (stamp[before] == stamp[last]) & (before != last)
    if tied.any():
        return None
    return last, uniques


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


def validate_plan_inputs(
    sales: str | Path | pd.DataFrame,
    inventory: str | Path | pd.DataFrame,
    batches: str | Path | pd.DataFrame | None,
    column_map: dict[str, str] | None,
    inventory_map: dict[str, str] | None,
    out: Path,
    *,
    parts_dir: Path | None = None,
    part_series: int = 2000,
    map_parts: PartMap | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    batches_map: dict[str, str] | None = None,
    reading: ReadOptions = NO_OPTIONS,
) -> ValidationRun:
    """Validate the plan's tables (quarantine files under ``out/validation``); stop with a
    clear error when one of them has nothing usable.

    ``parts_dir``: when given and ``sales`` is a Parquet file, the sales are read and
    validated in parts of ``part_series`` whole series kept there
    (:func:`~stockwise.data.partition.stream_sales`), never whole; ``map_parts`` (an
    executor's ``map``) validates the parts on its workers. ``bounds``: the plausible
    ranges of the numbers (:mod:`stockwise.data.bounds`), the same for every table.
    ``reading``: how to read the files, the same for every file (a streamed Parquet file
    has none of the CSV and Excel options to apply).
    """
    if parts_dir is not None and is_parquet_file(sales):
        parted = stream_sales(
            sales,
            parts_dir,
            out_dir=out / "validation",
            column_map=column_map,
            part_series=part_series,
            map_parts=map_parts,
            bounds=bounds,
        )
        others = validate_sources(
            None,
            inventory=inventory,
            batches=batches,
            inventory_map=inventory_map,
            batches_map=batches_map,
            out_dir=out / "validation",
            bounds=bounds,
            **reading.kwargs(),
        )
        tables = {"sales": parted, **others.tables}
        validation = ValidationRun(
            tables, {"sales": parted.files, **others.files}, cross_check(tables)
        )
    else:
        validation = validate_sources(
            sales,
            inventory=inventory,
            batches=batches,
            column_map=column_map,
            inventory_map=inventory_map,
            batches_map=batches_map,
            out_dir=out / "validation",
            bounds=bounds,
            **reading.kwargs(),
        )
    for table in validation.tables.values():
        table.require_usable()
    return validation
