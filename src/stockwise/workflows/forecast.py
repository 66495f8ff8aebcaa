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
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.frequency import align_week_anchors
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS, bridge_holes, find_holes, in_holes
from stockwise.data.prepare import aggregate, regularize
from stockwise.errors import InputError, OptionError
from stockwise.evaluation.backtest import backtest as backtest_model
from stockwise.evaluation.backtest import bands_from_earlier_windows
from stockwise.evaluation.calibration import (
    apply_corrections,
    apply_floors,
    band_scores,
    corrections,
    open_floors,
    series_scale,
)
from stockwise.evaluation.metrics import evaluate, summarise
from stockwise.evaluation.selection import ENSEMBLE, MODEL, select_models
from stockwise.features.demand_class import DEMAND_CLASSES, classify_demand
from stockwise.model_catalogue import QUALITIES, candidates_by_class, daily_only, slow_on_daily
from stockwise.models.base import (
    Forecaster,
    check_horizon,
    check_training_frame,
    infer_freq,
    interval_columns,
    normalise_levels,
)
from stockwise.models.cold_start import ColdStart
from stockwise.models.combination import median_of_members
from stockwise.models.registry import global_candidates, make_model, with_fallback
from stockwise.models.splits import CUTOFF
from stockwise.progress import Report
from stockwise.progress import step as report_step
from stockwise.schema import FORECAST
from stockwise.workflows.closed_days import ClosedDays, zero_closed
from stockwise.workflows.cold_start import route_young

