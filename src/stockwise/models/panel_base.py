"""Forecasters that compute every series at once on a dense panel, and every backtest
window in the same pass.

A subclass implements one method, :meth:`PanelForecaster._point`: given the panel and a
list of cutoff columns, the ``h``-step point forecasts from each cutoff, using nothing
after it. That single method serves ``predict``, the bands and the backtest:

- ``predict`` forecasts from the last column;
- bands are split-conformal, from the errors of the same model forecasting from the
  ``conformal_windows`` cutoffs ``h, 2h, …`` before the origin (signed errors relative
  to the forecast, pooled per series, :func:`~stockwise.models.conformal.conformal_offsets`),
  as the contract's generic conformal bands do, without refitting anything;
- :meth:`cross_validation` (capability flag ``one_pass_backtest``) gives the rolling-origin
  backtest of :func:`stockwise.evaluation.backtest.backtest`, each window's bands from the
  windows before its own cutoff, so the backtest's bands never see the future either.

The cost is one pass over the panel, whatever the number of windows: the per-series
Python loops and refits of a model-by-window backtest are what made large panels slow.
"""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import OptionError
from stockwise.features.closed_days import RECENT_PERIODS, busy
from stockwise.models.base import (
    Forecaster,
    check_training_frame,
    future_date_matrix,
    infer_freq,
    interval_columns,
)
from stockwise.models.conformal import DEFAULT_WINDOWS, conformal_offsets, two_sided_z
from stockwise.models.panel import Panel, to_panel, window_cutoffs
from stockwise.models.splits import CUTOFF

RELATIVE_FLOOR = 0.1
"""Share of a series' mean level added to each forecast when errors are made relative."""


