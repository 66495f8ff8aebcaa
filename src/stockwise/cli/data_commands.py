"""CLI commands for data: generate, validate, prepare, sectors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from stockwise.cells import write_csv
from stockwise.cli import render
from stockwise.cli.console import console, handle_errors
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

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
BoundsOption = Annotated[
    Path | None,
    typer.Option(
        "--bounds",
        help="YAML file with a 'bounds:' section: plausible min/max per column "
        "(e.g. lead_time_days: {max: 1000}); values beyond are quarantined.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("generate")(handle_errors(generate))
    app.command("validate")(handle_errors(validate))
    app.command("prepare")(handle_errors(prepare))
    app.command("sectors")(handle_errors(sectors))


def generate(
    out: OutOption = Path("stockwise-data"),
    sectors: Annotated[str, typer.Option(help="Comma-separated sectors.")] = (
        "retail,pharmacy,luxury"
    ),
    products: Annotated[int, typer.Option(min=1, help="Total number of series.")] = 60,
    days: Annotated[int, typer.Option(min=1, help="Days of history.")] = 730,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 42,
    start: Annotated[str, typer.Option(help="First day of history.")] = "2024-01-01",
    country: Annotated[str, typer.Option(help="Country for public holidays.")] = "FR",
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
) -> None:
    """Generate synthetic sales, inventory and batch files with known true demand."""
    from stockwise.synthetic import FileLayout, generate_to_files

    names = tuple(s.strip() for s in sectors.split(",") if s.strip())
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("--format must be csv or parquet")
    with console.status(f"generating {products} series × {days} days …"):
        paths = generate_to_files(
            out,
            sectors=names,
            n_products=products,
            n_days=days,
            seed=seed,
            start=start,
            country=country,
            layout=FileLayout(fmt),
        )
    for table, path in paths.items():
        console.print(f"{table}: {path}", highlight=False, soft_wrap=True)


def validate(
    sales: Annotated[
        str,
        typer.Argument(help="Sales file (CSV/Excel/Parquet), or a query/table name with --sql."),
    ],
    inventory: Annotated[Path | None, typer.Option(help="Inventory snapshot file.")] = None,
    batches: Annotated[Path | None, typer.Option(help="Batch/lot file with expiry dates.")] = None,
    column_map: MapOption = None,
    inventory_map: InventoryMapOption = None,
    batches_map: BatchesMapOption = None,
    sql: Annotated[str | None, typer.Option(help="SQLAlchemy URL; SALES is then a query.")] = None,
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
    as_of: Annotated[
        str | None, typer.Option(help="Reject sales dated after this day (default: today).")
    ] = None,
    out: OutOption = Path("stockwise-output/validation"),
    strict: Annotated[bool, typer.Option(help="Exit 1 when any row is quarantined.")] = False,
    bounds: BoundsOption = None,
) -> None:
    """Check sales (and inventory) files; report every problem and quarantine bad rows."""
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    from stockwise.data.bounds import load_bounds
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.validate import ColumnMaps, validate_sources

    source: object = sales
    if sql:
        from stockwise.adapters.sql_source import read_sql

        source = read_sql(sql, sales)
    run = validate_sources(
        source,
        inventory=inventory,
        batches=batches,
        maps=ColumnMaps(
            parse_map_option(column_map),
            parse_map_option(inventory_map),
            parse_map_option(batches_map),
        ),
        out_dir=out,
        as_of=as_of,
        bounds=load_bounds(bounds),
        read=reading,
    )
    for name, table in run.tables.items():
        render.validation_report(console, table, run.files.get(name))
    for note in run.notes:
        console.print(f"[yellow]warning:[/] {note}", highlight=False)
    for table in run.tables.values():
        table.require_usable()
    if strict and any(t.report.n_quarantined for t in run.tables.values()):
        raise typer.Exit(1)


def prepare(
    sales: Annotated[Path, typer.Argument(help="Sales file.")],
    column_map: MapOption = None,
    freq: Annotated[
        str | None, typer.Option(help="Input frequency h, D, W, M, Q or Y (inferred).")
    ] = None,
    to: Annotated[str | None, typer.Option(help="Sum to D, W (or W-SUN ...), M, Q or Y.")] = None,
    gap_policy: Annotated[
        Literal["zero", "nan"], typer.Option(help="Fill missing periods: zero or nan.")
    ] = "zero",
    out: OutOption = Path("stockwise-output/prepared"),
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
) -> None:
    """Validate, then put every series on a regular calendar (and aggregate)."""
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    from stockwise.data.mapping import parse_map_option
    from stockwise.data.prepare import prepare_sales
    from stockwise.workflows.validate import ColumnMaps, validate_sources

    run = validate_sources(
        sales, maps=ColumnMaps(sales=parse_map_option(column_map)), out_dir=out, read=reading
    )
    table = run.tables["sales"].require_usable()
    render.validation_report(console, table, run.files.get("sales"))
    prepared = prepare_sales(table.data, freq=freq, to=to, gap_policy=gap_policy)
    path = Path(out) / "sales_prepared.csv"
    write_csv(prepared, path)
    filled = int(prepared["gap_filled"].sum()) if "gap_filled" in prepared else 0
    console.print(
        f"{len(prepared)} rows ({filled} filled gaps) → {path}", highlight=False, soft_wrap=True
    )


def sectors(
    sectors_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--sectors-dir", metavar="<dir>", help="Folder with your own sector YAML files."
        ),
    ] = None,
    show: Annotated[str | None, typer.Option(help="Print one profile in full.")] = None,
) -> None:
    """List sector profiles (built-in and your own), or show one."""
    from rich.markup import escape

    from stockwise.cli.tables import Column, print_fitted
    from stockwise.sectors import list_profiles, load_profile

    extra = tuple(sectors_dir or ())
    if show:
        profile = load_profile(show, extra_dirs=extra)
        for key, value in profile.to_dict().items():
            console.print(f"[bold]{key}[/]: {value}", highlight=False)
        return
    rows = []
    for name, path in list_profiles(extra_dirs=extra).items():
        profile = load_profile(path)
        rows.append(
            [
                escape(name),
                f"{profile.service_level:.1%}",
                profile.frequency,
                str(profile.horizon),
                escape(str(path)),
            ]
        )
    print_fitted(
        console,
        (
            Column("sector", "key"),
            Column("service level", justify="right"),
            Column("frequency"),
            Column("horizon", justify="right"),
            Column("file", "text"),
        ),
        rows,
    )
