"""Put a weekly series dated on different weekdays onto one weekday, so its weeks line up
with the calendar the forecast is made on; each moved date is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S

# A series is on a calendar grid when this share of its dates, and at least this many,
# fall on it: the same rule decides a frequency (:mod:`.frequency`) and a week's weekday.
_ON_GRID_SHARE = 2 / 3
_MIN_ON_GRID = 3

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class WeekAlignment:
    """Weekly series put on one weekday: the new dates and what moved (rows as given).

    ``ambiguous``: rows of weekly-looking series that fall in a week another row of the
    series already holds, whichever way they are moved: which week they belong to cannot
    be told (a Sunday may end one week or start the next).
    """

    ds: np.ndarray
    moved: np.ndarray
    ambiguous: np.ndarray
    series: np.ndarray
    """The ids of the series put on the anchor."""
    anchor: int
    moved_from: dict[str, int]
    """Rows moved, per weekday name they were dated on."""

    @property
    def anchor_name(self) -> str:
        return WEEKDAYS[self.anchor]

    def note(self) -> str:
        """The warning that says what was done."""
        sources = ", ".join(f"{n} on {day}s" for day, n in self.moved_from.items())
        return (
            f"weekly data dated on several weekdays: {int(self.moved.sum())} rows "
            f"({sources}) of {len(self.series)} series moved to the nearest "
            f"{self.anchor_name} (or the one before when that keeps one row per week), "
            f"so that every week has one date"
        )


def align_week_anchors(
    frame: pd.DataFrame,
    off: np.ndarray | None = None,
    *,
    codes: np.ndarray | None = None,
    ids: np.ndarray | None = None,
) -> WeekAlignment | None:
    """Weekly series dated on a mix of weekdays (Mondays and Sundays, or a series that
    changes anchor), put on one weekday; ``None`` when there is nothing to align.

    A week dated on its Sunday by one export and on its Monday by another is one week,
    but read as days, a Sunday and a Monday look like two periods: the series is taken
    as daily, or two rows land in one Monday week and its demand doubles. A series is
    weekly-looking when its rows sit on at most two weekdays, it has at least three rows
    and two thirds of its steps are 4 to 10 days. The anchor is the weekday most rows of
    such series fall on (Monday on a tie). Each row moves to the nearest anchor day
    (Thursday back, Friday on), or to the one before when that alone keeps one row per
    week; a series is moved only when the moved dates keep one row per week, more than
    half of them a week apart. Rows of a weekly-looking series that fall in a taken week
    either way are ``ambiguous`` (unless ``off`` already marks them off the calendar).
    Daily series, which use more than two weekdays, are never touched.

    ``codes``/``ids``: the rows' series as integers (``ids[codes]`` is each row's id),
    when the caller has them already (saves hashing the ids again).
    """
    if (
        len(frame) < _MIN_ON_GRID
        or not np.issubdtype(frame[S.DS].dtype, np.datetime64)
        or frame[S.DS].isna().any()
    ):
        return None
    if codes is None or ids is None:
        codes, ids = pd.factorize(frame[S.UNIQUE_ID], use_na_sentinel=True)
    days_in = frame[S.DS].to_numpy().astype("datetime64[D]").view(np.int64)
    weekday_in = (days_in + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    n_series = len(ids)
    valid = codes >= 0
    per_weekday = np.bincount(codes[valid] * 7 + weekday_in[valid], minlength=n_series * 7).reshape(
        n_series, 7
    )
    n_rows = per_weekday.sum(axis=1)
    candidate = ((per_weekday > 0).sum(axis=1) <= 2) & (n_rows >= _MIN_ON_GRID)
    if not candidate.any():
        return None
    anchor = int(per_weekday[candidate].sum(axis=0).argmax())
    needs = candidate & (per_weekday[:, anchor] < n_rows)
    if not needs.any():
        return None
    rows = np.flatnonzero(valid & needs[np.maximum(codes, 0)])
    rows = rows[np.lexsort((days_in[rows], codes[rows]))]
    code, days, weekday = codes[rows], days_in[rows], weekday_in[rows]
    start = np.r_[True, code[1:] != code[:-1]]
    group = np.cumsum(start) - 1
    series = code[start]
    shift = (weekday - anchor) % 7
    back = days - shift
    nearest = np.where(shift <= 3, back, days + 7 - shift)

    def per_series(mask: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=mask, minlength=len(series))

    def fit(snapped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        step = np.r_[-1, np.diff(snapped)]
        step[start] = -1
        clash = per_series(step == 0) > 0
        weekly = per_series(step == 7) * 2 > per_series(step > 0)
        return ~clash & weekly, per_series(step == 7)

    near_ok, near_weeks = fit(nearest)
    back_ok, back_weeks = fit(back)
    use_back = back_ok & (~near_ok | (back_weeks > near_weeks))
    moved_series = near_ok | back_ok
    new_days = np.where(use_back[group], back, nearest)
    raw_step = np.r_[-1, np.diff(days)]
    raw_step[start] = -1
    looks_weekly = per_series((raw_step >= 4) & (raw_step <= 10)) >= _ON_GRID_SHARE * per_series(
        raw_step > 0
    )
    near_step = np.r_[-1, np.diff(nearest)]
    near_step[start] = -1
    clash = near_step == 0
    clash[:-1] |= clash[1:]  # both rows of a clash; the one off the anchor is in doubt
    ambiguous_sorted = (~moved_series & looks_weekly)[group] & clash & (shift != 0)

    out_days = days_in.copy()
    take = moved_series[group]
    out_days[rows[take]] = new_days[take]
    moved = np.zeros(len(frame), dtype=bool)
    moved[rows[take]] = new_days[take] != days[take]
    ambiguous = np.zeros(len(frame), dtype=bool)
    ambiguous[rows[ambiguous_sorted]] = True
    if off is not None:
        ambiguous &= ~np.asarray(off, dtype=bool)
    if not moved.any() and not ambiguous.any():
        return None
    counts = np.bincount(weekday_in[moved], minlength=7)
    moved_from = {WEEKDAYS[d]: int(counts[d]) for d in np.flatnonzero(counts)}
    stamps = out_days.astype("datetime64[D]").astype("datetime64[ns]")
    return WeekAlignment(
        stamps, moved, ambiguous, np.asarray(ids)[series[moved_series]], anchor, moved_from
    )
