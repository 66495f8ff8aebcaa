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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.partition import PartedSales, SalesRef, series_blocks
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.errors import OptionError
from stockwise.inventory.budget import BudgetOutcome
from stockwise.inventory.plan import unplanned_frame
from stockwise.models.base import Forecaster
from stockwise.ports.executors import Executor, InProcessExecutor
from stockwise.progress import Report, Step, shares, step, within
from stockwise.report.settings_view import SETTINGS_FILE
from stockwise.sectors import load_profile
from stockwise.workflows.plan_config import PlanConfig, plan_inventory_with
from stockwise.workflows.plan_outputs import ChunkSink, PlanWriter, write_parts
from stockwise.workflows.plan_settings import PlanSettings, plan_settings
from stockwise.workflows.plan_validation import validate_plan_inputs
from stockwise.workflows.plan_writing import plan_tables
from stockwise.workflows.sector_forecast import Settings
from stockwise.workflows.stages import StageClock, StageTime
from stockwise.workflows.tracking import NullTracker, Tracker, track_forecasts
from stockwise.workflows.validate import ValidationRun

log = logging.getLogger(__name__)
VALIDATE_SHARE, WRITE_FROM = 0.05, 0.97
"""Shares of a plan from files reported for validating (up to 5 %) and writing (the last
3 %): the chunks take the rest."""


@dataclass(frozen=True)
class PlanChunk:
    """The input rows of one chunk: a set of series of one sector (None: no sector)."""

    index: int
    sector: str | None
    sales: pd.DataFrame | SalesRef
    """The rows, or where a worker on this machine reads them itself."""
    inventory: pd.DataFrame
    batches: pd.DataFrame | None = None
    planned: pd.DataFrame | None = None
    keep_models: bool = False
    """Return the fitted models (the first chunk of each sector: what tracking logs)."""
    parts_dir: str | None = None
    """Write the big tables here as Parquet parts instead of returning them."""
    drop_sector: bool = False
    """Plan these series without their (empty) sector column: under the profile the
    ``sector`` option names, or the generic defaults."""

    @property
    def n_series(self) -> int:
        if isinstance(self.sales, SalesRef):
            return len(set(self.sales.ids))
        return int(self.sales[S.UNIQUE_ID].nunique())

    def sales_rows(self) -> pd.DataFrame:
        sales = self.sales.load() if isinstance(self.sales, SalesRef) else self.sales
        return sales.drop(columns=S.SECTOR) if self.drop_sector else sales


@dataclass
class ChunkResult:
    """What one chunk produced: its output tables and the time each stage took."""

    index: int
    sector: str | None
    n_series: int
    tables: dict[str, pd.DataFrame]
    """plan, alerts, projection, forecasts, selection[, backtest_metrics, censored_demand]"""
    timings: dict[str, StageTime]
    settings: list[Settings] = field(default_factory=list)
    models: dict[str, dict[str, Forecaster]] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    """The big tables this chunk wrote as parts itself (left out of ``tables``)."""


@dataclass(frozen=True)
class ChunkProgress:
    """Reported after each finished chunk: ``done`` of ``total``, and which one."""

    done: int
    total: int
    index: int
    sector: str | None
    n_series: int


Progress = Callable[[ChunkProgress], None]


def plan_chunk(chunk: PlanChunk, config: PlanConfig, progress: Report | None = None) -> ChunkResult:
    """Prepare, correct censoring, forecast and plan one chunk (``plan_inventory``);
    ``progress`` hears its stages (only where the chunk runs in the caller's thread)."""
    timings: dict[str, StageTime] = {}
    run = plan_inventory_with(
        chunk.sales_rows(),
        chunk.inventory,
        config,
        batches=chunk.batches,
        planned=chunk.planned,
        timings=timings,
        progress=progress,
    )
    tables = plan_tables(run)
    written: set[str] = set()
    if chunk.parts_dir is not None:
        written = write_parts(tables, Path(chunk.parts_dir), chunk.sector, chunk.index)
        tables = {name: table for name, table in tables.items() if name not in written}
    return ChunkResult(
        chunk.index,
        chunk.sector,
        chunk.n_series,
        tables,
        timings,
        list(run.forecasts.settings),
        run.forecasts.models if chunk.keep_models else {},
        written,
    )


