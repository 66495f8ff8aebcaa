"""``stockwise report`` (HTML report of a plan run) and ``stockwise etl`` (validate → prepare
→ explore)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stockwise.cli import render
from stockwise.cli.console import console, handle_errors
from stockwise.cli.data_commands import BoundsOption
from stockwise.cli.forecast_commands import LangOption
from stockwise.cli.reading import (
    DateFormatOption,
    DecimalOption,
    EncodingOption,
    MapOption,
    SepOption,
    SheetOption,
    SkipRowsOption,
    read_options,
)


def register(app: typer.Typer) -> None:
    app.command("report")(handle_errors(report))
    app.command("etl")(handle_errors(etl))


def report(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of 'stockwise plan'.")],
    sales: Annotated[
        Path | None,
        typer.Option(help="Sales file for the history (default: ../data/sales.csv when present)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file (default: RUN_DIR/report.html).")
    ] = None,
    column_map: MapOption = None,
    title: Annotated[str, typer.Option(help="Page title.")] = "stockwise inventory report",
    top: Annotated[int, typer.Option(min=1, help="Products with their own chart.")] = 12,
    png: Annotated[bool, typer.Option(help="Also write PNGs to RUN_DIR/charts/.")] = True,
    lang: LangOption = None,
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
) -> None:
    """Build a self-contained HTML report (opens offline) of a plan run, and PNG charts."""
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.report import SalesSource, report_run

    source = SalesSource(sales, parse_map_option(column_map), reading)
    with console.status("building the report …"):
        result = report_run(
            run_dir, out=out, sales=source, top=top, png=png, title=title, lang=lang
        )
    console.print(str(result.html), highlight=False, soft_wrap=True)
    if result.pngs:
        console.print(
            f"{len(result.pngs)} PNG charts in {result.pngs[0].parent}",
            highlight=False,
            soft_wrap=True,
        )


def etl(
    sales: Annotated[Path, typer.Argument(help="Sales file (CSV/Excel/Parquet).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    column_map: MapOption = None,
    viz: Annotated[
        bool, typer.Option("--viz", help="Also write exploration charts (HTML page + PNGs).")
    ] = False,
    to: Annotated[str | None, typer.Option(help="Aggregate to W or M.")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Reject sales dated after this day (default: today).")
    ] = None,
    bounds: BoundsOption = None,
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
) -> None:
    """Validate a sales file, put it on a regular calendar and write it (+ charts)."""
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    from stockwise.data.bounds import load_bounds
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.report import run_etl

    if to not in (None, "W", "M"):
        raise typer.BadParameter("--to must be W or M")
    with console.status("validating and preparing …"):
        result = run_etl(
            sales,
            out,
            column_map=parse_map_option(column_map),
            viz=viz,
            to=to,
            as_of=as_of,
            bounds=load_bounds(bounds),
            reading=reading,
        )
    table = result.validation.tables["sales"]
    render.validation_report(console, table, result.validation.files.get("sales"))
    console.print(
        f"prepared: {len(result.prepared)} rows → {result.files['prepared']}",
        highlight=False,
        soft_wrap=True,
    )
    if "exploration" in result.files:
        console.print(
            f"exploration: {result.files['exploration']}", highlight=False, soft_wrap=True
        )
        console.print(
            f"{len(result.pngs)} PNG charts in {result.pngs[0].parent}",
            highlight=False,
            soft_wrap=True,
        )