log = logging.getLogger(__name__)
NOTE = "note"
DEFAULT_SEASON = calendar_facts.SEASON
BACKTEST_SPAN = (0.05, 0.75)
FIT_SPAN = (0.75, 0.95)
"""Shares of a forecast run reported for its stages: preparing, backtesting the
candidates (most of the time), fitting the chosen models, calibrating the bands."""
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
DAILY_ONLY = daily_only()
"""Candidates of "auto" on daily data only (a day of the month means nothing on weeks or
months)."""
SHRINKAGE_WINDOWS = 2
"""Weight, in backtest windows, of the segment's evidence when choosing a series' model."""
COMBINATION_MARGIN = 0.1
"""A series keeps a candidate combination (``MedianCombo``) unless another model's backtest
score beats it by this share (:func:`~stockwise.evaluation.selection.select_models`)."""
ModelSpec = str | Forecaster | Sequence[str | Forecaster]


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
    season_length: int | None = None,
    models: ModelSpec = "auto",
    levels: Sequence[int] = (),
    n_windows: int = 2,
    *,
    metric: str = "mase",
    ensemble_k: int = 3,
    ensemble: str = "median",
    restrict_to: Sequence[str] | None = None,
    calibrate: bool = True,
    exog: Sequence[str] | None = None,
    X_df: pd.DataFrame | None = None,
    quality: str = "fast",
    level: Sequence[int] | None = None,
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
    closed_calendar: pd.DataFrame | None = None,
    cold_start: ColdStart | int | bool | None = None,
) -> pd.DataFrame:
    """Forecast ``h`` periods for every series of ``df`` (``unique_id, ds, y``).

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
    if level is not None:
        if levels:
            raise OptionError("give the interval levels once: levels= or level=, not both")
        levels = level
    return run_forecast(
        df,
        h,
        freq,
        season_length,
        models,
        levels,
        n_windows,
        metric=metric,
        ensemble_k=ensemble_k,
        ensemble=ensemble,
        restrict_to=restrict_to,
        calibrate=calibrate,
        exog=exog,
        X_df=X_df,
        quality=quality,
        max_gap_days=max_gap_days,
        closed_calendar=closed_calendar,
        cold_start=cold_start,
    ).forecasts


def run_forecast(
    df: pd.DataFrame,
    h: int,
    freq: str | None = None,
    season_length: int | None = None,
    models: ModelSpec = "auto",
    levels: Sequence[int] = (),
    n_windows: int = 2,
    *,
    metric: str = "mase",
    ensemble_k: int = 3,
    ensemble: str = "median",
    restrict_to: Sequence[str] | None = None,
    calibrate: bool = True,
    exog: Sequence[str] | None = None,
    X_df: pd.DataFrame | None = None,
    quality: str = "fast",
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
    closed_calendar: pd.DataFrame | None = None,
    progress: Report | None = None,
    cold_start: ColdStart | int | bool | None = None,
) -> ForecastRun:
    """:func:`forecast`, returning the whole :class:`ForecastRun`.

    ``progress`` hears each stage and each candidate backtested or model fitted
    (:mod:`stockwise.progress`); raising from it stops the run there.
    """
    try:
        h = check_horizon(h)
    except ValueError as exc:
        raise OptionError(str(exc)) from exc
    if ensemble not in ("mean", "median"):
        raise OptionError(f"ensemble must be 'mean' or 'median', not {ensemble!r}")
    if quality not in QUALITIES:
        raise OptionError(f"quality must be one of {', '.join(QUALITIES)}, not {quality!r}")
    young_options = ColdStart.of(cold_start)
    exog = _exog_columns(df, exog, X_df)
    if exog and X_df is None:
        raise OptionError(
            f"known-ahead inputs {exog} need their future values: pass X_df "
            "(unique_id, ds and those columns for the forecast periods)"
        )
    report_step(progress, "preparing the series", 0, 1, span=(0.0, BACKTEST_SPAN[0]))
    frame, freq, holes = _prepare(df, freq, exog, max_gap_days)
    season_length = calendar_facts.season_length(freq, season_length or None)
    levels = normalise_levels(levels)
    if models == "auto" and quality == "fast" and freq == "D":
        n_windows = max(n_windows, FAST_DAILY_WINDOWS)
    frame, holes = bridge_holes(
        frame, holes, season_length=season_length, min_periods=n_windows * h + 2 * season_length
    )
    segments = classify_demand(_as_demand(frame, holes))["demand_class"]
    candidates = _candidates(frame, models, freq, season_length, restrict_to, quality, segments)
    names = sorted({_label(n) for names in candidates.values() for n in names})
    members: dict[str, list[str]] = {}
    cv = None
    band_levels = levels if calibrate else ()
    closed = ClosedDays.of(frame, freq, season_length, _stores(df), closed_calendar)
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
            frame,
            candidates,
            h,
            n_windows,
            season_length,
            metric,
            ensemble_k,
            ensemble,
            band_levels,
            freq,
            segments,
            closed,
            holes,
            progress,
        )
    out, fitted = _final_forecasts(
        frame,
        chosen,
        candidates,
        h,
        levels,
        season_length,
        freq,
        ensemble,
        members,
        _future_inputs(X_df, exog),
        backtest=cv,
        n_windows=n_windows,
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
    models: ModelSpec = ("SeasonalNaive",),
    n_windows: int = 2,
    season_length: int | None = None,
    levels: Sequence[int] = (),
    step: int | None = None,
    exog: Sequence[str] = (),
    progress: Report | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of each model on every series; returns forecasts + metrics.

    ``exog`` names known-ahead columns of ``df``: in each window, models that use them see
    their values on the training rows and on the held-out rows (never the held-out ``y``).
    ``progress`` hears each model as its backtest starts (:mod:`stockwise.progress`).
    """
    frame, freq, holes = _prepare(df, freq, _exog_columns(df, exog, None))
    season_length = calendar_facts.season_length(freq, season_length or None)
    frame, holes = bridge_holes(
        frame, holes, season_length=season_length, min_periods=n_windows * h + 2 * season_length
    )
    levels = normalise_levels(levels)
    specs = [models] if isinstance(models, str | Forecaster) else list(models)
    cv: pd.DataFrame | None = None
    names = []
    for done, spec in enumerate(specs):
        model = with_fallback(spec, season_length, freq, h)
        report_step(
            progress, "backtesting model", done, len(specs), item=model.name, span=(0.0, 0.95)
        )
        names.append(model.name)
        result = backtest_model(model, frame, h, n_windows, step, levels)
        key = [S.UNIQUE_ID, S.DS, CUTOFF, S.Y]
        cv = result if cv is None else cv.merge(result, on=key, how="outer")
    assert cv is not None
    report_step(progress, "scoring the models", 0, 1, span=(0.95, 1.0))
    metrics = evaluate(
        cv[~in_holes(cv, holes)], frame, names, season_length=season_length, levels=levels
    )
    return BacktestResult(cv, metrics)


