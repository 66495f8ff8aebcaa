"""Forecast every level of a hierarchy and reconcile them so that they add up.

The bottom series (one per cell of the declared columns, e.g. product × store) are put
on a regular calendar, every upper level is summed from them, and every series of every
level gets its base forecast from :func:`~stockwise.workflows.forecast.run_forecast` (its
own model, chosen by its own backtest). The reconciliation method is then chosen on the
same rolling-origin windows (:mod:`stockwise.hierarchy.selection`, no leakage) and applied
to the final forecasts with the covariance of all those windows' errors.

Bands are the base bands moved by the reconciliation's change of the point forecast
(floored at 0): they keep each series' width but, unlike the points, do not add up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.cells import write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.errors import FrameError, OptionError
from stockwise.hierarchy.reconcile import METHODS, incoherence
from stockwise.hierarchy.reconcile import methods as checked_methods
from stockwise.hierarchy.selection import (
    BASE,
    Inputs,
    MethodBacktest,
    backtest_methods,
    base_matrix,
    bottom_history,
    can_run,
    reconciled,
    residual_matrix,
)
from stockwise.hierarchy.spec import HierarchySpec
from stockwise.hierarchy.structure import (
    LEVEL,
    Structure,
    aggregate,
    bottom_attributes,
    build_structure,
)
from stockwise.models.base import interval_columns
from stockwise.progress import Report
from stockwise.schema import FORECAST
from stockwise.workflows.forecast import ForecastRun, ModelSpec, _prepare, run_forecast
from stockwise.workflows.validate import ColumnMaps, ValidationRun, validate_sources

log = logging.getLogger(__name__)
METHOD = "method"
BASE_FORECAST = "base_forecast"
COHERENCE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class HierarchyConfig:
    """How to forecast and reconcile a hierarchy (what the CLI and the library share)."""

    h: int
    freq: str | None = None
    season_length: int | None = None
    models: ModelSpec = "auto"
    levels: tuple[int, ...] = ()
    n_windows: int = 3
    """Backtest windows of the base forecasts; the reconciliation is chosen on those after
    the first (the first gives the later ones their error covariance)."""
    quality: str = "fast"
    methods: tuple[str, ...] = METHODS
    """Reconciliation methods to try (one: that method, still scored)."""
    history_window: int | None = None
    """Periods of history behind the top-down shares (default: a season, at least h)."""


@dataclass
class HierarchyRun:
    """Coherent forecasts of every level, how they were chosen and how accurate."""

    forecasts: pd.DataFrame
    """``unique_id, level, ds, forecast`` (reconciled), bands, ``base_forecast``,
    ``model`` (of the base forecast), ``method``."""
    accuracy: pd.DataFrame
    """Backtest accuracy per level and model (``base`` and each method)."""
    method: str
    structure: Structure
    base: ForecastRun
    choice: MethodBacktest
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every level's series (``unique_id, ds, y, level``) the forecasts came from."""
    window: int = 12
    """Periods of history behind the top-down shares."""
    levels: tuple[int, ...] = ()


@dataclass
class HierarchyBase:
    """Every level's series and their base forecasts: the costly part of a hierarchy run,
    which the reconciliation only reads (so it can be kept and reconciled again)."""

    structure: Structure
    history: pd.DataFrame
    """Every level's series (``unique_id, ds, y, level``)."""
    base: ForecastRun


def forecast_hierarchy(
    sales: pd.DataFrame,
    hierarchy: str | Sequence[str] | HierarchySpec,
    config: HierarchyConfig,
    progress: Report | None = None,
) -> HierarchyRun:
    """Forecast and reconcile every level of ``hierarchy`` (e.g. ``["sector/category/
    product", "store"]``) over the series of ``sales`` (``unique_id, ds, y`` and the
    hierarchy's columns). Forecasts are never negative and add up to 1e-6."""
    return reconcile_base(forecast_base(sales, hierarchy, config, progress), config)


def forecast_base(
    sales: pd.DataFrame,
    hierarchy: str | Sequence[str] | HierarchySpec,
    config: HierarchyConfig,
    progress: Report | None = None,
) -> HierarchyBase:
    """Every level's series summed from the bottom, and each one's base forecast."""
    spec = hierarchy if isinstance(hierarchy, HierarchySpec) else HierarchySpec.parse(hierarchy)
    checked_methods(config.methods)
    sales = sales.assign(**{S.UNIQUE_ID: sales[S.UNIQUE_ID].astype(str)})
    structure = build_structure(bottom_attributes(sales, spec), spec)
    bottom, freq, _ = _prepare(sales[[S.UNIQUE_ID, S.DS, S.Y]], config.freq)
    _check_same_end(bottom)
    history = aggregate(bottom, structure)
    log.info(
        "hierarchy %s: %d series on %d levels (%d at the bottom)",
        " x ".join("/".join(p) for p in spec.dimensions),
        len(structure.ids),
        len(spec.levels()),
        structure.n_bottom,
    )
    base = run_forecast(
        history[[S.UNIQUE_ID, S.DS, S.Y]],
        config.h,
        freq,
        season_length=config.season_length,
        models=config.models,
        levels=config.levels,
        n_windows=config.n_windows,
        quality=config.quality,
        progress=progress,
    )
    if base.backtest.empty:
        raise OptionError(
            "the base forecasts have no backtest, so no reconciliation method "
            "can be chosen or scored",
            hint="Use models='auto' or several models, and series long "
            "enough for the backtest windows.",
        )
    return HierarchyBase(structure, history, base)


