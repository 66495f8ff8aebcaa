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

import pandas as pd

from stockwise import schema as S
from stockwise.models.base import Forecaster, check_training_frame
from stockwise.models.splits import CUTOFF, rolling_origin, window_forecast

log = logging.getLogger(__name__)
SERVED_BY = "served_by"


def backtest(
    model: Forecaster, df: pd.DataFrame, h: int, n_windows: int = 2, step: int | None = None,
    levels: Sequence[int] = (),
) -> pd.DataFrame:
    """Per-window forecasts: ``unique_id, ds, cutoff, y, <model>[, bands]``.

    ``step`` (default ``h``) is the distance between successive cutoffs. Series too short
    to train in a window are left out of that window. When the model is a fallback chain,
    ``served_by`` names the model that produced each series' forecast in that window.
    """
    frame = check_training_frame(df, "backtest")
    if getattr(model, "one_pass_backtest", False):  # every window in one pass
        return model.cross_validation(frame, h, n_windows, step,  # type: ignore[attr-defined]
                                      tuple(levels))
    parts = []
    for window in rolling_origin(frame, h, n_windows, step):
        if window.test.empty:
            log.info("window %d: no series long enough to test", window.number)
            continue
        forecast, used = window_forecast(model, window, h, levels)
        merged = window.test[[S.UNIQUE_ID, S.DS, S.Y]].merge(
            forecast, on=[S.UNIQUE_ID, S.DS], how="left")
        merged.insert(2, CUTOFF, merged[S.UNIQUE_ID].map(window.cutoffs))
        if used:
            merged[f"{model.name}_{SERVED_BY}"] = merged[S.UNIQUE_ID].map(used)
        parts.append(merged)
    if not parts:
        raise ValueError(f"no series is long enough for {n_windows} backtest windows of h={h}")
    return pd.concat(parts, ignore_index=True)


def backtest_models(
    models: Sequence[Forecaster], df: pd.DataFrame, h: int, n_windows: int = 2,
    step: int | None = None, levels: Sequence[int] = (),
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
