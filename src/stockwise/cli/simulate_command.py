"""``stockwise simulate``: replay ordering policies over a sales history and compare them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from stockwise import schema as S
from stockwise.calendar_facts import DAYS_PER_PERIOD, SEASON
from stockwise.cells import write_csv
from stockwise.cli.console import console, handle_errors
from stockwise.cli.forecast_commands import OutFolderOption, SectorsDirOption, split_names
from stockwise.cli.progress_bar import step_bar
from stockwise.cli.reading import (
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
TARGETS = ("cycle-service-level", "fill-rate")


def register(app: typer.Typer) -> None:
    app.command("simulate")(handle_errors(simulate))


def simulate(
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
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    import pandas as pd

    from stockwise.data.mapping import parse_map_option
    from stockwise.replay.metrics import equal_fill_rate
    from stockwise.replay.simulation import simulate_many
    from stockwise.sectors import load_profile
    from stockwise.workflows.validate import validate_sources

    if start is not None and days is not None:
        raise typer.BadParameter("give --start or --days, not both")
    if target not in TARGETS:
        raise typer.BadParameter(f"--target must be one of {', '.join(TARGETS)}, not {target!r}")
    validation = validate_sources(
        sales,
        inventory=inventory,
        column_map=parse_map_option(column_map),
        inventory_map=parse_map_option(inventory_map),
        **reading.kwargs(),
    )
    history = validation.tables["sales"].require_usable().data
    if sector is not None and "sector" in history.columns:
        history = history[history["sector"] == sector]
    profile = load_profile(sector, tuple(sectors_dir or ())) if sector else None
    freq = _frequency(history["ds"])
    scale = DAYS_PER_PERIOD[freq]
    season = profile.season_length if profile and profile.frequency == freq else SEASON[freq]
    review = review_period or (profile.review_period_days if profile else 7)
    lead = lead_time if lead_time is not None else (profile.lead_time_days.mid if profile else 7.0)
    levels = _numbers(service_levels) or [profile.service_level if profile else 0.95]
    dates = pd.DatetimeIndex(sorted(pd.to_datetime(history["ds"]).unique()))
    first = (
        pd.Timestamp(start)
        if start
        else dates[max(len(dates) - round((days or DEFAULT_DAYS) / scale), 1)]
    )
    configs = [
        {"policy": p, "forecast": m, "service_level": s}
        for p in _names(policy)
        for m in (["-"] if p == "baseline" else _names(models))
        for s in levels
    ]
    configs = [{k: v for k, v in c.items() if v != "-"} for c in configs]
    table_inv = validation.tables.get("inventory")
    with step_bar(f"replaying {history['unique_id'].nunique()} series from {first.date()}") as bar:
        results = simulate_many(
            history,
            configs,
            start=first,
            review_period_days=max(round(review / scale), 1),
            lead_time_days=lead / scale,
            lost_sales=not backorders,
            refit_every=refit_every,
            train_window=max(round(train_window / scale), 1) if train_window else None,
            calibrate_service=calibrate_service,
            drivers=split_names(drivers),
            target=target.replace("-", "_"),
            n_paths=n_paths,
            seed=seed,
            season_length=season,
            baseline_window=max(round(56 / scale), 8),
            inventory=table_inv.data if table_inv is not None else None,
            progress=bar,
        )
    summary = pd.DataFrame([r.summary for r in results])
    _render(summary)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "summary": out / "simulation_summary.csv",
        "products": out / "simulation_products.csv",
        "equal fill rate": out / "simulation_equal_fill_rate.csv",
    }
    write_csv(summary, files["summary"])
    write_csv(
        pd.concat(
            [r.products.assign(label=r.summary["label"]) for r in results], ignore_index=True
        ),
        files["products"],
    )
    write_csv(equal_fill_rate(summary), files["equal fill rate"])
    for name, path in files.items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)


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


def _frequency(ds: pd.Series) -> str:
    import pandas as pd

    dates = pd.DatetimeIndex(sorted(pd.to_datetime(ds).unique()))
    step = (dates[1:] - dates[:-1]).days.to_series().median() if len(dates) > 1 else 1
    return (
        "D" if step < 4 else "W" if step < 20 else "M" if step < 60 else "Q" if step < 200 else "Y"
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