@dataclass(frozen=True)
class ChunkSpec:
    """Which series a chunk holds (the layout; rows are cut only when it is built)."""

    index: int
    sector: str | None
    ids: tuple[str, ...]
    keep_models: bool


class Chunks:
    """The chunks of a run, built one at a time as they are iterated.

    ``len()`` is known up front (for progress); iterating cuts each chunk's rows from
    the tables when it is needed, so only the chunks in flight are copies. Sales held in
    part files (:class:`~stockwise.data.partition.PartedSales`) are read part by part.
    """

    def __init__(
        self,
        specs: list[ChunkSpec],
        tables: dict[str, pd.DataFrame | PartedSales | None],
        drop_sector_of: set[int],
    ) -> None:
        self.parts_dir: str | None = None
        """Set to let each chunk write its big tables there itself."""
        self.shares_files = False
        """Set when the chunks run on this machine: they read their sales parts there."""
        self.unplanned = unplanned_frame([])
        """Inventory products no chunk can plan, with the reason."""
        self.specs = specs
        self._tables = tables
        self._drop_sector_of = drop_sector_of
        ids = pd.Index([uid for spec in specs for uid in spec.ids])
        chunk_of = np.repeat(
            np.arange(len(specs), dtype=np.int32), [len(spec.ids) for spec in specs]
        )
        self._rows = {
            name: _rows_by_chunk(frame, ids, chunk_of, len(specs))
            for name, frame in tables.items()
            if isinstance(frame, pd.DataFrame)
        }

    def __len__(self) -> int:
        return len(self.specs)

    def __iter__(self) -> Iterator[PlanChunk]:
        for spec in self.specs:
            yield self.chunk(spec.index)

    def chunk(self, index: int) -> PlanChunk:
        spec = self.specs[index]
        parts = {name: self._cut(name, index) for name in self._tables if name != "sales"}
        sales = self._tables["sales"]
        rows = (
            sales.ref(spec.ids)
            if isinstance(sales, PartedSales) and self.shares_files
            else self._cut("sales", index)
        )
        return PlanChunk(
            spec.index,
            spec.sector,
            rows,
            parts["inventory"],
            parts.get("batches"),
            parts.get("planned"),
            spec.keep_models,
            self.parts_dir,
            index in self._drop_sector_of,
        )

    def _cut(self, name: str, index: int) -> pd.DataFrame | None:
        frame = self._tables[name]
        if frame is None:
            return None
        if isinstance(frame, PartedSales):
            return frame.read(self.specs[index].ids)
        order, bounds = self._rows[name]
        return frame.iloc[order[bounds[index] : bounds[index + 1]]].reset_index(drop=True)


def split_chunks(
    sales: pd.DataFrame | PartedSales,
    inventory: pd.DataFrame,
    config: PlanConfig,
    *,
    batches: pd.DataFrame | None = None,
    planned: pd.DataFrame | None = None,
) -> Chunks:
    """Sector-pure chunks of at most ``config.chunk_size`` series, in a fixed order.

    Sectors in name order (series without a sector last), each sector's series sorted by
    ``unique_id`` and cut into the fewest chunks of at most ``chunk_size``, of near-equal
    sizes (:func:`~stockwise.data.partition.series_blocks`). The layout depends on the ids
    only, never on row order; within a chunk the rows keep the validated table's order.
    The first chunk of each sector returns its fitted models (for tracking).
    """
    listed = sales.series if isinstance(sales, PartedSales) else sales
    empty_column = S.SECTOR in listed.columns and bool(listed[S.SECTOR].isna().all())
    if empty_column:  # a sector column without a value: as if there were none
        listed = listed.drop(columns=S.SECTOR)
    has_sector = S.SECTOR in listed.columns
    if config.sector is not None and not has_sector:  # it names the profile of every series
        load_profile(config.sector, extra_dirs=config.extra_dirs)  # unknown: a clear error
    by_id = _sector_of_series(listed, config.sector)
    everyone = by_id.index if config.sector is None else _sector_of_series(listed, None).index
    specs: list[ChunkSpec] = []
    no_sector: set[int] = set()
    first_of: set[str | None] = set()
    blocks = series_blocks(by_id, config.chunk_size)
    unsold, unplaced = _stock_without_sales(
        inventory, set(everyone), config.sector, {sector for sector, _ in blocks}
    )
    for sector, ids in blocks:
        if (sector is None and has_sector) or empty_column:
            no_sector.add(len(specs))
        specs.append(ChunkSpec(len(specs), sector, tuple(ids.tolist()), sector not in first_of))
        first_of.add(sector)
    for sector, unsold_ids in unsold.items():  # to the last chunk of their sector
        last = max(i for i, spec in enumerate(specs) if spec.sector == sector)
        specs[last] = replace(specs[last], ids=specs[last].ids + tuple(unsold_ids))
    if unplaced:
        log.warning(
            "%d products have stock but no sales history, and no sales of their "
            "sector in this run (e.g. %s); not planned",
            len(unplaced),
            ", ".join(str(item[S.UNIQUE_ID]) for item in unplaced[:3]),
        )
    tables = {"sales": sales, "inventory": inventory, "batches": batches, "planned": planned}
    chunks = Chunks(specs, tables, no_sector)
    chunks.unplanned = unplanned_frame(unplaced)
    return chunks


