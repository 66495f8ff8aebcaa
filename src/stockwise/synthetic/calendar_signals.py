"""Calendar signals shared by every synthetic series.

Everything that depends only on the date (weekday, public holidays, gifting ramps, the
flu and pollen seasons) is computed once per run as 1-D arrays of length ``n_days`` and
broadcast against per-product sensitivities. This keeps the sector models vectorised and
guarantees that two products see the *same* epidemic or the *same* Christmas, as they do
in real data.

The year-to-year variation of epidemics is random but derived from ``(seed, year)``
only, so the 2024-25 flu season is identical whatever ``start``, ``n_days`` or chunking a
caller uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays as holidays_lib
import numpy as np
import pandas as pd

_CALENDAR_KEY = 1_000  # spawn-key namespace for calendar randomness (products use 0..2)


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def mothers_day(year: int, country: str) -> dt.date:
    """Mother's Day: last Sunday of May in France, second Sunday of May elsewhere.

    French law moves it to the first Sunday of June when the last Sunday of May is
    Pentecost (e.g. 2023); that rule is applied because French retail data shows it.
    """
    if country.upper() == "FR":
        may31 = dt.date(year, 5, 31)
        last_sunday = may31 - dt.timedelta(days=(may31.weekday() + 1) % 7)
        if last_sunday == easter(year) + dt.timedelta(days=49):
            return last_sunday + dt.timedelta(days=7)
        return last_sunday
    may1 = dt.date(year, 5, 1)
    first_sunday = may1 + dt.timedelta(days=(6 - may1.weekday()) % 7)
    return first_sunday + dt.timedelta(days=7)


@dataclass(frozen=True)
class Calendar:
    """Per-day signals (arrays of length ``n_days``) shared by all products."""

    dates: pd.DatetimeIndex
    dow: np.ndarray  # 0 = Monday
    month: np.ndarray
    t_years: np.ndarray  # float32 years since start (for trends)
    year_index: np.ndarray  # 0 for the first calendar year, 1 for the next ...
    yearly_peak_dec: np.ndarray  # float32 cosine in [-1, 1], peak around Dec 20
    holiday: np.ndarray  # bool
    days_to_holiday: np.ndarray  # int: days until the next holiday (1 = tomorrow)
    q4: np.ndarray  # float32 ramp 0 -> 1 from Nov 1 to Dec 24, low after Christmas
    valentine: np.ndarray  # float32 ramp 0 -> 1 over Feb 1..14
    mothers: np.ndarray  # float32 ramp 0 -> 1 over the 10 days up to Mother's Day
    flu: np.ndarray  # float32 epidemic curve, peak height ~1 (varies by season)
    allergy: np.ndarray  # float32 pollen curve, peak height ~1 (varies by year)

    @property
    def n_days(self) -> int:
        return len(self.dates)


def _country_holidays(country: str, years: range) -> np.ndarray:
    try:
        table = holidays_lib.country_holidays(country.upper(), years=list(years))
    except NotImplementedError as exc:
        raise ValueError(
            f"unknown country {country!r} for public holidays; use an ISO code such as "
            "'FR', 'DE', 'US' (see the `holidays` package)"
        ) from exc
    return np.array(sorted(table.keys()), dtype="datetime64[D]")


def _days_from(days: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Signed days from each day's anchor (anchors aligned with ``days``)."""
    return (days - anchors).astype(np.int64)


def _bumps(days: np.ndarray, peaks: list[np.datetime64], widths, heights) -> np.ndarray:
    out = np.zeros(len(days), dtype=np.float64)
    for peak, width, height in zip(peaks, widths, heights, strict=True):
        offset = (days - peak).astype(np.float64)
        out += height * np.exp(-0.5 * (offset / width) ** 2)
    return out.astype(np.float32)


def _season_rng(seed: int, year: int, which: int) -> np.random.Generator:
    seq = np.random.SeedSequence(seed, spawn_key=(_CALENDAR_KEY, year, which))
    return np.random.default_rng(seq)


def build_calendar(start: str | pd.Timestamp, n_days: int, country: str, seed: int) -> Calendar:
    """Compute every date-only signal for ``n_days`` days from ``start``."""
    dates = pd.date_range(pd.Timestamp(start).normalize(), periods=n_days, freq="D")
    days = dates.values.astype("datetime64[D]")
    first_year, last_year = int(dates[0].year), int(dates[-1].year)
    years = range(first_year - 1, last_year + 2)

    hol = _country_holidays(country, years)
    is_holiday = np.isin(days, hol)
    nxt = np.searchsorted(hol, days, side="right")
    next_holiday = np.where(nxt < len(hol), hol[np.minimum(nxt, len(hol) - 1)], days + 365)
    days_to_holiday = _days_from(next_holiday, days)

    year = dates.year.to_numpy()
    month = dates.month.to_numpy()
    dom = dates.day.to_numpy()
    year_start = (year.astype("int64") - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    nov1 = year_start + np.timedelta64(304, "D") + dates.is_leap_year.astype(int)
    into_q4 = _days_from(days, nov1)
    q4 = np.where((into_q4 >= 0) & (into_q4 <= 53), ((into_q4 + 1) / 54.0) ** 2, 0.0)
    q4 = np.where((month == 12) & (dom > 24), 0.15, q4)

    valentine = np.where((month == 2) & (dom <= 14), dom / 14.0, 0.0)

    unique_years, year_pos = np.unique(year, return_inverse=True)
    md_by_year = np.array([mothers_day(int(y), country) for y in unique_years], "datetime64[D]")
    md = md_by_year[year_pos]
    before_md = _days_from(md, days)
    mothers = np.where((before_md >= 0) & (before_md < 10), 1.0 - before_md / 10.0, 0.0)

    flu_peaks, flu_widths, flu_heights = [], [], []
    pollen_peaks, pollen_widths, pollen_heights = [], [], []
    for y in years:
        rng = _season_rng(seed, y, 0)  # flu season starting in December of year y
        flu_start = np.datetime64(f"{y}-12-01")
        flu_peaks.append(flu_start + np.timedelta64(int(rng.integers(15, 80)), "D"))
        flu_widths.append(rng.uniform(10.0, 22.0))
        flu_heights.append(rng.uniform(0.5, 1.5))
        rng = _season_rng(seed, y, 1)  # pollen season of year y
        pollen_mid = np.datetime64(f"{y}-05-05")
        pollen_peaks.append(pollen_mid + np.timedelta64(int(rng.integers(-18, 18)), "D"))
        pollen_widths.append(rng.uniform(16.0, 28.0))
        pollen_heights.append(rng.uniform(0.7, 1.3))

    doy = dates.dayofyear.to_numpy()
    t_days = np.arange(n_days, dtype=np.float64)
    return Calendar(
        dates=dates,
        dow=dates.dayofweek.to_numpy(),
        month=month,
        t_years=(t_days / 365.25).astype(np.float32),
        year_index=(year - first_year).astype(np.int64),
        yearly_peak_dec=np.cos(2 * np.pi * (doy - 355) / 365.25).astype(np.float32),
        holiday=is_holiday,
        days_to_holiday=days_to_holiday,
        q4=q4.astype(np.float32),
        valentine=valentine.astype(np.float32),
        mothers=mothers.astype(np.float32),
        flu=_bumps(days, flu_peaks, flu_widths, flu_heights),
        allergy=_bumps(days, pollen_peaks, pollen_widths, pollen_heights),
    )
