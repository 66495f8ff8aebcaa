"""CLI commands for forecasting: ``stockwise forecast`` and ``stockwise backtest``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from stockwise.cli.console import console, handle_errors
from stockwise.cli.data_commands import BoundsOption
from stockwise.cli.hierarchy_options import HierarchyOption, MethodsOption
from stockwise.cli.progress_bar import step_bar
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
from stockwise.cli.runs_command import TrackOption, tracking
from stockwise.cli.tables import Column, print_fitted

if TYPE_CHECKING:
    from stockwise.data.read_options import ReadOptions
    from stockwise.workflows.sector_forecast import ForecastFiles

HorizonOption = Annotated[
    int | None,
    typer.Option(
        "--horizon",
        "-H",
        min=1,
        help="Periods ahead (default: the sector profile's, else 48 hours, 14 days, "
        "weeks or months, 8 quarters, 3 years).",
    ),
]
FreqOption = Annotated[
    str | None,
    typer.Option(
        help="h, D, W (W-MON ... W-SUN), M, Q or Y, or a pandas alias such as MS or QS "
        "(default: the profile's, else inferred from the dates)."
    ),
]
SeasonOption = Annotated[
    int | None,
    typer.Option(
        "--season-length",
        min=1,
        help="Periods in one season (default: the profile's, else "
        "24 hours, 7 days, 52 weeks, 12 months, 4 quarters, 1 year).",
    ),
]
SectorOption = Annotated[str | None, typer.Option(help="Only this sector, with its profile.")]
LevelsOption = Annotated[str | None, typer.Option(help="Interval levels, e.g. 80,95.")]
SectorsDirOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--sectors-dir",
        metavar="<dir>",
        help="Folder with your own sector YAML files (may be repeated).",
    ),
]
OutFolderOption = Annotated[
    Path, typer.Option("--out", "-o", help="Folder for the output files (created if missing).")
]
PlannedOption = Annotated[
    Path | None,
    typer.Option(
        help="Planned values of known-ahead drivers for the forecast periods: unique_id, ds "
        "and columns also in the sales file (e.g. promo, price). Models that take inputs "
        "(LightGBM, XGBoost) learn from them."
    ),
]
DriversOption = Annotated[
    str | None, typer.Option(help="Which planned columns to use, comma-separated (default: all).")
]
ClosedDaysOption = Annotated[
    Path | None,
    typer.Option(
        help="Calendar of days known closed (a file with a date column, and a store column "
        "for one shop's days): forecast 0, left out of the bands."
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        help="Language of what a buyer reads: en or fr (alerts, reasons, the workbook, the "
        "report, the terminal; numbers as 1 234,5 and dates as dd/mm/yyyy in French). "
        "Default: the sector profile's language (the run's, for a report), else en."
    ),
]
QualityOption = Annotated[
    str,
    typer.Option(
        help="Preset of 'auto': fast (milliseconds per series, the nightly default) or best "
        "(also AutoETS, AutoTheta, AutoCES and their median on every series, gradient "
        "boosting on daily data too; seconds per series)."
    ),
]
ColdStartOption = Annotated[
    int | None,
    typer.Option(
        "--cold-start",
        min=0,
        help="Series with fewer periods than this since their first sale "
        "are forecast from their peers (same sector/category); 0: off (default: the profile's "
        "cold_start_periods, else 56 days, 13 weeks or 6 months).",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("forecast")(handle_errors(forecast))
    app.command("backtest")(handle_errors(backtest))


def forecast(
    sales: Annotated[Path, typer.Argument(help="Sales file (CSV/Excel/Parquet).")],
    horizon: HorizonOption = None,
    freq: FreqOption = None,
    season_length: SeasonOption = None,
    sector: SectorOption = None,
    models: Annotated[str, typer.Option(help="'auto' or model names, e.g. AutoETS,TSB.")] = (
        "auto"
    ),
    quality: QualityOption = "fast",
    levels: LevelsOption = None,
    windows: Annotated[int, typer.Option(min=1, help="Backtest windows for selection.")] = 2,
    column_map: MapOption = None,
    sectors_dir: SectorsDirOption = None,
    planned: PlannedOption = None,
    drivers: DriversOption = None,
    out: OutFolderOption = Path("stockwise-output/forecast"),
    track: TrackOption = True,
    force: Annotated[
        bool, typer.Option(help="Forecast a horizon longer than the longest history anyway.")
    ] = False,
    closed_days: ClosedDaysOption = None,
    bounds: BoundsOption = None,
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
    cold_start: ColdStartOption = None,
    hierarchy: HierarchyOption = None,
    reconcile: MethodsOption = None,
) -> None:
    """Forecast every series with intervals; 'auto' picks the best model per series."""
    options = dict(locals())  # first: the command's options by name, and nothing else
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    from stockwise.data.bounds import load_bounds
    from stockwise.data.closed_calendar import read_closed_days
    from stockwise.data.mapping import parse_map_option

    if hierarchy:
        _forecast_hierarchy(options, reading)
        return
    from stockwise.workflows.sector_forecast import SectorRunConfig, forecast_file

    config = SectorRunConfig.from_request(_run_options(options))
    with tracking(track, out) as tracker, step_bar() as bar:
        run = forecast_file(
            sales,
            out,
            config,
            X_df=planned,
            closed_calendar=read_closed_days(closed_days, reading) if closed_days else None,
            tracker=tracker,
            progress=bar,
            column_map=parse_map_option(column_map),
            bounds=load_bounds(bounds),
            reading=reading,
        )
    render_forecast_run(run)


def _forecast_hierarchy(options: dict[str, Any], reading: ReadOptions) -> None:
    """``stockwise forecast --hierarchy``: every level of the hierarchy forecast and
    reconciled (:mod:`stockwise.cli.hierarchy_options`)."""
    from stockwise.cli.hierarchy_options import forecast_hierarchy_command
    from stockwise.data.bounds import load_bounds
    from stockwise.data.mapping import parse_map_option

    with step_bar() as bar:
        forecast_hierarchy_command(
            options["sales"],
            options["hierarchy"],
            options["out"],
            {
                "horizon": options["horizon"],
                "freq": options["freq"],
                "models": _models(options["models"]),
                "levels": _levels(options["levels"]),
                "n_windows": options["windows"],
                "quality": options["quality"],
                "methods": options["reconcile"],
            },
            reading,
            parse_map_option(options["column_map"]),
            load_bounds(options["bounds"]),
            progress=bar,
        )


def backtest(
    sales: Annotated[Path, typer.Argument(help="Sales file (CSV/Excel/Parquet).")],
    horizon: HorizonOption = None,
    windows: Annotated[int, typer.Option(min=1, help="Rolling-origin windows.")] = 2,
    freq: FreqOption = None,
    season_length: SeasonOption = None,
    sector: SectorOption = None,
    models: Annotated[
        str | None, typer.Option(help="Model names (default: the profile's candidates).")
    ] = None,
    levels: LevelsOption = None,
    column_map: MapOption = None,
    sectors_dir: SectorsDirOption = None,
    out: OutFolderOption = Path("stockwise-output/backtest"),
    track: TrackOption = True,
    bounds: BoundsOption = None,
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
) -> None:
    """Backtest models on rolling origins; print and write per-series metrics."""
    options = dict(locals())  # first: the command's options by name, and nothing else
    reading = read_options(sep, encoding, decimal, sheet, date_format, skip_rows)
    from stockwise.data.bounds import load_bounds
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.sector_forecast import SectorRunConfig, backtest_file

    config = SectorRunConfig.from_request(_run_options(options))
    with tracking(track, out) as tracker, step_bar() as bar:
        run = backtest_file(
            sales,
            out,
            config,
            tracker=tracker,
            progress=bar,
            column_map=parse_map_option(column_map),
            bounds=load_bounds(bounds),
            reading=reading,
        )
    assert run.summary is not None
    shown = [
        c
        for c in ("sector", "model", "n_series", "mase", "rmsse", "wape", "smape", "bias")
        if c in run.summary.columns
    ]
    shown += [c for c in run.summary.columns if c.startswith("coverage_")]
    keys = {"sector", "model"}
    columns = [
        Column(c, "key" if c in keys else "fixed", justify="left" if c in keys else "right")
        for c in shown
    ]
    rows = [
        [f"{v:.3f}" if isinstance(v, float) else escape(str(v)) for v in row]
        for row in run.summary[shown].itertuples(index=False)
    ]
    print_fitted(console, columns, rows)
    for name, path in run.files.items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)


def _run_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options of a forecast or backtest command as the run's config names them
    (``windows`` is ``n_windows``, ``sectors_dir`` is ``extra_dirs``), each checked as
    the command line says it: a bad ``--models`` or ``--levels`` names the option."""
    renamed = {"windows": "n_windows", "sectors_dir": "extra_dirs"}
    out = {renamed.get(k, k): v for k, v in options.items() if k not in ("models", "levels")}
    out["levels"] = _levels(options["levels"])
    if options["models"] is not None:
        out["models"] = _models(options["models"])
    return out


