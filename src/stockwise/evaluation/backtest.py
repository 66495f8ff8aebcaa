"""Rolling-origin backtests as a function over any forecaster (not a method of a base class).

In each window a fresh clone of the model is fit on the data up to that window's cutoff
only, then asked for ``h`` periods; nothing after the cutoff is visible to it (the tests
prove it by changing the future and checking that earlier forecasts do not move). Global
models are fit once per distinct cutoff (:func:`.splits.window_forecast`), so series that
end on different dates do not show each other their future.
Known-ahead inputs for the test periods come from the test rows (minus ``y``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import OptionError
from stockwise.models.base import Forecaster, check_training_frame
from stockwise.models.conformal import conformal_offsets, random_walk_sigma, two_sided_z
from stockwise.models.splits import CUTOFF, rolling_origin, window_forecast

log = logging.getLogger(__name__)
SERVED_BY = "served_by"


def backtest(
    model: Forecaster,
    df: pd.DataFrame,
    h: int,
    n_windows: int = 2,
    step: int | None = None,
    levels: Sequence[int] = (),
) -> pd.DataFrame:
    """Per-window forecasts: ``unique_id, ds, cutoff, y, <model>[, bands]``.

    ``step`` (default ``h``) is the distance between successive cutoffs. Series too short
    to train in a window are left out of that window. When the model is a fallback chain,
    ``served_by`` names the model that produced each series' forecast in that window.
    """
    frame = check_training_frame(df, "backtest")
    if getattr(model, "one_pass_backtest", False):  # every window in one pass
        return model.cross_validation(  # type: ignore[attr-defined]
            frame,
            h,
            n_windows,
            step,
            tuple(levels),
        )
    if levels and model.conformal_refits and (step is None or step == h):
        return _backtest_sharing_cutoffs(model, frame, h, n_windows, tuple(levels))
    parts = []
    for window in rolling_origin(frame, h, n_windows, step):
        if window.test.empty:
            log.info("window %d: no series long enough to test", window.number)
            continue
        forecast, used = window_forecast(model, window, h, levels)
        merged = window.test[[S.UNIQUE_ID, S.DS, S.Y]].merge(
            forecast, on=[S.UNIQUE_ID, S.DS], how="left"
        )
        merged.insert(2, CUTOFF, merged[S.UNIQUE_ID].map(window.cutoffs))
        if used:
            merged[f"{model.name}_{SERVED_BY}"] = merged[S.UNIQUE_ID].map(used)
        parts.append(merged)
    if not parts:
        raise OptionError(
            f"no series is long enough for {n_windows} backtest windows of h={h}",
            hint="Use fewer windows (--windows) or a shorter horizon (--horizon).",
        )
    return pd.concat(parts, ignore_index=True)


def _backtest_sharing_cutoffs(
    model: Forecaster, frame: pd.DataFrame, h: int, n_windows: int, levels: tuple[int, ...]
) -> pd.DataFrame:
    """The backtest of a model whose bands are conformal, with one fit per cutoff.

    Its bands in a window come from its errors in the ``K`` windows before (refits on
    the window's own training data, :mod:`stockwise.models.conformal`). With windows a
    horizon apart those refits are exactly the backtest's own earlier windows, so the
    model is fit once on each of ``n_windows + K`` cutoffs instead of ``1 + K`` times in
    each window, and the bands are the same.
    """
    extra = model.conformal_refits
    cv = backtest(model, frame, h, n_windows + extra)
    # windows counted from the end of each series: 1 = the last
    rank = cv.groupby(S.UNIQUE_ID, sort=False)[CUTOFF].rank(method="dense", ascending=False)
    cv["_from_end"] = rank.astype(int).to_numpy()
    parts = []
    for number in range(n_windows, 0, -1):
        window = cv[cv["_from_end"] == number].drop(columns="_from_end")
        earlier = cv[(cv["_from_end"] > number) & (cv["_from_end"] <= number + extra)]
        if not window.empty:
            parts.append(bands_from_earlier_windows(window, earlier, frame, model.name, levels))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values([S.UNIQUE_ID, CUTOFF, S.DS], kind="stable").reset_index(drop=True)


def bands_from_earlier_windows(
    window: pd.DataFrame,
    earlier: pd.DataFrame,
    frame: pd.DataFrame,
    name: str,
    levels: tuple[int, ...],
) -> pd.DataFrame:
    """``window``'s forecasts (``unique_id, ds, cutoff, <name>``) with conformal bands from
    the errors of the ``earlier`` windows' forecasts, as
    :func:`stockwise.models.conformal.add_conformal_intervals` makes them from refits:
    signed errors per series, zero demand at least as common as the lower tail opens the
    band down to 0, a random-walk band where a series has no earlier errors. ``frame`` is
    the history (the random-walk spread uses each series' rows up to its cutoff)."""
    window = window.reset_index(drop=True)
    earlier = earlier[earlier[S.UNIQUE_ID].isin(window[S.UNIQUE_ID].unique())]
    ids, rows = np.unique(window[S.UNIQUE_ID].to_numpy(dtype=str), return_inverse=True)
    codes = pd.Index(ids).get_indexer(earlier[S.UNIQUE_ID].astype(str))
    slot = earlier.groupby(S.UNIQUE_ID, sort=False).cumcount().to_numpy()
    width = max(int(slot.max()) + 1 if len(slot) else 1, 1)
    errors = np.full((len(ids), width), np.nan)
    actual = earlier[S.Y].to_numpy(dtype=float)
    errors[codes, slot] = actual - earlier[name].to_numpy(dtype=float)
    zeros = np.bincount(codes, actual <= 0, len(ids))
    counts = np.bincount(codes, minlength=len(ids))
    zero_share = np.where(counts > 0, zeros / np.maximum(counts, 1), 0.0)
    cutoff = window.groupby(S.UNIQUE_ID)[CUTOFF].first()
    history = frame[frame[S.DS] <= frame[S.UNIQUE_ID].map(cutoff)]
    sigma = random_walk_sigma(history).reindex(ids).fillna(0.0).to_numpy(dtype=float)
    steps = window.groupby(S.UNIQUE_ID, sort=False).cumcount().to_numpy() + 1
    point = window[name].to_numpy(dtype=float)
    for level, (low, high) in conformal_offsets(errors, zero_share, sigma, levels).items():
        lo, hi = low[rows], high[rows]
        walk = np.isnan(hi)
        z = two_sided_z(level)
        width_rw = z * sigma[rows][walk] * np.sqrt(steps[walk])
        lo[walk], hi[walk] = -width_rw, width_rw
        window[f"{name}-lo-{level}"] = np.maximum(point + np.minimum(lo, 0.0), 0.0)
        window[f"{name}-hi-{level}"] = point + np.maximum(hi, 0.0)
    return window


def backtest_models(
    models: Sequence[Forecaster],
    df: pd.DataFrame,
    h: int,
    n_windows: int = 2,
    step: int | None = None,
    levels: Sequence[int] = (),
) -> pd.DataFrame:
    """Backtest several models on the same windows; one column (group) per model."""
    key = [S.UNIQUE_ID, S.DS, CUTOFF, S.Y]
    merged: pd.DataFrame | None = None
    for model in models:
        cv = backtest(model, df, h, n_windows, step, levels)
        merged = cv if merged is None else merged.merge(cv, on=key, how="outer")
    if merged is None:
        raise ValueError("backtest_models needs at least one model")
    return merged.sort_values([S.UNIQUE_ID, CUTOFF, S.DS], kind="stable").reset_index(drop=True)
