"""The nightly plan end to end at chain scale: wall, CPU and peak memory per stage.

Usage::

    nice -n 10 .venv/bin/python -m benchmarks.nightly --series 100,300
    .venv/bin/python -m benchmarks.nightly --series 100 --profile --breakdown
    .venv/bin/python -m benchmarks.nightly --series 1000,10000,100000 --engine process
    .venv/bin/python -m benchmarks.nightly --smoke

For each series count, generated three-sector data (``stockwise.synthetic``: sales,
inventory and batches, ``--days`` of history) goes through the job that
``stockwise plan`` runs (:func:`stockwise.workflows.plan.plan_files` with
:func:`~stockwise.workflows.plan.plan_inventory`), split into stages timed one by one:

read       the readers behind the CLI (:func:`stockwise.data.readers.read_table`) on the
           sales, inventory and batch files, giving raw tables;
validate   :func:`stockwise.workflows.validate.validate_sources` on those raw tables
           (column mapping, validation, cross-checks, quarantine files). ``plan_files``
           hands it paths and it reads them itself; it also accepts the raw tables, so
           the file reading is measured apart and the rest is what this stage counts;
prepare    :func:`stockwise.data.prepare.prepare_sales` (daily calendar, stockout flags);
censoring  :func:`stockwise.inventory.censoring.uncensor_demand`, only when a day is
           flagged, as ``plan_inventory`` does;
forecast   the sector profiles and ``workflows/plan.py::_forecast``: per sector, "auto"
           (or ``--models``) with backtest selection and calibrated bands at the plan's
           levels, over the plan's horizon;
plan       the plan's inputs (last prices, demand groups, days since listing) and
           :func:`stockwise.inventory.plan.build_plan` (service calibration, demand
           paths, decisions, projections, alerts);
write      :func:`stockwise.workflows.plan.write_plan` (order list CSV + XLSX, alerts,
           projection, forecasts, ...) and the validation summary.

``--engine local|process|dask`` runs instead the job exactly as ``stockwise plan --engine
…`` does (:func:`stockwise.workflows.chunked_plan.plan_files_in_chunks`: the Parquet sales
read and validated in parts of whole series, chunks of ``--chunk-size`` series planned on
the engine, outputs streamed), timed as its own stages: validate (reading included),
chunks (this process splitting and waiting; the children column is the workers' CPU as
each chunk measured its stages, process start-up and imports left out; per sector from
``chunks.csv``), write, and engine (starting and stopping the workers). Each sector
forecasts over its profile horizon (raised to the plan's lead time + two reviews), as the
CLI does; ``--horizon`` applies to the stage-by-stage job only.

Experiment tracking is off, as in ``plan_files`` without a tracker (the CLI turns it on).
Generating the data is not a stage: it is timed apart, and its files are kept in
``--workdir`` per (series, days, seed, sectors, format), so a re-run reads them again.

Per stage: wall seconds, CPU seconds of this process (user + sys, all threads) and of
waited-for child processes (``RUSAGE_CHILDREN``, so a future process pool counts), the
peak resident memory of this process and its children sampled every 20 ms by a thread
(psutil), the process's ``ru_maxrss`` high-water mark so far, and rows / series.

``run_job(paths, options)`` is the job as one list of stage functions, so that a later
engine can replace a stage without touching the measurement. ``--profile`` runs cProfile
over the forecast and plan stages (their times then include its overhead);
``--breakdown`` wraps a few of stockwise's own functions with timers to say where the
forecast and plan stages spend their time, per model and per step (small overhead).
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import cProfile
import dataclasses
import datetime as dt
import io
import json
import math
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

from stockwise import schema as S
from stockwise.data.holes import in_holes
from stockwise.data.prepare import prepare_sales
from stockwise.data.readers import RawTable, read_table
from stockwise.inventory.censoring import uncensor_demand
from stockwise.inventory.plan import DAYS_PER_PERIOD, build_plan
from stockwise.inventory.plan_options import PlanOptions, ProductFacts
from stockwise.synthetic import FileLayout, generate_to_files
from stockwise.workflows import plan as plan_workflow
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.stages import StageTime
from stockwise.workflows.validate import validate_sources

REPO = Path(__file__).resolve().parents[1]
STAGES = ("read", "validate", "prepare", "censoring", "forecast", "plan", "write")
SMOKE = {"series": [24], "days": 120, "models": "SeasonalNaive,WindowAverage"}
"""The tiny case: two cheap candidates still exercise selection, the ensemble, conformal
bands (WindowAverage has no native ones) and the fallback chain (luxury's weekly
SeasonalNaive needs a year of history)."""
TARGETS = {1_000: (30.0, None), 10_000: (180.0, None), 100_000: (1800.0, 8.0)}
"""The nightly targets (docs/benchmarks/nightly_scale.md): series -> (wall seconds, peak GiB
or None)."""


# -- the job ------------------------------------------------------------------------------
@dataclass(frozen=True)
class JobOptions:
    """What the nightly job is asked to do (the ``plan_inventory`` options it uses)."""

    out_dir: Path
    models: str | tuple[str, ...] = "auto"
    horizon_days: int = 28
    n_windows: int = 2
    policy: str = "RS"
    target: str = "cycle_service_level"
    correct_censoring: bool = True
    calibrate_service: bool = True
    seed: int = 0


@dataclass
class StageResult:
    """One stage's cost. ``peak_rss_mib``: sampled peak during the stage (this process and
    its children); ``maxrss_mib``: the process's high-water mark at the stage's end."""

    stage: str
    wall_s: float
    cpu_s: float
    children_cpu_s: float
    peak_rss_mib: float
    maxrss_mib: float
    rows: int | None = None
    series: int | None = None
    note: str = ""
    load_end: float = float("nan")


@dataclass
class Job:
    """What the stages hand each other."""

    paths: dict[str, Path]
    options: JobOptions
    raw: dict[str, RawTable] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    sales: pd.DataFrame | None = None
    inventory: pd.DataFrame | None = None
    batches: pd.DataFrame | None = None
    prepared: pd.DataFrame | None = None
    censoring: pd.DataFrame = field(default_factory=pd.DataFrame)
    profiles: dict = field(default_factory=dict)
    horizons: dict[str, int] = field(default_factory=dict)
    forecasts: Any = None
    plan: Any = None
    validation: Any = None
    files: dict[str, Path] = field(default_factory=dict)


Counts = tuple[int | None, int | None, str]


def stage_read(job: Job) -> Counts:
    for name in ("sales", "inventory", "batches"):
        if name in job.paths:
            job.raw[name] = read_table(job.paths[name])
    rows = sum(len(t.frame) for t in job.raw.values())
    return rows, None, ", ".join(f"{n} {len(t.frame):,}" for n, t in job.raw.items())


def stage_validate(job: Job) -> Counts:
    job.validation = validate_sources(
        job.raw["sales"],
        inventory=job.raw.get("inventory"),
        batches=job.raw.get("batches"),
        out_dir=job.options.out_dir / "validation",
    )
    for table in job.validation.tables.values():
        table.require_usable()
    job.tables = job.validation.tables
    job.sales = job.tables["sales"].data
    job.inventory = job.tables["inventory"].data
    job.batches = job.tables["batches"].data if "batches" in job.tables else None
    quarantined = sum(len(t.quarantine) for t in job.tables.values())
    return len(job.sales), job.sales[S.UNIQUE_ID].nunique(), f"{quarantined} rows quarantined"


def stage_prepare(job: Job) -> Counts:
    job.prepared = prepare_sales(job.sales, freq="D")
    stockouts = int(job.prepared[S.STOCKOUT].sum())
    return (
        len(job.prepared),
        job.prepared[S.UNIQUE_ID].nunique(),
        f"{stockouts:,} stocked-out days",
    )


def stage_censoring(job: Job) -> Counts:
    if not (job.options.correct_censoring and job.prepared[S.STOCKOUT].any()):
        return 0, None, "nothing to correct"
    job.prepared = uncensor_demand(job.prepared)
    flagged = job.prepared[job.prepared["demand_corrected"]]
    job.censoring = flagged[[S.UNIQUE_ID, S.DS, "y_observed", S.Y]]
    return len(job.censoring), flagged[S.UNIQUE_ID].nunique(), "days corrected"


def stage_forecast(job: Job) -> Counts:
    job.profiles = plan_workflow._profiles(job.prepared, None, ())
    holes = plan_workflow.plan_holes(job.prepared, job.profiles, None)
    if not holes.empty:  # as plan_inventory: the calendar's zeros in long holes are no demand
        job.prepared = job.prepared[~in_holes(job.prepared, holes)].reset_index(drop=True)
    widened = {
        name: _with_horizon(profile, job.options.horizon_days)
        for name, profile in job.profiles.items()
    }
    config = PlanConfig(models=job.options.models, n_windows=job.options.n_windows)
    job.forecasts = plan_workflow._forecast(
        job.prepared, job.inventory, widened, config, None, None, None
    )
    table = job.forecasts.forecasts
    steps = (
        table.groupby([S.SECTOR, "freq"])[S.UNIQUE_ID].value_counts().groupby(level=[0, 1]).max()
    )
    job.horizons = {f"{sector} ({freq})": int(n) for (sector, freq), n in steps.items()}
    chosen = job.forecasts.selection["model"].value_counts()
    top = ", ".join(f"{m} {n}" for m, n in chosen.head(4).items())
    return len(table), table[S.UNIQUE_ID].nunique(), f"chosen: {top}"


def _with_horizon(profile: Any, days: int) -> Any:
    """The profile with its horizon raised to ``days`` (in its periods), never lowered:
    the plan's own rule (profile horizon, extended to lead time + two reviews) stays."""
    periods = math.ceil(days / DAYS_PER_PERIOD.get(profile.frequency, 1))
    return dataclasses.replace(profile, horizon=max(profile.horizon, periods))


