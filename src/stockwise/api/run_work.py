"""What a background run does: stored data → library workflows → stored results.

The plan run goes through the chunked plan
(:func:`stockwise.workflows.chunked_plan.plan_in_chunks`) on the engine the settings
name (``STOCKWISE_ENGINE``: local, process or dask; ``STOCKWISE_DASK_SCHEDULER``). The
forecast run calls :func:`stockwise.workflows.sector_forecast.forecast_sectors` sector
by sector. Both report every step the workflows report (:mod:`stockwise.progress`) as
the run's progress and message ("chunk 2 of 5, sector pharmacy · backtesting candidate
3 of 4: SES"); on the process and dask engines a chunk's steps stay in its worker and
progress moves chunk by chunk. Each report is also where a cancelled run stops
(:class:`stockwise.api.jobs.RunCancelled`). Both read the stored sales, the latest
inventory snapshot and the stored batches; sales stored without any sector are planned
under the profile the run's ``sector`` names, as ``stockwise plan --sector`` plans a file
without a sector column, and a plan run's summary holds the settings that produced its bill
(:mod:`stockwise.workflows.plan_settings`). A run naming ``drivers`` (promo,
price …) also reads their history from the stored sales and their planned values from
the stored planned inputs, and passes both on. Results are written at the end,
in one transaction, so a failed or cancelled run stores no partial results. With a
tracker (settings ``STOCKWISE_TRACK=true``) the run is also recorded in MLflow like a CLI
run: parameters, data fingerprint, backtest scores, result files and each sector's
champion model.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.adapters.storage import Storage, queries
from stockwise.adapters.storage.frames import (
    batches_frame,
    inventory_frame,
    planned_frame,
    sales_frame,
)
from stockwise.adapters.storage.results import store_forecasts, store_plan
from stockwise.api.settings import Settings
from stockwise.cells import write_csv
from stockwise.data.holes import describe_holes, find_holes
from stockwise.errors import InputError, NothingUsableError, OptionError
from stockwise.inventory.budget import BudgetOutcome
from stockwise.progress import Report, Step, shares, within
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_outputs import ChunkCollector
from stockwise.workflows.plan_outputs import concat_tables as _concat
from stockwise.workflows.plan_settings import plan_settings
from stockwise.workflows.sector_forecast import SectorForecasts
from stockwise.workflows.tracking import NullTracker, Tracker, track_forecasts

Progress = Callable[[float, str], None]


def execute_run(
    storage: Storage,
    run_id: str,
    kind: str,
    params: dict[str, Any],
    progress: Progress,
    tracker: Tracker | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Run a ``plan`` or ``forecast`` job; return its summary. ``settings`` name the
    engine of plan runs and its chunk size (default: in this process)."""
    tracker = tracker or NullTracker()
    settings = settings or Settings.model_construct()  # the defaults, not the environment
    with tracker.start_run(kind, tags={"stockwise.kind": kind, "stockwise.api_run": run_id}):
        summary = _execute(storage, run_id, kind, params, progress, tracker, settings)
    mlflow_run = getattr(tracker, "last_run_id", None)
    if mlflow_run:
        summary["mlflow_run_id"] = mlflow_run
    return summary


