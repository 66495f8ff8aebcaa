"""What a background run does: stored data → library workflows → stored results.

Sector by sector (that is what progress counts): the plan run calls
:func:`stockwise.workflows.plan.plan_inventory`, the forecast run
:func:`stockwise.workflows.sector_forecast.forecast_sectors`, both on the stored sales,
the latest inventory snapshot and the stored batches. A run naming ``drivers`` (promo,
price …) also reads their history from the stored sales and their planned values from
the stored planned inputs, and passes both on. Results are written at the end,
in one transaction, so a failed run stores no partial results. With a tracker (settings
``STOCKWISE_TRACK=true``) the run is also recorded in MLflow like a CLI run: parameters,
data fingerprint, backtest scores, result files and each sector's champion model.
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
from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.frames import (
    batches_frame,
    inventory_frame,
    planned_frame,
    sales_frame,
)
from stockwise.adapters.storage.results import store_forecasts, store_plan
from stockwise.errors import InputError, NothingUsableError
from stockwise.inventory.plan import sort_alerts, sort_plan
from stockwise.workflows.sector_forecast import SectorForecasts
from stockwise.workflows.tracking import NullTracker, Tracker, track_forecasts

Progress = Callable[[float, str], None]


def execute_run(storage: Storage, run_id: str, kind: str, params: dict[str, Any],
                progress: Progress, tracker: Tracker | None = None) -> dict[str, Any]:
    """Run a ``plan`` or ``forecast`` job; return its summary."""
    tracker = tracker or NullTracker()
    with tracker.start_run(kind, tags={"stockwise.kind": kind, "stockwise.api_run": run_id}):
        summary = _execute(storage, run_id, kind, params, progress, tracker)
    mlflow_run = getattr(tracker, "last_run_id", None)
    if mlflow_run:
        summary["mlflow_run_id"] = mlflow_run
    return summary


def _execute(storage: Storage, run_id: str, kind: str, params: dict[str, Any],
             progress: Progress, tracker: Tracker) -> dict[str, Any]:
    progress(0.02, "reading the stored data")
    drivers = list(dict.fromkeys(params.get("drivers") or ()))
    where = f" for sector {params['sector']!r}" if params.get("sector") else ""
    with storage.session() as session:
        sales = sales_frame(session, params.get("sector"), extras=drivers)
        inventory = inventory_frame(session) if kind == "plan" else None
        batches = batches_frame(session) if kind == "plan" else None
        planned = planned_frame(session, drivers, params.get("sector"),
                                after=_earliest_end(sales)) if drivers else None
    if sales.empty:
        raise NothingUsableError(f"no sales stored{where}: upload sales first "
                                 "(POST /api/v1/uploads/sales)")
    if planned is not None and planned.empty:
        raise NothingUsableError(f"drivers {drivers} need their planned values for the "
                                 f"forecast periods, and none are stored{where}: upload "
                                 "them first (POST /api/v1/uploads/planned)")
    known_ahead = {"planned": planned, "drivers": drivers}
    groups = list(_sector_groups(sales))
    forecasts, plans, projections, alerts, notes = [], [], [], [], []
    models = params.get("models", "auto")
    with _naming_planned_gaps(drivers):
        for index, (name, rows) in enumerate(groups):
            progress(0.05 + 0.85 * index / len(groups),
                     f"{'planning' if kind == 'plan' else 'forecasting'} sector "
                     f"{name or '(none)'} ({index + 1} of {len(groups)})")
            if kind == "forecast":
                from stockwise.workflows.sector_forecast import forecast_sectors

                result = forecast_sectors(rows, horizon=params.get("horizon"), models=models,
                                          levels=params.get("levels"),
                                          n_windows=params.get("n_windows", 2), **known_ahead)
                forecasts.append(result)
                continue
            from stockwise.workflows.plan import plan_inventory

            ids = set(rows[S.UNIQUE_ID])
            stock = inventory[inventory[S.UNIQUE_ID].isin(ids)]
            if stock.empty:
                notes.append(f"sector {name or '(none)'}: no inventory snapshot, not planned")
                continue
            lots = batches[batches[S.UNIQUE_ID].isin(ids)]
            run = plan_inventory(rows, stock.drop(columns="as_of"), batches=lots, models=models,
                                 n_windows=params.get("n_windows", 2),
                                 policy=params.get("policy", "RS"),
                                 target=params.get("target", "cycle_service_level"),
                                 seed=params.get("seed", 0), **known_ahead)
            forecasts.append(run.forecasts)
            plans.append(run.plan.plan)
            projections.append(run.plan.projection)
            alerts.append(run.plan.alerts)
    if kind == "plan" and not plans:
        raise NothingUsableError("no product has both sales and an inventory snapshot: "
                                 "upload inventory first (POST /api/v1/uploads/inventory)")
    combined = _combine(forecasts)
    if drivers and not any(getattr(model, "supports_exog", False)
                           for fits in combined.models.values() for model in fits.values()):
        notes.append(f"drivers {drivers} not used: none of the chosen models takes inputs "
                     "(name LightGBM or XGBoost in models)")
    if not isinstance(tracker, NullTracker):
        progress(0.9, "recording the run in MLflow")
        _track(tracker, kind, sales, params, combined, plans, alerts)
    progress(0.92, "storing the results")
    return _store(storage, run_id, combined.forecasts, plans, projections, alerts, notes)


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
            exc.hint = ("Upload the planned values of every forecast period "
                        "(POST /api/v1/uploads/planned).")
        raise


def _combine(parts: list[SectorForecasts]) -> SectorForecasts:
    def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    return SectorForecasts(concat([p.forecasts for p in parts]),
                           concat([p.selection for p in parts]),
                           concat([p.metrics for p in parts]),
                           [s for p in parts for s in p.settings],
                           {k: v for p in parts for k, v in p.models.items()},
                           concat([p.backtest for p in parts]))


def _track(tracker: Tracker, kind: str, sales: pd.DataFrame, params: dict[str, Any],
           result: SectorForecasts, plans: list[pd.DataFrame],
           alerts: list[pd.DataFrame]) -> None:
    with tempfile.TemporaryDirectory(prefix="stockwise-run-") as folder:
        out = Path(folder)
        tables = {"forecasts": result.forecasts, "selection": result.selection}
        if plans:
            tables.update(plan=pd.concat(plans, ignore_index=True),
                          alerts=_concat(alerts))
        files = {}
        for name, table in tables.items():
            files[name] = out / f"{name}.csv"
            table.to_csv(files[name], index=False)
        track_forecasts(tracker, kind, sales=sales, options=params, result=result,
                        out_dir=out, files=files)


def _sector_groups(sales: pd.DataFrame) -> Iterator[tuple[str | None, pd.DataFrame]]:
    """One group per sector; rows without a sector form one group without the column."""
    known = sales[S.SECTOR].notna()
    for name, rows in sales[known].groupby(S.SECTOR, sort=True):
        yield str(name), rows.reset_index(drop=True)
    if (~known).any():
        yield None, sales[~known].drop(columns=S.SECTOR).reset_index(drop=True)


def _store(storage: Storage, run_id: str, table: pd.DataFrame, plans: list[pd.DataFrame],
           projections: list[pd.DataFrame], alerts: list[pd.DataFrame], notes: list[str]
           ) -> dict[str, Any]:
    summary: dict[str, Any] = {"notes": notes}
    with storage.transaction() as session:
        summary["forecast_rows"] = store_forecasts(session, run_id, table)
        summary["products"] = int(table[S.UNIQUE_ID].nunique())
        if plans:
            plan = sort_plan(_concat(plans))
            found = sort_alerts(_concat(alerts))
            lines, n_alerts = store_plan(session, run_id, plan,
                                         pd.concat(projections, ignore_index=True), found)
            summary.update(plan_lines=lines, alerts=n_alerts,
                           orders_now=int(((plan["urgency"] == "order now")
                                           & (plan["order_qty"] > 0)).sum()))
    return summary


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate sectors' tables, skipping empty ones (all empty: the first, for its
    columns). A column all empty in one table (a sector with no order has no arrival
    dates) takes its type from the others — pandas no longer lets an all-NA column decide
    it — and is back for every row."""
    full = [f for f in frames if not f.empty]
    if not full:
        return frames[0]
    columns = list(dict.fromkeys(c for f in full for c in f.columns))
    kept = [f.dropna(axis=1, how="all") for f in full]
    return pd.concat(kept, ignore_index=True).reindex(columns=columns)