def stage_plan(job: Job) -> Counts:
    """``plan_inventory`` after its forecast, through the module so --breakdown sees it."""
    opts, forecasts, prepared = job.options, job.forecasts, job.prepared
    freq = {
        str(s): str(f)
        for s, f in forecasts.forecasts[[S.SECTOR, "freq"]]
        .drop_duplicates()
        .itertuples(index=False)
    }
    today = pd.Timestamp(prepared[S.DS].max()) + pd.Timedelta(days=1)
    job.plan = build_plan(
        forecasts.forecasts,
        job.inventory,
        PlanOptions(
            profiles=job.profiles,
            today=today,
            freq=freq,
            policy=opts.policy,
            target=opts.target,
            seed=opts.seed,
        ),
        ProductFacts(
            batches=job.batches,
            prices=plan_workflow._last_prices(job.sales),
            backtest=forecasts.backtest if opts.calibrate_service else None,
            demand_groups=plan_workflow.demand_groups(prepared),
            since_listing_by_product=plan_workflow.since_listing_by_product(prepared),
            last_sale=plan_workflow.last_sales(job.sales, job.inventory),
        ),
    )
    orders = int((job.plan.plan["order_qty"] > 0).sum())
    return (
        len(job.plan.plan),
        len(job.plan.plan),
        f"{orders} orders, {len(job.plan.alerts)} alerts",
    )


