"""``stockwise.forecast`` and ``stockwise.backtest``: the public forecasting API.

``forecast(df, h, freq, models="auto")`` classifies each series' demand (smooth, erratic,
intermittent, lumpy), backtests the candidate models of its class on rolling origins,
adds a per-series median ensemble of the best three, picks the best per series (per
segment for series too short to judge), refits the winners on all the data and returns
one row per series and period with ``forecast``, its bands, the ``model`` used and a
``note`` when a fallback served the series. Every model runs inside a fallback chain, so a
model failing on a series never stops the run.

Known-ahead inputs (price, promotion, events, store open): name their columns of ``df``
in ``exog`` and give their future values in ``X_df`` (``unique_id, ds`` + those columns
for the h periods after each series' end). Models that use them (``supports_exog``) get
them; in every backtest window a model sees the training rows (with their inputs) and only
the *inputs* of the held-out rows, never their ``y``. "auto" adds the global models of
:func:`~stockwise.models.registry.global_candidates` (LightGBM and XGBoost on 50 series
or more) to
every series' candidates: one fit serves the whole panel, so it is cheap per series on
large panels and left out on small ones, which keeps "auto" fast there.

The steps of a run live in :mod:`~stockwise.workflows.forecast_inputs`,
:mod:`~stockwise.workflows.forecast_choice` and :mod:`~stockwise.workflows.forecast_final`;
the names imported here "as" themselves are re-exported, as tests and the benchmarks' time
breakdown reach them through this module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NamedTuple, Unpack

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS, bridge_holes, in_holes
from stockwise.errors import OptionError
from stockwise.evaluation.backtest import backtest as backtest_model
from stockwise.evaluation.metrics import evaluate, summarise
from stockwise.evaluation.selection import MODEL
from stockwise.evaluation.selection import select_models as select_models
from stockwise.features.demand_class import classify_demand
from stockwise.model_catalogue import QUALITIES, daily_only, slow_on_daily
from stockwise.models.base import (
    Forecaster,
    check_horizon,
    normalise_levels,
)
from stockwise.models.cold_start import ColdStart
from stockwise.models.registry import with_fallback
from stockwise.models.splits import CUTOFF
from stockwise.progress import Report
from stockwise.progress import step as report_step
from stockwise.workflows.closed_days import ClosedDays, zero_closed
from stockwise.workflows.cold_start import route_young
from stockwise.workflows.forecast_choice import (
    BACKTEST_SPAN,
    FIT_SPAN,
    RunSettings,
    _candidates,
    _choose,
    _chosen_backtest,
    _label,
)
from stockwise.workflows.forecast_choice import COMBINATION_MARGIN as COMBINATION_MARGIN
from stockwise.workflows.forecast_choice import SHRINKAGE_WINDOWS as SHRINKAGE_WINDOWS
from stockwise.workflows.forecast_choice import ModelSpec as ModelSpec
from stockwise.workflows.forecast_choice import _add_ensemble as _add_ensemble
from stockwise.workflows.forecast_choice import _backtest_candidates as _backtest_candidates
from stockwise.workflows.forecast_choice import _ensemble_members as _ensemble_members
from stockwise.workflows.forecast_choice import _scored as _scored
from stockwise.workflows.forecast_choice import (
    _without_empty_ensembles as _without_empty_ensembles,
)
from stockwise.workflows.forecast_config import (
    BacktestOptions,
    ForecastConfig,
    ForecastOptions,
    option_names,
)
from stockwise.workflows.forecast_final import NOTE as NOTE
from stockwise.workflows.forecast_final import _calibrate, _final_forecasts
from stockwise.workflows.forecast_final import _combine as _combine
from stockwise.workflows.forecast_inputs import (
    _as_demand,
    _exog_columns,
    _future_inputs,
    _prepare,
    _stores,
)

log = logging.getLogger(__name__)
DEFAULT_SEASON = calendar_facts.SEASON
SLOW_ON_DAILY = {quality: slow_on_daily(quality) for quality in QUALITIES}
"""Left out of "auto" on daily data, per preset (the catalogue's ``slow_on_daily``):
fitted series by series, they cost from milliseconds (with their refits for conformal
bands) to seconds per series per fit on two years of days, where the panel-wide models
cost well under a millisecond (docs/decisions/0001-fast-auto-preset.md)."""
FAST_DAILY_WINDOWS = 4
"""Backtest windows (at least) of the fast preset on daily data. Its candidates backtest
every window in one pass over the panel, so more windows cost little, and two windows of
a few weeks gave the band calibration too little to go on: one quiet season made the
bands too narrow (docs/decisions/0002-closed-days-and-month-days.md)."""
FORECAST_OPTIONS = (*option_names(ForecastOptions), "freq")
"""The keyword options :func:`forecast` takes (the fields of a config it reads)."""
BACKTEST_OPTIONS = (*option_names(BacktestOptions), "freq")
"""The keyword options :func:`backtest` takes."""
BACKTEST_DEFAULT_MODELS = ("SeasonalNaive",)
"""What :func:`backtest` scores when neither its options nor a config name models."""
DAILY_ONLY = daily_only()
"""Candidates of "auto" on daily data only (a day of the month means nothing on weeks or
months)."""


class BacktestResult(NamedTuple):
    """Per-window forecasts (with ``cutoff``) and the per-series, per-model metrics."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        return summarise(self.metrics)


@dataclass
class ForecastRun:
    """Everything a forecast run decided: forecasts, per-series choice, backtest scores."""

    forecasts: pd.DataFrame
    selection: pd.DataFrame
    """unique_id, model (chosen), score, basis ("series", "segment", "overall", ...)."""
    metrics: pd.DataFrame
    """Backtest metrics per series and candidate model (empty with a single model)."""
    ensemble_members: dict[str, list[str]] = field(default_factory=dict)
    freq: str = "D"
    season_length: int = 1
    models: dict[str, Forecaster] = field(default_factory=dict)
    """The final fits by model label (chosen and ensemble-member models), for tracking."""
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Band corrections from the backtest (:mod:`stockwise.evaluation.calibration`)."""
    backtest: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The chosen model's backtest forecasts per series (``unique_id, ds, cutoff, y,
    forecast`` and, when calibrated, the corrected bands): how the forecasts that were
    kept did before — the inventory plan calibrates its service levels on them."""
    demand_classes: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    """Demand class per series (smooth, erratic, intermittent, lumpy, no_demand), from
    its observed periods only."""


def forecast(
    df: pd.DataFrame,
    h: int,
    freq: str | None = None,
    *,
    config: ForecastConfig | None = None,
    X_df: pd.DataFrame | None = None,
    closed_calendar: pd.DataFrame | None = None,
    **options: Unpack[ForecastOptions],
) -> pd.DataFrame:
    """Forecast ``h`` periods for every series of ``df`` (``unique_id, ds, y``).

    The options come from ``config`` (:class:`ForecastConfig`) and the keyword
    ``options`` (the same names, overriding it): ``forecast(df, 28, levels=(80, 95))``
    and ``forecast(df, 28, config=ForecastConfig(levels=(80, 95)))`` are one run.
    ``freq`` ("h", "D", "W", "M", "Q", "Y" or a pandas alias such as "W-SUN", "MS" or
    "QS"; inferred when None) may be coarser than the data, which is then summed to it
    (whole periods only). ``season_length`` defaults to the frequency's
    (:data:`stockwise.calendar_facts.SEASON`: 24 hours, 7 days, 52 weeks, 12 months,
    4 quarters, none for years). ``models`` is "auto", one model (name or forecaster) or a
    list; with more than one candidate the choice per series comes from ``n_windows`` backtests (at
    least :data:`FAST_DAILY_WINDOWS` for the fast "auto" on daily data). On daily data,
    days a busy series is expected closed are forecast 0 with zero-width bands
    (:mod:`stockwise.workflows.closed_days`).
    ``restrict_to`` (e.g. a sector profile's candidate models) narrows what "auto" tries.
    With ``calibrate`` (and levels and a backtest), the bands are corrected by how well
    the chosen forecasts' bands covered in that backtest (:mod:`.evaluation.calibration`).
    ``exog`` names known-ahead columns of ``df`` and ``X_df`` holds their future values
    (``exog`` defaults to the columns of ``X_df``).
    ``quality`` picks the preset of "auto" (:data:`QUALITIES`). ``level`` is ``levels``
    as statsforecast and mlforecast spell it. Runs of missing periods longer than
    ``max_gap_days`` are missing data, not zero sales (:mod:`stockwise.data.holes`):
    never fitted, classified or scored as demand. With a ``store`` column, a day every
    product of a busy store sold nothing is that store's closure; ``closed_calendar``
    (``ds`` [, ``store``]) lists days known closed ahead, forecast 0.
    With "auto", series younger than ``cold_start`` periods since their first sale are
    forecast from their peers (:class:`~stockwise.models.cold_start.ColdStart`: a number
    of periods, options, or False to keep them on their own history).
    Returns ``unique_id, ds, forecast, forecast-lo-L, forecast-hi-L, model, note``; use
    :func:`run_forecast` to also get the selection and the backtest metrics.
    """
    return run_forecast(
        df, h, freq, config=config, X_df=X_df, closed_calendar=closed_calendar, **options
    ).forecasts


def run_forecast(
    df: pd.DataFrame,
    h: int,
    freq: str | None = None,
    *,
    config: ForecastConfig | None = None,
    X_df: pd.DataFrame | None = None,
    closed_calendar: pd.DataFrame | None = None,
    progress: Report | None = None,
    **options: Unpack[ForecastOptions],
) -> ForecastRun:
    """:func:`forecast`, returning the whole :class:`ForecastRun`.

    ``progress`` hears each stage and each candidate backtested or model fitted
    (:mod:`stockwise.progress`); raising from it stops the run there.
    """
    given = {**options, **({} if freq is None else {"freq": freq})}
    run = ForecastConfig.of(config, given, FORECAST_OPTIONS)
    return _run(df, h, run, X_df, closed_calendar, progress)


def _run(
    df: pd.DataFrame,
    h: int,
    config: ForecastConfig,
    X_df: pd.DataFrame | None,
    closed_calendar: pd.DataFrame | None,
    progress: Report | None,
) -> ForecastRun:
    freq, models, n_windows, quality = config.freq, config.models, config.n_windows, config.quality
    levels, calibrate = config.levels, config.calibrate
    try:
        h = check_horizon(h)
    except ValueError as exc:
        raise OptionError(str(exc)) from exc
    young_options = ColdStart.of(config.cold_start)
    exog = _exog_columns(df, config.exog, X_df)
    if exog and X_df is None:
        raise OptionError(
            f"known-ahead inputs {exog} need their future values: pass X_df "
            "(unique_id, ds and those columns for the forecast periods)"
        )
    report_step(progress, "preparing the series", 0, 1, span=(0.0, BACKTEST_SPAN[0]))
    max_gap_days = DEFAULT_MAX_GAP_DAYS if config.max_gap_days is None else config.max_gap_days
    frame, freq, holes = _prepare(df, freq, exog, max_gap_days)
    season_length = calendar_facts.season_length(freq, config.season_length)
    levels = normalise_levels(levels)
    if models == "auto" and quality == "fast" and freq == "D":
        n_windows = max(n_windows, FAST_DAILY_WINDOWS)
    frame, holes = bridge_holes(
        frame, holes, season_length=season_length, min_periods=n_windows * h + 2 * season_length
    )
    segments = classify_demand(_as_demand(frame, holes))["demand_class"]
    candidates = _candidates(
        frame, models, freq, season_length, config.restrict_to, quality, segments
    )
    names = sorted({_label(n) for names in candidates.values() for n in names})
    members: dict[str, list[str]] = {}
    cv = None
    band_levels = levels if calibrate else ()
    closed = ClosedDays.of(frame, freq, season_length, _stores(df), closed_calendar)
    settings = RunSettings(
        h=h,
        n_windows=n_windows,
        season_length=season_length,
        freq=freq,
        levels=levels,
        band_levels=band_levels,
        metric=config.metric,
        ensemble_k=config.ensemble_k,
        ensemble=config.ensemble,
    )
    if len(names) == 1:
        chosen = pd.DataFrame(
            {
                S.UNIQUE_ID: sorted(candidates),
                MODEL: names[0],
                "score": np.nan,
                "basis": "only candidate",
            }
        )
        metrics = pd.DataFrame()
    else:
        chosen, metrics, members, cv = _choose(
            frame, candidates, settings, segments, closed, holes, progress
        )
    out, fitted = _final_forecasts(
        frame,
        chosen,
        candidates,
        settings,
        members,
        _future_inputs(X_df, exog),
        backtest=cv,
        progress=progress,
    )
    table = pd.DataFrame()
    past = pd.DataFrame()
    if cv is not None:
        past = _chosen_backtest(cv, chosen, band_levels)
    if band_levels and cv is not None:
        report_step(progress, "calibrating the bands", 0, 1, span=(FIT_SPAN[1], 1.0))
        out, table, past = _calibrate(
            out, frame, past, band_levels, season_length, segments, closed, holes
        )
    if isinstance(models, str) and models == "auto":  # young series: from their peers
        out, chosen = route_young(
            out, chosen, frame, df, levels, season_length, freq, young_options
        )
    if closed is not None:  # expected closures: 0, whatever the model and its bands said
        out = zero_closed(out, closed.expected(out))
        if not past.empty:
            past = zero_closed(past, closed.expected(past))
    return ForecastRun(
        out, chosen, metrics, members, freq, season_length, fitted, table, past, segments
    )


def backtest(
    df: pd.DataFrame,
    h: int,
    freq: str | None = None,
    *,
    config: ForecastConfig | None = None,
    progress: Report | None = None,
    **options: Unpack[BacktestOptions],
) -> BacktestResult:
    """Rolling-origin backtest of each model on every series; returns forecasts + metrics.

    The options come from ``config`` and the keyword ``options`` over it, as in
    :func:`forecast`; a backtest reads ``freq``, ``season_length``, ``models`` (when
    neither says more than "auto": SeasonalNaive), ``levels``, ``n_windows``, ``step``,
    ``max_gap_days`` and ``exog``.
    ``exog`` names known-ahead columns of ``df``: in each window, models that use them see
    their values on the training rows and on the held-out rows (never the held-out ``y``).
    ``progress`` hears each model as its backtest starts (:mod:`stockwise.progress`).
    """
    given: dict[str, object] = {**options, **({} if freq is None else {"freq": freq})}
    if given.get("models") is None and (config is None or config.models == "auto"):
        given["models"] = BACKTEST_DEFAULT_MODELS  # "auto" is a choice, not a model to score
    run = ForecastConfig.of(config, given, BACKTEST_OPTIONS)
    freq, models, n_windows = run.freq, run.models, run.n_windows
    max_gap_days = DEFAULT_MAX_GAP_DAYS if run.max_gap_days is None else run.max_gap_days
    frame, freq, holes = _prepare(df, freq, _exog_columns(df, run.exog or (), None), max_gap_days)
    season_length = calendar_facts.season_length(freq, run.season_length)
    frame, holes = bridge_holes(
        frame, holes, season_length=season_length, min_periods=n_windows * h + 2 * season_length
    )
    levels = normalise_levels(run.levels)
    specs = [models] if isinstance(models, str | Forecaster) else list(models)
    cv: pd.DataFrame | None = None
    names = []
    for done, spec in enumerate(specs):
        model = with_fallback(spec, season_length, freq, h)
        report_step(
            progress, "backtesting model", done, len(specs), item=model.name, span=(0.0, 0.95)
        )
        names.append(model.name)
        result = backtest_model(model, frame, h, n_windows, run.step, levels)
        key = [S.UNIQUE_ID, S.DS, CUTOFF, S.Y]
        cv = result if cv is None else cv.merge(result, on=key, how="outer")
    assert cv is not None
    report_step(progress, "scoring the models", 0, 1, span=(0.95, 1.0))
    metrics = evaluate(
        cv[~in_holes(cv, holes)], frame, names, season_length=season_length, levels=levels
    )
    return BacktestResult(cv, metrics)