# -- steps --------------------------------------------------------------------------------
def _prepare(
    df: pd.DataFrame,
    freq: str | None,
    exog: Sequence[str] = (),
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Check the frame, put it on a regular calendar, aggregate to a coarser ``freq``;
    also return its long holes (:func:`~stockwise.data.holes.find_holes`, at ``freq``).

    Known-ahead columns (``exog``) are carried along; on periods the calendar fills in,
    they take the series' previous (else next) value.
    """
    frame = _one_week_anchor(check_training_frame(df, "forecast"))
    data_freq = infer_freq(frame)
    wanted, week_start = calendar_facts.parse(freq) if freq else (data_freq, None)
    drivers = frame[[S.UNIQUE_ID, S.DS, *exog]] if exog else None
    frame = regularize(frame[[S.UNIQUE_ID, S.DS, S.Y]], data_freq, gap_policy="zero")
    if not calendar_facts.coarser_or_same(wanted, data_freq):
        raise OptionError(
            f"the data is {data_freq}; it cannot be forecast at a finer frequency ({wanted})"
        )
    if wanted != data_freq:
        if exog:
            raise OptionError(
                f"known-ahead inputs {list(exog)} are per {data_freq} period; "
                f"forecast at the data's frequency ({data_freq}) to use them"
            )
        target = str(freq) if week_start is not None else wanted
        frame = _complete_periods(aggregate(frame, target), data_freq, wanted)
    holes = find_holes(frame, max_gap_days=max_gap_days)
    frame = frame[[S.UNIQUE_ID, S.DS, S.Y]].reset_index(drop=True)
    if drivers is not None:
        for column, count in drivers[list(exog)].isna().sum().items():
            if count:  # said, not silent: the value carried forward is a guess
                log.warning(
                    "known-ahead input '%s' is empty on %d of %d rows; each gap takes "
                    "the series' previous value (else its next)",
                    column,
                    count,
                    len(drivers),
                )
        frame = frame.merge(
            drivers.drop_duplicates([S.UNIQUE_ID, S.DS], keep="last"),
            on=[S.UNIQUE_ID, S.DS],
            how="left",
        )
        by_series = frame.groupby(S.UNIQUE_ID, sort=False)[list(exog)]
        frame[list(exog)] = by_series.ffill().fillna(by_series.bfill())
    return frame, wanted, holes


def _stores(df: pd.DataFrame) -> pd.Series | None:
    """The store of each series (indexed by ``unique_id``), when the data names them."""
    if S.STORE not in df.columns:
        return None
    pairs = df[[S.UNIQUE_ID, S.STORE]].dropna().drop_duplicates(S.UNIQUE_ID)
    return pd.Series(
        pairs[S.STORE].astype(str).to_numpy(), index=pairs[S.UNIQUE_ID].astype(str).to_numpy()
    )


def _as_demand(frame: pd.DataFrame, bridged: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the estimated periods of its ``bridged`` holes as NaN: no demand was
    seen there, so they do not count in a demand class."""
    if bridged.empty:
        return frame
    estimated = in_holes(frame, bridged)
    return frame.assign(**{S.Y: np.where(estimated, np.nan, frame[S.Y].to_numpy(dtype=float))})


def _one_week_anchor(frame: pd.DataFrame) -> pd.DataFrame:
    """Weekly series dated on mixed weekdays, put on one weekday with a warning
    (:func:`~stockwise.data.frequency.align_week_anchors`; validated sales already are),
    so that they are forecast as weeks, neither as days nor with two rows in one week."""
    ids, ds = frame[S.UNIQUE_ID].to_numpy(), frame[S.DS].to_numpy()
    same = ids[1:] == ids[:-1]
    if same.any() and np.all(~same | (np.diff(ds) == np.timedelta64(1, "D"))):
        return frame  # sorted daily rows (the usual case): nothing to look at
    found = align_week_anchors(frame)
    if found is None or not found.moved.any():
        return frame
    log.warning("%s", found.note())
    return frame.assign(**{S.DS: found.ds})


def _exog_columns(
    df: pd.DataFrame, exog: Sequence[str] | None, X_df: pd.DataFrame | None
) -> list[str]:
    """The known-ahead columns: as given, else those of ``X_df``; each must be in ``df``."""
    if exog is None:
        exog = (
            [] if X_df is None else [c for c in X_df.columns if c not in (S.UNIQUE_ID, S.DS, S.Y)]
        )
    columns = list(dict.fromkeys(exog))
    for column in columns:
        if column not in df.columns:
            raise InputError(
                f"known-ahead input '{column}' is not a column of the sales "
                f"table (columns: {list(df.columns)})",
                column=column,
            )
    return columns


def _future_inputs(X_df: pd.DataFrame | None, exog: Sequence[str]) -> pd.DataFrame | None:
    if X_df is None or not exog:
        return None
    missing = [c for c in (S.UNIQUE_ID, S.DS, *exog) if c not in X_df.columns]
    if missing:
        raise InputError(
            f"X_df has no column '{missing[0]}' (needs unique_id, ds and the "
            f"known-ahead inputs {list(exog)})",
            column=missing[0],
        )
    future = X_df[[S.UNIQUE_ID, S.DS, *exog]].copy()
    future[S.UNIQUE_ID] = future[S.UNIQUE_ID].astype(str)
    future[S.DS] = pd.to_datetime(future[S.DS])
    return future


def _complete_periods(frame: pd.DataFrame, data_freq: str, freq: str) -> pd.DataFrame:
    """Drop partial first/last periods: a 3-day "week" is not a low-demand week, two
    months are not a quarter.

    The forecast then starts with the current (partial) period, so it covers today. A
    series shorter than one whole period keeps what it has. Weeks summed to months or
    longer straddle their bounds: no period is known whole, so all are kept.
    """
    days = calendar_facts.days_in_period(frame[S.DS], freq)
    expected: np.ndarray | int
    if data_freq == "h":
        expected = 24 * days
    elif data_freq in calendar_facts.MONTHS_PER_PERIOD:
        expected = (
            calendar_facts.MONTHS_PER_PERIOD[freq] // calendar_facts.MONTHS_PER_PERIOD[data_freq]
        )
    else:
        expected = days
    complete = pd.Series(frame[S.N_OBS].to_numpy() >= expected, index=frame.index)
    keeps_something = complete.groupby(frame[S.UNIQUE_ID]).transform("any")
    return frame[complete | ~keeps_something]


def _candidates(
    frame: pd.DataFrame,
    models: ModelSpec,
    freq: str,
    season_length: int,
    restrict_to: Sequence[str] | None = None,
    quality: str = "fast",
    segments: pd.Series | None = None,
) -> dict[str, list[str | Forecaster]]:
    """Per series, the models to try: by demand class for "auto", else the given ones.

    With ``restrict_to``, "auto" keeps only those of a class's candidates; a class left
    with none keeps its own list (a profile must not leave a series without a model).
    The "fast" preset adds no global model on daily data: fitting one per backtest window
    and its conformal refits cost more there than the rest of "auto" together; weekly and
    monthly series are short enough for them to be cheap.
    """
    ids = sorted(frame[S.UNIQUE_ID].unique())
    if isinstance(models, str) and models == "auto":
        classes = segments if segments is not None else classify_demand(frame)["demand_class"]
        table = candidates_by_class(quality, DEMAND_CLASSES)
        slow = slow_on_daily(quality) if freq in ("h", "D") else set()
        if freq != "D":
            slow |= daily_only()
        baseline = "SeasonalNaive" if season_length > 1 else "Naive"
        extra = (
            global_candidates(len(ids), restrict_to)
            if quality == "best" or freq not in ("h", "D")
            else []
        )
        per_class: dict[str, list[str | Forecaster]] = {}
        for name, listed in table.items():
            names = [n for n in listed if n not in slow]
            if restrict_to is not None:
                names = [n for n in names if n in restrict_to] or names
            per_class[name] = list(dict.fromkeys([*names, baseline, *extra]))
        return {uid: per_class[classes[uid]] for uid in ids}
    specs = [models] if isinstance(models, str | Forecaster) else list(models)
    if not specs:
        raise OptionError("models is empty: give model names, forecasters or 'auto'")
    return {uid: list(specs) for uid in ids}


def _label(spec: str | Forecaster) -> str:
    return spec if isinstance(spec, str) else spec.name


def _choose(
    frame: pd.DataFrame,
    candidates: dict[str, list[str | Forecaster]],
    h: int,
    n_windows: int,
    season_length: int,
    metric: str,
    ensemble_k: int,
    how: str,
    levels: tuple[int, ...] = (),
    freq: str | None = None,
    segments: pd.Series | None = None,
    closed: ClosedDays | None = None,
    holes: pd.DataFrame | None = None,
    progress: Report | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]], pd.DataFrame | None]:
    """Backtest each candidate on its series, add the ensemble, select per series.

    Also returns the backtest itself (with bands at ``levels``) for band calibration.
    Closures (``closed``) are not scored: a shop shut on a holiday is no model's miss;
    nor are the estimated periods of ``holes``: nothing was observed there.
    """
    cv = _backtest_candidates(
        frame, candidates, h, n_windows, season_length, levels, freq, progress
    )
    if cv is None:  # no series long enough for even one window
        first = {uid: _label(specs[0]) for uid, specs in candidates.items()}
        chosen = pd.DataFrame(
            {
                S.UNIQUE_ID: list(first),
                MODEL: list(first.values()),
                "score": np.nan,
                "basis": "no backtest possible",
            }
        )
        return chosen, pd.DataFrame(), {}, None
    # a model whose series were all too short for one window has no backtest columns
    labels = sorted({_label(s) for specs in candidates.values() for s in specs} & set(cv.columns))
    scored = _scored(cv, closed, holes)
    metrics = evaluate(cv[scored], frame, labels, season_length=season_length)
    tried = {(uid, _label(spec)) for uid, specs in candidates.items() for spec in specs}
    pairs = pd.Series(
        list(zip(metrics[S.UNIQUE_ID], metrics[MODEL], strict=True)), index=metrics.index
    )
    metrics = metrics[pairs.isin(tried) & (metrics["n_points"] > 0)].reset_index(drop=True)
    members: dict[str, list[str]] = {}
    if ensemble_k > 1 and len(labels) > 1:
        members = _ensemble_members(metrics, ensemble_k, metric)
        cv = _add_ensemble(cv, members, how, levels)
        ens = evaluate(cv[scored], frame, [ENSEMBLE], season_length=season_length)
        metrics = pd.concat([metrics, ens[ens["n_points"] > 0]], ignore_index=True)
    if segments is None:
        segments = classify_demand(frame)["demand_class"]
    specs = {_label(s): s for specs in candidates.values() for s in specs}
    combos = _combos_of_candidates({n: (specs[n], []) for n in labels}, season_length)
    chosen = select_models(
        metrics,
        metric,
        segments=segments,
        min_points=h,
        prior_points=SHRINKAGE_WINDOWS * h,
        default=min(combos, default=None),
        margin=COMBINATION_MARGIN,
    )
    missing = sorted(set(candidates) - set(chosen[S.UNIQUE_ID]))
    if missing:
        extra = pd.DataFrame(
            {
                S.UNIQUE_ID: missing,
                MODEL: [_label(candidates[u][0]) for u in missing],
                "score": np.nan,
                "basis": "no backtest possible",
            }
        )
        chosen = pd.concat([chosen, extra], ignore_index=True)
    return _without_empty_ensembles(chosen, metrics, members, candidates), metrics, members, cv


