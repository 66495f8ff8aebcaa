"""Sales summed to one level, so that the plan orders for a group of series as one.

A distribution centre that replenishes its stores orders the sum of their demand:
``sales_at_level(sales, "store")`` gives one series per store (its products summed), and
the usual plan then runs on those series, with an inventory table keyed by store. The
sum of the members' forecasts would give the same mean, but the aggregate's own history
gives the spread of the total (members' errors partly cancel), which is what sizes the
centre's safety stock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import pandas as pd

from stockwise import schema as S
from stockwise.errors import FrameError, OptionError
from stockwise.hierarchy.spec import CROSS_SEP

log = logging.getLogger(__name__)
SUMMED = (S.Y, S.ON_HAND)
"""Columns added up over a level's series (the stock of a group is the sum of its
members'); the sector is kept when the members share it; other columns are dropped."""


def level_columns(level: str | Sequence[str]) -> tuple[str, ...]:
    """``"store"``, ``"category*store"``, ``"category/store"`` or a list → the columns."""
    parts = [level] if isinstance(level, str) else list(level)
    columns = tuple(c.strip() for part in parts for c in re.split(r"[*/,]", part))
    if not columns or any(not c for c in columns):
        raise OptionError(
            f"plan level {level!r} has an empty column name",
            hint="Name the columns to plan at, e.g. --plan-level store",
        )
    return columns


def sales_at_level(sales: pd.DataFrame, level: str | Sequence[str]) -> pd.DataFrame:
    """One series per value of the level's columns (``unique_id`` = the values joined by
    ``|``), ``y`` and ``on_hand`` summed per date, ``sector`` kept when shared."""
    columns = level_columns(level)
    missing = [c for c in columns if c not in sales.columns]
    if missing:
        raise FrameError(
            f"the sales have no column(s) {missing} to plan at; columns: {list(sales.columns)}",
            hint="Plan at columns of the sales file (or map them, --map).",
        )
    empty = sales[list(columns)].isna().any(axis=1)
    if empty.any():
        row = sales.index[empty][0]
        raise FrameError(
            f"row {row} (series {sales.at[row, S.UNIQUE_ID]!r}) has no value in "
            f"{[c for c in columns if pd.isna(sales.at[row, c])]}",
            hint="Fill it so the row belongs to a group.",
        )
    key = sales[columns[0]].astype(str)
    for column in columns[1:]:
        key = key + CROSS_SEP + sales[column].astype(str)
    frame = sales.assign(**{S.UNIQUE_ID: key})
    summed = [c for c in SUMMED if c in frame.columns]
    out = frame.groupby([S.UNIQUE_ID, S.DS], sort=True)[summed].sum(min_count=1)
    out = out.reset_index()
    if S.SECTOR in frame.columns:
        sectors = frame.groupby(S.UNIQUE_ID)[S.SECTOR].nunique(dropna=False)
        mixed = sectors[sectors > 1]
        if not mixed.empty:
            raise FrameError(
                f"{len(mixed)} group(s) of the plan level mix sectors, e.g. "
                f"{mixed.index[0]!r}: one plan line needs one sector's profile",
                hint="Plan one sector at a time (--sector) or add 'sector' "
                "to the level (e.g. --plan-level sector*store).",
            )
        out[S.SECTOR] = out[S.UNIQUE_ID].map(frame.groupby(S.UNIQUE_ID)[S.SECTOR].first())
    for column in columns:
        out[column] = out[S.UNIQUE_ID].map(frame.groupby(S.UNIQUE_ID)[column].first())
    dropped = sorted(set(sales.columns) - set(out.columns) - {S.UNIQUE_ID, S.DS})
    if dropped:
        log.warning("planning at %s: columns %s are not summed and are left out", columns, dropped)
    return out
