"""The demo: generate realistic multi-sector data, then run the main path on it.

generate → write files → validate them as a user's export → prepare → correct
stocked-out days → forecast with automatic model selection per series (per sector, with
the sector profile's frequency, season, levels and candidate models) → plan: projected
stock, stockout / overstock / expiry alerts and the order list for the three sectors →
an offline HTML report with charts.
It needs nothing but stockwise itself, so a new user sees the whole path in one command.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.cells import write_csv
from stockwise.data.prepare import prepare_sales
from stockwise.inventory.plan import InventoryPlan
from stockwise.synthetic import generate, write_synthetic
from stockwise.workflows.plan import plan_inventory, write_plan
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.report import report_run, write_validation_summary
from stockwise.workflows.tracking import RUN_LOG, NullTracker, Tracker, track_forecasts
from stockwise.workflows.validate import ValidationRun, validate_sources

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class DemoResult:
    """Where the demo wrote its outputs, and what it found on the way."""

    out_dir: Path
    files: dict[str, Path]
    validation: ValidationRun
    forecasts: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    plan: InventoryPlan | None = None


def run_demo(
    out_dir: str | Path,
    *,
    sectors: tuple[str, ...] = ("retail", "pharmacy", "luxury"),
    n_products: int = 60,
    n_days: int = 730,
    seed: int = 42,
    n_windows: int = 2,
    progress: Progress | None = None,
    tracker: Tracker | None = None,
) -> DemoResult:
    """Run the demo end to end and return the paths of everything it wrote."""
    out = Path(out_dir)
    timings: dict[str, float] = {}
    tracker = tracker or NullTracker()

    def step(name: str) -> AbstractContextManager[None]:
        return _timed(name, timings, progress)

    with step("generate"):
        data = generate(sectors=sectors, n_products=n_products, n_days=n_days, seed=seed)
        files = {f"data/{k}": v for k, v in write_synthetic(data, out / "data", fmt="csv").items()}
    last_day = pd.Timestamp(data.sales[S.DS].max())

    with step("validate"):
        validation = validate_sources(
            files["data/sales"],
            inventory=files.get("data/inventory"),
            batches=files.get("data/batches"),
            out_dir=out / "validation",
            as_of=last_day,
        )
        for table in validation.tables.values():
            table.require_usable()
            log.info("%s: %s", table.report.table, table.report.summary)
        for name, written in validation.files.items():
            files.update({f"validation/{name}_{k}": v for k, v in written.items()})
        files["validation/summary"] = write_validation_summary(validation, out / "validation")

    with step("prepare"):
        sales = validation.tables["sales"].data
        prepared = prepare_sales(sales, freq="D")
        prepared_path = out / "prepared" / "sales_daily.csv"
        prepared_path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(prepared, prepared_path)
        files["prepared/sales_daily"] = prepared_path

    with tracker.start_run("demo", tags={"stockwise.kind": "demo"}):
        with step("forecast and plan"):
            tables = validation.tables
            run = plan_inventory(
                sales,
                tables["inventory"].data,
                batches=tables["batches"].data,
                n_windows=n_windows,
                seed=seed,
            )
            written = write_plan(
                run,
                out / "plan",
                PlanConfig(n_windows=n_windows, seed=seed),
                tables["inventory"].data,
            )
            files.update({f"plan/{name}": path for name, path in written.items()})
            forecasts = run.forecasts.forecasts

        with step("report"):
            report = report_run(out / "plan", sales=files["data/sales"])
            files["plan/report"] = report.html
        track_forecasts(
            tracker,
            "demo",
            sales=sales,
            result=run.forecasts,
            out_dir=out,
            files={**written, "report": report.html, "run_log": out / RUN_LOG},
            options={
                "sectors": sectors,
                "products": n_products,
                "days": n_days,
                "seed": seed,
                "n_windows": n_windows,
                "policy": S.POLICY_RS,
            },
        )

    return DemoResult(out, files, validation, forecasts, timings, run.plan)


@contextmanager
def _timed(name: str, timings: dict[str, float], progress: Progress | None) -> Iterator[None]:
    """Report a step to the progress callback and record how long it took."""
    if progress:
        progress(name)
    log.info("demo step: %s", name)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = time.perf_counter() - start
