"""Forecast accuracy metrics, on arrays and on cross-validation frames.

Notation: ``y`` are the actual values, ``f`` the point forecasts, ``e = f − y`` the
errors, ``n`` the number of points kept. Every array-level function takes 1-D arrays of
equal length and returns a float.

Missing values
    A point whose actual ``y`` is NaN is ignored (it is dropped, together with the matching
    forecast, before anything is computed). A NaN *forecast* (or interval bound) on a kept
    point is not ignored: the metric is NaN, so a model that failed on part of a series
    never looks better than one that forecast all of it. With no point left, every metric
    is NaN.

Definitions
    ``mae``     mean absolute error: ``mean(|f − y|)``.
    ``rmse``    root mean squared error: ``sqrt(mean((f − y)²))``.
    ``bias``    mean error ``mean(f − y)``: positive means over-forecasting.
    ``wape``    weighted absolute percentage error ``sum(|f − y|) / sum(|y|)``, a ratio
                (0.25 means 25 %); NaN when ``sum(|y|) == 0``.
    ``smape``   symmetric MAPE ``mean(2|f − y| / (|y| + |f|))`` where a point with
                ``y == f == 0`` counts as 0. It ranges from 0 to 2 and is **not** multiplied
                by 100.
    ``mase``    mean absolute scaled error ``MAE / scale`` where
                ``scale = mean(|y_train[t] − y_train[t − m]|)`` over ``t = m .. T−1``: the
                in-sample MAE of the seasonal naive forecast on the training part, ``m`` the
                season length. NaN when the scale is 0 or when ``y_train`` has ``m`` points
                or fewer (no seasonal difference). NaN values in ``y_train`` drop the
                differences they enter.
    ``rmsse``   root mean squared scaled error
                ``sqrt(mean((f − y)²) / mean((y_train[t] − y_train[t − m])²))``, same scale
                rules as ``mase``.
    ``pinball`` quantile (pinball) loss of a forecast ``q`` of quantile ``τ``:
                ``mean(max(τ (y − q), (τ − 1)(y − q)))``. Under-forecasts cost ``τ`` per unit,
                over-forecasts ``1 − τ``; for ``τ = 0.5`` it is half the MAE.
    ``coverage`` share of points inside the interval, bounds included:
                ``mean(lo <= y <= hi)``.

A prediction interval of level ``L`` (in percent) is the pair of quantiles
``((100 − L) / 200, (100 + L) / 200)``, see :func:`level_to_quantiles`.

Frame level
    :func:`evaluate` scores the cross-validation output of a backtest (several windows, each
    with its own cutoff) per series and model, and :func:`summarise` averages those scores
    per model. How windows are pooled is described in :func:`evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import MissingColumnsError
from stockwise.evaluation.error_measures import (
    _coverage_terms,
    _pinball_terms,
    _smape_terms,
    bias,
    coverage,
    level_to_quantiles,
    mae,
    mase,
    pinball,
    rmse,
    rmsse,
    smape,
    wape,
)
from stockwise.schema import CUTOFF, MODEL

N_POINTS = "n_points"
"""Column of the metrics table: number of scored points (non-NaN actuals)."""

N_SERIES = "n_series"
"""Column of the summary table: number of series scored for the model."""

DEFAULT_METRICS: tuple[str, ...] = ("mae", "rmse", "bias", "wape", "smape", "mase", "rmsse")
"""Point-forecast metrics :func:`evaluate` computes by default (and the only ones it knows)."""

_SCALED = ("mase", "rmsse")


# --- frame level ------------------------------------------------------------------------


def _level_name(level: float) -> str:
    """``80`` and ``80.0`` both give ``"80"``, as in the ``<model>-lo-80`` column names."""
    return str(int(level)) if float(level).is_integer() else str(level)


def _interval_columns(model: str, level: float) -> tuple[str, str]:
    name = _level_name(level)
    return f"{model}-lo-{name}", f"{model}-hi-{name}"


def _check_columns(frame: pd.DataFrame, needed: list[str], table: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise MissingColumnsError(missing, [str(c) for c in frame.columns], table=table)


def _window_scales(
    train: pd.DataFrame,
    series: pd.Index,
    window_series: np.ndarray,
    window_cutoff: pd.Series,
    season_length: int,
) -> tuple[np.ndarray, np.ndarray]:
    """MASE and RMSSE scales of each window ``(series[window_series[i]], window_cutoff[i])``.

    The seasonal difference at row ``t`` of a series (rows sorted by date, regular calendar
    assumed) only involves rows ``t`` and ``t − m``; the scale of a window is the mean of the
    differences at the rows with ``ds <= cutoff``. Per-series prefix sums of the differences
    are looked up at each cutoff with a backward as-of merge, so no training value after a
    cutoff ever reaches that window's scale. Returns two arrays, NaN where the scale is zero
    or has no difference to average.
    """
    codes = pd.Categorical(train[S.UNIQUE_ID], categories=series).codes.astype(np.int64)
    keep = codes >= 0
    history = pd.DataFrame(
        {
            "_series": codes[keep],
            S.DS: train[S.DS].to_numpy()[keep],
            S.Y: train[S.Y].to_numpy(dtype=np.float64)[keep],
        }
    ).sort_values(["_series", S.DS], kind="stable", ignore_index=True)
    values = history[S.Y].to_numpy()
    owner = history["_series"].to_numpy()
    m = season_length
    difference = np.full(len(values), np.nan)
    if len(values) > m:
        same = owner[m:] == owner[:-m]
        difference[m:] = np.where(same, values[m:] - values[:-m], np.nan)
    valid = ~np.isnan(difference)
    terms = pd.DataFrame(
        {
            "_abs": np.where(valid, np.abs(difference), 0.0),
            "_sq": np.where(valid, difference**2, 0.0),
            "_n": valid.astype(np.float64),
        }
    )
    # Per-series prefix sums: the row at date d holds the sums over the rows <= d.
    prefix = terms.groupby(owner, sort=False).cumsum()
    prefix["_series"] = owner
    prefix[S.DS] = history[S.DS]
    prefix = prefix.sort_values(S.DS, kind="stable")

    windows = pd.DataFrame(
        {
            "_series": window_series,
            "_window": np.arange(len(window_series)),
            CUTOFF: window_cutoff.to_numpy(),
        }
    )
    if (
        pd.api.types.is_datetime64_any_dtype(windows[CUTOFF])
        and pd.api.types.is_datetime64_any_dtype(prefix[S.DS])
        and windows[CUTOFF].dtype != prefix[S.DS].dtype
    ):
        windows[CUTOFF] = windows[CUTOFF].astype(prefix[S.DS].dtype)
    looked_up = pd.merge_asof(
        windows.sort_values(CUTOFF, kind="stable"),
        prefix,
        left_on=CUTOFF,
        right_on=S.DS,
        by="_series",
        direction="backward",
        allow_exact_matches=True,
    ).sort_values("_window")
    count = looked_up["_n"].to_numpy(dtype=np.float64)  # NaN where no row is <= cutoff
    with np.errstate(invalid="ignore", divide="ignore"):
        scale_abs = looked_up["_abs"].to_numpy(dtype=np.float64) / count
        scale_sq = looked_up["_sq"].to_numpy(dtype=np.float64) / count
    scale_abs[~(scale_abs > 0)] = np.nan
    scale_sq[~(scale_sq > 0)] = np.nan
    return scale_abs, scale_sq


def evaluate(
    cv: pd.DataFrame,
    train: pd.DataFrame,
    models: Sequence[str],
    season_length: int = 1,
    levels: Sequence[float] = (),
    metrics: Sequence[str] = DEFAULT_METRICS,
) -> pd.DataFrame:
    """Score the cross-validation output of a backtest per series and model.

    Parameters
    ----------
    cv:
        Long frame with ``unique_id, ds, cutoff, y``, one point-forecast column per model
        name and, for each level ``L`` of ``levels``, ``<model>-lo-<L>`` and
        ``<model>-hi-<L>``. Each ``cutoff`` is the last training date of its window.
    train:
        The full history ``unique_id, ds, y`` on a regular calendar (one row per period:
        the seasonal lag ``m`` is taken in rows). Only its rows with ``ds <= cutoff`` make
        the MASE/RMSSE scale of a window: values after a cutoff never leak into it.
    models:
        Model names (columns of ``cv``), in the order they appear in the output.
    season_length:
        ``m`` of the seasonal naive scale of MASE and RMSSE.
    levels:
        Interval levels in percent (e.g. ``(80, 95)``) to score with coverage and pinball.
    metrics:
        Point metrics to compute, a subset of :data:`DEFAULT_METRICS`.

    Returns
    -------
    One row per ``(unique_id, model)``, sorted by series then by the order of ``models``,
    with ``unique_id, model``, the requested metrics, ``n_points`` and, for each level
    ``L``, ``coverage_L`` and ``pinball_L``.

    How the windows of a series are pooled
        Rows with a NaN actual are dropped first; a series without any scored point does
        not appear. ``mae``, ``rmse``, ``bias``, ``wape``, ``smape``, ``coverage_L`` and
        ``pinball_L`` pool all the points of all windows (e.g. ``wape`` is the sum of the
        absolute errors of every window over the sum of the actuals of every window).
        ``mase`` and ``rmsse`` are computed per window, each with the scale of its own
        training part (rows ``ds <= cutoff``), and then averaged over the windows with equal
        weights. A window whose scale is undefined (zero, or fewer than ``m + 1`` training
        rows) is left out of that average; the result is NaN when every window is left out.
        ``pinball_L`` is the mean, over points, of the average of the lower-quantile and
        upper-quantile pinball losses, the quantiles being :func:`level_to_quantiles` ``(L)``.
        A NaN forecast or bound makes the metrics that use it NaN for that series and model.
    """
    models = list(models)
    if not models:
        raise ValueError("models must name at least one model column of cv")
    if len(set(models)) != len(models):
        raise ValueError(f"models must not repeat a name: {models}")
    metrics = list(metrics)
    unknown = [m for m in metrics if m not in DEFAULT_METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; known: {list(DEFAULT_METRICS)}")
    if season_length < 1:
        raise ValueError(f"season_length must be >= 1, got {season_length}")
    levels = list(levels)
    bounds = {level: level_to_quantiles(level) for level in levels}
    level_names = [_level_name(level) for level in levels]
    if len(set(level_names)) != len(level_names):
        raise ValueError(f"levels must not repeat: {levels}")
    interval_columns = [c for m in models for lv in levels for c in _interval_columns(m, lv)]
    _check_columns(cv, [S.UNIQUE_ID, S.DS, CUTOFF, S.Y, *models, *interval_columns], "cv")
    scaled = [m for m in metrics if m in _SCALED]
    if scaled:
        _check_columns(train, [S.UNIQUE_ID, S.DS, S.Y], "train")

    scored = cv.loc[cv[S.Y].notna()]
    if scored[CUTOFF].isna().any():
        raise ValueError("cv has rows without a cutoff")
    # Integer codes instead of ids and dates: every aggregation below is a bincount.
    series_code, series = pd.factorize(scored[S.UNIQUE_ID], sort=True)
    if (series_code < 0).any():
        raise ValueError("cv has rows without a unique_id")
    n_series, n_models = len(series), len(models)
    actual = scored[S.Y].to_numpy(dtype=np.float64)
    n = np.bincount(series_code, minlength=n_series).astype(np.float64)
    abs_actual = np.bincount(series_code, weights=np.abs(actual), minlength=n_series)

    def per_series(weights: np.ndarray) -> np.ndarray:
        # a NaN weight makes its series' sum NaN, as wanted
        return np.bincount(series_code, weights=weights, minlength=n_series)

    if scaled:
        cutoff_code, cutoffs = pd.factorize(scored[CUTOFF], sort=True)
        window_key = series_code.astype(np.int64) * max(len(cutoffs), 1) + cutoff_code
        window_code, window_first = _first_rows(window_key)
        n_windows = len(window_first)
        window_series = series_code[window_first]
        window_n = np.bincount(window_code, minlength=n_windows).astype(np.float64)
        scale_abs, scale_sq = _window_scales(
            train, series, window_series, scored[CUTOFF].iloc[window_first], season_length
        )
        # windows with an undefined scale are left out of the average over windows
        included = ~np.isnan(scale_abs)
        n_included = np.bincount(window_series[included], minlength=n_series).astype(float)

    columns: dict[str, np.ndarray] = {}
    results: dict[str, list[np.ndarray]] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for model in models:
            forecast = scored[model].to_numpy(dtype=np.float64)
            error = forecast - actual
            sum_abs = per_series(np.abs(error))
            sum_sq = per_series(error**2)
            columns = {
                "mae": sum_abs / n,
                "rmse": np.sqrt(sum_sq / n),
                "bias": per_series(error) / n,
                "wape": sum_abs / np.where(abs_actual == 0.0, np.nan, abs_actual),
                "smape": per_series(_smape_terms(actual, forecast)) / n,
            }
            if scaled:
                window_abs = np.bincount(window_code, np.abs(error), minlength=n_windows)
                window_sq = np.bincount(window_code, error**2, minlength=n_windows)
                window_mase = np.where(included, window_abs / window_n / scale_abs, 0.0)
                window_rmsse = np.where(included, np.sqrt(window_sq / window_n / scale_sq), 0.0)
                columns["mase"] = (
                    np.bincount(window_series, window_mase, minlength=n_series) / n_included
                )
                columns["rmsse"] = (
                    np.bincount(window_series, window_rmsse, minlength=n_series) / n_included
                )
            columns = {name: columns[name] for name in metrics}
            columns[N_POINTS] = n
            for level, name in zip(levels, level_names, strict=True):
                lo_col, hi_col = _interval_columns(model, level)
                lo = scored[lo_col].to_numpy(dtype=np.float64)
                hi = scored[hi_col].to_numpy(dtype=np.float64)
                lo_tau, hi_tau = bounds[level]
                loss = 0.5 * (
                    _pinball_terms(actual, lo, lo_tau) + _pinball_terms(actual, hi, hi_tau)
                )
                columns[f"coverage_{name}"] = per_series(_coverage_terms(actual, lo, hi)) / n
                columns[f"pinball_{name}"] = per_series(loss) / n
            for name, values in columns.items():
                results.setdefault(name, []).append(values)

    # rows: series-major, then models in the order given
    out = pd.DataFrame(
        {
            S.UNIQUE_ID: series.take(np.repeat(np.arange(n_series), n_models)),
            MODEL: np.tile(np.asarray(models, dtype=object), n_series),
        }
    )
    for name, per_model in results.items():
        out[name] = np.column_stack(per_model).ravel() if n_series else np.empty(0)
    out[N_POINTS] = out[N_POINTS].astype(np.int64)
    return out


def _first_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of ``keys`` (in order of first appearance) and the first row of each."""
    codes, uniques = pd.factorize(keys, sort=False)
    first = np.full(len(uniques), len(keys), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(keys), dtype=np.int64))
    return codes, first


def summarise(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per-model summary of an :func:`evaluate` table.

    Each metric column is averaged over the series of the model, skipping NaN (a series
    with an undefined MASE does not count for MASE but still counts for MAE); ``n_points``
    is dropped and ``n_series`` (the number of series rows of the model) is added. One row
    per model, in the order models first appear, with a ``model`` column.
    """
    _check_columns(metrics, [MODEL], "metrics")
    values = [
        c
        for c in metrics.columns
        if c not in (S.UNIQUE_ID, MODEL, N_POINTS) and pd.api.types.is_numeric_dtype(metrics[c])
    ]
    order = pd.unique(metrics[MODEL])
    grouped = metrics.groupby(MODEL, sort=False)
    summary = grouped[values].mean()
    summary[N_SERIES] = grouped.size()
    summary = summary.reindex(order)
    summary.index.name = MODEL
    return summary.reset_index()


__all__ = [
    "DEFAULT_METRICS",
    "N_POINTS",
    "N_SERIES",
    "bias",
    "coverage",
    "evaluate",
    "level_to_quantiles",
    "mae",
    "mase",
    "pinball",
    "rmse",
    "rmsse",
    "smape",
    "summarise",
    "wape",
]