def reconcile_base(made: HierarchyBase, config: HierarchyConfig) -> HierarchyRun:
    """Choose the reconciliation of ``made``'s base forecasts by backtest and apply it."""
    tried = checked_methods(config.methods)
    base = made.base
    window = config.history_window or max(base.season_length, config.h)
    choice = backtest_methods(
        base.backtest, made.history, made.structure, tried, base.season_length, window
    )
    run = HierarchyRun(
        pd.DataFrame(),
        choice.accuracy,
        choice.chosen,
        made.structure,
        base,
        choice,
        made.history,
        window,
        config.levels,
    )
    run.forecasts = reconcile_with(run, choice.chosen)
    return run


def reconcile_with(run: HierarchyRun, method: str) -> pd.DataFrame:
    """The run's final forecasts reconciled with ``method`` (the chosen one, or another
    to compare), non-negative and checked to add up."""
    final = base_matrix(run.base.forecasts, run.structure)
    if final is None:
        raise OptionError("some series have no forecast for every period of the horizon")
    values, dates = final
    inputs = Inputs(
        residual_matrix(run.base.backtest, run.structure).to_numpy(dtype=float),
        bottom_history(run.history, run.structure).tail(run.window).to_numpy(dtype=float),
    )
    if not can_run(method, inputs):
        raise OptionError(
            f"{method} cannot run on these forecasts: it needs "
            "residuals or history they do not have"
        )
    coherent = reconciled(values, run.structure, method, inputs)
    gap = incoherence(coherent, run.structure)
    if gap > COHERENCE_TOLERANCE * max(1.0, float(np.abs(coherent).max())):
        raise AssertionError(f"reconciled forecasts do not add up (gap {gap})")
    out = _output(run.base.forecasts, run.structure, coherent, values, dates, run.levels)
    return out.assign(**{METHOD: method})


def _check_same_end(bottom: pd.DataFrame) -> None:
    """Every bottom series must reach the last period: the levels' forecasts cover the
    same future periods only then."""
    last = bottom.groupby(S.UNIQUE_ID)[S.DS].max()
    early = last[last < last.max()]
    if not early.empty:
        named = ", ".join(f"{uid!r} (last {day:%Y-%m-%d})" for uid, day in early.head(5).items())
        raise FrameError(
            f"{len(early)} series end before the others' last period "
            f"{last.max():%Y-%m-%d}: {named}",
            hint="Drop the series no longer sold, or add their zero sales up "
            "to the last period, before forecasting the hierarchy.",
        )


def _output(
    forecasts: pd.DataFrame,
    structure: Structure,
    coherent: np.ndarray,
    base: np.ndarray,
    dates: np.ndarray,
    levels: tuple[int, ...],
) -> pd.DataFrame:
    n = len(dates)
    out = pd.DataFrame(
        {
            S.UNIQUE_ID: np.repeat(structure.ids, n),
            LEVEL: np.repeat(structure.levels, n),
            S.DS: np.tile(dates, len(structure.ids)),
            FORECAST: coherent.ravel(),
            BASE_FORECAST: base.ravel(),
        }
    )
    bands = [c for c in interval_columns(FORECAST, levels) if c in forecasts.columns]
    extra = forecasts[[S.UNIQUE_ID, S.DS, *bands, S.MODEL]]
    out = out.merge(extra, on=[S.UNIQUE_ID, S.DS], how="left")
    shift = out[FORECAST] - out[BASE_FORECAST]
    for column in bands:
        moved = (out[column] + shift).clip(lower=0)
        bound = np.minimum if "-lo-" in column else np.maximum
        out[column] = bound(moved, out[FORECAST])
    return out[[S.UNIQUE_ID, LEVEL, S.DS, FORECAST, *bands, BASE_FORECAST, S.MODEL]]


def accuracy_table(run: HierarchyRun) -> pd.DataFrame:
    """The backtest accuracy per level with the chosen method marked."""
    table = run.accuracy.copy()
    table["chosen"] = table[S.MODEL].eq(run.method)
    table.loc[table[S.MODEL].eq(BASE), "chosen"] = False
    return table


@dataclass
class HierarchyFiles:
    """A hierarchy forecast from a file: validation, the run, the files written."""

    validation: ValidationRun
    run: HierarchyRun
    files: dict[str, Path]


def hierarchy_forecast_file(
    source: str | Path | pd.DataFrame,
    out_dir: str | Path,
    hierarchy: Sequence[str],
    config: HierarchyConfig,
    *,
    column_map: dict[str, str] | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    reading: ReadOptions = NO_OPTIONS,
    progress: Report | None = None,
) -> HierarchyFiles:
    """Validate a sales file, forecast and reconcile its hierarchy, and write
    ``hierarchy_forecasts.csv`` (every series of every level), ``accuracy_by_level.csv``
    (backtest, base and each method), ``reconciliation.csv`` (each method's top, bottom
    and mean-over-levels MASE, whether it is no worse than the base at the bottom, the
    chosen one, those not scored and why) and ``selection.csv`` (each series' base model).
    """
    out = Path(out_dir)
    validation = validate_sources(
        source,
        maps=ColumnMaps(sales=column_map),
        out_dir=out / "validation",
        bounds=bounds,
        read=reading,
    )
    sales = validation.tables["sales"].require_usable().data
    run = forecast_hierarchy(sales, hierarchy, config, progress=progress)
    scores = run.choice.criteria.reset_index()
    skipped = pd.DataFrame(
        {S.MODEL: list(run.choice.skipped), "not_scored": list(run.choice.skipped.values())}
    )
    tables = {
        "hierarchy_forecasts": run.forecasts,
        "accuracy_by_level": accuracy_table(run),
        "reconciliation": pd.concat([scores, skipped], ignore_index=True),
        "selection": run.base.selection,
    }
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, table in tables.items():
        files[name] = out / f"{name}.csv"
        write_csv(table, files[name])
    return HierarchyFiles(validation, run, files)
