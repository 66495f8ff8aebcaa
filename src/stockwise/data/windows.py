"""Sliding windows over long sales frames, the input of sequence models (LSTM).

One window is ``look_back`` consecutive periods of one series (the inputs) followed by
the next ``horizon`` periods of its target (what the model learns to predict). Windows are
cut inside each series only: none ever starts in one series and ends in the next.

The frame is assumed to be on a regular calendar (one row per period, gaps already
filled, as the prepare step leaves it): a window is ``look_back + horizon`` consecutive
*rows* of a series, whatever their dates.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from stockwise import schema as S
from stockwise.errors import MissingColumnsError

SCALE_MODES = ("series", None)
"""Allowed values of ``make_lstm_windows(scale=...)``."""


@dataclass(frozen=True, eq=False)
class LSTMWindows:
    """Windows cut by :func:`make_lstm_windows`.

    Attributes
    ----------
    X:
        float32 array ``(n, look_back, 1 + len(features))``; channel 0 is the (scaled)
        target, channels 1.. are the features in the order given (never scaled).
    y:
        float32 array ``(n, horizon)``: the (scaled) target over the ``horizon`` periods
        that follow each input window.
    unique_id:
        ``(n,)`` series of each window.
    target_start:
        ``(n,)`` ``datetime64[ns]``: date of the first target period of each window.
    scale:
        series -> ``(location, scale)`` used on its target: ``scaled = (y - location) /
        scale``. ``(0.0, 1.0)`` for every series when no scaling was asked.
    skipped:
        Series that gave no window: fewer than ``look_back + horizon`` rows, or missing
        values in every candidate window.
    channels:
        Column names of the channels of ``X`` (target first).
    X_future:
        float32 array ``(n, horizon, len(future_features))``: known-ahead inputs (price,
        promotion, calendar) over the target periods, for models that condition their
        multi-step output on them. Empty last axis when none were asked.
    future_channels:
        Column names of the channels of ``X_future``.
    """

    X: np.ndarray
    y: np.ndarray
    unique_id: np.ndarray
    target_start: np.ndarray
    scale: dict[Hashable, tuple[float, float]]
    skipped: tuple[Hashable, ...] = ()
    channels: tuple[str, ...] = field(default=(S.Y,))
    X_future: np.ndarray | None = None
    future_channels: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def inverse_scale(self, values: Any, unique_id: Any) -> np.ndarray:
        """Map scaled target values back to units: ``values * scale + location``.

        ``unique_id`` is one series (applied to every value) or an array with one series
        per row of ``values`` (its first axis), e.g. ``windows.unique_id`` to undo the
        scaling of ``windows.y`` or of predictions made on ``windows.X``. Returns float64.
        """
        values = np.asarray(values, dtype=np.float64)
        ids = np.asarray(unique_id, dtype=object)
        if ids.ndim == 0:
            location, scale = self._lookup(ids.item())
            return values * scale + location
        if ids.ndim != 1 or values.ndim == 0 or ids.shape[0] != values.shape[0]:
            raise ValueError(
                f"unique_id must be one id or one id per row of values: got "
                f"{ids.shape[0] if ids.ndim == 1 else ids.shape} ids for values of shape "
                f"{values.shape}"
            )
        distinct = pd.unique(ids)
        pairs = np.array([self._lookup(i) for i in distinct], dtype=np.float64).reshape(-1, 2)
        index = pd.Index(distinct).get_indexer(ids)
        shape = (-1,) + (1,) * (values.ndim - 1)
        return values * pairs[index, 1].reshape(shape) + pairs[index, 0].reshape(shape)

    def _lookup(self, unique_id: Hashable) -> tuple[float, float]:
        try:
            return self.scale[unique_id]
        except KeyError:
            raise ValueError(
                f"unknown series {unique_id!r}: it was not in the frame the windows were made from"
            ) from None


def _check_positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def make_lstm_windows(
    df: pd.DataFrame,
    look_back: int = 30,
    horizon: int = 1,
    target: str = S.Y,
    features: Iterable[str] = (),
    scale: str | None = "series",
    stride: int = 1,
    future_features: Iterable[str] = (),
) -> LSTMWindows:
    """Cut every series of a long frame into (input, target) windows.

    Parameters
    ----------
    df:
        Long frame with ``unique_id``, ``ds``, the ``target`` column and the ``features``
        columns (numeric or boolean). Any row order; each series is sorted by ``ds``.
    look_back:
        Periods in each input window.
    horizon:
        Target periods after each input window.
    target:
        Column to predict; it is channel 0 of ``X``.
    features:
        Extra input channels (e.g. ``price``, ``promo``), taken over the same
        ``look_back`` periods as the target and never scaled: pass them already scaled
        when their magnitude matters. Values at the target periods are not included.
    scale:
        ``"series"``: standardise each series' target with its own mean and standard
        deviation (population, ``ddof=0``; a constant series gets scale 1). The statistics
        are computed over *every* row of the series passed in: when backtesting, pass
        only the training part, otherwise the scaling leaks the future. ``None``: no
        scaling.
    stride:
        Distance between the starts of two consecutive windows of a series; windows start
        at rows 0, stride, 2*stride, ... of each series.
    future_features:
        Known-ahead columns taken over the ``horizon`` target periods (``X_future``), never
        scaled. They may repeat columns of ``features`` (a promotion is both a past input
        and a known future one).

    Windows holding a missing value (in any input channel, or in the target periods of the
    target or of a future feature) are dropped. Series with fewer than
    ``look_back + horizon`` rows give no window and are listed in ``skipped``. The result
    is ordered by ``unique_id``, then by date.
    """
    look_back = _check_positive("look_back", look_back)
    horizon = _check_positive("horizon", horizon)
    stride = _check_positive("stride", stride)
    if scale not in SCALE_MODES:
        raise ValueError(f"scale must be 'series' or None, got {scale!r}")
    features = tuple(features)
    future_features = tuple(future_features)
    channels = (target, *features)
    if len(set(channels)) != len(channels):
        raise ValueError(f"target and features must be distinct columns, got {channels}")
    if len(set(future_features)) != len(future_features) or target in future_features:
        raise ValueError(
            f"future_features must be distinct columns other than the target, got {future_features}"
        )
    extra = [c for c in future_features if c not in channels]
    needed = [S.UNIQUE_ID, S.DS, *channels, *extra]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise MissingColumnsError(missing, [str(c) for c in df.columns])

    frame = df[needed].copy()
    if not pd.api.types.is_datetime64_any_dtype(frame[S.DS]):
        frame[S.DS] = pd.to_datetime(frame[S.DS])
    frame = frame.sort_values([S.UNIQUE_ID, S.DS], kind="stable", ignore_index=True)
    duplicated = frame.duplicated([S.UNIQUE_ID, S.DS])
    if duplicated.any():
        first = frame.loc[duplicated, [S.UNIQUE_ID, S.DS]].iloc[0]
        raise ValueError(
            f"{int(duplicated.sum())} duplicated ({S.UNIQUE_ID}, {S.DS}) rows, e.g. "
            f"{first[S.UNIQUE_ID]!r} on {first[S.DS]:%Y-%m-%d}: aggregate them first"
        )
    try:
        values = frame[list(channels)].to_numpy(dtype=np.float64)
        future_values = frame[list(future_features)].to_numpy(dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"target and features must be numeric columns: {exc}") from None

    ids = frame[S.UNIQUE_ID].to_numpy()
    dates = frame[S.DS].to_numpy(dtype="datetime64[ns]")
    n_rows = len(frame)
    codes, uniques = pd.factorize(frame[S.UNIQUE_ID], sort=False)
    uniques = list(uniques)
    n_series = len(uniques)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if n_rows else np.zeros(0, int)
    lengths = np.diff(np.r_[starts, n_rows])
    series_of_row = np.repeat(np.arange(n_series), lengths)
    position = np.arange(n_rows) - starts[series_of_row]

    # per-series scaling of the target (channel 0)
    if scale == "series" and n_rows:
        grouped = pd.Series(values[:, 0]).groupby(series_of_row)
        location = grouped.mean().reindex(range(n_series)).to_numpy(dtype=np.float64)
        spread = grouped.std(ddof=0).reindex(range(n_series)).to_numpy(dtype=np.float64)
        location = np.where(np.isfinite(location), location, 0.0)
        spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
        values[:, 0] = (values[:, 0] - location[series_of_row]) / spread[series_of_row]
    else:
        location = np.zeros(n_series)
        spread = np.ones(n_series)
    scales = {
        uid: (float(loc), float(sc)) for uid, loc, sc in zip(uniques, location, spread, strict=True)
    }

    # window starts: inside one series, on the stride, without missing values
    span = look_back + horizon
    n_windows = max(n_rows - span + 1, 0)
    start = np.arange(n_windows)
    ok = (position[:n_windows] + span <= lengths[series_of_row[:n_windows]]) & (
        position[:n_windows] % stride == 0
    )
    missing_any = np.r_[0, np.cumsum(np.isnan(values).any(axis=1))]
    missing_target = np.r_[0, np.cumsum(np.isnan(values[:, 0]))]
    ok &= missing_any[start + look_back] == missing_any[start]
    ok &= missing_target[start + span] == missing_target[start + look_back]
    if future_features:
        missing_future = np.r_[0, np.cumsum(np.isnan(future_values).any(axis=1))]
        ok &= missing_future[start + span] == missing_future[start + look_back]
    start = start[ok]

    values32 = values.astype(np.float32)
    n_channels = len(channels)
    if len(start):
        inputs = sliding_window_view(values32, (look_back, n_channels))[:, 0]
        targets = sliding_window_view(values32[:, 0], horizon)
        X = inputs[start]
        y = targets[start + look_back]
    else:
        X = np.zeros((0, look_back, n_channels), dtype=np.float32)
        y = np.zeros((0, horizon), dtype=np.float32)
    n_future = len(future_features)
    if len(start) and n_future:
        future = sliding_window_view(future_values, (horizon, n_future))[:, 0]
        X_future = future[start + look_back]
    else:
        X_future = np.zeros((len(start), horizon, n_future), dtype=np.float32)

    has_window = np.zeros(n_series, dtype=bool)
    has_window[series_of_row[start]] = True
    return LSTMWindows(
        X=np.ascontiguousarray(X),
        y=np.ascontiguousarray(y),
        unique_id=ids[start],
        target_start=dates[start + look_back],
        scale=scales,
        skipped=tuple(uid for uid, kept in zip(uniques, has_window, strict=True) if not kept),
        channels=channels,
        X_future=np.ascontiguousarray(X_future),
        future_channels=future_features,
    )