def stage_write(job: Job) -> Counts:
    from stockwise.workflows.report import write_validation_summary

    run = plan_workflow.PlanRun(job.plan, job.forecasts, job.censoring)
    opts = job.options
    config = PlanConfig(
        models=opts.models,
        n_windows=opts.n_windows,
        policy=opts.policy,
        target=opts.target,
        correct_censoring=opts.correct_censoring,
        calibrate_service=opts.calibrate_service,
        seed=opts.seed,
    )
    job.files = plan_workflow.write_plan(run, opts.out_dir, config, job.inventory)
    job.files["validation_summary"] = write_validation_summary(
        job.validation, job.options.out_dir / "validation"
    )
    size = sum(p.stat().st_size for p in job.files.values() if p.exists())
    return len(job.files), None, f"{size / 2**20:.1f} MiB"


STAGE_FUNCTIONS: dict[str, Callable[[Job], Counts]] = {
    "read": stage_read,
    "validate": stage_validate,
    "prepare": stage_prepare,
    "censoring": stage_censoring,
    "forecast": stage_forecast,
    "plan": stage_plan,
    "write": stage_write,
}


def run_job(
    paths: dict[str, Path],
    options: JobOptions,
    *,
    hooks: dict[str, Callable[[], contextlib.AbstractContextManager]] | None = None,
    job: Job | None = None,
) -> list[StageResult]:
    """Run every stage in order, each measured; ``hooks`` wrap chosen stages (profiling)."""
    job = job or Job(paths, options)
    hooks = hooks or {}
    results = []
    with RssSampler() as sampler:
        for name in STAGES:
            hook = hooks.get(name, contextlib.nullcontext)
            with measure(name, sampler) as result, hook():
                rows, series, note = STAGE_FUNCTIONS[name](job)
            result.rows, result.series, result.note = rows, series, note
            results.append(result)
    return results


