"""Closed days in a forecast run (rules in :mod:`stockwise.features.closed_days`).

On daily data, the run leaves the zeros of busy series (closures) out of the scores that
choose the models and out of the band calibration, and forecasts the days a series is
expected closed as exactly 0 with a band of zero width, in the final forecast and in the
backtest it returns alike. Each backtest point is judged from its own window's cutoff,
with the data up to it only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.features.closed_days import RECENT_PERIODS, busy, closed_phases
from stockwise.models.panel import Panel, to_panel
from stockwise.models.splits import CUTOFF

FORECAST = "forecast"
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ClosedDays:
    """The daily history of a run, to judge its rows (one panel, built once)."""

    panel: Panel
    season_length: int

    @classmethod
    def of(cls, frame: pd.DataFrame, freq: str, season_length: int) -> ClosedDays | None:
        """The judge of a run's rows, or None where the data is not daily."""
        if freq != "D" or frame.empty:
            return None
        return cls(to_panel(frame, "D"), season_length)

    def zeros(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row (``unique_id, ds, cutoff, y``): a zero of a series busy at its cutoff."""
        zero = rows[S.Y].to_numpy(dtype=float) <= 0

        def judge(history: np.ndarray, series: np.ndarray, pick: np.ndarray,
                  steps: np.ndarray) -> np.ndarray:
            return busy(history[:, -RECENT_PERIODS:])[series] & zero[pick]
        return self._judge(rows, judge)

    def expected(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row (``unique_id, ds`` and ``cutoff``, else each series' last date is the
        cutoff): whether the day is expected closed as seen from its cutoff."""
        def judge(history: np.ndarray, series: np.ndarray, pick: np.ndarray,
                  steps: np.ndarray) -> np.ndarray:
            phases = closed_phases(history, self.season_length)
            return phases[series, (steps - 1) % phases.shape[1]]
        return self._judge(rows, judge)

    def _judge(self, rows: pd.DataFrame, rule: Rule) -> np.ndarray:
        """Apply ``rule(history up to the cutoff, series, row positions, steps ahead)`` to the rows
        of each distinct distance between the cutoff and the series' last day."""
        panel = self.panel
        out = np.zeros(len(rows), dtype=bool)
        series = pd.Index(panel.ids).get_indexer(rows[S.UNIQUE_ID].astype(str))
        known = series >= 0
        if not known.any():
            return out
        last = panel.dates[:, -1][np.maximum(series, 0)]
        cutoff = (pd.to_datetime(rows[CUTOFF]).to_numpy() if CUTOFF in rows.columns
                  else last)
        day = np.timedelta64(1, "D")
        back = np.where(known, (last - cutoff) // day, -1)
        step = (pd.to_datetime(rows[S.DS]).to_numpy() - cutoff) // day
        for lag in np.unique(back[known & (back >= 0)]):
            pick = np.flatnonzero(known & (back == lag))
            history = panel.values[:, :panel.n_periods - int(lag)]
            out[pick] = rule(history, series[pick], pick, step[pick])
        return out


def zero_closed(forecasts: pd.DataFrame, closed: np.ndarray) -> pd.DataFrame:
    """``forecasts`` with the point and every band at 0 on the ``closed`` rows."""
    if not closed.any():
        return forecasts
    out = forecasts.copy()
    for column in [c for c in out.columns if c == FORECAST or c.startswith(f"{FORECAST}-")]:
        out.loc[closed, column] = 0.0
    return out
