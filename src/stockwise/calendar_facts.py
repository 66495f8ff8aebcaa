"""Facts about the calendars stockwise forecasts on, stated once.

A stockwise frequency is a short code: ``h`` (hours), ``D`` (days), ``W`` (weeks), ``M``
(months), ``Q`` (quarters), ``Y`` (years). Periods are dated by their first day (their
first hour for ``h``): month-end, quarter-end and year-end dates are moved to the start of
their period when the calendar is made regular, so that one date names one period
whatever the export did. A week keeps the weekday its data uses (a week dated on Sunday
runs Sunday to Saturday); when days are summed to weeks, the weekday comes from the
pandas alias asked for (``W-SUN``), Monday by default.

Everything else that depends on the frequency reads these tables: the season length
models use (a day has 24 hours, a week 7 days, a year 52 weeks, 12 months, 4 quarters; a
year of years has no season), the days a period lasts (the plan counts lead times and
review periods in days) and how to step from one period to the next.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise.errors import OptionError

CODES = ("h", "D", "W", "M", "Q", "Y")
"""From the finest to the coarsest: data can be summed to a later code, never an earlier one."""
SEASON = {"h": 24, "D": 7, "W": 52, "M": 12, "Q": 4, "Y": 1}
"""Default season length per frequency (overridable wherever a season length is taken)."""
HORIZON = {"h": 48, "D": 14, "W": 14, "M": 14, "Q": 8, "Y": 3}
"""Periods forecast when neither the caller nor a sector profile says: two days of hours,
two weeks of days, a quarter of weeks, a year and a bit of months, two years of quarters,
three years (a forecast of many years is a guess, not a plan)."""
DAYS_PER_PERIOD = {"h": 1 / 24, "D": 1.0, "W": 7.0, "M": 30.44, "Q": 91.31, "Y": 365.25}
"""Mean days in a period (a Gregorian year is 365.25 days): turns days into periods."""
MONTHS_PER_PERIOD = {"M": 1, "Q": 3, "Y": 12}
NAMES = {
    "h": "hourly",
    "D": "daily",
    "W": "weekly",
    "M": "monthly",
    "Q": "quarterly",
    "Y": "yearly",
}
UNITS = {"h": "hour", "D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
WEEKDAY_CODES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_ALIASES = {
    "H": "h",
    "1H": "h",
    "60MIN": "h",
    "HOURLY": "h",
    "D": "D",
    "1D": "D",
    "DAILY": "D",
    "W": "W",
    "1W": "W",
    "WEEKLY": "W",
    "M": "M",
    "MS": "M",
    "ME": "M",
    "1M": "M",
    "MONTHLY": "M",
    "Q": "Q",
    "QS": "Q",
    "QE": "Q",
    "QS-JAN": "Q",
    "Q-DEC": "Q",
    "QE-DEC": "Q",
    "QUARTERLY": "Q",
    "Y": "Y",
    "YS": "Y",
    "YE": "Y",
    "A": "Y",
    "AS": "Y",
    "YS-JAN": "Y",
    "Y-DEC": "Y",
    "YE-DEC": "Y",
    "A-DEC": "Y",
    "AS-JAN": "Y",
    "YEARLY": "Y",
    "ANNUAL": "Y",
}
SUPPORTED = (
    "h, D, W (W-MON ... W-SUN), M (MS, ME), Q (QS, QE) and Y (YS, YE); "
    "quarters and years follow the calendar year"
)


def parse(freq: str) -> tuple[str, int | None]:
    """(stockwise code, weekday a week starts on or ``None``) of a frequency or pandas alias.

    ``None`` for the weekday means "the data's own" (``W``); ``W-SUN`` pins Sunday.
    Fiscal quarters and years (``QS-APR``) are refused rather than read as calendar ones.
    """
    if not isinstance(freq, str) or not freq.strip():
        raise OptionError(f"freq must be one of {SUPPORTED}, not {freq!r}")
    text = freq.strip()
    if text == "h" or text.upper() in _ALIASES:
        return _ALIASES.get(text.upper(), "h"), None
    key = text.upper()
    if key.startswith("W-") and key[2:] in WEEKDAY_CODES:
        return "W", WEEKDAY_CODES.index(key[2:])
    raise OptionError(f"freq must be one of {SUPPORTED}, not {freq!r}")


def code_of(freq: str) -> str:
    """The stockwise code of ``freq`` (:func:`parse` without the weekday)."""
    return parse(freq)[0]


def season_length(freq: str, override: int | None = None) -> int:
    """``override`` when given (it must be a whole number of periods, at least 1), else
    the frequency's default (:data:`SEASON`)."""
    if override is None:
        return SEASON[code_of(freq)]
    if isinstance(override, bool) or int(override) != override or override < 1:
        raise OptionError(f"season length must be a whole number of periods >= 1, not {override!r}")
    return int(override)