def run_engine(
    paths: dict[str, Path], options: JobOptions, engine: str, workers: int | None, chunk_size: int
) -> tuple[list[StageResult], pd.DataFrame]:
    """The CLI's chunked job on ``engine``: stage results (one sampler over the whole run;
    children CPU and peak RSS booked on the chunks stage) and the per-chunk table."""
    from stockwise.adapters.distributed import open_executor
    from stockwise.workflows.chunked_plan import plan_files_in_chunks

    config = PlanConfig(
        models=options.models,
        n_windows=options.n_windows,
        policy=options.policy,
        target=options.target,
        correct_censoring=options.correct_censoring,
        calibrate_service=options.calibrate_service,
        seed=options.seed,
        chunk_size=chunk_size,
    )
    timings: dict[str, StageTime] = {}
    # a long run: sample memory every 0.25 s (the 20 ms of the stage job cost the parent
    # tens of CPU seconds over a run of minutes)
    with (
        RssSampler(interval=0.25) as sampler,
        measure("total", sampler) as whole,
        open_executor(engine, workers=workers) as executor,
    ):
        run, validation = plan_files_in_chunks(
            paths["sales"],
            paths["inventory"],
            options.out_dir,
            config,
            batches=paths.get("batches"),
            executor=executor,
            timings=timings,
        )
    report = validation.tables["sales"].report
    notes = {
        "validate": f"{report.summary} (sales)",
        "chunks": f"{len(run.chunks)} chunks on {engine}{f' x{workers}' if workers else ''}",
        "write": f"{len(run.plan):,} plan lines, {len(run.alerts):,} alerts",
    }
    timings["engine"] = StageTime(  # starting and stopping the workers, cleaning up
        whole.wall_s - sum(t.wall_s for t in timings.values()),
        whole.cpu_s - sum(t.cpu_s for t in timings.values()),
    )
    notes["engine"] = "start / stop of the workers, temporary parts removed"
    # The pool's workers are the fork server's children, not ours (RUSAGE_CHILDREN misses
    # them): their CPU is what each chunk measured of itself.
    worker_cpu = (
        float(run.chunks.filter(like="_cpu_s").to_numpy().sum()) if engine != "local" else 0.0
    )
    sales = validation.tables["sales"]
    worker_cpu_of = {
        "chunks": worker_cpu,  # parts validated in the workers, if they were
        "validate": getattr(sales, "validation_cpu_s", 0.0) if engine != "local" else 0.0,
    }
    results = []
    for name in ("validate", "chunks", "write", "engine"):
        spent = timings.get(name, StageTime(0.0, 0.0))
        chunks = name == "chunks"
        results.append(
            StageResult(
                name,
                spent.wall_s,
                spent.cpu_s,
                worker_cpu_of.get(name, 0.0),
                whole.peak_rss_mib if chunks else 0.0,
                whole.maxrss_mib,
                report.n_accepted if name == "validate" else None,
                len(run.plan) if chunks else None,
                notes[name],
                whole.load_end,
            )
        )
    return results, run.chunks


def verdict(series: int, results: list[StageResult]) -> str:
    """The run against the nightly target for this many series, if it has one."""
    if series not in TARGETS:
        return f"no target for {series:,} series"
    wall_target, gib_target = TARGETS[series]
    whole = total(results)
    wall_ok = whole.wall_s <= wall_target
    text = f"target {wall_target / 60:g} min: {whole.wall_s / 60:.1f} min, " + (
        "met" if wall_ok else "NOT met"
    )
    if gib_target:
        gib = whole.peak_rss_mib / 1024
        text += f"; peak {gib_target:g} GB: {gib:.2f} GiB, " + (
            "met" if gib <= gib_target else "NOT met"
        )
    return text


def chunk_summary(chunks: pd.DataFrame) -> str:
    """Per sector: chunks, series and the workers' CPU per stage (s, and ms a series)."""
    cpu = [c for c in chunks.columns if c.endswith("_cpu_s")]
    rows = (
        chunks.assign(sector=chunks["sector"].fillna("(none)"))
        .groupby("sector")
        .agg(chunks=("series", "size"), series=("series", "sum"), **{c: (c, "sum") for c in cpu})
    )
    lines = ["per sector, CPU seconds in the workers (ms per series):"]
    for sector, row in rows.iterrows():
        parts = ", ".join(
            f"{c.removesuffix('_cpu_s')} {row[c]:.1f} ({1000 * row[c] / row['series']:.1f})"
            for c in cpu
        )
        lines.append(
            f"  {sector}: {int(row['chunks'])} chunks, {int(row['series']):,} series; {parts}"
        )
    return "\n".join(lines)


# -- measurement --------------------------------------------------------------------------
class RssSampler:
    """Peak RSS (this process + its children, MiB) sampled by a thread; ``reset`` per stage."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.process = psutil.Process()
        self.peak = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def rss(self) -> float:
        total = self.process.memory_info().rss
        for child in self.process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total / 2**20

    def reset(self) -> None:
        with self._lock:
            self.peak = self.rss()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            value = self.rss()
            with self._lock:
                self.peak = max(self.peak, value)

    def __enter__(self) -> RssSampler:
        self.reset()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def maxrss_mib() -> float:
    """The process's peak RSS so far (Linux reports KiB, macOS bytes)."""
    scale = 2**20 if sys.platform == "darwin" else 2**10
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def measure(name: str, sampler: RssSampler) -> Iterator[StageResult]:
    sampler.reset()
    result = StageResult(name, 0.0, 0.0, 0.0, 0.0, 0.0)
    wall, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
    try:
        yield result
    finally:
        result.wall_s = time.perf_counter() - wall
        result.cpu_s = time.process_time() - cpu
        result.children_cpu_s = children_cpu() - child
        result.peak_rss_mib = max(sampler.peak, sampler.rss())
        result.maxrss_mib = maxrss_mib()
        result.load_end = os.getloadavg()[0]