class PanelForecaster(Forecaster):
    """Base of the vectorised models (see the module docstring)."""

    native_intervals: ClassVar[bool] = True
    one_pass_backtest: ClassVar[bool] = True
    """``cross_validation`` gives the whole rolling-origin backtest in one pass."""
    conformal_windows: ClassVar[int] = DEFAULT_WINDOWS

    def _point(
        self, values: np.ndarray, start: np.ndarray, cutoffs: list[int], h: int
    ) -> np.ndarray:
        """(cutoffs × series × h) forecasts from each cutoff column, finite and >= 0
        where the series has at least one observation up to the cutoff."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _forecasts(self, panel: Panel, cutoffs: list[int], h: int) -> np.ndarray:
        """:meth:`_point` on ``panel``; a model that needs the calendar (the dates of each
        column) overrides this one instead."""
        return self._point(panel.values, panel.start, cutoffs, h)

    # -- the contract --------------------------------------------------------------------
    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        self.panel_ = to_panel(df, self.freq_)

    def _predict(self, h: int, X_df: pd.DataFrame | None, levels: tuple[int, ...]) -> pd.DataFrame:
        panel = self.panel_
        last = panel.n_periods - 1
        past = [last - h * k for k in range(1, self.conformal_windows + 1) if last - h * k >= 0]
        forecasts = self._forecasts(panel, [last, *past], h)
        dates = future_date_matrix(panel.dates[:, -1], h, self.freq_, pd.Series(panel.dates[:, -1]))
        out = pd.DataFrame(
            {
                S.UNIQUE_ID: np.repeat(panel.ids, h),
                S.DS: dates.ravel(),
                self.name: forecasts[0].ravel(),
            }
        )
        if levels:
            bands = self._bands(panel, forecasts[0], forecasts[1:], past, h, levels)
            out = out.assign(**{c: v.ravel() for c, v in bands.items()})
        return out

    def cross_validation(
        self,
        df: pd.DataFrame,
        h: int,
        n_windows: int = 2,
        step: int | None = None,
        levels: tuple[int, ...] = (),
    ) -> pd.DataFrame:
        """The rolling-origin backtest (``unique_id, ds, cutoff, y, <name>[, bands]``) of
        :func:`stockwise.evaluation.backtest.backtest`, in one pass over the panel."""
        frame = check_training_frame(df, type(self).__name__)
        freq = getattr(self, "freq", None) or infer_freq(frame)
        panel = to_panel(frame, freq)
        windows = [c for c in window_cutoffs(panel.n_periods, h, n_windows, step) if c >= 0]
        if not windows:
            raise OptionError(
                f"no series is long enough for {n_windows} backtest windows of h={h}",
                hint="Use fewer windows (--windows) or a shorter horizon (--horizon).",
            )
        extra = (
            [c - h * k for c in windows for k in range(1, self.conformal_windows + 1)]
            if levels
            else []
        )
        cutoffs = sorted({*windows, *(c for c in extra if c >= 0)})
        forecasts = dict(zip(cutoffs, self._forecasts(panel, cutoffs, h), strict=True))
        parts = []
        for cutoff in windows:
            part = self._window_frame(panel, cutoff, forecasts[cutoff], h)
            if levels:
                past = [
                    c
                    for c in (cutoff - h * k for k in range(1, self.conformal_windows + 1))
                    if c >= 0
                ]
                bands = self._bands(
                    panel,
                    forecasts[cutoff],
                    np.array([forecasts[c] for c in past]),
                    past,
                    h,
                    levels,
                    upto=cutoff,
                )
                rows = part.pop("_rows").to_numpy()
                for column, values in bands.items():
                    part[column] = values.ravel()[rows]
            else:
                part = part.drop(columns="_rows")
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
        return out.sort_values([S.UNIQUE_ID, CUTOFF, S.DS], kind="stable").reset_index(drop=True)

    # -- helpers ---------------------------------------------------------------------------
    def _window_frame(
        self, panel: Panel, cutoff: int, forecast: np.ndarray, h: int
    ) -> pd.DataFrame:
        """The test rows of one window: series observed at the cutoff, periods after it."""
        steps = min(h, panel.n_periods - 1 - cutoff)
        active = panel.start <= cutoff
        series = np.repeat(np.flatnonzero(active), steps)
        offset = np.tile(np.arange(steps), int(active.sum()))
        columns = cutoff + 1 + offset
        return pd.DataFrame(
            {
                S.UNIQUE_ID: panel.ids[series],
                S.DS: panel.dates[series, columns],
                CUTOFF: panel.dates[series, cutoff],
                S.Y: panel.values[series, columns],
                self.name: forecast[series, offset],
                "_rows": series * h + offset,
            }
        )

    def _bands(
        self,
        panel: Panel,
        point: np.ndarray,
        past: np.ndarray,
        cutoffs: list[int],
        h: int,
        levels: tuple[int, ...],
        upto: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Conformal bands around ``point`` from the errors of the ``past`` forecasts.

        Errors are taken relative to the forecast they belong to (plus a tenth of the
        series' mean level, :data:`RELATIVE_FLOOR`), and the bands scale with the point
        again: a shop's Sunday forecast of zero gets a narrow band and its Saturday a
        wide one, instead of one width pooled over the week. On daily data the zeros of
        a busy series (closed days, :mod:`stockwise.features.closed_days`) are neither
        errors nor zero demand: counted, they opened every open day's band down to 0.
        """
        n_series = len(panel.ids)
        history = panel.values if upto is None else panel.values[:, : upto + 1]
        closures = (
            busy(history[:, -RECENT_PERIODS:])
            if panel.freq == "D"
            else np.zeros(n_series, dtype=bool)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            floor = RELATIVE_FLOOR * np.nan_to_num(np.nanmean(np.abs(history), axis=1)) + 1e-9
        errors = np.full((n_series, max(len(cutoffs), 1) * h), np.nan)
        actuals = np.full_like(errors, np.nan)
        for k, cutoff in enumerate(cutoffs):
            stop = min(cutoff + 1 + h, panel.n_periods)
            actual = panel.values[:, cutoff + 1 : stop]
            observed = (panel.start <= cutoff)[:, None] & ~(closures[:, None] & (actual <= 0))
            width = actual.shape[1]
            scale = past[k][:, :width] + floor[:, None]
            errors[:, k * h : k * h + width] = np.where(
                observed, (actual - past[k][:, :width]) / scale, np.nan
            )
            actuals[:, k * h : k * h + width] = np.where(observed, actual, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            zero_share = np.nanmean(np.where(np.isnan(actuals), np.nan, actuals <= 0), axis=1)
        zero_share = np.nan_to_num(zero_share)
        sigma = _walk_sigma(history)
        offsets = conformal_offsets(errors, zero_share, sigma, levels)
        out = {}
        steps = np.sqrt(np.arange(1, h + 1))[None, :]
        for level, (low, high) in offsets.items():
            z = two_sided_z(level)
            walk = np.isnan(high)[:, None]
            rw = z * sigma[:, None] * steps
            scale = point + floor[:, None]
            lo = np.where(walk, -rw, np.minimum(low, 0.0)[:, None] * scale)
            hi = np.where(walk, rw, np.maximum(high, 0.0)[:, None] * scale)
            names = interval_columns(self.name, (level,))
            out[names[0]] = np.maximum(point + lo, 0.0)
            out[names[1]] = point + hi
        return out


def _walk_sigma(values: np.ndarray) -> np.ndarray:
    """Per series, the std of first differences (else of the values; 0 when flat/short)."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        diffs = np.nanstd(np.diff(values, axis=1), axis=1)
        level = np.nanstd(values, axis=1)
    return np.nan_to_num(np.where(np.isnan(diffs), level, diffs))