def _execute(
    storage: Storage,
    run_id: str,
    kind: str,
    params: dict[str, Any],
    progress: Progress,
    tracker: Tracker,
    settings: Settings,
) -> dict[str, Any]:
    progress(0.02, "reading the stored data")
    drivers = list(dict.fromkeys(params.get("drivers") or ()))
    sector = params.get("sector")
    where = f" for sector {sector!r}" if sector else ""
    with storage.session() as session:
        stored_sectors = queries.sector_names(session)
        as_profile = sector is not None and not stored_sectors
        sales = _without_empty_sector(
            sales_frame(session, None if as_profile else sector, extras=drivers)
        )
        inventory = inventory_frame(session) if kind == "plan" else None
        batches = batches_frame(session) if kind == "plan" else None
        planned = (
            planned_frame(
                session, drivers, None if as_profile else sector, after=_earliest_end(sales)
            )
            if drivers
            else None
        )
    if sales.empty and sector and stored_sectors:
        raise NothingUsableError(
            f"no sales stored{where}; the stored sectors are {', '.join(stored_sectors)}"
        )
    if sales.empty:
        raise NothingUsableError(
            f"no sales stored{where}: upload sales first (POST /api/v1/uploads/sales)"
        )
    if as_profile and sector is not None:
        _require_profile(sector)
    if planned is not None and planned.empty:
        raise NothingUsableError(
            f"drivers {drivers} need their planned values for the "
            f"forecast periods, and none are stored{where}: upload "
            "them first (POST /api/v1/uploads/planned)"
        )
    notes: list[str] = []
    plan: dict[str, pd.DataFrame] = {}
    described = None
    capped = None
    with _naming_planned_gaps(drivers):
        if kind == "forecast":
            combined = _combine(list(_forecast_sectors(sales, params, planned, drivers, progress)))
            holes = find_holes(sales)
        else:
            assert inventory is not None and batches is not None
            stock = inventory.drop(columns="as_of")
            collected, config = _plan_chunks(
                sales, stock, batches, planned, params, progress, settings, notes
            )
            combined = collected.forecasts_result()
            plan = {
                "plan": collected.plan,
                "projection": collected.table("projection"),
                "alerts": collected.alerts,
            }
            holes = collected.table("holes")
            notes.extend(unplanned_notes(collected.table("unplanned")))
            capped = collected.budgeted()
            described = plan_settings(config, plan["plan"], stock, collected.settings)
    said = describe_holes(holes)
    if said:
        notes.append(said)
    if drivers and not any(
        getattr(model, "supports_exog", False)
        for fits in combined.models.values()
        for model in fits.values()
    ):
        notes.append(
            f"drivers {drivers} not used: none of the chosen models takes inputs "
            "(name LightGBM or XGBoost in models)"
        )
    if not isinstance(tracker, NullTracker):
        progress(0.9, "recording the run in MLflow")
        _track(tracker, kind, sales, params, combined, plan)
    progress(0.92, "storing the results")
    summary = _store(storage, run_id, combined.forecasts, plan, notes)
    if described is not None:
        summary["settings"] = described.to_dict()
    if plan:
        summary["money"] = money_summary(plan["plan"], capped)
    return summary


def _forecast_sectors(
    sales: pd.DataFrame,
    params: dict[str, Any],
    planned: pd.DataFrame | None,
    drivers: list[str],
    progress: Progress,
) -> Iterator[SectorForecasts]:
    from stockwise.workflows.sector_forecast import forecast_sectors

    groups = list(_sector_groups(sales))
    spans = shares([rows[S.UNIQUE_ID].nunique() for _, rows in groups])
    for index, (name, rows) in enumerate(groups):
        label = (
            f"sector {name or '(none)'} ({index + 1} of {len(groups)})" if len(groups) > 1 else ""
        )
        steps = within(_as_steps(progress), *spans[index], label)
        yield forecast_sectors(
            rows,
            horizon=params.get("horizon"),
            progress=steps,
            models=params.get("models", "auto"),
            levels=params.get("levels"),
            n_windows=params.get("n_windows", 2),
            planned=planned,
            drivers=drivers,
            quality=params.get("quality", "fast"),
            freq=params.get("freq"),
            season_length=params.get("season_length"),
            sector=None if S.SECTOR in sales else params.get("sector"),
        )


