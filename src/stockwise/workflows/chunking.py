"""Chunks of series for a chunked plan, and the plan of one chunk (:func:`plan_chunk`).

A chunk is the sales, inventory, batches and planned-input rows of a set of series of
**one sector** (profiles, frequencies and the pools of calibration and model selection
are per sector). Chunks are cut in a fixed order from the ids, so every executor gets
the same chunks, hence the same plan; ``plan_chunk`` is a pure module-level function of
``(chunk, config)`` so any executor can run it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.partition import PartedSales, SalesRef, series_blocks
from stockwise.errors import OptionError
from stockwise.inventory.plan import unplanned_frame
from stockwise.models.base import Forecaster
from stockwise.progress import Report
from stockwise.sectors import load_profile
from stockwise.workflows.plan_config import PlanConfig, plan_inventory_with
from stockwise.workflows.plan_outputs import write_parts
from stockwise.workflows.plan_writing import plan_tables
from stockwise.workflows.sector_forecast import Settings
from stockwise.workflows.stages import StageTime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanChunk:
    """The input rows of one chunk: a set of series of one sector (None: no sector)."""

    index: int
    sector: str | None
    sales: pd.DataFrame | SalesRef
    """The rows, or where a worker on this machine reads them itself."""
    inventory: pd.DataFrame
    batches: pd.DataFrame | None = None
    X_df: pd.DataFrame | None = None
    """The future values of the known-ahead inputs of these series."""
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


def plan_chunk(chunk: PlanChunk, config: PlanConfig, progress: Report | None = None) -> ChunkResult:
    """Prepare, correct censoring, forecast and plan one chunk (``plan_inventory``);
    ``progress`` hears its stages (only where the chunk runs in the caller's thread)."""
    timings: dict[str, StageTime] = {}
    run = plan_inventory_with(
        chunk.sales_rows(),
        chunk.inventory,
        config,
        batches=chunk.batches,
        X_df=chunk.X_df,
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
            parts.get("X_df"),
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
    X_df: pd.DataFrame | None = None,
) -> Chunks:
    """Sector-pure chunks of at most ``config.chunk_size`` series, in a fixed order.

    Sectors in name order (series without a sector last), each sector's series sorted by
    ``unique_id`` and cut into the fewest chunks of at most ``chunk_size``, of near-equal
    sizes (:func:`~stockwise.data.partition.series_blocks`). The layout depends on the ids
    only, never on row order; within a chunk the rows keep the validated table's order.
    The first chunk of each sector returns its fitted models (for tracking). ``X_df`` (the
    future values of the known-ahead inputs) is cut by series like the batches.
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
    tables = {"sales": sales, "inventory": inventory, "batches": batches, "X_df": X_df}
    chunks = Chunks(specs, tables, no_sector)
    chunks.unplanned = unplanned_frame(unplaced)
    return chunks


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
