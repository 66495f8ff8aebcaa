"""The files of a planning run: the order list (CSV and workbook), its alerts, projection
and forecasts, the settings it ran with, and the orders grouped per supplier."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from stockwise import schema as S
from stockwise.cells import STANDARD, CsvFormat, round_to_meaning, write_csv
from stockwise.data.identity import beside_id, identity_of
from stockwise.inventory.money import by_supplier
from stockwise.report.order_list import write_order_workbook
from stockwise.words import SENTENCES, say_columns
from stockwise.workflows.plan_config import PlanConfig

if TYPE_CHECKING:
    from stockwise.workflows.plan import PlanRun


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
