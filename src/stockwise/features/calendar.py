"""Calendar and public-holiday features: known for any date, past or future.

``cal_dayofweek`` (0 = Monday), ``cal_dayofmonth``, ``cal_weekofyear`` (ISO),
``cal_month``, ``cal_dayofyear``, ``cal_month_end`` (days left to the month's end, 0 on
its last day: month-end shopping and stock counts), ``cal_payday`` (1 on the spec's
paydays and on the last day of the month). With a country, ``holiday`` (1 on a public
holiday) and ``holiday_days_to`` / ``holiday_days_since`` (days to the next and since the
last holiday, capped): demand moves *around* holidays, not only on them.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from stockwise.errors import OptionError
from stockwise.features.spec import FeatureSpec


def calendar_features(ds: pd.Series | pd.DatetimeIndex, spec: FeatureSpec) -> dict[str, np.ndarray]:
    """Calendar (and holiday) columns for each date of ``ds``."""
    dates = pd.DatetimeIndex(pd.to_datetime(ds))
    out: dict[str, np.ndarray] = {}
    for name in spec.calendar:
        if name == "dayofweek":
            values = dates.dayofweek
        elif name == "dayofmonth":
            values = dates.day
        elif name == "weekofyear":
            values = dates.isocalendar().week.to_numpy()
        elif name == "month":
            values = dates.month
        elif name == "dayofyear":
            values = dates.dayofyear
        elif name == "month_end":
            values = dates.days_in_month - dates.day
        else:  # payday
            values = np.isin(dates.day, spec.paydays) | (dates.day == dates.days_in_month)
        out[f"cal_{name}"] = np.asarray(values, dtype=float)
    if spec.country:
        out.update(holiday_features(dates, spec.country, spec.holiday_cap))
    return out


def holiday_features(dates: pd.DatetimeIndex, country: str, cap: int) -> dict[str, np.ndarray]:
    """``holiday``, ``holiday_days_to`` and ``holiday_days_since`` for each date."""
    if len(dates) == 0:
        return {
            "holiday": np.zeros(0),
            "holiday_days_to": np.zeros(0),
            "holiday_days_since": np.zeros(0),
        }
    days = dates.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    first, last = dates.min().year - 1, dates.max().year + 1
    table = _holiday_days(country.upper(), first, last)
    nxt = np.searchsorted(table, days, side="left")
    to_next = np.where(nxt < len(table), table[np.minimum(nxt, len(table) - 1)] - days, cap)
    prev = np.searchsorted(table, days, side="right") - 1
    since = np.where(prev >= 0, days - table[np.maximum(prev, 0)], cap)
    return {
        "holiday": (to_next == 0).astype(float),
        "holiday_days_to": np.minimum(to_next, cap).astype(float),
        "holiday_days_since": np.minimum(since, cap).astype(float),
    }


@functools.lru_cache(maxsize=32)
def _holiday_days(country: str, first_year: int, last_year: int) -> np.ndarray:
    """Sorted holiday dates (days since epoch) of ``country`` over the years."""
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    except NotImplementedError as exc:
        raise OptionError(
            f"no public-holiday calendar for country {country!r}; use an ISO "
            "3166 alpha-2 code such as FR, DE, US"
        ) from exc
    epoch = dt.date(1970, 1, 1)
    return np.array(sorted((d - epoch).days for d in calendar), dtype=np.int64)
