"""What a background run leaves: its forecasts and plan stored in one transaction, the
summary the API answers with (notes, counts, money), and its MLflow record."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.results import store_forecasts, store_plan
from stockwise.cells import write_csv
from stockwise.inventory.budget import BudgetOutcome
from stockwise.workflows.sector_forecast import SectorForecasts
from stockwise.workflows.tracking import Tracker, track_forecasts


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


def track_run(
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


def unplanned_notes(unplanned: pd.DataFrame) -> list[str]:
    """One note per reason an inventory product was not planned, with examples."""
    if unplanned.empty:
        return []
    return [
        f"{len(rows)} products not planned: {reason} (e.g. "
        f"{', '.join(rows[S.UNIQUE_ID].astype(str).head(3))})"
        for reason, rows in unplanned.groupby("reason", sort=False)
    ]


def store_results(
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
