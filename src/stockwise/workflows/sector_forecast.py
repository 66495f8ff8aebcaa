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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Unpack

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
from stockwise.workflows.forecast_config import SectorRunConfig as SectorRunConfig
from stockwise.workflows.forecast_config import SectorRunOptions
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


class FileOptions(SectorRunOptions, total=False):
    """The keyword options of :func:`forecast_file` and :func:`backtest_file`: how to
    read the sales file (:class:`SalesFile`), and those of the run."""

    column_map: dict[str, str] | None
    bounds: Bounds
    reading: ReadOptions
    force: bool


@dataclass(frozen=True)
class SalesFile:
    """How to read a sales file: the ``column_map`` of its columns, the plausible
    ``bounds`` of its numbers (:mod:`stockwise.data.bounds`) and the ``reading``
    options (separator, encoding …)."""

    column_map: dict[str, str] | None = None
    bounds: Bounds = DEFAULT_BOUNDS
    reading: ReadOptions = NO_OPTIONS

    @classmethod
    def take(cls, options: dict[str, Any]) -> SalesFile:
        """The reading options, popped from ``options`` (the rest are the run's)."""
        return cls(
            **{k: options.pop(k) for k in ("column_map", "bounds", "reading") if k in options}
        )

    def validate(self, source: str | Path | pd.DataFrame, out: Path) -> ValidationRun:
        """The validation of ``source`` read this way, its files under ``out``."""
        return validate_sources(
            source,
            maps=ColumnMaps(sales=self.column_map),
            out_dir=out / "validation",
            bounds=self.bounds,
            read=self.reading,
        )


def forecast_file(
    source: str | Path | pd.DataFrame,
    out_dir: str | Path,
    config: SectorRunConfig | None = None,
    *,
    X_df: str | Path | pd.DataFrame | None = None,
    closed_calendar: pd.DataFrame | None = None,
    tracker: Tracker | None = None,
    progress: Report | None = None,
    **options: Unpack[FileOptions],
) -> ForecastFiles:
    """Validate a sales file, forecast it per sector and write the results to ``out_dir``.

    The run's options come from ``config`` and the keyword ``options`` over it
    (:func:`forecast_sectors`); the keywords also say how to read the file
    (:class:`SalesFile`). A ``horizon`` longer than the longest series' history is
    refused unless ``force`` (:func:`check_reach`).

    ``X_df``: the planned values of the known-ahead inputs for the forecast periods, a
    frame or a planned-inputs file (:func:`stockwise.data.planned.read_planned`); the
    config's ``exog`` picks among its columns (default: all).

    Writes ``forecasts.csv``, ``selection.csv`` (model per series and why),
    ``backtest_metrics.csv`` and the validation files under ``validation/``. A
    ``tracker`` records the run: params, metrics, files and each sector's champion model.
    ``progress`` hears validating, each sector's stages and writing
    (:mod:`stockwise.progress`).
    """
    given: dict[str, Any] = dict(options)
    file = SalesFile.take(given)
    config = SectorRunConfig.of(config, given)
    out = Path(out_dir)
    tracker = tracker or NullTracker()
    with tracker.start_run("forecast", tags={"stockwise.kind": "forecast"}):
        step(progress, "validating the sales", 0, 1, span=(0.0, VALIDATE_SHARE))
        validation = file.validate(source, out)
        sales = validation.tables["sales"].require_usable().data
        horizon, freq = config.horizon, config.forecast.freq
        if not config.force and horizon is not None:
            check_reach(
                sales, horizon, str(freq or validation.tables["sales"].report.frequency or "D")
            )
        exog = config.forecast.exog or ()
        future = read_planned(X_df, exog, file.reading) if X_df is not None else None
        result = forecast_sectors(
            sales,
            config,
            X_df=future,
            closed_calendar=closed_calendar,
            progress=within(progress, VALIDATE_SHARE, WRITE_FROM),
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
            options={**config.tracked("forecast"), "closed_calendar": closed_calendar},
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
    config: SectorRunConfig | None = None,
    *,
    tracker: Tracker | None = None,
    progress: Report | None = None,
    **options: Unpack[FileOptions],
) -> ForecastFiles:
    """Validate a sales file, backtest per sector (:func:`backtest_sectors`), write
    windows, metrics and summary (options and ``progress``: as :func:`forecast_file`)."""
    given: dict[str, Any] = dict(options)
    file = SalesFile.take(given)
    config = SectorRunConfig.of(config, given)
    out = Path(out_dir)
    tracker = tracker or NullTracker()
    with tracker.start_run("backtest", tags={"stockwise.kind": "backtest"}):
        step(progress, "validating the sales", 0, 1, span=(0.0, VALIDATE_SHARE))
        validation = file.validate(source, out)
        sales = validation.tables["sales"].require_usable().data
        windows, metrics, summary = backtest_sectors(
            sales, config, progress=within(progress, VALIDATE_SHARE, WRITE_FROM)
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
            options=config.tracked("backtest"),
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
