"""The plan as a map over chunks of series: split → ``plan_chunk`` on an executor → sink.

A chunk is the sales, inventory, batches and planned-input rows of a set of series of
**one sector** (profiles, frequencies and the pools below are per sector).
:func:`plan_chunk` is a pure module-level function of ``(chunk, config)``, so any
executor can run it — in this process, in a local process pool, or on Dask workers —
and every executor gets the same chunks, in the same order, hence the same plan.

What chunking changes: work that pools series — the service-level calibration (per
sector and demand group) and the demand-class segments of model selection — pools over
a chunk instead of the whole sector; and the demand sample paths come from one random
generator per chunk. That is why ``chunk_size`` is large by default (2,000 series):
pools stay big, and a ``chunk_size`` at least the number of series of a sector plans
that sector exactly as :func:`~stockwise.workflows.plan.plan_inventory` does.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.data.partition import PartedSales
from stockwise.inventory.budget import BudgetOutcome
from stockwise.inventory.plan import unplanned_frame
from stockwise.ports.executors import Executor, InProcessExecutor
from stockwise.progress import Report, Step, shares, step, within
from stockwise.report.settings_view import SETTINGS_FILE
from stockwise.workflows.chunking import (
    ChunkProgress,
    ChunkResult,
    Chunks,
    ChunkSpec,
    PlanChunk,
    plan_chunk,
    split_chunks,
)
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_outputs import ChunkSink, PlanWriter
from stockwise.workflows.plan_settings import PlanSettings, plan_settings
from stockwise.workflows.plan_validation import PlanSources, validate_plan_inputs
from stockwise.workflows.stages import StageClock, StageTime
from stockwise.workflows.tracking import NullTracker, Tracker, track_forecasts
from stockwise.workflows.validate import ValidationRun

__all__ = [
    "ChunkProgress",
    "ChunkResult",
    "ChunkSpec",
    "ChunkedPlanRun",
    "Chunks",
    "PlanChunk",
    "RunHooks",
    "plan_chunk",
    "plan_files_in_chunks",
    "plan_in_chunks",
    "plan_sources_in_chunks",
    "split_chunks",
]

log = logging.getLogger(__name__)
VALIDATE_SHARE, WRITE_FROM = 0.05, 0.97
"""Shares of a plan from files reported for validating (up to 5 %) and writing (the last
3 %): the chunks take the rest."""


Progress = Callable[[ChunkProgress], None]


@dataclass(frozen=True)
class RunHooks:
    """Where the chunks of a run go and who hears of it: the ``executor`` (default: this
    process), the ``tracker``, ``progress`` (each finished chunk), ``steps`` (validating,
    the chunks, writing) and ``timings`` (this process's wall and CPU time of "validate",
    reading included, "chunks", splitting and waiting for the executor, and "write")."""

    executor: Executor | None = None
    tracker: Tracker | None = None
    progress: Progress | None = None
    timings: dict[str, StageTime] | None = None
    steps: Report | None = None


def plan_in_chunks(
    sales: pd.DataFrame | PartedSales,
    inventory: pd.DataFrame,
    config: PlanConfig,
    sink: ChunkSink,
    *,
    batches: pd.DataFrame | None = None,
    X_df: pd.DataFrame | None = None,
    hooks: RunHooks = RunHooks(),
) -> int:
    """Plan every chunk on ``hooks.executor`` (default: here) and hand each result to
    ``sink`` as it completes; ``hooks.progress`` hears of each finished chunk. Returns the
    chunk count. (The hooks' tracker and timings belong to the whole run: unused here.)

    ``hooks.steps`` hears each finished chunk too, as a :class:`~stockwise.progress.Step` whose
    share of the job counts series, and, when the chunks run in this thread
    (``executor.runs_here``), each chunk's stages: a single chunk of 2,000 series then
    moves the bar sector by sector and candidate by candidate. Raising from either stops
    the job at that boundary.

    ``today`` is fixed from the whole sales table first, so all chunks plan from one day.
    ``X_df``: the future values of ``config.exog``, cut per chunk like the other tables.
    """
    executor, progress, steps = hooks.executor, hooks.progress, hooks.steps
    config = config.with_today(sales)
    chunks = split_chunks(sales, inventory, config, batches=batches, X_df=X_df)
    log.info(
        "planning %d series in %d chunk(s) of at most %d",
        sum(len(s.ids) for s in chunks.specs),
        len(chunks),
        config.chunk_size,
    )
    executor = executor or InProcessExecutor()
    if not chunks.unplanned.empty:
        sink.add_unplanned(chunks.unplanned)
    chunks.shares_files = executor.shares_files
    if sink.parts_dir is not None and executor.shares_files:
        chunks.parts_dir = str(sink.parts_dir)
    spans = shares([len(spec.ids) for spec in chunks.specs])
    work = (
        _reporting(steps, spans, chunks.specs)
        if steps is not None and getattr(executor, "runs_here", False)
        else plan_chunk
    )
    planned_share = 0.0
    for done, result in enumerate(executor.map(work, chunks, config), start=1):
        sink.write(result)
        if progress is not None:
            progress(ChunkProgress(done, len(chunks), result.index, result.sector, result.n_series))
        start, end = spans[result.index]
        planned_share += end - start
        if steps is not None:
            steps(Step("chunks planned", done, len(chunks), min(planned_share, 1.0)))
    return len(chunks)


def _reporting(
    steps: Report, spans: list[tuple[float, float]], specs: list[ChunkSpec]
) -> Callable[[PlanChunk, PlanConfig], ChunkResult]:
    """``plan_chunk`` that reports each chunk's stages in its share of the job (a chunk
    running in this thread: the closure is never sent anywhere)."""

    def work(chunk: PlanChunk, config: PlanConfig) -> ChunkResult:
        return plan_chunk(
            chunk, config, within(steps, *spans[chunk.index], _chunk_label(chunk, len(specs)))
        )

    return work


def _chunk_label(chunk: PlanChunk, total: int) -> str:
    """ "chunk 2 of 5, sector pharmacy"; without the count for a single chunk."""
    where = f"sector {chunk.sector}" if chunk.sector is not None else ""
    if total == 1:
        return where
    return f"chunk {chunk.index + 1} of {total}" + (f", {where}" if where else "")


@dataclass
class ChunkedPlanRun:
    """A chunked plan run from files: the order list, its alerts, the files written."""

    plan: pd.DataFrame
    alerts: pd.DataFrame
    files: dict[str, Path]
    chunks: pd.DataFrame
    """One row per chunk: sector, series, wall and CPU seconds per stage."""
    holes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The long holes of every chunk's sales (missing data, not zero sales)."""
    settings: PlanSettings | None = None
    """The settings that produced the plan (also in ``settings.json``)."""
    unplanned: pd.DataFrame = field(default_factory=lambda: unplanned_frame([]))
    """Inventory products not planned, and why."""
    budget: BudgetOutcome | None = None
    """What the budget kept and left out of the whole order list (None: no budget)."""
    lang: str = "en"
    """The language the run's files speak (``--lang``, else the profiles')."""


