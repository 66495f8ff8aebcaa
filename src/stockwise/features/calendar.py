"""Calendar and public-holiday features: known for any date, past or future.

``cal_dayofweek`` (0 = Monday), ``cal_dayofmonth``, ``cal_weekofyear`` (ISO),
``cal_month``, ``cal_dayofyear``, ``cal_month_end`` (days left to the month's end, 0 on
its last day: month-end shopping and stock counts), ``cal_payday`` (1 on the spec's
paydays and on the last day of the month). With a country, ``holiday`` (1 on a public
holiday) and ``holiday_days_to`` / ``holiday_days_since`` (days to the next and since the
last holiday, capped): demand moves *around* holidays, not only on them.

Two encodings of the same calendar values (:func:`calendar_value` defines each once):

* ``"integer"`` (:func:`calendar_features`, the gradient-boosted models): one column per
  value, what a tree splits on;
* ``"cyclic"`` (:func:`cyclic_calendar_features`, the LSTM): the position in the
  frequency's main cycle (:data:`CYCLES`) as sine/cosine pairs, so a network sees Sunday
  next to Monday and December next to January, which a number from 0 to 6 or 1 to 12
  cannot tell it.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from stockwise.errors import OptionError
from stockwise.features.spec import FeatureSpec

CYCLES: dict[str, tuple[str, float, int]] = {
    "D": ("dayofweek", 7, 2),
    "W": ("weekofyear", 52.18, 2),
    "M": ("month", 12, 2),
}
"""freq -> (calendar value whose cycle the cyclic encoding follows, its period, number of
sine/cosine pairs); any other frequency follows the month of the year."""


def calendar_value(dates: pd.DatetimeIndex, name: str, paydays: tuple[int, ...] = ()) -> np.ndarray:
    """One calendar column (a name of ``FeatureSpec.calendar``) for each date, as floats."""
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
        values = np.isin(dates.day, paydays) | (dates.day == dates.days_in_month)
    return np.asarray(values, dtype=float)


def calendar_features(ds: pd.Series | pd.DatetimeIndex, spec: FeatureSpec) -> dict[str, np.ndarray]:
    """Calendar (and holiday) columns for each date of ``ds``: the integer encoding."""
    dates = pd.DatetimeIndex(pd.to_datetime(ds))
    out: dict[str, np.ndarray] = {}
    for name in spec.calendar:
        out[f"cal_{name}"] = calendar_value(dates, name, spec.paydays)
    if spec.country:
        out.update(holiday_features(dates, spec.country, spec.holiday_cap))
    return out


def cyclic_calendar_features(
    ds: pd.Series | pd.DatetimeIndex, freq: str, prefix: str = "cal_"
) -> dict[str, np.ndarray]:
    """The position in the main calendar cycle of ``freq`` (:data:`CYCLES`: day of week for
    daily data, week of the year for weekly, month of the year otherwise) as sine/cosine
    pairs ``<prefix>sin1, <prefix>cos1, <prefix>sin2, ...``: the cyclic encoding.

    The position counts from 0 (Monday, ISO week 1, January), so the first period of the
    cycle sits at angle 0."""
    dates = pd.DatetimeIndex(pd.to_datetime(ds))
    name, period, pairs = CYCLES.get(freq, CYCLES["M"])
    position = calendar_value(dates, name)
    if name != "dayofweek":
        position = position - 1
    out: dict[str, np.ndarray] = {}
    for k in range(1, pairs + 1):
        angle = 2 * np.pi * k * position / period
        out[f"{prefix}sin{k}"] = np.sin(angle)
        out[f"{prefix}cos{k}"] = np.cos(angle)
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