def _plan_chunks(
    sales: pd.DataFrame,
    inventory: pd.DataFrame,
    batches: pd.DataFrame,
    planned: pd.DataFrame | None,
    params: dict[str, Any],
    progress: Progress,
    settings: Settings,
    notes: list[str],
) -> tuple[ChunkCollector, PlanConfig]:
    """The chunked plan of every sector with an inventory snapshot, on the settings'
    engine; a sector without one is left out with a note, as before any planning. Also
    returns the plan's config, its first planned day fixed."""
    from stockwise.adapters.distributed import open_executor
    from stockwise.workflows.chunked_plan import plan_in_chunks
    from stockwise.workflows.plan_config import as_model_names

    config = PlanConfig(
        sector=params.get("sector"),
        models=as_model_names(params.get("models", "auto")),
        n_windows=params.get("n_windows", 2),
        quality=params.get("quality", "fast"),
        policy=params.get("policy", S.POLICY_RS),
        target=params.get("target", "cycle_service_level"),
        seed=params.get("seed", 0),
        calibrate_service=params.get("calibrate_service", True),
        correct_censoring=params.get("correct_censoring", True),
        drivers=tuple(dict.fromkeys(params.get("drivers") or ())),
        chunk_size=settings.chunk_size,
        currency=params.get("currency"),
        budget=params.get("budget"),
        freq=params.get("freq"),
        season_length=params.get("season_length"),
    )
    sales = _stocked_sectors(sales, inventory, notes)
    config = config.with_today(sales).with_language(  # the profiles' language, as the CLI
        inventory[S.SECTOR].unique() if S.SECTOR in inventory else ()
    )

    progress(0.05, f"planning on the {settings.engine} engine")
    collected = ChunkCollector(budget=config.budget, inventory=inventory)
    with open_executor(
        settings.engine, workers=settings.engine_workers, scheduler=settings.dask_scheduler
    ) as executor:
        plan_in_chunks(
            sales,
            inventory,
            config,
            collected,
            batches=batches,
            planned=planned,
            executor=executor,
            steps=_as_steps(progress),
        )
    return collected, config


def _as_steps(progress: Progress, start: float = 0.05, end: float = 0.9) -> Report:
    """The workflows' steps as a run's progress: their share of the work mapped between
    reading the stored data (``start``) and storing the results (``end``), their words
    as the message."""

    def report(step: Step) -> None:
        progress(start + (end - start) * step.fraction, step.describe())

    return report


def money_summary(plan: pd.DataFrame, capped: BudgetOutcome | None) -> dict[str, Any]:
    """The run's totals per currency (:func:`stockwise.inventory.money.totals`) and, with
    a budget, what it spent and left out: what the CLI summary prints."""
    from stockwise.inventory.money import totals

    out: dict[str, Any] = {
        "totals": [
            {k: _plain(v) for k, v in row.items()} for row in totals(plan).to_dict("records")
        ]
    }
    if capped is not None:
        cut = capped.left_out
        out["budget"] = {
            "budget": capped.budget,
            "currency": capped.currency,
            "spent": capped.spent,
            "lines_cut": len(cut),
            "value_left_out": float(cut["value_left_out"].sum()),
            "risk_left": float(cut["risk_left"].sum()),
            "summary": capped.summary(),
        }
    return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _stocked_sectors(
    sales: pd.DataFrame, inventory: pd.DataFrame, notes: list[str]
) -> pd.DataFrame:
    """The sales of the sectors with at least one product in the inventory snapshot."""
    sector = (
        sales[S.SECTOR].fillna("(none)").astype(str)
        if S.SECTOR in sales
        else pd.Series("(none)", index=sales.index)
    )
    stocked = sales[S.UNIQUE_ID].isin(set(inventory[S.UNIQUE_ID])).groupby(sector).any()
    notes.extend(
        f"sector {name}: no inventory snapshot, not planned"
        for name, has in stocked.items()
        if not has
    )
    if stocked.any():
        return sales[sector.isin(stocked.index[stocked])]
    raise NothingUsableError(
        "no product has both sales and an inventory snapshot: "
        "upload inventory first (POST /api/v1/uploads/inventory)"
    )


def _without_empty_sector(sales: pd.DataFrame) -> pd.DataFrame:
    """Sales stored without any sector read as a file without a sector column, so a
    run plans them as the command line does (under the profile the run names)."""
    if S.SECTOR in sales and sales[S.SECTOR].isna().all():
        return sales.drop(columns=S.SECTOR)
    return sales