def total(results: list[StageResult]) -> StageResult:
    return StageResult(
        "total",
        sum(r.wall_s for r in results),
        sum(r.cpu_s for r in results),
        sum(r.children_cpu_s for r in results),
        max(r.peak_rss_mib for r in results),
        max(r.maxrss_mib for r in results),
        None,
        None,
        "",
        results[-1].load_end,
    )


# -- --breakdown: timers around stockwise's own functions ---------------------------------
_PHASE: contextvars.ContextVar[str] = contextvars.ContextVar("phase", default="")


class Breakdown:
    """Inclusive wall / CPU per label of wrapped functions (nested labels overlap).

    Only a measuring aid: it replaces module attributes for the duration of the run and
    puts them back; a function that no longer exists is skipped, not an error.
    """

    def __init__(self) -> None:
        self.stats: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self._undo: list[tuple[object, str, object]] = []

    def wrap(
        self, owner: object, attr: str, label: Callable[..., str] | str, phase: str | None = None
    ) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return
        stats = self.stats

        def timed(*args: object, **kwargs: object) -> object:
            key = label(*args, **kwargs) if callable(label) else label
            token = _PHASE.set(phase) if phase is not None else None
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                entry = stats[key]
                entry[0] += 1
                entry[1] += time.perf_counter() - wall
                entry[2] += time.process_time() - cpu
                if token is not None:
                    _PHASE.reset(token)

        self._undo.append((owner, attr, original))
        setattr(owner, attr, timed)

    def wrap_everywhere(
        self,
        owners: tuple[object, ...],
        attr: str,
        label: Callable[..., str] | str,
        phase: str | None = None,
    ) -> None:
        """Time ``attr`` in every module that holds it: a step split out of a module is
        called under its new module's name and re-exported under the old one, and each
        wrapper calls the original, so no call is counted twice."""
        for owner in owners:
            self.wrap(owner, attr, label, phase)

    def restore(self) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()

    def table(self) -> list[dict[str, object]]:
        return [
            {"label": k, "calls": int(v[0]), "wall_s": round(v[1], 3), "cpu_s": round(v[2], 3)}
            for k, v in sorted(self.stats.items())
        ]


def install_breakdown(bd: Breakdown) -> None:
    """Where the forecast and plan stages go: per sector, per model, per step."""
    from stockwise.inventory import plan as inv_plan
    from stockwise.inventory import plan_forecasts, plan_lines
    from stockwise.inventory import projection as inv_projection
    from stockwise.models import conformal, global_model
    from stockwise.models.fallback import FallbackChain
    from stockwise.workflows import forecast as wf
    from stockwise.workflows import (
        forecast_choice,
        forecast_final,
        forecast_inputs,
        plan_demand,
        plan_writing,
        sector_runs,
    )

    forecast_steps = (wf, forecast_inputs, forecast_choice, forecast_final)
    plan_steps = (plan_workflow, plan_demand, plan_writing)
    line_steps = (inv_plan, plan_forecasts, plan_lines)

    def name_of(model: object) -> str:
        return getattr(model, "name", type(model).__name__)

    def phase() -> str:
        return _PHASE.get() or "other"

    bd.wrap_everywhere(
        (plan_workflow, sector_runs),
        "forecast_sectors",
        lambda *a, **k: f"forecast: sector {k.get('sector')}",
    )
    for attr, what in (
        ("_prepare", "regularise"),
        ("_candidates", "candidates by class"),
        ("_choose", "choose (backtests + scores + ensemble + selection)"),
        ("evaluate", "choose: evaluate (metrics)"),
        ("_add_ensemble", "choose: ensemble backtest"),
        ("select_models", "choose: select_models"),
        ("classify_demand", "classify_demand (all calls)"),
        ("_chosen_backtest", "chosen backtest"),
        ("_calibrate", "calibrate bands"),
    ):
        bd.wrap_everywhere(forecast_steps, attr, f"forecast: {what}")
    bd.wrap_everywhere(
        forecast_steps,
        "_final_forecasts",
        "forecast: final (refits + per-series assembly)",
        phase="final",
    )
    bd.wrap_everywhere(
        forecast_steps,
        "backtest_model",
        lambda model, *a, **k: f"forecast: backtest {name_of(model)}",
        phase="backtest",
    )
    bd.wrap(FallbackChain, "fit", lambda self, *a, **k: f"forecast: {phase()} fit {self.name}")
    bd.wrap(
        FallbackChain,
        "predict",
        lambda self, *a, **k: f"forecast: {phase()} predict {self.name} (incl. conformal)",
    )
    bd.wrap(
        FallbackChain,
        "_fit_stage",
        lambda self, index, ids: (
            f"forecast: {phase()} fallback fits for {self.name}"
            if index
            else f"forecast: {phase()} primary fit {self.name}"
        ),
    )

    def conformal_label(model: object, *args: object, **kwargs: object) -> str:
        return f"forecast: {phase()} conformal refits {name_of(model)}"

    bd.wrap(conformal, "conformal_scores", conformal_label)
    bd.wrap(global_model, "conformal_scores", conformal_label)

    bd.wrap_everywhere(plan_steps, "last_prices", "plan: inputs: last prices")
    bd.wrap_everywhere(plan_steps, "demand_groups", "plan: inputs: demand groups")
    bd.wrap_everywhere(plan_steps, "since_listing_by_product", "plan: inputs: since listing")
    for attr in (
        "_daily_forecasts",
        "_calibrated_levels",
        "_plan_product",
        "resolve",
        "with_new_product_cap",
        "sample_paths",
        "lots_from_batches",
        "project",
        "due_receipts",
        "_expiry_cap",
        "decide",
        "alerts_for",
        "rank_plan",
        "_alerts_frame",
    ):
        bd.wrap_everywhere(line_steps, attr, f"plan: {attr}")
    bd.wrap(inv_projection.Projection, "to_frame", "plan: Projection.to_frame")
    bd.wrap_everywhere(plan_steps, "write_order_workbook", "write: order workbook (xlsx)")


