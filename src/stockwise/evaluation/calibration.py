"""Calibrate the bands of a forecast run with the errors its own backtest already made.

Why. A model's bands hold under its own assumptions: ETS and ARIMA bands assume Gaussian
errors of a well-specified model, conformal bands assume tomorrow's errors look like the
in-sample ones, and on real panels they miss nominal coverage in both directions
(docs/decisions/0009-band-calibration-from-the-backtest.md). "auto" backtests every
candidate on the last windows of each series anyway, so those windows can also say how
far outside its bands the chosen forecast fell.

How (conformalised quantile regression, Romano, Patterson & Candès 2019, pooled per
segment). For every backtest point of the chosen forecast and every level L, the score is
``s = max(lo − y, y − hi) / scale``: positive when y fell outside the band (by how much),
negative when inside (by how much room was left). ``scale`` is the series' in-sample mean
absolute seasonal difference (the MASE scale), so series of different sizes pool. Per
segment (demand class) with at least :data:`MIN_POINTS` scores, the correction is the
finite-sample conformal quantile of the scores at L; otherwise the scores of all series
pool together. The final bands move by ``correction × scale``: outward when the backtest
bands were too narrow, inward when too wide, never below zero, never across the point,
and still nested across levels. A band whose lower end is at zero — most bands of slow
movers — can only be missed above, so only ``y − hi`` is scored there and its lower end
stays at zero: scored on both sides, every zero-demand point would score exactly 0 (y
on the lower bound), so on a panel mostly at zero no band could move inward however
wide it is. A zero-demand point under such a band is covered whatever the correction
(its score is −∞): it counts towards the coverage but does not hold the band out.
Inward moves keep at least half of each side of the model's own band
(:data:`MAX_INWARD`): a backtest that saw calmer or wilder times than the forecast will
(a seasonal peak inside the backtest windows, say) can then narrow bands, but not erase
them.

A lower end pinned at zero is right for a slow mover, which sells nothing on more than
the band's lower tail of days, but not for a series that sold on nearly every open day
of its backtest: there the zero comes from the model's assumptions (a Gaussian band
around a small level, or residuals swollen by closed days the model saw as zero sales),
and a buyer reads "0 to 1,000" as "no idea". A series with at least
:data:`MIN_FLOOR_POINTS` scored backtest points gets such lower ends from its own
backtest instead (:func:`open_floors`, :func:`apply_floors`): the forecast times the
lower-tail quantile of actual / forecast at each level — zero, so no change, wherever
zero sales are more common than that tail.

The correction is estimated on the last windows before the forecast origin only, so it
uses nothing from the future of the forecast it adjusts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.models.conformal import conformal_quantile
from stockwise.schema import FORECAST

MIN_POINTS = 50
"""Fewest scores a segment needs for its own correction (else all series pool)."""
MAX_INWARD = 0.5
"""Largest share of a band side's width an inward correction may remove."""
ALL = "all series"
MIN_FLOOR_POINTS = 28
"""Fewest scored backtest points a series needs for lower ends of its own."""


def series_scale(train: pd.DataFrame, season_length: int) -> pd.Series:
    """Per series, the mean absolute seasonal difference of ``y`` (its MASE scale).

    Falls back to the first-difference scale, then to the mean |y|, then 1 where a series
    is too short or flat for the one before, so every series gets a positive scale.
    """
    frame = train.sort_values([S.UNIQUE_ID, S.DS], kind="stable")
    groups = frame.groupby(S.UNIQUE_ID, sort=False)[S.Y]
    seasonal = groups.diff(season_length).abs().groupby(frame[S.UNIQUE_ID]).mean()
    first = groups.diff(1).abs().groupby(frame[S.UNIQUE_ID]).mean()
    level = frame[S.Y].abs().groupby(frame[S.UNIQUE_ID]).mean()
    scale = seasonal.where(seasonal > 0).fillna(first.where(first > 0))
    return scale.fillna(level.where(level > 0)).fillna(1.0)


def band_scores(
    cv: pd.DataFrame, levels: Sequence[int], scale: pd.Series, column: str = FORECAST
) -> pd.DataFrame:
    """Scaled conformity scores per backtest point: ``unique_id`` + one column per level."""
    out = pd.DataFrame({S.UNIQUE_ID: cv[S.UNIQUE_ID].to_numpy()})
    per_row = cv[S.UNIQUE_ID].map(scale).to_numpy(dtype=float)
    y = cv[S.Y].to_numpy(dtype=float)
    for level in levels:
        lo = cv[f"{column}-lo-{level}"].to_numpy(dtype=float)
        hi = cv[f"{column}-hi-{level}"].to_numpy(dtype=float)
        # a band whose lower end sits at zero cannot be missed below: only its upper side
        # is scored (else every zero-demand point would score 0 and no room would show);
        # zero demand there is covered whatever the correction: -inf
        score = np.where(lo <= 0, y - hi, np.maximum(lo - y, y - hi)) / per_row
        out[level] = np.where((lo <= 0) & (y <= 0), -np.inf, score)
    return out.dropna()


