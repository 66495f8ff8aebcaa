"""The calendar the plan forecasts on, from the sales' own frequency.

The plan runs in days (lead times, review periods, expiry dates): sales are put on a
daily calendar first, the forecasts are made at the sector's frequency and spread back
over days (:func:`stockwise.inventory.paths.to_daily`). Two calendars need more than a
profile's frequency:

* hourly sales are summed to days before anything else: an order is placed for days,
  and a day's total is what the shelf must hold;
* quarterly and yearly sales are forecast at their own frequency (or the profile's, when
  coarser), never at a finer one: days or months cut out of a quarter's total would be
  invented. Daily, weekly and monthly sales keep the profile's frequency (daily without
  one), as they always did.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.prepare import aggregate
from stockwise.models.base import infer_freq
from stockwise.sectors import SectorProfile

log = logging.getLogger(__name__)
OWN_GRAIN = ("Q", "Y")
"""Frequencies forecast at their own grain when the profile's is finer."""
DEFAULT_HORIZON_DAYS = 28
"""Days forecast ahead, at least, for a sector without a profile."""


def data_grain(sales: pd.DataFrame) -> str:
    """ "h", "Q" or "Y" when most series are hourly, quarterly or yearly; else "D"."""
    if sales.empty or not pd.api.types.is_datetime64_any_dtype(sales[S.DS]):
        return "D"
    found = infer_freq(sales[[S.UNIQUE_ID, S.DS]])
    return found if found in ("h", *OWN_GRAIN) else "D"


def hours_to_days(sales: pd.DataFrame) -> pd.DataFrame:
    """Hourly sales summed per series and day (stock on hand: the day's last level)."""
    daily = aggregate(sales, "D").drop(columns=[S.N_OBS])
    log.info("hourly sales summed to %d series-days: the plan runs in days", len(daily))
    return daily


def last_day(sales: pd.DataFrame, grain: str) -> pd.Timestamp | None:
    """The last day the sales cover when their rows stand for quarters or years (the
    last period's last day: its row is its whole total, not one day's); else ``None``."""
    if grain not in OWN_GRAIN or sales.empty:
        return None
    last = calendar_facts.period_start(pd.Series([sales[S.DS].max()]), grain)
    return pd.Timestamp(calendar_facts.shift(last, grain, 1)[0]) - pd.Timedelta(days=1)


@dataclass(frozen=True)
class PlanCalendar:
    """How the plan forecasts: the sales' ``grain`` (:func:`data_grain`), and the
    frequency and season length asked for (``None``: each sector's own)."""

    grain: str = "D"
    freq: str | None = None
    season_length: int | None = None

    def __post_init__(self) -> None:
        if self.freq is not None:
            object.__setattr__(self, "freq", calendar_facts.code_of(self.freq))
        if self.season_length is not None:
            calendar_facts.season_length(self.freq or "D", self.season_length)

    def freq_for(self, profile: SectorProfile | None) -> str:
        """The sector's forecast frequency: the one asked for, else the profile's (daily
        without one), or the data's own when that is coarser and one of
        :data:`OWN_GRAIN`."""
        if self.freq is not None:
            return self.freq
        freq = profile.frequency if profile else "D"
        if self.grain in OWN_GRAIN and calendar_facts.coarser_or_same(self.grain, freq):
            return self.grain
        return freq


DAILY = PlanCalendar()
"""Daily sales, each sector at its own frequency."""


def horizon(profile: SectorProfile | None, freq: str, needed_days: float) -> int:
    """Periods of ``freq`` to forecast: the profile's horizon (:data:`DEFAULT_HORIZON_DAYS`
    without one), at least enough periods to cover ``needed_days``."""
    per = calendar_facts.DAYS_PER_PERIOD[freq]
    own = (
        profile.horizon
        if profile and profile.frequency == freq
        else math.ceil(DEFAULT_HORIZON_DAYS / per)
    )
    return max(own, math.ceil(needed_days / per))
