"""``stockwise plan``: sales + stock in; the order list, alerts and projections out.

The series are planned in chunks (``--chunk-size``) on an engine: ``local`` (this
process, the default), ``process`` (a pool of ``--workers`` processes) or ``dask`` (a
local Dask cluster, or the one at ``--scheduler`` / ``$STOCKWISE_DASK_SCHEDULER``); a
progress bar on stderr says the step and counts the chunks (hidden with ``-q``;
:mod:`stockwise.cli.progress_bar`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockwise import schema as S
from stockwise.cli.console import console, err_console, handle_errors
from stockwise.cli.data_commands import BoundsOption
from stockwise.cli.forecast_commands import (
    ClosedDaysOption,
    ColdStartOption,
    DriversOption,
    FreqOption,
    LangOption,
    OutFolderOption,
    PlannedOption,
    QualityOption,
    SeasonOption,
    SectorsDirOption,
    split_names,
)
from stockwise.cli.hierarchy_options import PlanLevelOption
from stockwise.cli.progress_bar import step_bar
from stockwise.cli.reading import (
    BatchesMapOption,
    DateFormatOption,
    DecimalOption,
    EncodingOption,
    InventoryMapOption,
    MapOption,
    SepOption,
    SheetOption,
    SkipRowsOption,
    read_options,
)
from stockwise.cli.runs_command import TrackOption, tracking
from stockwise.cli.tables import Column, print_fitted
from stockwise.words import number, percent, say, tr
from stockwise.workflows.plan_config import DEFAULT_CHUNK_SIZE

SHOWN = 15


def register(app: typer.Typer) -> None:
    app.command("plan")(handle_errors(plan))


def plan(
    sales: Annotated[Path, typer.Argument(help="Sales history file.")],
    inventory: Annotated[Path, typer.Option(help="Inventory snapshot (on hand, lead times…).")],
    batches: Annotated[Path | None, typer.Option(help="Batches with expiry dates.")] = None,
    sector: Annotated[
        str | None,
        typer.Option(
            help="Only this sector, with its profile; for sales without a sector column, the "
            "profile to plan every series under (retail, pharmacy, luxury or your own)."
        ),
    ] = None,
    policy: Annotated[str, typer.Option(help="RS (order-up-to), sS or sQ.")] = S.POLICY_RS,
    target: Annotated[
        str, typer.Option(help="cycle-service-level, fill-rate, or cost (critical ratio).")
    ] = ("cycle-service-level"),
    models: Annotated[str, typer.Option(help="'auto' or model names.")] = "auto",
    quality: QualityOption = "fast",
    freq: FreqOption = None,
    season_length: SeasonOption = None,
    windows: Annotated[int, typer.Option(min=1, help="Backtest windows for selection.")] = 2,
    correct_censoring: Annotated[
        bool, typer.Option(help="Correct demand on stocked-out days before forecasting.")
    ] = True,
    calibrate_service: Annotated[
        bool,
        typer.Option(
            help="Order at the quantile level that served the target share of past protection "
            "intervals in the forecasts' backtest (else at the target quantile)."
        ),
    ] = True,
    column_map: MapOption = None,
    inventory_map: InventoryMapOption = None,
    batches_map: BatchesMapOption = None,
    sectors_dir: SectorsDirOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the demand sample paths.")] = 0,
    planned: PlannedOption = None,
    drivers: DriversOption = None,
    out: OutFolderOption = Path("stockwise-output/plan"),
    track: TrackOption = True,
    engine: Annotated[
        str,
        typer.Option(
            help="Where the chunks run: local (this process), process (a process pool) or dask."
        ),
    ] = "local",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes of the pool (default: one per CPU) or of the local Dask "
            "cluster (default 2).",
        ),
    ] = None,
    bounds: BoundsOption = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="Series per chunk. Calibration and model-selection segments pool per "
            "chunk: keep it large.",
        ),
    ] = DEFAULT_CHUNK_SIZE,
    scheduler: Annotated[
        str | None,
        typer.Option(
            envvar="STOCKWISE_DASK_SCHEDULER",
            help="Dask scheduler address, e.g. tcp://HOST:8786 (engine dask; default: a local "
            "cluster).",
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="ISO 4217 code of the unit costs and prices, e.g. EUR (default: the sector "
            "profile's)."
        ),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(
            help="Most the order list may cost: lines that save the most lost sales per unit "
            "of money are kept first; the rest are cut down or left out, and said."
        ),
    ] = None,
    closed_days: ClosedDaysOption = None,
    cold_start: ColdStartOption = None,
    lang: LangOption = None,
    csv_format: Annotated[
        str,
        typer.Option(
            help="CSV files written: input (like the sales file: ';', decimal comma and a BOM "
            "for a French export, which French Excel opens in columns), standard (',' and "
            "'.') or excel-fr."
        ),
    ] = "input",
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
    plan_level: PlanLevelOption = None,
) -> None:
    """Forecast, project stock and propose orders; write CSV + a formatted Excel workbook."""
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    from stockwise.adapters.distributed import open_executor
    from stockwise.cli.money_render import render_money
    from stockwise.data.bounds import load_bounds
    from stockwise.data.holes import describe_holes
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.chunked_plan import plan_files_in_chunks
    from stockwise.workflows.plan_config import PlanConfig, as_model_names

    config = PlanConfig(
        sector=sector,
        models=as_model_names(models),
        n_windows=windows,
        policy=policy,
        target=target.replace("-", "_"),
        correct_censoring=correct_censoring,
        extra_dirs=tuple(sectors_dir or ()),
        seed=seed,
        calibrate_service=calibrate_service,
        drivers=split_names(drivers),
        quality=quality,
        chunk_size=chunk_size,
        currency=currency,
        budget=budget,
        csv_format=csv_format,
        closed_days=str(closed_days) if closed_days else None,
        lang=lang,
        freq=freq,
        season_length=season_length,
        cold_start=cold_start,
    )
    limits = load_bounds(bounds)  # a bad bounds file stops the run before it starts
    source = sales
    if plan_level:  # e.g. a distribution centre: its stores' sales summed
        from stockwise.cli.hierarchy_options import sales_at_plan_level

        source = sales_at_plan_level(
            sales,
            plan_level,
            out,
            sector=sector,
            column_map=parse_map_option(column_map),
            reading=reading,
            bounds=limits,
        )
        column_map = None
    with (
        tracking(track, out) as tracker,
        open_executor(engine, workers=workers, scheduler=scheduler) as executor,
        step_bar() as bar,
    ):
        run, validation = plan_files_in_chunks(
            source,
            inventory,
            out,
            config,
            batches=batches,
            column_map=parse_map_option(column_map),
            inventory_map=parse_map_option(inventory_map),
            batches_map=parse_map_option(batches_map),
            reading=reading,
            planned=planned,
            executor=executor,
            tracker=tracker,
            steps=bar,
            bounds=limits,
        )
    for table in validation.tables.values():
        warned = table.report.warnings["rule"].value_counts()
        said = (
            "; warnings: " + ", ".join(f"{r} {n}" for r, n in warned.items()) if len(warned) else ""
        )  # e.g. weekly dates moved to one weekday
        console.print(
            say(f"{table.report.table}: {table.report.summary}{said}", run.lang), highlight=False
        )
    holes = describe_holes(run.holes)
    if holes:
        console.print(f"[yellow]warning:[/] {holes}", highlight=False)
    render_plan(run.plan, run.alerts, run.lang)
    render_money(console, run.plan, run.budget, run.lang)
    if run.settings is not None:
        render_settings(run.settings.to_dict())
    render_unplanned(run.unplanned, run.lang)
    for name, path in run.files.items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)


URGENT_COLUMNS = (
    Column("product", "key"),
    Column("urgency"),
    Column("order", justify="right"),
    Column("on order", justify="right"),
    Column("runs out if\nnothing is\nordered"),
    Column("P(out before\nan order\nplaced today\narrives)", justify="right"),
    Column("at stake", justify="right"),
    Column("cover", justify="right"),
    Column("alerts", "text"),
)
"""The urgent table's columns: the two stockout columns say which is which — the date
assumes nothing more is ordered; the chance is of running out before any order placed
today could arrive. Dates are short (day and month); the files hold them in full. Too
narrow a terminal moves the last columns to a second table (:mod:`stockwise.cli.tables`)."""
SHOWN_ALERTS = 10


URGENT_TITLE = "Most urgent of {count} products (worst first)"
URGENT_CAPTION = (
    "Critical stockouts first (by sales at stake), then orders to place now (by "
    "risk × value), at risk, order soon, the rest."
)
ALERT_LINE = "  {severity} {type} {id} ({value} at stake): {message}"
UNPLANNED_LINE = (
    "Warning: {count} products not planned: {reason} (e.g. {ids}); listed in unplanned.csv"
)


def render_plan(plan, alerts, lang: str = "en") -> None:
    """The most urgent lines, worst first (:func:`stockwise.inventory.plan.sort_plan`),
    the alert counts, and the actions of the most urgent alerts; words, numbers and dates
    in ``lang`` (:mod:`stockwise.words`)."""
    from stockwise.inventory.decision import DAYS_OF_COVER_CAP
    from stockwise.inventory.plan import sort_alerts, sort_plan

    plan = sort_plan(plan)
    rows = []
    for row in plan.head(SHOWN).to_dict("records"):
        severity = say(row.get("severity") or "", lang)
        alert = say(row.get("alert") or "", lang)
        alert = alert.replace("_risk", "") if lang == "en" else alert
        rows.append(
            [
                escape(str(row["unique_id"])),
                say(row["urgency"], lang),
                _order(row, lang),
                _on_order(row, lang),
                _day(row["stockout_date"], lang),
                percent(row["stockout_probability"], lang),
                _money(row.get("value_at_stake"), lang),
                tr("10y+", lang)
                if row["days_of_cover"] >= DAYS_OF_COVER_CAP
                else tr("{days}d", lang, days=number(row["days_of_cover"], lang)),
                f"{alert} ({severity})" if alert and severity else alert,
            ]
        )
    columns = [replace(c, header=tr(c.header, lang)) for c in URGENT_COLUMNS]
    print_fitted(
        console,
        columns,
        rows,
        title=tr(URGENT_TITLE, lang, count=len(plan)),
        caption=tr(URGENT_CAPTION, lang),
        lang=lang,
    )
    if not alerts.empty:
        counts = alerts.groupby(["type", "severity"]).size()
        console.print(
            tr(
                "alerts: {counts}",
                lang,
                counts=", ".join(
                    f"{say(t, lang)} {say(s, lang)} {n}" for (t, s), n in counts.items()
                ),
            ),
            highlight=False,
        )
        for alert in sort_alerts(alerts).head(SHOWN_ALERTS).to_dict("records"):
            console.print(
                tr(
                    ALERT_LINE,
                    lang,
                    severity=say(alert["severity"], lang),
                    type=say(alert["type"], lang),
                    id=alert["unique_id"],
                    value=_money(alert["value_at_stake"], lang),
                    message=say(alert["message"], lang),
                ),
                highlight=False,
                soft_wrap=True,
            )


def render_unplanned(unplanned, lang: str = "en") -> None:
    """The inventory products no line could be made for, each reason with examples."""
    if unplanned.empty:
        return
    for reason, rows in unplanned.groupby("reason", sort=False):
        ids = ", ".join(rows["unique_id"].astype(str).head(3))
        err_console.print(
            tr(UNPLANNED_LINE, lang, count=len(rows), reason=say(reason, lang), ids=ids),
            highlight=False,
            soft_wrap=True,
        )


def _order(row: dict, lang: str = "en") -> str:
    quantity = row.get("order_qty") or 0
    if not quantity or quantity != quantity:
        return ""
    if row.get("urgency") == "order now":
        return tr("{qty} now", lang, qty=number(quantity, lang))
    return tr(
        "{qty} by {date}", lang, qty=number(quantity, lang), date=_day(row.get("order_date"), lang)
    )


def _on_order(row: dict, lang: str = "en") -> str:
    quantity = row.get("on_order") or 0
    if not quantity or quantity != quantity:
        return ""
    due = _day(row.get("on_order_due"), lang)
    if due:
        return tr("{qty} due {date}", lang, qty=number(quantity, lang), date=due)
    return tr("{qty} (no date)", lang, qty=number(quantity, lang))


def _money(value: object, lang: str = "en") -> str:
    try:
        number_ = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return number(number_, lang) if number_ == number_ and number_ > 0 else ""


def _day(value: object, lang: str = "en") -> str:
    """A date as "05 Aug" / "05/08" (empty when there is none)."""
    if value is None or value != value:
        return ""
    return format(value, "%d %b") if lang == "en" else format(value, "%d/%m")


def render_settings(settings: dict) -> None:
    """The settings behind this bill, a few lines (all of them: settings.json)."""
    from stockwise.report.settings_view import settings_lines

    console.print(
        "Settings of this plan (all of them: settings.json, the workbook's Settings sheet):",
        highlight=False,
    )
    for line in settings_lines(settings):
        console.print(f"  {line}", highlight=False, soft_wrap=True)


def _date(value: object) -> str:
    return "" if value is None or value != value else str(value)[:10]
