"""Where the results of a chunked plan go, chunk by chunk: memory, or files.

:class:`ChunkCollector` keeps every table in memory and joins them at the end (the API,
tests, small library runs). :class:`PlanWriter` streams to a folder:

- as each chunk finishes, its big tables (forecasts, projection, selection,
  backtest_metrics, censored_demand) are written as Parquet, partitioned by sector —
  ``forecasts/sector=retail/part-00012.parquet`` (the part number is the chunk's) — and
  dropped from memory; ``pandas.read_parquet(out / "forecasts")`` reads a table back;
- at the end, the files a buyer opens — ``plan.csv``, ``plan.xlsx``, ``alerts.csv`` and,
  when some inventory product could not be planned, ``unplanned.csv`` with the reason,
  most urgent first — are built from the small per-product tables, ``settings.json``
  says which settings produced them (also the workbook's "Settings" sheet), and
  ``chunks.csv`` gives each chunk's sector, series and wall/CPU seconds per stage; with
  ``lang="fr"`` their sentences (reasons, alert messages and actions) are in French,
  their column names and codes stay the data contract's; every table keyed by
  ``unique_id`` has the product and store beside it when the inventory names them
  (:mod:`stockwise.data.identity`), and numbers rounded to their meaning
  (:func:`stockwise.cells.round_to_meaning`);
- a run of at most :data:`CSV_MAX_SERIES` series also gets the big tables as CSV
  (``forecasts.csv`` …), as ``stockwise plan`` has always written them and as
  ``stockwise report`` reads them; a larger run keeps them in Parquet only.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from stockwise import schema as S
from stockwise.cells import STANDARD, CsvFormat, round_to_meaning, write_csv
from stockwise.data.identity import beside_id, identity_of
from stockwise.inventory.budget import BudgetOutcome, apply_budget
from stockwise.inventory.plan import PLAN_COLUMNS, sort_alerts, sort_plan
from stockwise.report.order_list import write_order_workbook
from stockwise.words import SENTENCES, say_columns
from stockwise.workflows.plan_writing import write_supplier_orders
from stockwise.workflows.sector_forecast import SectorForecasts
from stockwise.workflows.stages import PLAN_STAGES

if TYPE_CHECKING:
    from stockwise.workflows.chunking import ChunkResult
    from stockwise.workflows.plan_settings import PlanSettings

STREAMED = ("forecasts", "projection", "selection", "backtest_metrics", "censored_demand")
"""The tables written as Parquet parts as each chunk finishes."""
PER_PRODUCT = ("plan", "alerts", "holes", "unplanned")
"""The small tables kept in memory for the order list files (and the holes found)."""
CSV_MAX_SERIES = 2_000
"""Runs up to this many series also write the streamed tables as CSV files."""
NO_SECTOR = S.NO_SECTOR


class ChunkSink(Protocol):
    """Receives each chunk's result as it completes (in any order).

    ``parts_dir``: where a chunk may write its big tables itself (see
    :func:`write_parts`), or None when they must come back with the result.
    """

    parts_dir: Path | None

    def write(self, result: ChunkResult) -> None: ...

    def add_unplanned(self, unplanned: pd.DataFrame) -> None:
        """Inventory products no chunk plans (:data:`~stockwise.inventory.plan.
        UNPLANNED_COLUMNS`), before any chunk is written."""


def write_parts(
    tables: dict[str, pd.DataFrame], out: Path, sector: str | None, index: int
) -> set[str]:
    """Write the big tables of chunk ``index`` as Parquet parts under ``out`` (one folder
    per table and sector); returns the names written (empty tables are not)."""
    written = set()
    for name, table in tables.items():
        if name not in STREAMED or table.empty:
            continue
        folder = out / name / f"{S.SECTOR}={sector or NO_SECTOR}"
        folder.mkdir(parents=True, exist_ok=True)
        _for_parquet(table).to_parquet(folder / f"part-{index:05d}.parquet", index=False)
        written.add(name)
    return written


class ChunkCollector:
    """Keeps the tables of every chunk (all of them, or only ``keep``) in memory.

    ``budget`` (with the ``inventory``, for pack sizes): the joined order list is capped
    at it (:func:`~stockwise.inventory.budget.apply_budget`), never a chunk's alone.
    """

    parts_dir: Path | None = None

    def __init__(
        self,
        keep: tuple[str, ...] | None = None,
        *,
        budget: float | None = None,
        inventory: pd.DataFrame | None = None,
    ) -> None:
        self.keep = keep
        self.budget = budget
        self._inventory = inventory
        self._capped: BudgetOutcome | None = None
        self._parts: dict[str, dict[int, pd.DataFrame]] = {}
        self._timings: dict[int, dict[str, object]] = {}
        self.settings: list = []
        self.models: dict = {}

    def write(self, result: ChunkResult) -> None:
        """Take one ``ChunkResult``."""
        self._capped = None
        index = result.index
        for name, table in result.tables.items():
            if self.keep is None or name in self.keep:
                self._parts.setdefault(name, {})[index] = table
        self.settings.extend(
            s for s in result.settings if s.sector not in {k.sector for k in self.settings}
        )
        for sector, fits in result.models.items():
            self.models.setdefault(sector, fits)
        row: dict[str, object] = {
            "chunk": index,
            S.SECTOR: result.sector,
            "series": result.n_series,
        }
        for stage in PLAN_STAGES:
            spent = result.timings.get(stage)
            row[f"{stage}_wall_s"] = spent.wall_s if spent else 0.0
            row[f"{stage}_cpu_s"] = spent.cpu_s if spent else 0.0
        self._timings[index] = row

    def table(self, name: str) -> pd.DataFrame:
        """One table of every chunk, in chunk order (plan and alerts: most urgent first)."""
        parts = self._parts.get(name, {})
        joined = concat_tables([parts[i] for i in sorted(parts)])
        if name == "plan":
            return sort_plan(joined if len(joined.columns) else pd.DataFrame(columns=PLAN_COLUMNS))
        return sort_alerts(joined) if name == "alerts" else joined

    def add_unplanned(self, unplanned: pd.DataFrame) -> None:
        """Keep the products no chunk plans (listed before the chunks' own)."""
        self._parts.setdefault("unplanned", {})[-1] = unplanned

    @property
    def plan(self) -> pd.DataFrame:
        """The joined order list, capped at the budget when there is one."""
        capped = self.budgeted()
        return capped.plan if capped is not None else self.table("plan")

    def budgeted(self) -> BudgetOutcome | None:
        """What the budget kept and left out of the joined order list (None: no budget)."""
        if self.budget is None:
            return None
        if self._capped is None:
            self._capped = apply_budget(self.table("plan"), self.budget, self._inventory)
        return self._capped

    @property
    def alerts(self) -> pd.DataFrame:
        return self.table("alerts")

    def chunk_timings(self) -> pd.DataFrame:
        """One row per chunk: sector, series, wall and CPU seconds per stage."""
        return pd.DataFrame([self._timings[i] for i in sorted(self._timings)])

    def forecasts_result(self, forecasts: bool = True) -> SectorForecasts:
        """The forecasting side as one ``SectorForecasts`` (what tracking reads; it needs
        no forecasts, which ``forecasts=False`` leaves out)."""
        return SectorForecasts(
            self.table("forecasts") if forecasts else pd.DataFrame(),
            self.table("selection"),
            self.table("backtest_metrics"),
            list(self.settings),
            dict(self.models),
        )


class PlanWriter(ChunkCollector):
    """Streams each chunk's big tables to Parquet; writes the order list at the end.

    ``n_series``: the run's size, which decides whether the big tables are also written
    as CSV (and so kept in memory until the end) — see :data:`CSV_MAX_SERIES`. Parts
    left in ``out_dir`` by an earlier run are removed first, so a table's folder only
    ever holds this run's chunks. A large run lets each chunk write its own parts
    (``parts_dir``), so they never travel back to this process.
    """

    def __init__(
        self,
        out_dir: str | Path,
        n_series: int,
        *,
        budget: float | None = None,
        inventory: pd.DataFrame | None = None,
        csv_format: CsvFormat = STANDARD,
        lang: str = "en",
    ) -> None:
        self.csv_format, self.lang = csv_format, lang
        self.csv_tables = n_series <= CSV_MAX_SERIES
        super().__init__(
            keep=None if self.csv_tables else PER_PRODUCT, budget=budget, inventory=inventory
        )
        self.out = Path(out_dir)
        self.parts_dir = None if self.csv_tables else self.out
        self.out.mkdir(parents=True, exist_ok=True)
        for name in STREAMED:
            shutil.rmtree(self.out / name, ignore_errors=True)
            (self.out / f"{name}.csv").unlink(missing_ok=True)
        (self.out / "unplanned.csv").unlink(missing_ok=True)
        self._written: set[str] = set()

    def write(self, result: ChunkResult) -> None:
        super().write(result)
        self._written |= result.written | write_parts(
            result.tables, self.out, result.sector, result.index
        )

    def table(self, name: str) -> pd.DataFrame:
        if self.keep is None or name in self.keep:
            return super().table(name)
        if name not in self._written:
            return pd.DataFrame()
        frame = pd.read_parquet(self.out / name)
        return frame.assign(**{S.SECTOR: frame[S.SECTOR].astype(str)})

    def finish(
        self, settings: PlanSettings | None = None, plan: pd.DataFrame | None = None
    ) -> dict[str, Path]:
        """Write the order list files (and the CSV tables of a small run, and the run's
        ``settings``); their paths. ``plan``: the joined plan when already at hand."""
        from stockwise.report.settings_view import settings_sheet
        from stockwise.workflows.plan_settings import write_settings

        files: dict[str, Path] = {}
        plan, alerts = self.plan if plan is None else plan, self.alerts
        identity = identity_of(self._inventory)

        def for_people(table: pd.DataFrame) -> pd.DataFrame:
            return beside_id(round_to_meaning(say_columns(table, self.lang, SENTENCES)), identity)

        plan, alerts = for_people(plan), for_people(alerts)
        for name, table in (("plan", plan), ("alerts", alerts)):
            files[name] = self.out / f"{name}.csv"
            write_csv(table, files[name], self.csv_format)
        (self.out / "holes.csv").unlink(missing_ok=True)
        holes = self.table("holes")
        if not holes.empty:
            files["holes"] = self.out / "holes.csv"
            write_csv(holes, files["holes"], self.csv_format)
        unplanned = for_people(self.table("unplanned"))
        if not unplanned.empty:
            files["unplanned"] = self.out / "unplanned.csv"
            write_csv(unplanned, files["unplanned"], self.csv_format)
        if self.csv_tables:
            for name in STREAMED:
                table = self.table(name)
                if not table.empty:
                    files[name] = self.out / f"{name}.csv"
                    write_csv(
                        beside_id(round_to_meaning(table), identity), files[name], self.csv_format
                    )
        files.update(
            {f"{name}_parquet": self.out / name for name in STREAMED if name in self._written}
        )
        files["chunks"] = self.out / "chunks.csv"
        write_csv(self.chunk_timings(), files["chunks"], self.csv_format)
        sheet = None
        if settings is not None:
            files["settings"] = write_settings(settings, self.out)
            sheet = settings_sheet(settings.to_dict())
        files.update(write_supplier_orders(plan, self.out, self.csv_format))
        files["plan_xlsx"] = write_order_workbook(
            plan, alerts, self.out / "plan.xlsx", sheet, budget=self.budget, lang=self.lang
        )
        return files


def concat_tables(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunks' (or sectors') tables, skipping empty ones (all empty: the
    first, for its columns). A column all empty in one table (a sector with no order has
    no arrival dates) takes its type from the others — pandas no longer lets an all-NA
    column decide it — and is back for every row; one empty in every table keeps its own."""
    if not frames:
        return pd.DataFrame()
    full = [f for f in frames if not f.empty]
    if not full:
        return frames[0]
    if len(full) == 1:
        return full[0].reset_index(drop=True)
    columns = list(dict.fromkeys(c for f in full for c in f.columns))
    blank = [{c for c in f.columns if f[c].isna().all()} for f in full]
    # a column empty in every table (no line names a supplier) keeps its own type
    everywhere = set.intersection(*blank)
    kept = [f.drop(columns=list(empty - everywhere)) for f, empty in zip(full, blank, strict=True)]
    return pd.concat(kept, ignore_index=True).reindex(columns=columns)


def _for_parquet(table: pd.DataFrame) -> pd.DataFrame:
    """The part as written: without the sector (the folder holds it); a text column that
    is empty in this chunk stays text, so every part of a table has one schema."""
    out = table.drop(columns=S.SECTOR, errors="ignore")
    empty = [c for c in out.columns if out[c].dtype == object and out[c].isna().all()]
    return out.astype(dict.fromkeys(empty, "string")) if empty else out
