"""Choosing each series' model: the candidates of its demand class, their backtests,
the ensemble of the best and the selection per series (used by
:mod:`stockwise.workflows.forecast`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.holes import in_holes
from stockwise.errors import OptionError
from stockwise.evaluation.backtest import backtest as backtest_model
from stockwise.evaluation.metrics import evaluate
from stockwise.evaluation.selection import ENSEMBLE, MODEL, select_models
from stockwise.features.demand_class import DEMAND_CLASSES, classify_demand
from stockwise.model_catalogue import candidates_by_class, daily_only, slow_on_daily
from stockwise.models.base import (
    Forecaster,
    interval_columns,
)
from stockwise.models.combination import median_of_members
from stockwise.models.registry import global_candidates, make_model, with_fallback
from stockwise.models.splits import CUTOFF
from stockwise.progress import Report
from stockwise.progress import step as report_step
from stockwise.schema import FORECAST
from stockwise.workflows.closed_days import ClosedDays

log = logging.getLogger(__name__)

BACKTEST_SPAN = (0.05, 0.75)
FIT_SPAN = (0.75, 0.95)
"""Shares of a forecast run reported for its stages: preparing, backtesting the
candidates (most of the time), fitting the chosen models, calibrating the bands."""

SHRINKAGE_WINDOWS = 2
"""Weight, in backtest windows, of the segment's evidence when choosing a series' model."""
COMBINATION_MARGIN = 0.1
"""A series keeps a candidate combination (``MedianCombo``) unless another model's backtest
score beats it by this share, and in every backtest window
(:func:`~stockwise.evaluation.selection.select_models`)."""
ModelSpec = str | Forecaster | Sequence[str | Forecaster]


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


@dataclass(frozen=True)
class RunSettings:
    """What the steps of one forecast run share, resolved from its options: the horizon,
    the backtest windows, the series' frequency and season, the interval levels of the
    output (``levels``) and of the backtest (``band_levels``: none when the bands are not
    calibrated), and how the best models are scored and combined into the ensemble."""

    h: int
    n_windows: int
    season_length: int
    freq: str
    levels: tuple[int, ...] = ()
    band_levels: tuple[int, ...] = ()
    metric: str = "mase"
    ensemble_k: int = 3
    ensemble: str = "median"


def _choose(
    frame: pd.DataFrame,
    candidates: dict[str, list[str | Forecaster]],
    settings: RunSettings,
    segments: pd.Series | None = None,
    closed: ClosedDays | None = None,
    holes: pd.DataFrame | None = None,
    progress: Report | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]], pd.DataFrame | None]:
    """Backtest each candidate on its series, add the ensemble, select per series.

    Also returns the backtest itself (with bands at ``band_levels``) for band calibration.
    Closures (``closed``) are not scored: a shop shut on a holiday is no model's miss;
    nor are the estimated periods of ``holes``: nothing was observed there.
    """
    h, n_windows, season_length, freq = (
        settings.h,
        settings.n_windows,
        settings.season_length,
        settings.freq,
    )
    metric, ensemble_k, how, levels = (
        settings.metric,
        settings.ensemble_k,
        settings.ensemble,
        settings.band_levels,
    )
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
    default = min(combos, default=None)
    chosen = select_models(
        metrics,
        metric,
        segments=segments,
        min_points=h,
        prior_points=SHRINKAGE_WINDOWS * h,
        default=default,
        margin=COMBINATION_MARGIN,
        windows=None if default is None else _window_errors(cv[scored], [*labels, ENSEMBLE]),
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


def _window_errors(cv: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Per series, model and backtest window: the mean absolute error (``unique_id, model,
    cutoff, mae``; NaN where the model did not forecast that window)."""
    y = cv[S.Y].to_numpy(dtype=float)
    keys = [cv[S.UNIQUE_ID], cv[CUTOFF]]
    parts = [
        (cv[label] - y).abs().groupby(keys).mean().rename("mae").reset_index().assign(model=label)
        for label in labels
        if label in cv.columns
    ]
    return pd.concat(parts, ignore_index=True).rename(columns={"model": MODEL})


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
    by_model = _by_model(candidates)
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


def _by_model(
    candidates: dict[str, list[str | Forecaster]],
) -> dict[str, tuple[str | Forecaster, list[str]]]:
    """Per candidate label: its spec and the series it is a candidate for."""
    by_model: dict[str, tuple[str | Forecaster, list[str]]] = {}
    for uid, specs in candidates.items():
        for spec in specs:
            by_model.setdefault(_label(spec), (spec, []))[1].append(uid)
    return by_model


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
