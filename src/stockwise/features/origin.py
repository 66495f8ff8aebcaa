"""Origin-based direct forecasting: training rows (origin, step) and their features.

The recursive strategy learns the next period and feeds its own forecasts back; for
intermittent counts the fed-back means (0.3) look like nothing seen in training (0 or 1),
and the work-around of reading only values at least h periods old ignores the freshest
days. The direct strategy instead learns every step from an origin at once: a training
row is (series, origin o, step k) with

- the target features *of the origin* (lags, rolling and expanding statistics of the
  values up to and including o — :func:`stockwise.features.lags.history_features` of the
  period o + 1, so nothing after o is read),
- ``step`` = k and the ``seasonal_mean_<w>`` of the target period (values a season
  before it, all before the origin when ``seasonal_lag - w // 2 >= direct_horizon``),
- the calendar and known-ahead drivers of the target period o + k,

and the target y(o + k). Origins are every ``origin_stride`` periods counted back from
each series' last one, so the row count stays moderate (about ``direct_horizon /
origin_stride`` rows per period). A forecast is one origin — the last observed period —
and all h steps in one prediction; steps beyond ``direct_horizon`` reuse the last one.
"""

from __future__ import annotations

import numpy as np

from stockwise.features.lags import history_features, window_stats
from stockwise.features.spec import FeatureSpec


def series_ends(starts: np.ndarray) -> np.ndarray:
    """Per row, the position of its series' last row (rows sorted, series contiguous)."""
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    last = np.r_[np.flatnonzero(starts[1:] != starts[:-1]), n - 1]
    return np.repeat(last, np.diff(np.r_[0, last + 1]))


def origin_rows(
    starts: np.ndarray, horizon: int, stride: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(origin row, step, target row) of every training row of the direct strategy.

    Origins o lie every ``stride`` rows back from each series' last row (that row
    excluded: it has no target); targets are o + 1 … o + ``horizon`` inside the series.
    """
    ends = series_ends(starts)
    index = np.arange(len(starts))
    origins = index[(index < ends) & ((ends - index) % stride == 0)]
    parts_o, parts_k = [], []
    for k in range(1, horizon + 1):
        valid = origins[origins + k <= ends[origins]]
        parts_o.append(valid)
        parts_k.append(np.full(len(valid), k, dtype=np.int64))
    origin = np.concatenate(parts_o) if parts_o else np.zeros(0, dtype=np.int64)
    step = np.concatenate(parts_k) if parts_k else np.zeros(0, dtype=np.int64)
    return origin, step, origin + step


def seasonal_means(
    values: np.ndarray, starts: np.ndarray, spec: FeatureSpec
) -> dict[str, np.ndarray]:
    """``seasonal_mean_<w>`` of every row t: the mean over the w periods from
    t - seasonal_lag - w // 2 on (NaN values and periods before the series' start
    skipped; NaN when none is left)."""
    out: dict[str, np.ndarray] = {}
    index = np.arange(len(values))
    for w in spec.seasonal_windows:
        # window_stats ends a window before row i; end it after t - lag - w // 2 + w - 1
        end = index - spec.seasonal_lag - w // 2 + w
        stats = window_stats(values, starts, w)  # clipped at the series' start
        ok = end >= starts
        out[f"seasonal_mean_{w}"] = np.where(ok, stats["mean"][np.clip(end, 0, None)], np.nan)
    return out


def direct_training_columns(
    columns: dict[str, np.ndarray], values: np.ndarray, starts: np.ndarray, spec: FeatureSpec
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Training columns of the direct strategy and the panel row of each row's target.

    ``columns`` are the panel's per-row features (target history, calendar, drivers) as
    computed for the recursive strategy with offset 1: the history columns of row o + 1
    describe origin o; the calendar and driver columns are taken at the target row.
    """
    origin, step, target = origin_rows(starts, spec.direct_horizon, spec.origin_stride)
    history = set(spec.history_names())
    out = {
        name: (col[origin + 1] if name in history else col[target]) for name, col in columns.items()
    }
    out.update({name: col[target] for name, col in seasonal_means(values, starts, spec).items()})
    out["step"] = step.astype(float)
    return out, target


def origin_columns(
    buffer: np.ndarray,
    expanding_sum: np.ndarray,
    expanding_count: np.ndarray,
    spec: FeatureSpec,
    h: int,
) -> dict[str, np.ndarray]:
    """Target and step features of the h periods after each series' buffer, as arrays of
    shape (series, h): the origin is the buffer's newest value (the series' last one).

    The features are computed by the same panel functions as in training, over a small
    panel of the buffer followed by h empty periods; the expanding statistics come from
    the whole history (``expanding_sum`` / ``expanding_count``), not from the buffer.
    """
    n, length = buffer.shape
    values = np.concatenate([buffer, np.full((n, h), np.nan)], axis=1).reshape(-1)
    starts = np.repeat(np.arange(n) * (length + h), length + h)
    rows = np.arange(n) * (length + h) + length  # the period right after each origin
    history = history_features(values, starts, spec)
    out = {name: np.repeat(col[rows][:, None], h, axis=1) for name, col in history.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.where(
            expanding_count > 0, expanding_sum / np.maximum(expanding_count, 1), np.nan
        )
    for stat in spec.expanding_stats:  # only "mean" exists
        out[f"expanding_{stat}"] = np.repeat(level[:, None], h, axis=1)
    future = rows[:, None] + np.arange(h)[None, :]
    out.update({name: col[future] for name, col in seasonal_means(values, starts, spec).items()})
    steps = np.minimum(np.arange(1, h + 1), spec.direct_horizon).astype(float)
    out["step"] = np.repeat(steps[None, :], n, axis=0)
    return out
