"""The forecast's inputs: the sales as regular series, the known-ahead columns and their
future values, the stores of a closure calendar (used by :mod:`stockwise.workflows.forecast`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.frequency import align_week_anchors
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS, find_holes, in_holes
from stockwise.data.prepare import aggregate, regularize
from stockwise.errors import InputError, OptionError
from stockwise.models.base import (
    check_training_frame,
    infer_freq,
)

log = logging.getLogger(__name__)


def _prepare(
    df: pd.DataFrame,
    freq: str | None,
    exog: Sequence[str] = (),
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Check the frame, put it on a regular calendar, aggregate to a coarser ``freq``;
    also return its long holes (:func:`~stockwise.data.holes.find_holes`, at ``freq``).

    Known-ahead columns (``exog``) are carried along; on periods the calendar fills in,
    they take the series' previous (else next) value.
    """
    frame = _one_week_anchor(check_training_frame(df, "forecast"))
    data_freq = infer_freq(frame)
    wanted, week_start = calendar_facts.parse(freq) if freq else (data_freq, None)
    drivers = frame[[S.UNIQUE_ID, S.DS, *exog]] if exog else None
    frame = regularize(frame[[S.UNIQUE_ID, S.DS, S.Y]], data_freq, gap_policy="zero")
    if not calendar_facts.coarser_or_same(wanted, data_freq):
        raise OptionError(
            f"the data is {data_freq}; it cannot be forecast at a finer frequency ({wanted})"
        )
    if wanted != data_freq:
        if exog:
            raise OptionError(
                f"known-ahead inputs {list(exog)} are per {data_freq} period; "
                f"forecast at the data's frequency ({data_freq}) to use them"
            )
        target = str(freq) if week_start is not None else wanted
        frame = _complete_periods(aggregate(frame, target), data_freq, wanted)
    holes = find_holes(frame, max_gap_days=max_gap_days)
    frame = frame[[S.UNIQUE_ID, S.DS, S.Y]].reset_index(drop=True)
    if drivers is not None:
        for column, count in drivers[list(exog)].isna().sum().items():
            if count:  # said, not silent: the value carried forward is a guess
                log.warning(
                    "known-ahead input '%s' is empty on %d of %d rows; each gap takes "
                    "the series' previous value (else its next)",
                    column,
                    count,
                    len(drivers),
                )
        frame = frame.merge(
            drivers.drop_duplicates([S.UNIQUE_ID, S.DS], keep="last"),
            on=[S.UNIQUE_ID, S.DS],
            how="left",
        )
        by_series = frame.groupby(S.UNIQUE_ID, sort=False)[list(exog)]
        frame[list(exog)] = by_series.ffill().fillna(by_series.bfill())
    return frame, wanted, holes


def _stores(df: pd.DataFrame) -> pd.Series | None:
    """The store of each series (indexed by ``unique_id``), when the data names them."""
    if S.STORE not in df.columns:
        return None
    pairs = df[[S.UNIQUE_ID, S.STORE]].dropna().drop_duplicates(S.UNIQUE_ID)
    return pd.Series(
        pairs[S.STORE].astype(str).to_numpy(), index=pairs[S.UNIQUE_ID].astype(str).to_numpy()
    )


def _as_demand(frame: pd.DataFrame, bridged: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the estimated periods of its ``bridged`` holes as NaN: no demand was
    seen there, so they do not count in a demand class."""
    if bridged.empty:
        return frame
    estimated = in_holes(frame, bridged)
    return frame.assign(**{S.Y: np.where(estimated, np.nan, frame[S.Y].to_numpy(dtype=float))})


def _one_week_anchor(frame: pd.DataFrame) -> pd.DataFrame:
    """Weekly series dated on mixed weekdays, put on one weekday with a warning
    (:func:`~stockwise.data.frequency.align_week_anchors`; validated sales already are),
    so that they are forecast as weeks, neither as days nor with two rows in one week."""
    ids, ds = frame[S.UNIQUE_ID].to_numpy(), frame[S.DS].to_numpy()
    same = ids[1:] == ids[:-1]
    if same.any() and np.all(~same | (np.diff(ds) == np.timedelta64(1, "D"))):
        return frame  # sorted daily rows (the usual case): nothing to look at
    found = align_week_anchors(frame)
    if found is None or not found.moved.any():
        return frame
    log.warning("%s", found.note())
    return frame.assign(**{S.DS: found.ds})


def _exog_columns(
    df: pd.DataFrame, exog: Sequence[str] | None, X_df: pd.DataFrame | None
) -> list[str]:
    """The known-ahead columns: as given, else those of ``X_df``; each must be in ``df``."""
    if exog is None:
        exog = (
            [] if X_df is None else [c for c in X_df.columns if c not in (S.UNIQUE_ID, S.DS, S.Y)]
        )
    columns = list(dict.fromkeys(exog))
    for column in columns:
        if column not in df.columns:
            raise InputError(
                f"known-ahead input '{column}' is not a column of the sales "
                f"table (columns: {list(df.columns)})",
                column=column,
            )
    return columns


def _future_inputs(X_df: pd.DataFrame | None, exog: Sequence[str]) -> pd.DataFrame | None:
    if X_df is None or not exog:
        return None
    missing = [c for c in (S.UNIQUE_ID, S.DS, *exog) if c not in X_df.columns]
    if missing:
        raise InputError(
            f"X_df has no column '{missing[0]}' (needs unique_id, ds and the "
            f"known-ahead inputs {list(exog)})",
            column=missing[0],
        )
    future = X_df[[S.UNIQUE_ID, S.DS, *exog]].copy()
    future[S.UNIQUE_ID] = future[S.UNIQUE_ID].astype(str)
    future[S.DS] = pd.to_datetime(future[S.DS])
    return future


def _complete_periods(frame: pd.DataFrame, data_freq: str, freq: str) -> pd.DataFrame:
    """Drop partial first/last periods: a 3-day "week" is not a low-demand week, two
    months are not a quarter.

    The forecast then starts with the current (partial) period, so it covers today. A
    series shorter than one whole period keeps what it has. Weeks summed to months or
    longer straddle their bounds: no period is known whole, so all are kept.
    """
    days = calendar_facts.days_in_period(frame[S.DS], freq)
    expected: np.ndarray | int
    if data_freq == "h":
        expected = 24 * days
    elif data_freq in calendar_facts.MONTHS_PER_PERIOD:
        expected = (
            calendar_facts.MONTHS_PER_PERIOD[freq] // calendar_facts.MONTHS_PER_PERIOD[data_freq]
        )
    else:
        expected = days
    complete = pd.Series(frame[S.N_OBS].to_numpy() >= expected, index=frame.index)
    keeps_something = complete.groupby(frame[S.UNIQUE_ID]).transform("any")
    return frame[complete | ~keeps_something]
