"""The history a replay walks: the demand matrix (products × days) with each product's
first day, and the per-product settings (lead time, costs, pack rules, shelf life,
service level) from the scalar options and an inventory table that may override them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.replay.review_forecasts import long_frame

_PER_PRODUCT = (
    S.LEAD_TIME_DAYS,
    S.LEAD_TIME_STD_DAYS,
    S.UNIT_COST,
    S.MOQ,
    S.PACK_SIZE,
    S.SHELF_LIFE_DAYS,
    "service_level",
)


@dataclass
class Replay:
    dates: pd.DatetimeIndex
    ids: list[str]
    demand: np.ndarray
    """(products, periods); NaN before a series' first period, 0 for gaps after it."""
    first: np.ndarray
    start: int

    @classmethod
    def build(cls, history: pd.DataFrame, start: str | pd.Timestamp) -> Replay:
        frame = long_frame(history)
        if frame.duplicated([S.UNIQUE_ID, S.DS]).any():
            raise ValueError("history has duplicate (unique_id, ds) rows")
        dates = pd.DatetimeIndex(np.sort(frame[S.DS].unique()))
        if len(dates) > 2 and pd.infer_freq(dates) is None:
            raise ValueError("history must be on a regular calendar (daily, weekly, monthly)")
        codes, ids = pd.factorize(frame[S.UNIQUE_ID], sort=True)
        demand = np.full((len(ids), len(dates)), np.nan)
        demand[codes, dates.searchsorted(frame[S.DS])] = frame[S.Y].to_numpy()
        seen = ~np.isnan(demand)
        first = seen.argmax(axis=1)
        after_first = np.arange(len(dates))[None, :] >= first[:, None]
        demand[after_first & ~seen] = 0.0
        position = int(dates.searchsorted(pd.Timestamp(start)))
        if not 0 < position < len(dates):
            raise ValueError(
                f"start {start} must fall after the first and within the "
                f"history ({dates[0].date()} .. {dates[-1].date()})"
            )
        return cls(dates, [str(i) for i in ids], demand, first, position)


def product_settings(
    ids: list[str], inventory: pd.DataFrame | None, **scalars: Any
) -> pd.DataFrame:
    """Per-product lead time, costs, pack rules, shelf life and service level."""
    table = pd.DataFrame({S.UNIQUE_ID: ids})
    for column in _PER_PRODUCT:
        value = scalars[column]
        table[column] = np.nan if value is None else float(value)
    if inventory is not None and not inventory.empty:
        rows = inventory.assign(**{S.UNIQUE_ID: inventory[S.UNIQUE_ID].astype(str)})
        rows = rows.drop_duplicates(S.UNIQUE_ID).set_index(S.UNIQUE_ID)
        for column in _PER_PRODUCT:
            if column in rows.columns:
                given = pd.to_numeric(table[S.UNIQUE_ID].map(rows[column]), errors="coerce")
                table[column] = given.where(given.notna(), table[column])
    table[S.PACK_SIZE] = table[S.PACK_SIZE].fillna(1.0).clip(lower=1.0)
    table[S.MOQ] = table[S.MOQ].fillna(0.0)
    table[S.LEAD_TIME_STD_DAYS] = table[S.LEAD_TIME_STD_DAYS].fillna(0.0)
    table.loc[table[S.SHELF_LIFE_DAYS] <= 0, S.SHELF_LIFE_DAYS] = np.nan
    return table
