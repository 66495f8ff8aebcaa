"""Closed days in a forecast run (rules in :mod:`stockwise.features.closed_days`).

On daily data, the run leaves the zeros of busy series (closures) out of the scores that
choose the models and out of the band calibration, and forecasts the days a series is
expected closed as exactly 0 with a band of zero width, in the final forecast and in the
backtest it returns alike. Each backtest point is judged from its own window's cutoff,
with the data up to it only.

Two more sources name closures, for series that are not busy on their own:

- a *store* (the ``store`` column) with several series is judged on its daily total, by
  the same rules: a day where every product of a busy store sold nothing (or has no row)
  is the store's closure, not a quiet day of each product, and a weekday the store was
  shut on 7 of its last 8 weeks is expected closed for every product of it;
- a calendar of closed days (``ds``, optionally ``store``), known ahead: its days are
  forecast 0 and its zero days are not scored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.prepare import regularize
from stockwise.errors import InputError
from stockwise.features.closed_days import RECENT_PERIODS, busy, closed_phases
from stockwise.models.panel import Panel, to_panel
from stockwise.models.splits import CUTOFF
from stockwise.schema import FORECAST

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ClosedDays:
    """The daily history of a run, to judge its rows (one panel, built once)."""

    panel: Panel
    season_length: int
    stores: Panel | None = None
    """Daily totals of the stores that hold several series (None: no such store)."""
    store_of: np.ndarray | None = None
    """Per series of ``panel``, its row in ``stores`` (-1: none)."""
    calendar: pd.DataFrame | None = None
    """Known closed days: ``ds`` and, when a closure is one store's, ``store``."""

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame,
        freq: str,
        season_length: int,
        stores: pd.Series | None = None,
        calendar: pd.DataFrame | None = None,
    ) -> ClosedDays | None:
        """The judge of a run's rows, or None where the data is not daily. ``stores``:
        the store of each series (indexed by ``unique_id``); ``calendar``: known closed
        days (``ds`` [, ``store``])."""
        if freq != "D" or frame.empty:
            return None
        panel = to_panel(frame, "D")
        totals, store_of = _store_totals(frame, panel.ids, stores)
        return cls(panel, season_length, totals, store_of, _calendar(calendar, stores))

    def zeros(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row (``unique_id, ds, cutoff, y``): a zero of a series busy at its cutoff,
        of a store busy at its cutoff and shut that day, or on a known closed day."""
        zero = rows[S.Y].to_numpy(dtype=float) <= 0

        def judge(
            history: np.ndarray, series: np.ndarray, pick: np.ndarray, steps: np.ndarray
        ) -> np.ndarray:
            return busy(history[:, -RECENT_PERIODS:])[series] & zero[pick]

        out = self._judge(rows, judge, self.panel, self._series(rows))
        if self.stores is not None:
            store = self._store(rows)
            shut = zero & self._store_shut(rows, store)
            out |= shut & self._judge(rows, _busy, self.stores, store)
        return out | (zero & self._listed(rows))

    def expected(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row (``unique_id, ds`` and ``cutoff``, else each series' last date is the
        cutoff): whether the day is expected closed as seen from its cutoff."""

        def judge(
            history: np.ndarray, series: np.ndarray, pick: np.ndarray, steps: np.ndarray
        ) -> np.ndarray:
            phases = closed_phases(history, self.season_length)
            return phases[series, (steps - 1) % phases.shape[1]]

        out = self._judge(rows, judge, self.panel, self._series(rows))
        if self.stores is not None:
            out |= self._judge(rows, judge, self.stores, self._store(rows))
        return out | self._listed(rows)

    def _series(self, rows: pd.DataFrame) -> np.ndarray:
        return pd.Index(self.panel.ids).get_indexer(rows[S.UNIQUE_ID].astype(str))

    def _store(self, rows: pd.DataFrame) -> np.ndarray:
        assert self.store_of is not None
        series = self._series(rows)
        return np.where(series >= 0, self.store_of[np.maximum(series, 0)], -1)

    def _store_shut(self, rows: pd.DataFrame, store: np.ndarray) -> np.ndarray:
        """Per row: its store sold nothing at all on the row's day."""
        assert self.stores is not None
        out = np.zeros(len(rows), dtype=bool)
        known = np.flatnonzero(store >= 0)
        if not len(known):
            return out
        panel = self.stores
        last = panel.dates[store[known], -1]
        back = (last - pd.to_datetime(rows[S.DS]).to_numpy()[known]) // np.timedelta64(1, "D")
        column = panel.n_periods - 1 - back
        inside = (column >= 0) & (column < panel.n_periods)
        values = panel.values[store[known][inside], column[inside]]
        out[known[inside]] = values <= 0  # NaN (before the store opened) is no closure
        return out

    def _listed(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row: its day is in the calendar (for every store, or for the row's)."""
        if self.calendar is None or rows.empty:
            return np.zeros(len(rows), dtype=bool)
        ds = pd.to_datetime(rows[S.DS]).dt.normalize()
        everywhere = self.calendar.loc[self.calendar[S.UNIQUE_ID] == "*", S.DS]
        own = pd.MultiIndex.from_frame(self.calendar[[S.UNIQUE_ID, S.DS]])
        keys = pd.MultiIndex.from_arrays([rows[S.UNIQUE_ID].astype(str), ds])
        return ds.isin(everywhere).to_numpy() | keys.isin(own)

    def _judge(
        self, rows: pd.DataFrame, rule: Rule, panel: Panel, series: np.ndarray
    ) -> np.ndarray:
        """Apply ``rule(history up to the cutoff, panel row, row positions, steps ahead)`` to
        the rows of each distinct distance between the cutoff and the panel row's last
        day; ``series``: each row's panel row (-1: not in it)."""
        out = np.zeros(len(rows), dtype=bool)
        known = series >= 0
        if not known.any():
            return out
        last = panel.dates[:, -1][np.maximum(series, 0)]
        cutoff = pd.to_datetime(rows[CUTOFF]).to_numpy() if CUTOFF in rows.columns else last
        day = np.timedelta64(1, "D")
        back = np.where(known, (last - cutoff) // day, -1)
        step = (pd.to_datetime(rows[S.DS]).to_numpy() - cutoff) // day
        for lag in np.unique(back[known & (back >= 0)]):
            pick = np.flatnonzero(known & (back == lag))
            history = panel.values[:, : panel.n_periods - int(lag)]
            out[pick] = rule(history, series[pick], pick, step[pick])
        return out


def _busy(history: np.ndarray, row: np.ndarray, pick: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Whether each row's panel row was busy at the cutoff."""
    return busy(history[:, -RECENT_PERIODS:])[row]


def _store_totals(
    frame: pd.DataFrame, ids: np.ndarray, stores: pd.Series | None
) -> tuple[Panel | None, np.ndarray | None]:
    """The panel of daily totals of the stores with two series or more (a day no series
    has a row is a total of 0), and each series' row in it (-1: none)."""
    if stores is None or stores.empty:
        return None, None
    store = pd.Series(ids, index=ids).map(stores.astype(str))
    shared = store.where(store.map(store.value_counts()) >= 2)
    if shared.isna().all():
        return None, None
    of_row = frame[S.UNIQUE_ID].astype(str).map(shared)
    rows = frame[of_row.notna().to_numpy()]
    totals = rows.groupby([of_row[of_row.notna()].rename(S.UNIQUE_ID), S.DS])[S.Y].sum()
    panel = to_panel(regularize(totals.reset_index(), "D")[[S.UNIQUE_ID, S.DS, S.Y]], "D")
    return panel, pd.Index(panel.ids).get_indexer(shared.fillna("").to_numpy())


def _calendar(calendar: pd.DataFrame | None, stores: pd.Series | None) -> pd.DataFrame | None:
    """The calendar as (``unique_id``, ``ds``) pairs: a day without a store applies to
    every series, a store's day to the series of that store."""
    if calendar is None or calendar.empty:
        return None
    if S.DS not in calendar.columns:
        raise InputError(
            f"the calendar of closed days needs a '{S.DS}' column (and "
            f"optionally '{S.STORE}'); it has {list(calendar.columns)}",
            column=S.DS,
        )
    days = calendar.assign(**{S.DS: pd.to_datetime(calendar[S.DS]).dt.normalize()})
    if S.STORE not in days.columns:
        days = days.assign(**{S.STORE: None})
    if stores is None and days[S.STORE].notna().any():
        raise InputError(
            "the calendar of closed days names stores, but the sales have no "
            f"'{S.STORE}' column to tell which series each store holds",
            column=S.STORE,
        )
    series = stores.astype(str) if stores is not None else pd.Series(dtype=str)
    pairs = pd.DataFrame({S.UNIQUE_ID: series.index.astype(str), S.STORE: series.to_numpy()})
    everywhere = days.loc[days[S.STORE].isna(), [S.DS]].assign(**{S.UNIQUE_ID: "*"})
    one_store = days[days[S.STORE].notna()].astype({S.STORE: str}).merge(pairs, on=S.STORE)
    return pd.concat(
        [everywhere, one_store[[S.UNIQUE_ID, S.DS]]], ignore_index=True
    ).drop_duplicates()


def zero_closed(forecasts: pd.DataFrame, closed: np.ndarray) -> pd.DataFrame:
    """``forecasts`` with the point and every band at 0 on the ``closed`` rows."""
    if not closed.any():
        return forecasts
    out = forecasts.copy()
    for column in [c for c in out.columns if c == FORECAST or c.startswith(f"{FORECAST}-")]:
        out.loc[closed, column] = 0.0
    return out