def _models(text: str) -> str | list[str]:
    names = [m.strip() for m in text.split(",") if m.strip()]
    if not names:
        raise typer.BadParameter("--models needs 'auto' or at least one model name")
    return "auto" if names == ["auto"] else names


def _levels(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"--levels must be integers like 80,95, not {text!r}") from exc


def render_forecast_run(run: ForecastFiles) -> None:
    """What ``stockwise forecast`` prints: the validation summary, per sector its series,
    horizon, frequency, levels and the models used, the fallbacks, and the files."""
    console.print(run.validation.tables["sales"].report.summary, highlight=False)
    assert run.result is not None
    lines = []
    for setting in run.result.settings:
        rows = run.result.forecasts[run.result.forecasts["sector"] == setting.sector]
        used = rows.groupby("unique_id")["model"].first().value_counts()
        lines.append(
            [
                escape(setting.sector),
                str(rows["unique_id"].nunique()),
                str(setting.horizon),
                str(setting.freq or "inferred"),
                ",".join(map(str, setting.levels)),
                escape(", ".join(f"{m} ×{n}" for m, n in used.items())),
            ]
        )
    print_fitted(
        console,
        (
            Column("sector", "key"),
            Column("series", justify="right"),
            Column("h", justify="right"),
            Column("freq"),
            Column("levels"),
            Column("models used", "text"),
        ),
        lines,
    )
    fallbacks = run.result.forecasts.groupby("unique_id")["note"].first()
    fallbacks = fallbacks[fallbacks != ""]
    if len(fallbacks):
        console.print(
            f"[yellow]{len(fallbacks)} series used a fallback model[/] (see the note column)",
            highlight=False,
        )
    for name, path in run.files.items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)