def plan_files_in_chunks(
    sales: str | Path | pd.DataFrame,
    inventory: str | Path | pd.DataFrame,
    out_dir: str | Path,
    config: PlanConfig,
    *,
    batches: str | Path | pd.DataFrame | None = None,
    X_df: str | Path | pd.DataFrame | None = None,
    **options: Any,
) -> tuple[ChunkedPlanRun, ValidationRun]:
    """:func:`plan_sources_in_chunks` with its two groups of options as keywords: how to
    read the files (``column_map``, ``inventory_map``, ``batches_map``, ``bounds``,
    ``reading``: :class:`~stockwise.workflows.plan_validation.PlanSources`) and the
    run's hooks (``executor``, ``tracker``, ``progress``, ``timings``, ``steps``:
    :class:`RunHooks`)."""
    sources = PlanSources.take(
        options, sales=sales, inventory=inventory, batches=batches, X_df=X_df
    )
    return plan_sources_in_chunks(sources, out_dir, config, RunHooks(**options))


def plan_sources_in_chunks(
    sources: PlanSources,
    out_dir: str | Path,
    config: PlanConfig,
    hooks: RunHooks = RunHooks(),
) -> tuple[ChunkedPlanRun, ValidationRun]:
    """Validate the files, plan them chunk by chunk, and stream every output to ``out_dir``
    (:class:`~stockwise.workflows.plan_outputs.PlanWriter` says which files).

    A Parquet sales file is never held whole: it is read and validated in parts of whole
    series (:mod:`stockwise.data.partition`) kept in a temporary folder (``$TMPDIR``)
    until the plan is written, and each chunk reads its part.
    """
    from stockwise.workflows.report import write_validation_summary

    future = sources.planned_frame(config.exog)
    config = replace(config, reading=sources.reading)  # the closed days, read in each chunk
    out = Path(out_dir)
    executor, steps = hooks.executor, hooks.steps
    tracker = hooks.tracker or NullTracker()
    clock = StageClock(hooks.timings)
    (out / SETTINGS_FILE).unlink(missing_ok=True)  # never an earlier run's settings
    with (
        tracker.start_run("plan", tags={"stockwise.kind": "plan"}),
        tempfile.TemporaryDirectory(prefix="stockwise-parts-") as parts_dir,
    ):
        step(steps, "validating the files", 0, 1, span=(0.0, VALIDATE_SHARE))
        validation = validate_plan_inputs(
            sources,
            out,
            parts_dir=Path(parts_dir),
            part_series=config.chunk_size,
            map_parts=executor.map if executor is not None and executor.shares_files else None,
        )
        clock.lap("validate")
        tables = validation.tables
        sales_table = tables["sales"]  # parts (a Parquet file) or the whole table
        sales_rows = sales_table if isinstance(sales_table, PartedSales) else sales_table.data
        n_series = (
            len(sales_table.series)
            if isinstance(sales_table, PartedSales)
            else int(sales_table.data[S.UNIQUE_ID].nunique())
        )
        stock = tables["inventory"].data
        config = config.with_language(stock[S.SECTOR].unique() if S.SECTOR in stock else ())
        writer = PlanWriter(
            out,
            n_series=n_series,
            budget=config.budget,
            inventory=tables["inventory"].data,
            csv_format=config.output_format(sales_table.report.dialect),
            lang=config.lang or "en",
        )
        config = config.with_today(sales_rows)
        plan_in_chunks(
            sales_rows,
            tables["inventory"].data,
            config,
            writer,
            batches=tables["batches"].data if "batches" in tables else None,
            X_df=future,
            hooks=replace(hooks, steps=within(steps, VALIDATE_SHARE, WRITE_FROM)),
        )
        clock.lap("chunks")
        step(steps, "writing the files", 0, 1, span=(WRITE_FROM, 1.0))
        plan = writer.plan
        settings = plan_settings(config, plan, tables["inventory"].data, writer.settings)
        files = writer.finish(settings, plan)
        files["validation_summary"] = write_validation_summary(validation, out / "validation")
        if not isinstance(tracker, NullTracker):  # reading the tables back costs
            track_forecasts(
                tracker,
                "plan",
                sales=sales_rows,
                options=vars(config),
                result=writer.forecasts_result(forecasts=False),
                out_dir=out,
                files=files,
            )
        clock.lap("write")
    return ChunkedPlanRun(
        plan,
        writer.alerts,
        files,
        writer.chunk_timings(),
        holes=writer.table("holes"),
        settings=settings,
        unplanned=writer.table("unplanned"),
        budget=writer.budgeted(),
        lang=config.lang or "en",
    ), validation