def _scored(
    rows: pd.DataFrame, closed: ClosedDays | None, holes: pd.DataFrame | None
) -> np.ndarray:
    """Per backtest row: whether it counts in scores and calibration (neither a closure
    nor a period of a hole)."""
    scored = np.ones(len(rows), dtype=bool) if closed is None else ~closed.zeros(rows)
    if holes is not None and not holes.empty:
        scored &= ~in_holes(rows, holes)
    return scored


def _without_empty_ensembles(
    chosen: pd.DataFrame,
    metrics: pd.DataFrame,
    members: dict[str, list[str]],
    candidates: dict[str, list[str | Forecaster]],
) -> pd.DataFrame:
    """A series given the ensemble by its segment but without members of its own (fewer
    than two scored models) takes its best scored model, else its first candidate."""
    lost = chosen[MODEL].eq(ENSEMBLE) & ~chosen[S.UNIQUE_ID].isin(list(members))
    if not lost.any():
        return chosen
    singles = metrics[metrics[MODEL] != ENSEMBLE].sort_values(
        [S.UNIQUE_ID, "mae", MODEL], kind="stable"
    )
    best = singles.drop_duplicates(S.UNIQUE_ID).set_index(S.UNIQUE_ID)[MODEL]
    out = chosen.copy()
    for row in out.index[lost]:
        uid = out.at[row, S.UNIQUE_ID]
        out.at[row, MODEL] = best.get(uid, _label(candidates[uid][0]))
        out.at[row, "basis"] = f"{out.at[row, 'basis']} (no ensemble for this series)"
    return out