# -- --profile ----------------------------------------------------------------------------
class Profiles:
    """One cProfile per profiled stage; its top functions as text and as rows.

    The profiler counts process CPU time, not wall time, so other work on a shared
    machine does not inflate the shares (threads' CPU, e.g. LightGBM's, is charged to the
    function that waits for them)."""

    def __init__(self, stages: tuple[str, ...], top: int, folder: Path) -> None:
        self.stages, self.top, self.folder = stages, top, folder
        self.found: dict[str, pstats.Stats] = {}

    def hooks(self) -> dict[str, Callable[[], contextlib.AbstractContextManager]]:
        return {name: (lambda name=name: self._profile(name)) for name in self.stages}

    @contextlib.contextmanager
    def _profile(self, stage: str) -> Iterator[None]:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        try:
            yield
        finally:
            profiler.disable()
            self.folder.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(self.folder / f"{stage}.prof")
            self.found[stage] = pstats.Stats(profiler)

    def report(self) -> str:
        out = io.StringIO()
        for stage, stats in self.found.items():
            for key in ("cumulative", "tottime"):
                out.write(
                    f"\n--- cProfile, stage {stage}, top {self.top} by {key} "
                    f"(file {self.folder / (stage + '.prof')}) ---\n"
                )
                stats.stream = out
                stats.sort_stats(key).print_stats(self.top)
        return out.getvalue()

    def rows(self) -> dict[str, dict[str, list[dict[str, object]]]]:
        result: dict[str, dict[str, list[dict[str, object]]]] = {}
        for stage, stats in self.found.items():
            entries = []
            for (path, line, func), (_, calls, own, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
                entries.append(
                    {
                        "function": f"{_short(path)}:{line}({func})",
                        "calls": calls,
                        "own_s": round(own, 3),
                        "cumulative_s": round(cum, 3),
                    }
                )
            result[stage] = {
                key: sorted(entries, key=lambda e: -float(e[f"{key}_s"]))[: self.top]
                for key in ("cumulative", "own")
            }
        return result


def _short(path: str) -> str:
    for marker in ("site-packages/", "src/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# -- data and reporting -------------------------------------------------------------------
def generated(
    workdir: Path, series: int, days: int, seed: int, sectors: tuple[str, ...], fmt: str
) -> tuple[dict[str, Path], float | None]:
    """The generated files for this case, made once; (paths, seconds or None if cached)."""
    folder = workdir / f"data-{series}s-{days}d-seed{seed}-{'-'.join(sectors)}-{fmt}"
    done = folder / "COMPLETE"
    paths = {name: folder / f"{name}.{fmt}" for name in ("sales", "inventory", "batches")}
    if done.exists() and all(p.exists() for p in paths.values()):
        return paths, None
    started = time.perf_counter()
    generate_to_files(
        folder, sectors=sectors, n_products=series, n_days=days, seed=seed, layout=FileLayout(fmt)
    )
    done.write_text(dt.datetime.now().isoformat())
    return paths, time.perf_counter() - started


def git_commit() -> str:
    """The commit of the stockwise code measured (not of this script).

    Other work may leave the shared tree's ``src`` dirty; to measure a commit as it is,
    extract it (``git archive <commit> src | tar -x -C DIR``), write the commit to
    ``DIR/COMMIT`` and put ``DIR/src`` first on ``PYTHONPATH``.
    """
    import stockwise

    root = Path(stockwise.__file__).resolve().parents[2]
    if root != REPO:
        stamp = root / "COMMIT"
        label = stamp.read_text().strip() if stamp.exists() else "unknown commit"
        return f"{label} (from {root / 'src'})"

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit}+dirty" if git("status", "--porcelain", "--", "src") else commit


def machine() -> dict[str, object]:
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "commit": git_commit(),
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def format_table(series: int, results: list[StageResult]) -> str:
    rows = [*results, total(results)]
    head = (
        f"{'stage':<10} {'wall s':>9} {'CPU s':>9} {'child s':>8} {'peak MiB':>9} "
        f"{'maxrss':>8} {'rows':>12} {'series':>7} {'load':>5}  note"
    )
    lines = [f"nightly plan, {series:,} series", head, "-" * len(head)]
    for r in rows:
        if r.stage == "total":
            lines.append("-" * len(head))
        lines.append(
            f"{r.stage:<10} {r.wall_s:>9.2f} {r.cpu_s:>9.2f} {r.children_cpu_s:>8.2f} "
            f"{r.peak_rss_mib:>9.0f} {r.maxrss_mib:>8.0f} "
            f"{'' if r.rows is None else f'{r.rows:,}':>12} "
            f"{'' if r.series is None else f'{r.series:,}':>7} {r.load_end:>5.2f}  {r.note}"
        )
    whole = total(results)
    cpu = whole.cpu_s + whole.children_cpu_s
    lines.append(
        f"per series: {1000 * cpu / series:,.1f} ms CPU, "
        f"{1000 * whole.wall_s / series:,.1f} ms wall"
    )
    return "\n".join(lines)


def extrapolate(series: int, results: list[StageResult], nproc: int) -> list[str]:
    """Linear in the number of series from this run's CPU per series: a lower bound where
    a step grows faster than linearly, an upper one where a cost is fixed per sector.
    Wall is given as CPU on one core (today's job is one process) and as CPU spread over
    every core (the best any process pool could do), since shared-machine wall varies."""
    whole = total(results)
    cpu_per = (whole.cpu_s + whole.children_cpu_s) / series
    lines = []
    for n, (wall_target, gib_target) in TARGETS.items():
        cpu = cpu_per * n
        target = f"target {wall_target / 60:g} min" + (f", {gib_target:g} GB" if gib_target else "")
        lines.append(
            f"  {n:>7,} series: {cpu / 3600:,.1f} CPU-h = ~{cpu / 3600:,.1f} h on one "
            f"core, {cpu / nproc / 3600:,.1f} h on all {nproc}; {target}: "
            f"x{cpu / nproc / wall_target:,.1f} the target even with all cores"
        )
    return lines


def print_breakdown(bd: Breakdown, results: list[StageResult]) -> str:
    stage_cpu = {r.stage: r.cpu_s for r in results}
    out = [
        "--- breakdown (inclusive; nested labels overlap) ---",
        f"{'label':<72} {'calls':>7} {'wall s':>9} {'CPU s':>9} {'% stage':>8}",
    ]
    for row in bd.table():
        stage = str(row["label"]).split(":", 1)[0]
        share = 100 * float(row["cpu_s"]) / stage_cpu[stage] if stage_cpu.get(stage) else 0
        out.append(
            f"{row['label']:<72} {row['calls']:>7} {row['wall_s']:>9.2f} "
            f"{row['cpu_s']:>9.2f} {share:>7.1f}%"
        )
    return "\n".join(out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--series",
        default="1000,10000,100000",
        help="comma list of series counts (default %(default)s)",
    )
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument(
        "--horizon",
        type=int,
        default=28,
        help="forecast at least this many days ahead; each sector keeps its "
        "profile horizon and the plan's lead time + two reviews if "
        "longer, as today's plan does (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sectors", default="retail,pharmacy,luxury")
    parser.add_argument(
        "--format",
        default="parquet",
        choices=("parquet", "csv"),
        help="generated file format (default %(default)s)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "stockwise-nightly",
        help="generated data (kept, reused) and outputs (default %(default)s)",
    )
    parser.add_argument("--models", default="auto", help="'auto' or model names, as the plan")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the forecast and plan stages; print the top functions",
    )
    parser.add_argument("--profile-top", type=int, default=30)
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="time stockwise's own steps and models inside forecast and plan",
    )
    parser.add_argument(
        "--engine",
        choices=("local", "process", "dask"),
        help="run the CLI's chunked job on this engine instead of the stage-by-stage job",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="workers of the engine (default: one per CPU for process, 2 for dask)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=2000,
        help="series per chunk with --engine (default %(default)s)",
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"tiny case: {SMOKE['series'][0]} series x {SMOKE['days']} days, "
        f"models {SMOKE['models']}",
    )
    args = parser.parse_args(argv)
    args.series = (
        [int(s) for s in str(args.series).split(",") if s.strip()]
        if not args.smoke
        else SMOKE["series"]
    )
    if args.smoke:
        args.days, args.models = SMOKE["days"], SMOKE["models"]
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    args.model_spec = "auto" if names == ["auto"] else tuple(names)
    args.sector_names = tuple(s.strip() for s in args.sectors.split(",") if s.strip())
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = machine()
    print(
        f"stockwise {info['commit']} | {info['nproc']} cores, {info['cpu']}, "
        f"{info['memory_gib']} GiB | started {info['started']} | load "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    print(
        f"models {args.models}, days {args.days}, horizon >= {args.horizon} d, seed "
        f"{args.seed}, sectors {args.sectors}, {args.format}",
        flush=True,
    )
    report: dict[str, object] = {
        "machine": info,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": [],
    }
    for series in args.series:
        paths, seconds = generated(
            args.workdir, series, args.days, args.seed, args.sector_names, args.format
        )
        print(
            f"\ndata: {paths['sales'].parent} "
            f"({'cached' if seconds is None else f'generated in {seconds:.1f} s'})",
            flush=True,
        )
        options = JobOptions(
            out_dir=args.workdir / f"out-{series}s",
            models=args.model_spec,
            horizon_days=args.horizon,
        )
        profiles = (
            Profiles(("forecast", "plan"), args.profile_top, args.workdir / f"profile-{series}s")
            if args.profile
            else None
        )
        breakdown = Breakdown() if args.breakdown else None
        if breakdown is not None:
            install_breakdown(breakdown)
        load_start = os.getloadavg()
        if args.engine:
            results, chunks = run_engine(paths, options, args.engine, args.workers, args.chunk_size)
            print(format_table(series, results), flush=True)
            print(chunk_summary(chunks))
            print(verdict(series, results), flush=True)
            report["runs"].append(
                {  # type: ignore[union-attr]
                    "series": series,
                    "engine": args.engine,
                    "workers": args.workers,
                    "chunk_size": args.chunk_size,
                    "generation_s": seconds,
                    "load_start": load_start,
                    "load_end": os.getloadavg(),
                    "stages": [dataclasses.asdict(r) for r in results],
                    "total": dataclasses.asdict(total(results)),
                    "chunks": chunks.to_dict(orient="records"),
                }
            )
            if args.json:
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps(report, indent=1, default=str))
            continue
        job = Job(paths, options)
        try:
            results = run_job(paths, options, hooks=profiles.hooks() if profiles else None, job=job)
        finally:
            if breakdown is not None:
                breakdown.restore()
        load_end = os.getloadavg()
        print(format_table(series, results), flush=True)
        print(f"forecast horizon per sector (periods): {job.horizons}")
        print(
            f"load average at start {load_start[0]:.2f}/{load_start[1]:.2f}/"
            f"{load_start[2]:.2f}, at end {load_end[0]:.2f}/{load_end[1]:.2f}/"
            f"{load_end[2]:.2f}"
        )
        print(
            f"extrapolated linearly from this run ({series:,} series)"
            f"{' — profiled, so slower' if profiles else ''}:"
        )
        print("\n".join(extrapolate(series, results, info["nproc"])), flush=True)  # type: ignore[arg-type]
        run: dict[str, object] = {
            "series": series,
            "days": args.days,
            "generation_s": seconds,
            "load_start": load_start,
            "load_end": load_end,
            "horizons": job.horizons,
            "stages": [dataclasses.asdict(r) for r in results],
            "total": dataclasses.asdict(total(results)),
            "selection": job.forecasts.selection["model"].value_counts().to_dict()
            if job.forecasts is not None
            else {},
        }
        if breakdown is not None:
            print(print_breakdown(breakdown, results), flush=True)
            run["breakdown"] = breakdown.table()
        if profiles is not None:
            print(profiles.report(), flush=True)
            run["profile"] = profiles.rows()
        report["runs"].append(run)  # type: ignore[union-attr]
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