def _require_profile(name: str) -> None:
    """A sector asked for on sales stored without sectors names the profile to plan
    them under: it must exist."""
    from stockwise.sectors import list_profiles

    known = list_profiles()
    if name not in known:
        raise OptionError(
            f"sector {name!r}: the stored sales have no sector, so it names "
            f"the profile to plan them under, and there is no profile "
            f"{name!r}; use one of {', '.join(known)}"
        )


def _earliest_end(sales: pd.DataFrame) -> dt.date | None:
    """The first day any series' history ends: planned days after it may be forecast."""
    if sales.empty:
        return None
    return sales.groupby(S.UNIQUE_ID)[S.DS].max().min().date()


@contextmanager
def _naming_planned_gaps(drivers: list[str]) -> Iterator[None]:
    """A forecast missing planned values of a driver says where to upload them."""
    try:
        yield
    except InputError as exc:
        if exc.column in drivers and exc.hint is None:
            exc.hint = (
                "Upload the planned values of every forecast period (POST /api/v1/uploads/planned)."
            )
        raise


def _combine(parts: list[SectorForecasts]) -> SectorForecasts:
    def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return _concat([f for f in frames if not f.empty])

    return SectorForecasts(
        concat([p.forecasts for p in parts]),
        concat([p.selection for p in parts]),
        concat([p.metrics for p in parts]),
        [s for p in parts for s in p.settings],
        {k: v for p in parts for k, v in p.models.items()},
        concat([p.backtest for p in parts]),
    )


def _track(
    tracker: Tracker,
    kind: str,
    sales: pd.DataFrame,
    params: dict[str, Any],
    result: SectorForecasts,
    plan: dict[str, pd.DataFrame],
) -> None:
    with tempfile.TemporaryDirectory(prefix="stockwise-run-") as folder:
        out = Path(folder)
        tables = {"forecasts": result.forecasts, "selection": result.selection}
        if plan:
            tables.update(plan=plan["plan"], alerts=plan["alerts"])
        files = {}
        for name, table in tables.items():
            files[name] = out / f"{name}.csv"
            write_csv(table, files[name])
        track_forecasts(
            tracker, kind, sales=sales, options=params, result=result, out_dir=out, files=files
        )


def _sector_groups(sales: pd.DataFrame) -> Iterator[tuple[str | None, pd.DataFrame]]:
    """One group per sector; rows without a sector form one group without the column."""
    if S.SECTOR not in sales:
        yield None, sales
        return
    known = sales[S.SECTOR].notna()
    for name, rows in sales[known].groupby(S.SECTOR, sort=True):
        yield str(name), rows.reset_index(drop=True)
    if (~known).any():
        yield None, sales[~known].drop(columns=S.SECTOR).reset_index(drop=True)


def unplanned_notes(unplanned: pd.DataFrame) -> list[str]:
    """One note per reason an inventory product was not planned, with examples."""
    if unplanned.empty:
        return []
    return [
        f"{len(rows)} products not planned: {reason} (e.g. "
        f"{', '.join(rows[S.UNIQUE_ID].astype(str).head(3))})"
        for reason, rows in unplanned.groupby("reason", sort=False)
    ]


def _store(
    storage: Storage,
    run_id: str,
    table: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
) -> dict[str, Any]:
    """Store the forecasts and (a plan run's) plan, projection and alerts, sorted."""
    summary: dict[str, Any] = {"notes": notes}
    with storage.transaction() as session:
        summary["forecast_rows"] = store_forecasts(session, run_id, table)
        summary["products"] = int(table[S.UNIQUE_ID].nunique())
        if tables:
            plan = tables["plan"]
            lines, n_alerts = store_plan(
                session, run_id, plan, tables["projection"], tables["alerts"]
            )
            summary.update(
                plan_lines=lines,
                alerts=n_alerts,
                orders_now=int(((plan["urgency"] == "order now") & (plan["order_qty"] > 0)).sum()),
            )
    return summary