def _backtest_candidates(
    frame: pd.DataFrame,
    candidates: dict[str, list[str | Forecaster]],
    h: int,
    n_windows: int,
    season_length: int,
    levels: tuple[int, ...] = (),
    freq: str | None = None,
    progress: Report | None = None,
) -> pd.DataFrame | None:
    by_model: dict[str, tuple[str | Forecaster, list[str]]] = {}
    for uid, specs in candidates.items():
        for spec in specs:
            by_model.setdefault(_label(spec), (spec, []))[1].append(uid)
    key = [S.UNIQUE_ID, S.DS, CUTOFF, S.Y]
    cv: pd.DataFrame | None = None
    combos = _combos_of_candidates(by_model, season_length)
    for done, (label, (spec, ids)) in enumerate(sorted(by_model.items())):
        if label in combos:
            continue
        report_step(
            progress, "backtesting candidate", done, len(by_model), item=label, span=BACKTEST_SPAN
        )
        subset = frame[frame[S.UNIQUE_ID].isin(ids)]
        model = with_fallback(spec, season_length, freq, h=h)
        try:
            result = backtest_model(model, subset, h, n_windows, levels=levels)
        except ValueError as exc:  # every series too short for the windows
            log.info("no backtest for %s: %s", label, exc)
            continue
        columns = [model.name, *interval_columns(model.name, levels)]
        result = result[[*key, *columns]].rename(
            columns={c: label + c[len(model.name) :] for c in columns}
        )
        cv = result if cv is None else cv.merge(result, on=key, how="outer")
    for label, members in combos.items():
        columns = [
            f"{m}{c[len(FORECAST) :]}"
            for m in members
            for c in [FORECAST, *interval_columns(FORECAST, levels)]
        ]
        if cv is not None and set(columns) <= set(cv.columns):
            cv = median_of_members(cv, members, label, levels)
    return cv