def corrections(
    scores: pd.DataFrame, segments: pd.Series, levels: Sequence[int], min_points: int = MIN_POINTS
) -> pd.DataFrame:
    """Per segment and level: the scaled correction, the scores behind it, coverage before.

    Columns ``segment, level, n, correction, backtest_coverage``; a segment with fewer
    than ``min_points`` scores uses the row of :data:`ALL` (all series pooled), which is
    always present when there is any score at all.
    """
    rows = []
    labelled = scores.assign(segment=scores[S.UNIQUE_ID].map(segments).fillna(ALL))
    parts = [(ALL, labelled), *labelled.groupby("segment", sort=True)]
    for name, part in parts:
        for level in levels:
            values = part[level].to_numpy(dtype=float)
            if len(values) == 0:
                continue
            correction = conformal_quantile(values, level)
            if correction == -np.inf:  # the rank falls among points covered whatever the
                # correction: move in as far as the scored points allow (or not at all)
                finite = values[np.isfinite(values)]
                correction = float(finite.min()) if len(finite) else 0.0
            rows.append(
                {
                    "segment": name,
                    "level": int(level),
                    "n": len(values),
                    "correction": correction,
                    "backtest_coverage": float(np.mean(values <= 0)),
                }
            )
    table = pd.DataFrame(rows, columns=["segment", "level", "n", "correction", "backtest_coverage"])
    return table[(table["segment"] == ALL) | (table["n"] >= min_points)].reset_index(drop=True)


def apply_corrections(
    forecasts: pd.DataFrame,
    table: pd.DataFrame,
    segments: pd.Series,
    scale: pd.Series,
    levels: Sequence[int],
    column: str = FORECAST,
) -> pd.DataFrame:
    """Move each band by its segment's correction × the series' scale (see module doc)."""
    if table.empty or not levels:
        return forecasts
    out = forecasts.copy()
    uid = out[S.UNIQUE_ID]
    segment = uid.map(segments).fillna(ALL)
    known = set(table["segment"])
    segment = segment.where(segment.isin(known), ALL)
    per_row = uid.map(scale).fillna(0.0).to_numpy(dtype=float)
    point = out[column].to_numpy(dtype=float)
    lookup = table.set_index(["segment", "level"])["correction"]
    for level in levels:
        keys = pd.MultiIndex.from_arrays([segment, np.full(len(out), int(level))])
        shift = lookup.reindex(keys).fillna(0.0).to_numpy(dtype=float) * per_row
        lo, hi = f"{column}-lo-{level}", f"{column}-hi-{level}"
        lo_v, hi_v = out[lo].to_numpy(dtype=float), out[hi].to_numpy(dtype=float)
        # inward by at most MAX_INWARD of each side's width (see the module doc); a lower
        # end at zero stays there (its side was not scored)
        out[lo] = np.where(
            lo_v <= 0,
            0.0,
            np.clip(lo_v - shift, 0.0, lo_v + MAX_INWARD * np.maximum(point - lo_v, 0)),
        )
        out[hi] = np.maximum(hi_v + shift, hi_v - MAX_INWARD * np.maximum(hi_v - point, 0))
    return _nest(out, sorted(levels), column)


def open_floors(
    scored: pd.DataFrame,
    levels: Sequence[int],
    column: str = FORECAST,
    min_points: int = MIN_FLOOR_POINTS,
) -> pd.DataFrame:
    """Per series with ``min_points`` scored backtest points (closures and holes already
    left out): per level L, the (1 − L) / 2 quantile of actual / forecast ("lower"
    method: a ratio that occurred; 0 where zero sales fill that tail). Index
    ``unique_id``, one column per level; shorter series absent."""
    if scored.empty or not levels:
        return pd.DataFrame(columns=list(levels))
    y = scored[S.Y].to_numpy(dtype=float)
    point = scored[column].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            S.UNIQUE_ID: scored[S.UNIQUE_ID].to_numpy(),
            "y": y,
            "ratio": np.where(point > 0, y / np.where(point > 0, point, 1.0), np.nan),
        }
    )
    by_series = frame.groupby(S.UNIQUE_ID, sort=True)
    eligible = by_series["ratio"].count() >= min_points
    ratios = frame[frame[S.UNIQUE_ID].isin(eligible[eligible].index)].dropna()
    if ratios.empty:
        return pd.DataFrame(columns=list(levels))
    grouped = ratios.groupby(S.UNIQUE_ID, sort=True)["ratio"]
    return pd.DataFrame(
        {level: grouped.quantile((1 - level / 100) / 2, interpolation="lower") for level in levels}
    )


def apply_floors(
    forecasts: pd.DataFrame, floors: pd.DataFrame, levels: Sequence[int], column: str = FORECAST
) -> pd.DataFrame:
    """Lower ends pinned at zero of the series in ``floors`` raised to forecast × floor
    (never above the forecast); levels stay nested."""
    if floors.empty or not levels:
        return forecasts
    out = forecasts.copy()
    point = out[column].to_numpy(dtype=float)
    for level in levels:
        lo = f"{column}-lo-{level}"
        ratio = out[S.UNIQUE_ID].map(floors[level]).to_numpy(dtype=float)
        lo_v = out[lo].to_numpy(dtype=float)
        raise_it = (lo_v <= 0) & (point > 0) & np.isfinite(ratio)
        out[lo] = np.where(raise_it, np.minimum(np.clip(ratio, 0.0, 1.0) * point, point), lo_v)
    return _nest(out, sorted(levels), column)


def _nest(frame: pd.DataFrame, levels: list[int], column: str) -> pd.DataFrame:
    """Wider levels keep bands at least as wide as narrower ones."""
    for narrow, wide in pairwise(levels):
        lo_n, lo_w = f"{column}-lo-{narrow}", f"{column}-lo-{wide}"
        hi_n, hi_w = f"{column}-hi-{narrow}", f"{column}-hi-{wide}"
        frame[lo_w] = np.minimum(frame[lo_w], frame[lo_n])
        frame[hi_w] = np.maximum(frame[hi_w], frame[hi_n])
    return frame
