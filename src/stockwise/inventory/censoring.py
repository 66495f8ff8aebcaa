"""Unconstrained demand for stocked-out days (censored-demand correction).

On a day flagged ``stockout`` the shelf was empty at the end of the day, so the sales
that day are a lower bound on demand (often zero). Forecasting on raw sales learns
"demand drops when we run out" and biases every forecast down by roughly the stockout
rate. :func:`uncensor_demand` replaces ``y`` on stockout rows with an estimate of the
demand the day would have seen with stock on the shelf.

Method ``"auto"`` (per series, vectorised over all series at once):

1. **Clean days** are the rows not flagged ``stockout`` with a known ``y``. Only they
   are used to estimate anything, so censored days cannot pull the estimate down.
2. **Seasonal factors**: the season position of a row is its position in its series
   modulo ``season_length`` (for daily data on a regular calendar and the default
   ``season_length=7``, the day of the week). ``m_p`` is the mean of the clean ``y`` at
   position ``p``; the factor is ``m_p / mean_q(m_q)`` (factors average to 1). Taking the
   mean per position first, then across positions, keeps the factors right when stockouts
   fall more on some weekdays than on others. A series whose every position does not
   have at least :data:`MIN_SEASON_OBS` clean days, or whose clean sales are all zero,
   gets factors of 1 (no seasonality).
3. **Local level**: the mean of the deseasonalised clean values ``y / factor`` in a
   *centred* window of ``window`` rows (rows ``t - window//2 .. t + window - window//2 - 1``
   of the same series, cut at the series' ends). Centred, because this corrects history:
   both sides of a stockout run are known and a centred mean does not lag a trend. The
   correction only ever reads the frame it is given, so applying it to each backtest
   window's training slice leaks nothing from the future. Where a window holds no clean
   day (a stockout run longer than about half the window), the level is the average of
   the nearest defined levels before and after (interpolation across the run).
4. **Imputed demand** = level x factor of the row's season position, and the estimate
   is ``max(observed sales, imputed demand)``: sales on a stockout day are a lower bound,
   so a partially censored day (sales > 0 before the shelf emptied) keeps its sales when
   they are higher, and no value is ever lowered.

Fallbacks: a series with fewer than ``min_clean`` clean days uses the plain mean of its
clean days (no level, no seasonality); a series with no clean day at all is left
unchanged. Both say so in ``correction_note`` on their stockout rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import InputError, OptionError

Y_OBSERVED = "y_observed"
"""The sales as observed, before correction."""
DEMAND_CORRECTED = "demand_corrected"
"""True where ``y`` was changed (raised) by the correction."""
CORRECTION_NOTE = "correction_note"
"""Why a stockout row was handled differently (empty when not applicable)."""

METHODS = ("auto", "none")
MIN_SEASON_OBS = 2
"""Clean days needed at every season position before seasonal factors are estimated."""

NOTE_NO_CLEAN = "no clean (non-stockout) day in the series: left unchanged"
NOTE_FEW_CLEAN = "fewer than {min_clean} clean days: series mean of clean days"
NOTE_INTERPOLATED = "no clean day within the window: level interpolated across the run"
NOTE_NO_SEASON = "too few clean days per season position: no seasonal factor"


def uncensor_demand(
    sales: pd.DataFrame,
    method: str = "auto",
    season_length: int = 7,
    window: int = 28,
    min_clean: int = 7,
) -> pd.DataFrame:
    """Replace ``y`` on stockout rows by an estimate of unconstrained demand.

    ``sales`` is a long frame ``unique_id, ds, y, stockout`` on a regular calendar per
    series (as :func:`stockwise.data.prepare_sales` returns it). The result is a copy
    with the same rows, order and index, ``y`` corrected, and three added columns:
    ``y_observed`` (the original sales), ``demand_corrected`` (the row was changed) and
    ``correction_note`` (see the module docstring for the method). Without a
    ``stockout`` column, or with ``method="none"``, ``y`` is returned unchanged.
    """
    if method not in METHODS:
        raise OptionError(
            f"unknown censored-demand method {method!r}; choose one of {', '.join(METHODS)}"
        )
    for name, value in (
        ("season_length", season_length),
        ("window", window),
        ("min_clean", min_clean),
    ):
        if int(value) != value or value < 1:
            raise OptionError(f"{name} must be a positive integer, not {value!r}")
    missing = [c for c in (S.UNIQUE_ID, S.DS, S.Y) if c not in sales.columns]
    if missing:
        raise InputError(
            f"uncensor_demand needs column(s) {missing}; the frame has {list(sales.columns)}"
        )
    out = sales.copy()
    out[Y_OBSERVED] = out[S.Y]
    out[DEMAND_CORRECTED] = False
    out[CORRECTION_NOTE] = ""
    if method == "none" or S.STOCKOUT not in out.columns or out.empty:
        return out
    estimate, changed, note = _auto(out, int(season_length), int(window), int(min_clean))
    out[S.Y] = estimate
    out[DEMAND_CORRECTED] = changed
    out[CORRECTION_NOTE] = note
    return out


def _auto(
    frame: pd.DataFrame,
    season_length: int,
    window: int,
    min_clean: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate, changed flag and note per row, in the frame's row order."""
    codes, _ = pd.factorize(frame[S.UNIQUE_ID], sort=False)
    ds = frame[S.DS].to_numpy()
    order = np.lexsort((ds, codes))  # by series, then date
    codes = codes[order]
    y = frame[S.Y].to_numpy(dtype=float, na_value=np.nan)[order]
    stock = frame[S.STOCKOUT].astype("boolean").fillna(False).to_numpy(dtype=bool)[order]

    n = len(codes)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, n])
    n_groups = len(starts)
    group = np.repeat(np.arange(n_groups), lengths)
    first = np.repeat(starts, lengths)
    pos = np.arange(n) - first

    clean = ~stock & np.isfinite(y)
    y_clean = np.where(clean, y, 0.0)
    n_clean = np.bincount(group, weights=clean, minlength=n_groups)
    sum_clean = np.bincount(group, weights=y_clean, minlength=n_groups)

    factor, seasonal = _season_factors(group, pos, clean, y_clean, n_groups, season_length)

    # Deseasonalised clean values; positions whose factor is 0 (e.g. a closed weekday)
    # say nothing about the level and are left out.
    valid = clean & (factor > 0)
    z = np.where(valid, y_clean / np.where(factor > 0, factor, 1.0), 0.0)
    half = window // 2
    lo = first + np.maximum(pos - half, 0)
    hi = first + np.minimum(pos - half + window - 1, np.repeat(lengths, lengths) - 1)
    cum_z = np.r_[0.0, np.cumsum(z)]
    cum_n = np.r_[0, np.cumsum(valid)]
    count = cum_n[hi + 1] - cum_n[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.where(count > 0, (cum_z[hi + 1] - cum_z[lo]) / count, np.nan)
    interpolated = count == 0
    if interpolated.any():
        by_series = pd.Series(level).groupby(group, sort=False)
        before, after = by_series.ffill().to_numpy(), by_series.bfill().to_numpy()
        filled = np.where(
            np.isnan(before), after, np.where(np.isnan(after), before, (before + after) / 2)
        )
        level = np.where(interpolated, filled, level)
    imputed = level * factor

    few = (n_clean < min_clean)[group]
    none = (n_clean == 0)[group]
    with np.errstate(invalid="ignore", divide="ignore"):
        series_mean = np.where(n_clean > 0, sum_clean / np.maximum(n_clean, 1), np.nan)
    imputed = np.where(few, series_mean[group], imputed)

    use = stock & np.isfinite(imputed)
    estimate = np.where(use, np.fmax(y, imputed), y)
    changed = use & ~(estimate == y)
    note = np.select(
        [stock & none, stock & few, stock & interpolated, stock & ~seasonal[group]],
        [
            NOTE_NO_CLEAN,
            NOTE_FEW_CLEAN.format(min_clean=min_clean),
            NOTE_INTERPOLATED,
            NOTE_NO_SEASON,
        ],
        default="",
    ).astype(object)

    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return estimate[inverse], changed[inverse], note[inverse]


def _season_factors(
    group: np.ndarray,
    pos: np.ndarray,
    clean: np.ndarray,
    y_clean: np.ndarray,
    n_groups: int,
    season_length: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row seasonal factor, and per series whether factors were estimated."""
    if season_length == 1:
        return np.ones(len(group)), np.ones(n_groups, dtype=bool)
    key = group * season_length + pos % season_length
    size = n_groups * season_length
    cnt = np.bincount(key, weights=clean, minlength=size).reshape(n_groups, season_length)
    tot = np.bincount(key, weights=y_clean, minlength=size).reshape(n_groups, season_length)
    means = tot / np.maximum(cnt, 1)
    avg = means.mean(axis=1)
    seasonal = (cnt >= MIN_SEASON_OBS).all(axis=1) & (avg > 0)
    factors = np.ones_like(means)
    factors[seasonal] = means[seasonal] / avg[seasonal, None]
    return factors.ravel()[key], seasonal


def censoring_summary(corrected: pd.DataFrame) -> pd.DataFrame:
    """Per series: days, stockout days and share, corrected days, totals and uplift.

    ``corrected`` is the output of :func:`uncensor_demand`. ``uplift_pct`` is
    ``100 * (corrected_total - observed_total) / observed_total``; it is 0 when nothing
    changed and NaN when nothing was observed but demand was imputed.
    """
    frame = corrected
    observed = Y_OBSERVED if Y_OBSERVED in frame.columns else S.Y
    parts = {
        "days": (S.Y, "size"),
        "observed_total": (observed, "sum"),
        "corrected_total": (S.Y, "sum"),
    }
    if S.STOCKOUT in frame.columns:
        frame = frame.assign(**{S.STOCKOUT: frame[S.STOCKOUT].astype("boolean").fillna(False)})
        parts["stockout_days"] = (S.STOCKOUT, "sum")
    if DEMAND_CORRECTED in frame.columns:
        parts["corrected_days"] = (DEMAND_CORRECTED, "sum")
    out = frame.groupby(S.UNIQUE_ID, sort=True).agg(**parts)
    for column in ("stockout_days", "corrected_days"):
        out[column] = out[column].astype(np.int64) if column in out.columns else 0
    out["stockout_share"] = out["stockout_days"] / out["days"]
    gain = out["corrected_total"] - out["observed_total"]
    with np.errstate(invalid="ignore", divide="ignore"):
        uplift = 100.0 * gain / out["observed_total"]
    out["uplift_pct"] = np.where(
        gain == 0, 0.0, np.where(out["observed_total"] > 0, uplift, np.nan)
    )
    columns = [
        "days",
        "stockout_days",
        "stockout_share",
        "corrected_days",
        "observed_total",
        "corrected_total",
        "uplift_pct",
    ]
    return out[columns].reset_index()