def _combos_of_candidates(
    by_model: dict[str, tuple[str | Forecaster, list[str]]], season_length: int
) -> dict[str, list[str]]:
    """Candidate combinations whose members are candidates of all its series: their
    backtest is the median of the members' (the same forecasts, without fitting the
    members twice)."""
    out = {}
    for label, (spec, ids) in by_model.items():
        model = make_model(spec, season_length) if isinstance(spec, str) else spec
        members = [str(m) for m in model.get_params().get("members", ())]
        if members and all(m in by_model and set(ids) <= set(by_model[m][1]) for m in members):
            out[label] = members
    return out


def _ensemble_members(metrics: pd.DataFrame, k: int, metric: str) -> dict[str, list[str]]:
    """Per series, its k best models by backtest score (MAE where the score is undefined).

    A series with fewer than two scored models gets no ensemble: an "ensemble" of one
    model is that model under another name, and would only blur the selection report.
    """
    ranked = metrics.assign(
        _key=metrics[metric].where(np.isfinite(metrics[metric]), metrics["mae"] * 1e6)
    )
    ranked = ranked.sort_values([S.UNIQUE_ID, "_key", MODEL], kind="stable")
    top = ranked.groupby(S.UNIQUE_ID, sort=False).head(k)
    members = top.groupby(S.UNIQUE_ID)[MODEL].agg(list).to_dict()
    return {uid: names for uid, names in members.items() if len(names) > 1}


def _add_ensemble(
    cv: pd.DataFrame,
    members: dict[str, list[str]],
    how: str = "median",
    levels: tuple[int, ...] = (),
) -> pd.DataFrame:
    """The ensemble's backtest: per row, the mean or median of its series' members (and of
    each member band, as the final forecast combines them)."""
    out = cv.copy()
    columns = sorted({m for ms in members.values() for m in ms})
    position = {c: i for i, c in enumerate(columns)}
    owners = list(members)
    by_series = np.zeros((len(owners) + 1, len(columns)), dtype=bool)  # last: no members
    for i, uid in enumerate(owners):
        by_series[i, [position[n] for n in members[uid]]] = True
    mask = by_series[pd.Index(owners).get_indexer(out[S.UNIQUE_ID])]
    for suffix in ["", *(c[len(FORECAST) :] for c in interval_columns(FORECAST, levels))]:
        names = [c + suffix for c in columns]
        if not set(names) <= set(out.columns):
            continue
        masked = np.where(mask, out[names].to_numpy(dtype=float), np.nan)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out[ENSEMBLE + suffix] = (
                np.nanmedian(masked, axis=1) if how == "median" else np.nanmean(masked, 1)
            )
    return out


