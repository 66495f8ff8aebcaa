"""Forecast and backtest a sales table sector by sector, with each sector's profile.

A table with a ``sector`` column is split by sector; each sector with a profile gets its
frequency, season, horizon, interval levels and candidate models from it, and explicit
arguments override the profile. Sectors without a profile (and tables without a sector
column) use generic defaults inferred from the data.

The runs themselves live in :mod:`~stockwise.workflows.sector_runs`; their names are
re-exported here (imported "as" themselves).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.cells import round_to_meaning, write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.identity import beside_id, identity_of
from stockwise.data.planned import read_planned
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.errors import OptionError
from stockwise.progress import Report, step, within
from stockwise.workflows.sector_runs import DEFAULT_BACKTEST_MODELS as DEFAULT_BACKTEST_MODELS
from stockwise.workflows.sector_runs import GENERIC as GENERIC
from stockwise.workflows.sector_runs import SectorForecasts as SectorForecasts
from stockwise.workflows.sector_runs import Settings as Settings
from stockwise.workflows.sector_runs import backtest_sectors as backtest_sectors
from stockwise.workflows.sector_runs import forecast_sectors as forecast_sectors
from stockwise.workflows.tracking import NullTracker, Tracker, track_forecasts, track_run
from stockwise.workflows.validate import ColumnMaps, ValidationRun, validate_sources

log = logging.getLogger(__name__)
VALIDATE_SHARE, WRITE_FROM = 0.05, 0.97
"""Shares of a file's run reported for validating (up to 5 %) and writing (the last 3 %)."""


@dataclass
class ForecastFiles:
    """A forecast (or backtest) run from a file: validation, results, files written."""

    validation: ValidationRun
    files: dict[str, Path]
    result: SectorForecasts | None = None
    summary: pd.DataFrame | None = None


def forecast_file(
    source: str | Path | pd.DataFrame,
    out_dir: str | Path,
    *,
    column_map: dict[str, str] | None = None,
    tracker: Tracker | None = None,
    planned: str | Path | pd.DataFrame | None = None,
    drivers: Sequence[str] = (),
    bounds: Bounds = DEFAULT_BOUNDS,
    force: bool = False,
    reading: ReadOptions = NO_OPTIONS,
    progress: Report | None = None,
    **options: object,
) -> ForecastFiles:
    """Validate a sales file, forecast it per sector and write the results to ``out_dir``.

    A ``horizon`` longer than the longest series' history is refused unless ``force``
    (:func:`check_reach`).

    ``planned``: a planned-inputs file (:func:`stockwise.data.planned.read_planned`) with
    the values of known-ahead drivers (``drivers``, default all its columns) for the
    forecast periods. ``bounds``: the plausible ranges of the numbers
    (:mod:`stockwise.data.bounds`). ``reading``: how to read the sales file.

    Writes ``forecasts.csv``, ``selection.csv`` (model per series and why),
    ``backtest_metrics.csv`` and the validation files under ``validation/``. A
    ``tracker`` records the run: params, metrics, files and each sector's champion model.
    ``progress`` hears validating, each sector's stages and writing
    (:mod:`stockwise.progress`).
    """
    out = Path(out_dir)
    tracker = tracker or NullTracker()
    with tracker.start_run("forecast", tags={"stockwise.kind": "forecast"}):
        step(progress, "validating the sales", 0, 1, span=(0.0, VALIDATE_SHARE))
        validation = validate_sources(
            source,
            maps=ColumnMaps(sales=column_map),
            out_dir=out / "validation",
            bounds=bounds,
            read=reading,
        )
        sales = validation.tables["sales"].require_usable().data
        horizon, freq = options.get("horizon"), options.get("freq")
        if not force and isinstance(horizon, int):
            check_reach(
                sales, horizon, str(freq or validation.tables["sales"].report.frequency or "D")
            )
        future = read_planned(planned, drivers, reading) if planned is not None else None
        result = forecast_sectors(
            sales,
            planned=future,
            drivers=drivers,
            progress=within(progress, VALIDATE_SHARE, WRITE_FROM),
            **options,  # type: ignore[arg-type]
        )
        step(progress, "writing the files", 0, 1, span=(WRITE_FROM, 1.0))
        files = _write(
            out,
            {
                "forecasts": result.forecasts,
                "selection": result.selection,
                "backtest_metrics": result.metrics,
            },
            identity_of(sales),
        )
        track_forecasts(
            tracker,
            "forecast",
            sales=sales,
            options=options,
            result=result,
            out_dir=out,
            files=files,
        )
    return ForecastFiles(validation, files, result=result)


def check_reach(sales: pd.DataFrame, horizon: int | None, freq: str | None) -> None:
    """Refuse a horizon longer than the longest history of ``sales``.

    Past that, a forecast only repeats each model's extrapolation of what it has seen
    (13 years from 2.6 years of sales), and the files grow with every period asked for.
    """
    if horizon is None or sales.empty:
        return
    code = calendar_facts.code_of(freq or "D")
    spans = sales.groupby(S.UNIQUE_ID, sort=False)[S.DS].agg(["min", "max"])
    first, last = spans["min"], spans["max"]
    if code == "W":
        periods = (last - first).dt.days // 7 + 1
    else:
        periods = pd.Series(
            calendar_facts.period_index(last, code) - calendar_facts.period_index(first, code) + 1
        )
    history = int(periods.max())
    if horizon > history:
        raise OptionError(
            f"a horizon of {horizon} periods ({code}) is longer than the longest history "
            f"({history} periods): its forecasts would only extrapolate",
            hint="Shorten --horizon, or pass --force to forecast that far anyway.",
        )


def backtest_file(
    source: str | Path | pd.DataFrame,
    out_dir: str | Path,
    *,
    column_map: dict[str, str] | None = None,
    tracker: Tracker | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    reading: ReadOptions = NO_OPTIONS,
    progress: Report | None = None,
    **options: object,
) -> ForecastFiles:
    """Validate a sales file (read as ``reading`` says), backtest per sector, write
    windows, metrics and summary (``progress``: as :func:`forecast_file`)."""
    out = Path(out_dir)
    tracker = tracker or NullTracker()
    with tracker.start_run("backtest", tags={"stockwise.kind": "backtest"}):
        step(progress, "validating the sales", 0, 1, span=(0.0, VALIDATE_SHARE))
        validation = validate_sources(
            source,
            maps=ColumnMaps(sales=column_map),
            out_dir=out / "validation",
            bounds=bounds,
            read=reading,
        )
        sales = validation.tables["sales"].require_usable().data
        windows, metrics, summary = backtest_sectors(
            sales,
            progress=within(progress, VALIDATE_SHARE, WRITE_FROM),
            **options,  # type: ignore[arg-type]
        )
        step(progress, "writing the files", 0, 1, span=(WRITE_FROM, 1.0))
        files = _write(
            out,
            {
                "backtest_forecasts": windows,
                "backtest_metrics": metrics,
                "backtest_summary": summary,
            },
            identity_of(sales),
        )
        track_run(
            tracker,
            "backtest",
            sales=sales,
            options=options,
            metrics=metrics,
            out_dir=out,
            files=files,
        )
    return ForecastFiles(validation, files, summary=summary)


def _write(out: Path, tables: dict[str, pd.DataFrame], identity: pd.DataFrame) -> dict[str, Path]:
    """Each table as CSV, with the product and store beside the id (``identity``,
    :mod:`stockwise.data.identity`) and the forecasts rounded to the hundredth."""
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, table in tables.items():
        path = out / f"{name}.csv"
        write_csv(beside_id(round_to_meaning(table), identity), path)
        files[name] = path
    return files
