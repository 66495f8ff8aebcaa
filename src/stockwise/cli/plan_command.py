"""``stockwise plan``: sales + stock in; the order list, alerts and projections out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stockwise.cli.app import console, handle_errors
from stockwise.cli.forecast_commands import DriversOption, PlannedOption, split_names
from stockwise.cli.runs_command import TrackOption, tracking

SHOWN = 15


def register(app: typer.Typer) -> None:
    app.command("plan")(handle_errors(plan))


def plan(
    sales: Annotated[Path, typer.Argument(help="Sales history file.")],
    inventory: Annotated[Path, typer.Option(help="Inventory snapshot (on hand, lead times…).")],
    batches: Annotated[Path | None, typer.Option(help="Batches with expiry dates.")] = None,
    sector: Annotated[str | None, typer.Option(help="Only this sector, with its profile.")] = None,
    policy: Annotated[str, typer.Option(help="RS (order-up-to), sS or sQ.")] = "RS",
    target: Annotated[str, typer.Option(
        help="cycle-service-level, fill-rate, or cost (critical ratio).")] = (
        "cycle-service-level"),
    models: Annotated[str, typer.Option(help="'auto' or model names.")] = "auto",
    windows: Annotated[int, typer.Option(min=1, help="Backtest windows for selection.")] = 2,
    correct_censoring: Annotated[bool, typer.Option(
        help="Correct demand on stocked-out days before forecasting.")] = True,
    calibrate_service: Annotated[bool, typer.Option(
        help="Order at the quantile level that served the target share of past protection "
             "intervals in the forecasts' backtest (else at the target quantile).")] = True,
    column_map: Annotated[str | None, typer.Option("--map", help="Sales column mapping.")] = None,
    inventory_map: Annotated[str | None, typer.Option(help="Inventory mapping.")] = None,
    sectors_dir: Annotated[list[Path] | None, typer.Option("--sectors-dir")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the demand sample paths.")] = 0,
    planned: PlannedOption = None,
    drivers: DriversOption = None,
    out: Annotated[Path, typer.Option("--out", "-o")] = Path("stockwise-output/plan"),
    track: TrackOption = True,
) -> None:
    """Forecast, project stock and propose orders; write CSV + a formatted Excel workbook."""
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.plan import plan_files

    names = [m.strip() for m in models.split(",") if m.strip()]
    with tracking(track, out) as tracker, console.status(
            "validating, forecasting and planning …"):
        run, validation = plan_files(
            sales, inventory, out, batches=batches, column_map=parse_map_option(column_map),
            inventory_map=parse_map_option(inventory_map), sector=sector, policy=policy,
            target=target.replace("-", "_"), models="auto" if names == ["auto"] else names,
            n_windows=windows, correct_censoring=correct_censoring,
            calibrate_service=calibrate_service,
            extra_dirs=tuple(sectors_dir or ()), seed=seed, tracker=tracker,
            planned=planned, drivers=split_names(drivers),
        )
    for table in validation.tables.values():
        console.print(f"{table.report.table}: {table.report.summary}", highlight=False)
    render_plan(run.plan.plan, run.plan.alerts)
    for name, path in run.files.items():
        console.print(f"{name}: {path}", highlight=False)


def render_plan(plan, alerts) -> None:
    """The most urgent lines and the alert counts."""
    table = Table(title=f"Most urgent of {len(plan)} products", title_justify="left")
    for column in ("product", "urgency", "order on", "qty", "runs out", "P(out)", "cover",
                   "alerts"):
        table.add_column(column, no_wrap=column != "alerts", overflow="fold")
    for row in plan.head(SHOWN).itertuples(index=False):
        table.add_row(
            str(row.unique_id), row.urgency, _date(row.order_date), f"{row.order_qty:g}",
            _date(row.stockout_date), f"{row.stockout_probability:.0%}",
            "∞" if row.days_of_cover == float("inf") else f"{row.days_of_cover:.0f}d",
            (row.alert or "").replace("_risk", ""),
        )
    console.print(table)
    if not alerts.empty:
        counts = alerts.groupby(["type", "severity"]).size()
        console.print("alerts: " + ", ".join(f"{t} {s} {n}" for (t, s), n in counts.items()),
                      highlight=False)


def _date(value: object) -> str:
    return "" if value is None or value != value else str(value)[:10]