def _chosen_backtest(
    cv: pd.DataFrame, chosen: pd.DataFrame, levels: tuple[int, ...]
) -> pd.DataFrame:
    """Each series' rows of the backtest of the model chosen for it, as ``forecast``."""
    label = cv[S.UNIQUE_ID].map(chosen.set_index(S.UNIQUE_ID)[MODEL])
    picked = {S.UNIQUE_ID: cv[S.UNIQUE_ID], S.DS: cv[S.DS], CUTOFF: cv[CUTOFF], S.Y: cv[S.Y]}
    values = np.full((len(cv), 1 + 2 * len(levels)), np.nan)
    targets = [FORECAST, *interval_columns(FORECAST, levels)]
    for name in label.dropna().unique():
        rows = (label == name).to_numpy()
        sources = [name + t[len(FORECAST) :] for t in targets]
        if set(sources) <= set(cv.columns):
            values[rows] = cv.loc[rows, sources].to_numpy(dtype=float)
    chosen_cv = pd.DataFrame(picked).assign(**dict(zip(targets, values.T, strict=True)))
    return chosen_cv.dropna(subset=[FORECAST]).reset_index(drop=True)


def _calibrate(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    chosen_cv: pd.DataFrame,
    levels: tuple[int, ...],
    season_length: int,
    segments: pd.Series,
    closed: ClosedDays | None = None,
    holes: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Correct the final bands (and the backtest's, alike) by the chosen forecasts'
    coverage in the backtest, on its open and observed days: a closure (or an estimated
    period of a hole) counted as a covered point would make the open days' bands too
    narrow."""
    scale = series_scale(frame, season_length)
    scored = chosen_cv[_scored(chosen_cv, closed, holes)]
    table = corrections(band_scores(scored, levels, scale), segments, levels)
    floors = open_floors(scored, levels)  # series that sold on every open day
    return (
        apply_floors(apply_corrections(out, table, segments, scale, levels), floors, levels),
        table,
        apply_floors(apply_corrections(chosen_cv, table, segments, scale, levels), floors, levels),
    )


def _final_forecasts(
    frame: pd.DataFrame,
    chosen: pd.DataFrame,
    candidates: dict[str, list[str | Forecaster]],
    h: int,
    levels: tuple[int, ...],
    season_length: int,
    freq: str,
    how: str,
    members: dict[str, list[str]],
    future: pd.DataFrame | None = None,
    backtest: pd.DataFrame | None = None,
    n_windows: int = 0,
    progress: Report | None = None,
) -> tuple[pd.DataFrame, dict[str, Forecaster]]:
    """Refit the chosen models on all the data; combine members for ensemble series.

    A global model is refit on every series it was a candidate for (as in its backtest:
    it learns from the whole panel), and serves the series that chose it. A model whose
    bands are conformal takes them from its errors in the last windows of ``backtest``
    when it has as many as the refits would make: those windows are the refits.
    """
    specs = {_label(s): s for specs in candidates.values() for s in specs}
    candidate_ids: dict[str, set[str]] = {}
    for uid, labels in candidates.items():
        for spec in labels:
            candidate_ids.setdefault(_label(spec), set()).add(uid)
    needs: dict[str, set[str]] = {}
    for uid, label in zip(chosen[S.UNIQUE_ID], chosen[MODEL], strict=True):
        for name in members.get(uid, []) if label == ENSEMBLE else [label]:
            needs.setdefault(name, set()).add(uid)
    forecasts: dict[str, pd.DataFrame] = {}
    fitted: dict[str, Forecaster] = {}
    used: dict[tuple[str, str], str] = {}
    notes: dict[tuple[str, str], str] = {}
    for done, (label, ids) in enumerate(sorted(needs.items())):
        report_step(progress, "fitting chosen model", done, len(needs), item=label, span=FIT_SPAN)
        model = with_fallback(specs.get(label, label), season_length, freq, h)
        fit_ids = ids | candidate_ids.get(label, set()) if model.is_global else ids
        model.fit(frame[frame[S.UNIQUE_ID].isin(fit_ids)])
        refits = model.conformal_refits
        reuse = (
            bool(levels)
            and backtest is not None
            and label in backtest.columns
            and 0 < refits <= n_windows
        )
        result = model.predict(h, X_df=future, levels=() if reuse else levels)
        if reuse:
            assert backtest is not None
            result = _bands_from_backtest(
                result, backtest, label, model.name, refits, frame, levels
            )
        fitted[label] = model
        forecasts[label] = _as_output(result, model.name)
        for uid in ids:
            used[(label, uid)] = model.used_.get(uid, label)
            if uid in model.failures_:
                notes[(label, uid)] = model.failures_[uid]
    out = _assemble(chosen, members, forecasts, used, notes, how)
    ordered = [S.UNIQUE_ID, S.DS, FORECAST, *interval_columns(FORECAST, levels), MODEL, NOTE]
    out = out[ordered].sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
    return out, fitted


def _bands_from_backtest(
    point: pd.DataFrame,
    backtest: pd.DataFrame,
    label: str,
    name: str,
    windows: int,
    frame: pd.DataFrame,
    levels: tuple[int, ...],
) -> pd.DataFrame:
    """Conformal bands for a final forecast from the model's last ``windows`` backtest
    windows (a horizon apart, so the same errors its conformal refits would make)."""
    past = backtest.loc[backtest[label].notna(), [S.UNIQUE_ID, S.DS, CUTOFF, S.Y, label]]
    past = past.rename(columns={label: name})
    rank = past.groupby(S.UNIQUE_ID, sort=False)[CUTOFF].rank(method="dense", ascending=False)
    last = frame.groupby(S.UNIQUE_ID, sort=True)[S.DS].max()
    window = point.assign(**{CUTOFF: point[S.UNIQUE_ID].map(last)})
    out = bands_from_earlier_windows(window, past[rank <= windows], frame, name, levels)
    return out.drop(columns=CUTOFF)


def _assemble(
    chosen: pd.DataFrame,
    members: dict[str, list[str]],
    forecasts: dict[str, pd.DataFrame],
    used: dict[tuple[str, str], str],
    notes: dict[tuple[str, str], str],
    how: str,
) -> pd.DataFrame:
    """Each series' rows from its chosen model, or its members' combination, with the
    model that served it and the notes of the models that failed on it."""
    label = chosen.set_index(S.UNIQUE_ID)[MODEL]
    parts = []
    for name, frame in forecasts.items():
        single = frame[frame[S.UNIQUE_ID].map(label).eq(name)]
        if not single.empty:
            parts.append(single)
    combined: dict[str, set[str]] = {}
    for uid in label.index[label.eq(ENSEMBLE)]:
        for name in members.get(uid, ()):
            combined.setdefault(name, set()).add(uid)
    stacked = [
        frame[frame[S.UNIQUE_ID].isin(combined[name])]
        for name, frame in forecasts.items()
        if name in combined
    ]
    if stacked:
        parts.append(_combine(stacked, how))
    out = pd.concat(parts, ignore_index=True)
    served, noted = {}, {}
    for uid, name in label.items():
        names = members.get(uid, []) if name == ENSEMBLE else [name]
        models = [used[(n, uid)] for n in names]
        served[uid] = f"Ensemble[{how}: {'+'.join(models)}]" if name == ENSEMBLE else models[0]
        noted[uid] = "; ".join(notes[(n, uid)] for n in names if (n, uid) in notes)
    out[MODEL] = out[S.UNIQUE_ID].map(served)
    out[NOTE] = out[S.UNIQUE_ID].map(noted)
    return out


def _as_output(result: pd.DataFrame, name: str) -> pd.DataFrame:
    return result.rename(
        columns={
            c: FORECAST + c[len(name) :]
            for c in result.columns
            if c == name or c.startswith(f"{name}-")
        }
    )


def _combine(parts: list[pd.DataFrame], how: str) -> pd.DataFrame:
    """Mean or median of the members' points and of each band (quantile averaging)."""
    stacked = pd.concat(parts, ignore_index=True)
    value_columns = [c for c in stacked.columns if c.startswith(FORECAST)]
    grouped = stacked.groupby([S.UNIQUE_ID, S.DS], as_index=False)[value_columns]
    return grouped.median() if how == "median" else grouped.mean()