def plan_in_chunks(
    sales: pd.DataFrame | PartedSales,
    inventory: pd.DataFrame,
    config: PlanConfig,
    sink: ChunkSink,
    *,
    batches: pd.DataFrame | None = None,
    planned: pd.DataFrame | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    steps: Report | None = None,
) -> int:
    """Plan every chunk on ``executor`` (default: here) and hand each result to ``sink``
    as it completes; ``progress`` hears of each finished chunk. Returns the chunk count.

    ``steps`` hears each finished chunk too, as a :class:`~stockwise.progress.Step` whose
    share of the job counts series, and, when the chunks run in this thread
    (``executor.runs_here``), each chunk's stages: a single chunk of 2,000 series then
    moves the bar sector by sector and candidate by candidate. Raising from either stops
    the job at that boundary.

    ``today`` is fixed from the whole sales table first, so all chunks plan from one day.
    """
    config = config.with_today(sales)
    chunks = split_chunks(sales, inventory, config, batches=batches, planned=planned)
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
    column_map: dict[str, str] | None = None,
    inventory_map: dict[str, str] | None = None,
    planned: str | Path | pd.DataFrame | None = None,
    executor: Executor | None = None,
    tracker: Tracker | None = None,
    progress: Progress | None = None,
    timings: dict[str, StageTime] | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    batches_map: dict[str, str] | None = None,
    reading: ReadOptions = NO_OPTIONS,
    steps: Report | None = None,
) -> tuple[ChunkedPlanRun, ValidationRun]:
    """Validate the files, plan them chunk by chunk, and stream every output to ``out_dir``
    (:class:`~stockwise.workflows.plan_outputs.PlanWriter` says which files).

    A Parquet sales file is never held whole: it is read and validated in parts of whole
    series (:mod:`stockwise.data.partition`) kept in a temporary folder (``$TMPDIR``)
    until the plan is written, and each chunk reads its part. ``timings``: when given,
    receives this process's wall and CPU time of "validate" (reading included), "chunks"
    (splitting, and waiting for the executor) and "write" (what is written at the end).
    ``bounds``: the plausible ranges of the inputs' numbers (:mod:`stockwise.data.bounds`).
    ``reading``: how to read the files (:class:`~stockwise.data.read_options.ReadOptions`),
    the same for the three; each has its mapping (``column_map`` is the sales file's).
    ``steps``: hears validating, the chunks (:func:`plan_in_chunks`) and writing.
    """
    from stockwise.data.planned import read_planned
    from stockwise.workflows.report import write_validation_summary

    future = read_planned(planned, config.drivers, reading) if planned is not None else None
    config = replace(config, reading=reading)  # the closed days, read in each chunk
    out = Path(out_dir)
    tracker = tracker or NullTracker()
    clock = StageClock(timings)
    (out / SETTINGS_FILE).unlink(missing_ok=True)  # never an earlier run's settings
    with (
        tracker.start_run("plan", tags={"stockwise.kind": "plan"}),
        tempfile.TemporaryDirectory(prefix="stockwise-parts-") as parts_dir,
    ):
        step(steps, "validating the files", 0, 1, span=(0.0, VALIDATE_SHARE))
        validation = validate_plan_inputs(
            sales,
            inventory,
            batches,
            column_map,
            inventory_map,
            out,
            parts_dir=Path(parts_dir),
            part_series=config.chunk_size,
            map_parts=executor.map if executor is not None and executor.shares_files else None,
            bounds=bounds,
            batches_map=batches_map,
            reading=reading,
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
            planned=future,
            executor=executor,
            progress=progress,
            steps=within(steps, VALIDATE_SHARE, WRITE_FROM),
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


def _stock_without_sales(
    inventory: pd.DataFrame, sold: set[str], sector: str | None, planned_sectors: set[str | None]
) -> tuple[dict[str | None, list[str]], list[dict]]:
    """Inventory products without any sales row: per chunk sector, those planned (at zero
    demand, as dead stock, by the chunk of their sector), and those that cannot be (no
    sales of their sector in this run). Another sector's products (``sector``) are
    neither."""
    ids = inventory[S.UNIQUE_ID].astype(str)
    if S.SECTOR in inventory.columns:
        sectors = [None if pd.isna(s) else str(s) for s in inventory[S.SECTOR]]
    else:
        sectors = [sector] * len(ids)
    placed: dict[str | None, list[str]] = {}
    unplaced: list[dict] = []
    on_hand = dict(zip(ids, inventory[S.ON_HAND], strict=True))
    first = dict(reversed(list(zip(ids, sectors, strict=True))))  # an id's first row
    for uid in sorted(set(first) - sold):
        own = first[uid]
        if sector is not None and own != sector:
            continue
        if own in planned_sectors:
            placed.setdefault(own, []).append(uid)
        else:
            why = (
                f"stock but no sales row, and no sales of its sector ({own}) in this run"
                if own is not None
                else "stock but no sales row, and no sector to plan it with (the sales have "
                "sectors, its inventory row has none)"
            )
            unplaced.append(
                {S.UNIQUE_ID: uid, S.SECTOR: own, S.ON_HAND: on_hand[uid], "reason": why}
            )
    return placed, unplaced


def _sector_of_series(sales: pd.DataFrame, sector: str | None) -> pd.Series:
    """Per unique_id (as text), its sector (None: none); only ``sector``'s when given."""
    if S.SECTOR not in sales.columns:
        ids = pd.Index(pd.unique(sales[S.UNIQUE_ID])).astype(str)
        return pd.Series(sector, index=ids, dtype=object)
    pairs = sales[[S.UNIQUE_ID, S.SECTOR]].drop_duplicates(S.UNIQUE_ID)
    by_id = pd.Series(
        [None if pd.isna(s) else str(s) for s in pairs[S.SECTOR]],
        index=pd.Index(pairs[S.UNIQUE_ID].astype(str)),
        dtype=object,
    )
    if sector is not None:
        by_id = by_id[by_id == sector]
        if by_id.empty:
            found = sorted(sales[S.SECTOR].dropna().astype(str).unique())
            raise OptionError(f"no rows of sector '{sector}'; the table has {found}")
    return by_id


def _rows_by_chunk(
    frame: pd.DataFrame, ids: pd.Index, chunk_of: np.ndarray, n_chunks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of ``frame`` grouped by chunk (input order within each) and the
    bounds of each chunk's slice; rows of series in no chunk are left out."""
    keys = frame[S.UNIQUE_ID]
    if pd.api.types.infer_dtype(keys, skipna=False) != "string":  # ids are matched as text
        keys = keys.astype(str)
    where = ids.get_indexer(keys)
    codes = np.where(where >= 0, chunk_of[np.maximum(where, 0)], -1).astype(np.int32)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes[codes >= 0], minlength=n_chunks)
    start = int((codes < 0).sum())
    bounds = np.concatenate([[0], np.cumsum(counts)]) + start
    dtype = np.int32 if len(frame) < np.iinfo(np.int32).max else np.int64
    return order.astype(dtype), bounds
