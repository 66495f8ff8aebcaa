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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.adapters.storage import Storage
from stockwise.api.run_inputs import StoredData, read_stored
from stockwise.api.run_results import money_summary, store_results, track_run, unplanned_notes
from stockwise.api.settings import Settings
from stockwise.data.holes import describe_holes, find_holes
from stockwise.errors import InputError, NothingUsableError
from stockwise.inventory.budget import BudgetOutcome
from stockwise.progress import Report, Step, shares, within
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_outputs import ChunkCollector
from stockwise.workflows.plan_outputs import concat_tables as _concat
from stockwise.workflows.plan_settings import PlanSettings, plan_settings
from stockwise.workflows.sector_forecast import SectorForecasts
from stockwise.workflows.tracking import NullTracker, Tracker

__all__ = ["execute_run", "money_summary", "unplanned_notes"]

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


@dataclass
class RunOutcome:
    """What a run made, before it is stored: the forecasts, a plan run's tables
    (``plan``, ``projection``, ``alerts``; empty for a forecast run), the long holes of
    the sales, the notes for the reader, and a plan run's settings and budget."""

    forecasts: SectorForecasts
    plan: dict[str, pd.DataFrame] = field(default_factory=dict)
    holes: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    settings: PlanSettings | None = None
    budget: BudgetOutcome | None = None


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
    data = read_stored(storage, kind, params)
    with _naming_planned_gaps(data.drivers):
        if kind == "forecast":
            outcome = _forecast_run(data, params, progress)
        else:
            config = PlanConfig.from_request(params, chunk_size=settings.chunk_size)
            outcome = _plan_run(data, config, progress, settings)
    outcome.notes.extend(_general_notes(outcome, data.drivers))
    if not isinstance(tracker, NullTracker):
        progress(0.9, "recording the run in MLflow")
        track_run(tracker, kind, data.sales, params, outcome.forecasts, outcome.plan)
    progress(0.92, "storing the results")
    summary = store_results(
        storage, run_id, outcome.forecasts.forecasts, outcome.plan, outcome.notes
    )
    if outcome.settings is not None:
        summary["settings"] = outcome.settings.to_dict()
    if outcome.plan:
        summary["money"] = money_summary(outcome.plan["plan"], outcome.budget)
    return summary


def _general_notes(outcome: RunOutcome, drivers: list[str]) -> list[str]:
    """The notes of any run: the holes of the sales, and drivers no chosen model used."""
    notes = []
    said = describe_holes(outcome.holes)
    if said:
        notes.append(said)
    if drivers and not any(
        getattr(model, "supports_exog", False)
        for fits in outcome.forecasts.models.values()
        for model in fits.values()
    ):
        notes.append(
            f"drivers {drivers} not used: none of the chosen models takes inputs "
            "(name LightGBM or XGBoost in models)"
        )
    return notes


def _forecast_run(data: StoredData, params: dict[str, Any], progress: Progress) -> RunOutcome:
    """A forecast run: each sector's forecasts, joined."""
    parts = list(_forecast_sectors(data.sales, params, data.planned, data.drivers, progress))
    return RunOutcome(_combine(parts), holes=find_holes(data.sales))


def _plan_run(
    data: StoredData, config: PlanConfig, progress: Progress, settings: Settings
) -> RunOutcome:
    """A plan run: the chunked plan, its tables, notes, settings and budget."""
    assert data.inventory is not None and data.batches is not None
    stock = data.inventory.drop(columns="as_of")
    notes: list[str] = []
    collected, config = _plan_chunks(data, stock, config, progress, settings, notes)
    plan = {
        "plan": collected.plan,
        "projection": collected.table("projection"),
        "alerts": collected.alerts,
    }
    notes.extend(unplanned_notes(collected.table("unplanned")))
    return RunOutcome(
        collected.forecasts_result(),
        plan,
        collected.table("holes"),
        notes,
        plan_settings(config, plan["plan"], stock, collected.settings),
        collected.budgeted(),
    )


def _forecast_sectors(
    sales: pd.DataFrame,
    params: dict[str, Any],
    planned: pd.DataFrame | None,
    drivers: list[str],
    progress: Progress,
) -> Iterator[SectorForecasts]:
    from stockwise.workflows.sector_forecast import SectorRunConfig, forecast_sectors

    sector = None if S.SECTOR in sales else params.get("sector")
    config = SectorRunConfig.from_request(params, sector=sector, drivers=drivers)
    groups = list(_sector_groups(sales))
    spans = shares([rows[S.UNIQUE_ID].nunique() for _, rows in groups])
    for index, (name, rows) in enumerate(groups):
        label = (
            f"sector {name or '(none)'} ({index + 1} of {len(groups)})" if len(groups) > 1 else ""
        )
        steps = within(_as_steps(progress), *spans[index], label)
        yield forecast_sectors(rows, config, X_df=planned, progress=steps)


def _plan_chunks(
    data: StoredData,
    inventory: pd.DataFrame,
    config: PlanConfig,
    progress: Progress,
    settings: Settings,
    notes: list[str],
) -> tuple[ChunkCollector, PlanConfig]:
    """The chunked plan of every sector with an inventory snapshot, on the settings'
    engine; a sector without one is left out with a note, as before any planning. Also
    returns the plan's config, its first planned day fixed."""
    from stockwise.adapters.distributed import open_executor
    from stockwise.workflows.chunked_plan import RunHooks, plan_in_chunks

    sales = _stocked_sectors(data.sales, inventory, notes)
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
            batches=data.batches,
            X_df=data.planned,
            hooks=RunHooks(executor=executor, steps=_as_steps(progress)),
        )
    return collected, config


def _as_steps(progress: Progress, start: float = 0.05, end: float = 0.9) -> Report:
    """The workflows' steps as a run's progress: their share of the work mapped between
    reading the stored data (``start``) and storing the results (``end``), their words
    as the message."""

    def report(step: Step) -> None:
        progress(start + (end - start) * step.fraction, step.describe())

    return report


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