def coarser_or_same(wanted: str, data: str) -> bool:
    """Whether data at code ``data`` can be summed to code ``wanted``."""
    return CODES.index(wanted) >= CODES.index(data)


def period_start(ds: pd.Series, code: str, week_start: int = 0) -> pd.Series:
    """The first day (hour) of the period of ``code`` each date falls in.

    Weeks start on ``week_start`` (Monday = 0). Quarters and years are calendar ones.
    """
    dates = pd.to_datetime(ds)
    if code == "h":
        return dates.dt.floor("h")
    if code == "D":
        return dates.dt.normalize()
    if code == "W":
        normal = dates.dt.normalize()
        return normal - pd.to_timedelta((normal.dt.dayofweek - week_start) % 7, unit="D")
    period = {"M": "M", "Q": "Q", "Y": "Y"}[code]
    return dates.dt.to_period(period).dt.start_time.dt.normalize()


def period_index(dates: pd.DatetimeIndex | pd.Series, code: str) -> np.ndarray:
    """Consecutive integers for consecutive periods of ``code`` (dates on their grid)."""
    stamps = pd.DatetimeIndex(dates)
    if code in MONTHS_PER_PERIOD:
        months = stamps.year.to_numpy() * 12 + stamps.month.to_numpy() - 1
        return months // MONTHS_PER_PERIOD[code]
    seconds = stamps.asi8 // 10**9
    if code == "h":
        return seconds // 3600
    days = seconds // 86400
    return days // 7 if code == "W" else days


def shift(dates: pd.DatetimeIndex | pd.Series, code: str, periods: np.ndarray | int) -> np.ndarray:
    """``dates`` moved by ``periods`` periods of ``code`` (datetime64[ns] array); months,
    quarters and years land on the first of the month."""
    stamps = pd.DatetimeIndex(dates)
    steps = np.asarray(periods, dtype=np.int64)
    if code in MONTHS_PER_PERIOD:
        months = stamps.to_numpy().astype("datetime64[M]")
        moved = months + (steps * MONTHS_PER_PERIOD[code]).astype("timedelta64[M]")
        return moved.astype("datetime64[ns]")
    unit = {"h": np.timedelta64(1, "h"), "D": np.timedelta64(1, "D"), "W": np.timedelta64(7, "D")}[
        code
    ]
    return (stamps.to_numpy() + steps * unit).astype("datetime64[ns]")


def days_in_period(starts: pd.DatetimeIndex | pd.Series, code: str) -> np.ndarray:
    """Calendar days of each period starting at ``starts`` (a month has 28 to 31)."""
    stamps = pd.DatetimeIndex(starts).normalize()
    if code == "D":
        return np.ones(len(stamps), dtype=np.int64)
    if code == "W":
        return np.full(len(stamps), 7, dtype=np.int64)
    if code not in MONTHS_PER_PERIOD:
        raise OptionError(f"a {NAMES.get(code, code)} period is not a whole number of days")
    ends = shift(stamps, code, 1).astype("datetime64[D]")
    return (ends - stamps.to_numpy().astype("datetime64[D]")).astype(np.int64)


def pandas_alias(code: str, sample: pd.Series | None = None) -> str:
    """Pandas offset alias of ``code`` for dates like ``sample``: weeks on the sample's
    weekday (Monday without one), months, quarters and years at their start when every
    sample date is a first of the month, else at their end."""
    if code in ("h", "D"):
        return code
    dates = pd.to_datetime(sample) if sample is not None and len(sample) else None
    if code == "W":
        weekday = 0 if dates is None else int(pd.Timestamp(dates.iloc[0]).dayofweek)
        return f"W-{WEEKDAY_CODES[weekday]}"
    stem = {"M": "M", "Q": "Q", "Y": "Y"}[code]
    at_end = dates is not None and not bool((dates.dt.day == 1).all())
    return f"{stem}E" if at_end else f"{stem}S"
