"""Forecasts made on the review days of a replay, from the history strictly before them.

A closed-loop replay forecasts again at every review (or every ``refit_every``-th one);
the same forecast serves every policy, service level and path correlation replayed on the
same history, so they are cached here, keyed by the day they were fitted on. Fitting only
on rows dated before that day is what keeps the replay free of look-ahead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S

LEVELS = (50, 80, 90, 95, 98, 99)
"""Band levels asked of every review forecast: enough knots for the sample paths."""
ForecastFunction = Callable[[pd.DataFrame, int, tuple[int, ...]], pd.DataFrame]
"""(training frame, horizon, levels) → forecast table (``unique_id, ds, forecast, ...``)."""


@dataclass(frozen=True)
class RefitSchedule:
    """When a replay fits again and on how much history: every ``refit_every``-th review
    of a ``review_period_days`` cycle, on the last ``train_window`` periods (None: all).
    They decide together how far each fit must reach, so they are given together."""

    refit_every: int = 1
    review_period_days: int = 7
    train_window: int | None = None


class ReviewForecasts:
    """Forecasts made on review days from the history strictly before them, cached.

    ``source`` is a stockwise model name, a list of names, ``"auto"`` (all run through
    :func:`stockwise.forecast`) or a function ``(train, h, levels) -> forecast table``.
    ``schedule`` says how often it fits again and on how much recent history.
    ``exog`` names known-ahead columns of ``history`` (promotions, prices, events: a
    retailer plans them in advance): models see them on the training rows and, for the
    days they forecast, their planned values — never a day's demand before that day.
    """

    def __init__(
        self,
        history: pd.DataFrame,
        source: str | Sequence[str] | ForecastFunction = "SeasonalNaive",
        *,
        horizon: int,
        levels: Sequence[int] = LEVELS,
        season_length: int = 7,
        schedule: RefitSchedule = RefitSchedule(),
        n_windows: int = 2,
        exog: Sequence[str] = (),
    ) -> None:
        refit_every = schedule.refit_every
        if refit_every < 1:
            raise ValueError("refit_every must be >= 1")
        self.history = long_frame(history)
        self.exog = tuple(exog)
        self._planned = _driver_frame(history, self.exog)
        self.calendar = pd.DatetimeIndex(np.sort(self.history[S.DS].unique()))
        self._step = (
            pd.infer_freq(self.calendar) if len(self.calendar) > 2 else None
        ) or pd.Timedelta(days=1)
        """The history's period, for the planned drivers' dates ("MS" for monthly data:
        months are not 30 days)."""
        self.source, self.horizon, self.levels = source, int(horizon), tuple(levels)
        self.season_length, self.refit_every = season_length, int(refit_every)
        self.review_period = int(schedule.review_period_days)
        self.train_window = schedule.train_window
        self.n_windows = n_windows
        self.seconds, self.fits = 0.0, 0
        self._cache: dict[pd.Timestamp, dict[str, pd.DataFrame]] = {}

    @property
    def name(self) -> str:
        if callable(self.source):
            return getattr(self.source, "__name__", "custom")
        name = self.source if isinstance(self.source, str) else "+".join(self.source)
        return name + ("+drivers" if self.exog else "")

    def at(self, day: pd.Timestamp, fitted_on: pd.Timestamp) -> dict[str, pd.DataFrame]:
        """Per product, the rows from ``day`` on of the forecast fitted on ``fitted_on``."""
        if fitted_on not in self._cache:
            self._cache[fitted_on] = self._fit(fitted_on)
        rows = self._cache[fitted_on]
        if day == fitted_on:
            return rows
        return {uid: part[part[S.DS] >= day] for uid, part in rows.items()}

    def _fit(self, fitted_on: pd.Timestamp) -> dict[str, pd.DataFrame]:
        started = time.perf_counter()
        train = self.history[self.history[S.DS] < fitted_on]  # nothing from that day on
        if self.train_window:
            position = self.calendar.searchsorted(fitted_on)
            train = train[train[S.DS] >= self.calendar[max(position - self.train_window, 0)]]
        h = self.horizon + (self.refit_every - 1) * self.review_period
        if callable(self.source):
            out = self.source(train, h, self.levels)
        else:
            from stockwise.workflows.forecast import forecast  # the engine reads tables

            train, planned = self._with_drivers(train, fitted_on, h)
            out = forecast(
                train,
                h,
                season_length=self.season_length,
                models=self.source,
                levels=self.levels,
                n_windows=self.n_windows,
                exog=self.exog or None,
                X_df=planned,
            )
        out = out.sort_values([S.UNIQUE_ID, S.DS], kind="stable")
        out = out[[S.UNIQUE_ID, S.DS, *(c for c in out.columns if c.startswith("forecast"))]]
        self.seconds += time.perf_counter() - started
        self.fits += 1
        return {
            str(uid): part.reset_index(drop=True)
            for uid, part in out.groupby(S.UNIQUE_ID, sort=False)
        }

    def _with_drivers(
        self, train: pd.DataFrame, fitted_on: pd.Timestamp, h: int
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The training rows with the driver columns, and the drivers' planned values for
        the ``h`` periods from ``fitted_on`` (None without drivers)."""
        if not self.exog:
            return train, None
        key = [S.UNIQUE_ID, S.DS]
        train = train.merge(self._planned, on=key, how="left")
        days = pd.date_range(fitted_on, periods=h, freq=self._step)
        grid = pd.MultiIndex.from_product([sorted(train[S.UNIQUE_ID].unique()), days], names=key)
        known = self._planned[self._planned[S.DS] <= days[-1]].set_index(key)
        # past the last row of the history, the last planned values hold
        planned = known.reindex(known.index.union(grid)).groupby(level=0).ffill()
        return train, planned.reindex(grid).reset_index()


def _driver_frame(history: pd.DataFrame, exog: tuple[str, ...]) -> pd.DataFrame:
    """``unique_id, ds`` and the driver columns of ``history``."""
    missing = [c for c in exog if c not in history.columns]
    if missing:
        raise ValueError(
            f"history has no driver column(s) {missing}; it has {list(history.columns)}"
        )
    frame = history[[S.UNIQUE_ID, S.DS, *exog]].copy()
    frame[S.UNIQUE_ID] = frame[S.UNIQUE_ID].astype(str)
    frame[S.DS] = pd.to_datetime(frame[S.DS])
    return frame


def long_frame(history: pd.DataFrame) -> pd.DataFrame:
    """``unique_id`` (str), ``ds`` (datetime), ``y`` (float), sorted; other columns dropped."""
    missing = {S.UNIQUE_ID, S.DS, S.Y} - set(history.columns)
    if missing:
        raise ValueError(f"history needs columns unique_id, ds, y; missing {sorted(missing)}")
    frame = history[[S.UNIQUE_ID, S.DS, S.Y]].copy()
    frame[S.UNIQUE_ID] = frame[S.UNIQUE_ID].astype(str)
    frame[S.DS] = pd.to_datetime(frame[S.DS])
    frame[S.Y] = frame[S.Y].astype(float)
    return frame.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
