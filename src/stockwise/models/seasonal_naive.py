"""Seasonal naive forecast with empirical quantiles: the baseline every model must beat.

Each future period repeats the value one season earlier. Its uncertainty comes from the
series' own seasonal differences (y_t − y_{t−m}) over the history, so the bands widen
with how erratic the series is, without distributional assumptions; forecasts and bands
are clipped at zero because demand is never negative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import schema as S

MODEL_NAME = "SeasonalNaive"


def seasonal_naive_forecast(
    sales: pd.DataFrame, h: int, season_length: int, freq: str,
    levels: tuple[int, ...] = (80, 95),
) -> pd.DataFrame:
    """Forecast ``h`` periods per series from a regular long frame (``unique_id, ds, y``).

    Returns ``unique_id, ds, SeasonalNaive`` and ``SeasonalNaive-lo-L`` /
    ``SeasonalNaive-hi-L`` for each level. Series shorter than one season repeat their mean.
    """
    if h < 1 or season_length < 1:
        raise ValueError("h and season_length must be >= 1")
    rows = []
    offset = _offset(freq)
    for uid, series in sales.sort_values(S.DS).groupby(S.UNIQUE_ID, sort=True):
        y = series[S.Y].to_numpy(dtype=float)
        y = np.nan_to_num(y, nan=0.0)
        m = season_length
        if len(y) >= m:
            point = np.resize(y[-m:], h)
            errors = y[m:] - y[:-m] if len(y) > m else np.zeros(1)
        else:
            point = np.full(h, y.mean())
            errors = y - y.mean()
        last = series[S.DS].iloc[-1]
        ds = pd.date_range(last + offset, periods=h, freq=offset)
        frame = {S.UNIQUE_ID: uid, S.DS: ds, MODEL_NAME: np.maximum(point, 0.0)}
        # The k-th season ahead accumulates k seasonal steps of error: widen by sqrt(k).
        widen = np.sqrt(np.arange(h) // m + 1)
        for level in levels:
            lo_q, hi_q = np.quantile(errors, [(100 - level) / 200, (100 + level) / 200])
            frame[f"{MODEL_NAME}-lo-{level}"] = np.maximum(point + lo_q * widen, 0.0)
            frame[f"{MODEL_NAME}-hi-{level}"] = np.maximum(point + hi_q * widen, 0.0)
        rows.append(pd.DataFrame(frame))
    if not rows:
        return pd.DataFrame(columns=[S.UNIQUE_ID, S.DS, MODEL_NAME])
    return pd.concat(rows, ignore_index=True)


def _offset(freq: str) -> pd.DateOffset:
    return {"D": pd.offsets.Day(1), "W": pd.offsets.Week(1), "M": pd.offsets.MonthBegin(1)}[freq]
