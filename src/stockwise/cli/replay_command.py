"""``stockwise replay`` (also ``stockwise simulate``): replay ordering policies over a
sales history and compare them. "Replay" is the one name of this closed loop in the code
(:mod:`stockwise.replay`); ``simulate`` stays a command name so scripts keep working."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from stockwise import schema as S
from stockwise.cli.console import console, handle_errors
from stockwise.cli.forecast_commands import OutFolderOption, SectorsDirOption
from stockwise.cli.progress_bar import step_bar
from stockwise.cli.reading import (
    READING_OPTIONS,
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
from stockwise.cli.tables import Column, print_fitted

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_DAYS = 180
"""Days replayed without ``--start``, for the help text: the replay package's own
:data:`stockwise.replay.comparison.DEFAULT_DAYS` (tested equal) is not imported here, so
that ``--help`` does not load the replay and its models."""
TARGETS = ("cycle-service-level", "fill-rate")


def register(app: typer.Typer) -> None:
    app.command("replay")(handle_errors(replay))
    app.command("simulate", hidden=True)(handle_errors(replay))


def replay(
    sales: Annotated[Path, typer.Argument(help="Sales history file: the demand to replay.")],
    sector: Annotated[
        str | None,
        typer.Option(
            help="Sector profile for service level, review period and lead time defaults; "
            "keeps only this sector's rows when the file has a sector column."
        ),
    ] = None,
    policy: Annotated[
        str, typer.Option(help="Policies, comma-separated: RS, sS, sQ, baseline.")
    ] = S.POLICY_RS,
    models: Annotated[
        str, typer.Option(help="Forecast sources, comma-separated: model names or 'auto'.")
    ] = "SeasonalNaive",
    service_levels: Annotated[
        str | None,
        typer.Option(help="Target service levels, e.g. 0.9,0.95,0.98 (default: the profile's)."),
    ] = None,
    target: Annotated[
        str,
        typer.Option(
            help="What the service levels are: cycle-service-level (share of review cycles "
            "without a stockout) or fill-rate (share of units served)."
        ),
    ] = ("cycle-service-level"),
    start: Annotated[str | None, typer.Option(help="First replayed date, YYYY-MM-DD.")] = None,
    days: Annotated[
        int | None,
        typer.Option(
            min=1, help=f"Replay the last N days (default {DEFAULT_DAYS} without --start)."
        ),
    ] = None,
    inventory: Annotated[
        Path | None,
        typer.Option(
            help="Inventory file: per-product lead time, unit cost, MOQ, pack, shelf life."
        ),
    ] = None,
    lead_time: Annotated[
        float | None,
        typer.Option(help="Lead time in days (default: middle of the profile's range)."),
    ] = None,
    review_period: Annotated[
        int | None, typer.Option(min=1, help="Days between reviews (default: the profile's).")
    ] = None,
    backorders: Annotated[
        bool, typer.Option(help="Backorder unmet demand instead of losing it.")
    ] = False,
    refit_every: Annotated[
        int, typer.Option(min=1, help="Refit the forecast every N reviews.")
    ] = 1,
    train_window: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Days of history each review's model learns from (default: all of it; "
            "a yearly-seasonal business needs at least two years).",
        ),
    ] = None,
    drivers: Annotated[
        str | None,
        typer.Option(
            help="Known-ahead columns of the sales file the forecasts use with their planned "
            "values, comma-separated (e.g. promo,price; models that take inputs, such as "
            "LightGBM or XGBoost)."
        ),
    ] = None,
    calibrate_service: Annotated[
        bool,
        typer.Option(
            help="Order at the quantile level the replay's past decisions showed to serve the "
            "target share of cycles, as the plan does (else at the target quantile)."
        ),
    ] = True,
    n_paths: Annotated[int, typer.Option("--paths", min=10, help="Demand sample paths.")] = 500,
    seed: Annotated[int, typer.Option(min=0, help="Seed of paths and lead times.")] = 0,
    column_map: MapOption = None,
    inventory_map: InventoryMapOption = None,
    sectors_dir: SectorsDirOption = None,
    out: OutFolderOption = Path("stockwise-output/simulate"),
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
) -> None:
    """Replay the history day by day under each policy; compare service, stock and waste."""
    options = dict(locals())  # first: the command's options by name, and nothing else
    from stockwise.replay import comparison as replays

    if start is not None and days is not None:
        raise typer.BadParameter("give --start or --days, not both")
    if target not in TARGETS:
        raise typer.BadParameter(f"--target must be one of {', '.join(TARGETS)}, not {target!r}")
    history, stock = _validated(options)
    comparison = replays.PolicyComparison.from_request(
        options,
        policies=_names(policy),
        forecasts=_names(models),
        service_levels=_numbers(service_levels),
        extra_dirs=sectors_dir,
    )
    replayed = replays.replayed_history(history, comparison)
    series = replayed.history[S.UNIQUE_ID].nunique()
    with step_bar(f"replaying {series} series from {replayed.first.date()}") as bar:
        results = replays.compare_policies(replayed, comparison, stock, bar)
    _render(replays.comparison_summary(results))
    for name, path in replays.write_comparison(results, out).items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)


def _validated(options: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The usable sales rows and inventory rows (None: no inventory file) of the files
    the options name, read as they say."""
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.validate import ColumnMaps, validate_sources

    reading = read_options(*(options[k] for k in READING_OPTIONS))
    validation = validate_sources(
        options["sales"],
        inventory=options["inventory"],
        maps=ColumnMaps(
            sales=parse_map_option(options["column_map"]),
            inventory=parse_map_option(options["inventory_map"]),
        ),
        read=reading,
    )
    stock = validation.tables.get("inventory")
    history = validation.tables["sales"].require_usable().data
    return history, stock.data if stock is not None else None


def _render(summary: pd.DataFrame) -> None:
    rows = []
    for row in summary.itertuples(index=False):
        source = "SN+normal" if row.policy == "baseline" else str(row.forecast)
        aim = "" if row.policy == "baseline" or row.target != "fill_rate" else " fill"
        rows.append(
            [
                escape(str(row.policy)),
                escape(source),
                f"{row.target_service_level:.1%}{aim}",
                f"{row.cycle_service_level:.1%}",
                f"{row.fill_rate:.1%}",
                f"{row.avg_stock_value:,.0f}",
                str(row.orders),
                f"{row.waste_value:,.0f}",
                f"{row.lost_units + row.backordered_units:,.0f}",
            ]
        )
    columns = [Column("policy", "key"), Column("forecast", "key")] + [
        Column(name, justify="right")
        for name in ("target", "CSL", "fill", "stock value", "orders", "waste value", "short units")
    ]
    print_fitted(
        console, columns, rows, title="Closed-loop replay (realised over the evaluation period)"
    )


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise typer.BadParameter(f"expected comma-separated names, got {text!r}")
    return names


def _numbers(text: str | None) -> list[float]:
    if not text:
        return []
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise typer.BadParameter(
            f"--service-levels must be numbers like 0.9,0.95, not {text!r}"
        ) from exc
    if not all(0 < v < 1 for v in values):
        raise typer.BadParameter("service levels must lie strictly between 0 and 1")
    return values
