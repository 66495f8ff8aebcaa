"""Holes: long runs of periods without a row, which are missing data, not zero sales.

A sales export has no row for a period either because nothing sold (many exports leave
out zero days) or because the data is missing (a store's feed stopped, a migration lost
six months). The first is common and short; the second is rare and long. So a run of
missing periods between two rows of a series (or after its last row, up to the table's
last date) is a *hole* when it is long:

- longer than ``max_gap_days`` days (:data:`DEFAULT_MAX_GAP_DAYS`, or the sector
  profile's ``max_gap_days``), and longer than :data:`MIN_HOLE_PERIODS` periods;
- and more than :data:`SPACING_FACTOR` times the series' usual gap between rows (the
  90th percentile of its gaps): a slow item exported on sale days only has gaps of weeks
  everywhere, and those stay "nothing sold".

Shorter gaps keep their meaning of "nothing sold" (the calendar fills them with 0, flagged
``gap_filled``). A row with ``y = 0`` is never missing. Rows flagged ``gap_filled`` (the
calendar's own zeros) count as absent, so holes are found the same before and after the
calendar fill. Rules and evidence: docs/decisions/0003-holes-are-missing.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.frequency import infer_frequencies

DEFAULT_MAX_GAP_DAYS = 14
"""Two weeks: two cycles of the weekly season of daily sales. A shop's feed that is silent
longer than that is missing data; a fortnight without a row on a slow item is common."""
MIN_HOLE_PERIODS = 2
"""A hole lasts more than this many periods: one or two missing weeks or months of coarse
data stay "nothing sold" whatever their length in days."""
SPACING_FACTOR = 3
"""A hole is longer than this many times the series' 90th percentile gap between rows."""
HOLE_COLUMNS = [S.UNIQUE_ID, "start", "end", "periods", "days", "trailing"]
NEIGHBOUR_SEASONS = 4
"""Seasons of observed periods each side of a hole that estimate its periods."""


def find_holes(
    sales: pd.DataFrame,
    *,
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """The long holes of every series of ``sales`` (``unique_id, ds``; rows flagged
    ``gap_filled`` count as absent): one row per hole with its first and last missing
    period (``start``, ``end``), its length in ``periods`` and calendar ``days``, and
    whether it runs to the table's last date (``trailing``; ``end`` overrides that date).
    """
    rows = sales[[S.UNIQUE_ID, S.DS]]
    if S.GAP_FILLED in sales.columns:
        rows = rows[~sales[S.GAP_FILLED].fillna(False).astype(bool).to_numpy()]
    rows = rows.dropna()
    if rows.empty or not pd.api.types.is_datetime64_any_dtype(rows[S.DS]):
        return _empty()
    last_date = pd.Timestamp(end) if end is not None else rows[S.DS].max()
    freqs, _ = infer_frequencies(rows)
    if freqs.nunique() == 1:
        parts = [_holes_of(rows, str(freqs.iloc[0]), last_date, max_gap_days)]
    else:
        parts = [
            _holes_of(group, freq, last_date, max_gap_days)
            for freq, group in rows.groupby(rows[S.UNIQUE_ID].map(freqs), sort=True)
        ]
    found = pd.concat([p for p in parts if not p.empty] or [_empty()], ignore_index=True)
    return found.sort_values([S.UNIQUE_ID, "start"], kind="stable").reset_index(drop=True)


def describe_holes(holes: pd.DataFrame) -> str | None:
    """One sentence for the user, or None without holes: "N series have holes of up to
    D days (longest: id, from a to b)"."""
    if holes.empty:
        return None
    longest = holes.sort_values(["days", S.UNIQUE_ID], ascending=[False, True], kind="stable").iloc[
        0
    ]
    n = holes[S.UNIQUE_ID].nunique()
    trailing = holes.loc[holes["trailing"], S.UNIQUE_ID].nunique()
    tail = f"; {trailing} of them have no rows up to the last date" if trailing else ""
    return (
        f"{n} series {'has' if n == 1 else 'have'} holes of up to {int(longest['days'])} "
        f"days (longest: {longest[S.UNIQUE_ID]}, {longest['start']:%Y-%m-%d} to "
        f"{longest['end']:%Y-%m-%d}{tail}): read as missing data, not as zero sales"
    )


def concat_holes(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The holes of several tables of distinct series (e.g. the parts of a file), as one."""
    found = [p for p in parts if not p.empty]
    return (
        pd.concat(found, ignore_index=True)
        .sort_values([S.UNIQUE_ID, "start"], kind="stable")
        .reset_index(drop=True)
        if found
        else _empty()
    )


def in_holes(rows: pd.DataFrame, holes: pd.DataFrame) -> np.ndarray:
    """Per row of ``rows`` (``unique_id, ds``): whether its date lies in a hole of its
    series (any day of its missing periods: daily rows fall in a weekly hole too)."""
    out = np.zeros(len(rows), dtype=bool)
    if holes.empty or rows.empty:
        return out
    ids = rows[S.UNIQUE_ID].astype(str)
    near = np.flatnonzero(ids.isin(holes[S.UNIQUE_ID].astype(str)).to_numpy())
    ids_near = ids.to_numpy()[near]
    dates = pd.to_datetime(rows[S.DS]).to_numpy()[near]
    starts = holes["start"].to_numpy()
    stops = starts + holes["days"].to_numpy().astype("timedelta64[D]")  # its last period's end
    for uid, start, stop in zip(holes[S.UNIQUE_ID].astype(str), starts, stops, strict=True):
        out[near] |= (ids_near == uid) & (dates >= start) & (dates < stop)
    return out


def bridge_holes(
    frame: pd.DataFrame, holes: pd.DataFrame, *, min_periods: int, season_length: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the long holes of a regular calendar (``frame``: ``unique_id, ds, y``, one row
    per period) out of what models learn from.

    A series whose segment after its last hole holds at least ``min_periods`` periods is
    fitted on that segment alone (nothing before it is needed). Otherwise each period of
    its holes takes a seasonal estimate: the median, at the same phase of the season, of
    the :data:`NEIGHBOUR_SEASONS` observed seasons each side of the hole. Returns the frame
    and the holes whose periods were estimated (:func:`in_holes` finds their rows, which
    must not be scored). Without holes the frame comes back as it is.
    """
    inner = holes[~holes["trailing"]] if not holes.empty else holes
    if inner.empty:
        return frame, inner
    frame = frame.reset_index(drop=True)
    last_hole = inner.groupby(S.UNIQUE_ID)["end"].max()
    series_end = frame.groupby(S.UNIQUE_ID)[S.DS].max()
    after = frame[S.DS] > frame[S.UNIQUE_ID].map(last_hole)
    tail = after.groupby(frame[S.UNIQUE_ID]).sum()
    cut = [
        uid
        for uid in last_hole.index
        if tail.get(uid, 0) >= min_periods and uid in series_end.index
    ]
    keep = ~frame[S.UNIQUE_ID].isin(cut) | after
    frame = frame[keep.to_numpy()].reset_index(drop=True)
    rest = inner[~inner[S.UNIQUE_ID].isin(cut)].reset_index(drop=True)
    if rest.empty:
        return frame, rest
    estimated = in_holes(frame, rest)
    values = frame[S.Y].to_numpy(dtype=float).copy()
    m = max(int(season_length), 1)
    for _, rows in frame[frame[S.UNIQUE_ID].isin(rest[S.UNIQUE_ID])].groupby(
        S.UNIQUE_ID, sort=False
    ):
        positions = rows.index.to_numpy()
        missing = estimated[positions]
        values[positions[missing]] = _seasonal_estimate(values[positions], missing, m)
    return frame.assign(**{S.Y: values}), rest


def _seasonal_estimate(values: np.ndarray, missing: np.ndarray, m: int) -> np.ndarray:
    """Estimates for the ``missing`` positions of one series from observed neighbours."""
    phase = np.arange(len(values)) % m
    observed = ~missing
    reach = NEIGHBOUR_SEASONS * m
    out = np.empty(int(missing.sum()))
    for k, position in enumerate(np.flatnonzero(missing)):
        run_start = position
        while run_start > 0 and missing[run_start - 1]:
            run_start -= 1
        run_end = position
        while run_end + 1 < len(values) and missing[run_end + 1]:
            run_end += 1
        window = np.zeros(len(values), dtype=bool)
        window[max(run_start - reach, 0) : run_start] = True
        window[run_end + 1 : run_end + 1 + reach] = True
        near = window & observed
        same = near & (phase == phase[position])
        pool = values[same] if same.any() else values[near] if near.any() else values[observed]
        out[k] = float(np.median(pool)) if len(pool) else 0.0
    return np.maximum(out, 0.0)


def _holes_of(
    rows: pd.DataFrame, freq: str, last_date: pd.Timestamp, max_gap_days: int
) -> pd.DataFrame:
    """Long holes of series that share one frequency."""
    codes, uniques = pd.factorize(rows[S.UNIQUE_ID])
    stamps = rows[S.DS].to_numpy()
    order = np.lexsort((stamps, codes))
    codes = codes[order]
    ids = np.asarray(uniques, dtype=object)[codes]
    dates = pd.DatetimeIndex(stamps[order])
    index = _period_index(dates, freq)
    same = np.r_[False, codes[1:] == codes[:-1]]
    gap = np.where(same, np.diff(index, prepend=index[:1]) - 1, 0)
    is_last = np.r_[codes[1:] != codes[:-1], True]
    end_index = _period_index(pd.DatetimeIndex([last_date]), freq)[0]
    trailing_gap = np.where(is_last, np.maximum(end_index - index, 0), 0)
    candidates = []
    inner = np.flatnonzero(gap > MIN_HOLE_PERIODS)
    if len(inner):
        candidates.append(
            pd.DataFrame(
                {
                    S.UNIQUE_ID: ids[inner],
                    "start": _step(dates[inner - 1], freq, 1),
                    "end": _step(dates[inner], freq, -1),
                    "periods": gap[inner],
                    "trailing": False,
                }
            )
        )
    tails = np.flatnonzero(trailing_gap > MIN_HOLE_PERIODS)
    if len(tails):
        candidates.append(
            pd.DataFrame(
                {
                    S.UNIQUE_ID: ids[tails],
                    "start": _step(dates[tails], freq, 1),
                    "end": _step(dates[tails], freq, trailing_gap[tails]),
                    "periods": trailing_gap[tails],
                    "trailing": True,
                }
            )
        )
    if not candidates:
        return _empty()
    found = pd.concat(candidates, ignore_index=True)
    found["days"] = (
        _step(pd.DatetimeIndex(found["end"]), freq, 1) - pd.DatetimeIndex(found["start"])
    ).days.to_numpy()
    looked_at = same & np.isin(codes, codes[np.r_[inner, tails]])  # those series only
    usual = pd.Series(gap[looked_at], index=ids[looked_at]).groupby(level=0).quantile(0.9)
    spacing = found[S.UNIQUE_ID].map(usual).fillna(0.0).to_numpy()
    long = (found["days"] > max_gap_days) & (found["periods"] > SPACING_FACTOR * spacing)
    return found.loc[long.to_numpy(), HOLE_COLUMNS]


def _period_index(dates: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Consecutive integers for consecutive periods of ``freq``."""
    if freq in ("h", "Q", "Y"):
        return calendar_facts.period_index(dates, freq)
    if freq == "M":
        return (dates.year * 12 + dates.month - 1).to_numpy(dtype=np.int64)
    days = dates.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    return days // 7 if freq == "W" else days


def _step(dates: pd.DatetimeIndex, freq: str, periods: np.ndarray | int) -> np.ndarray:
    """``dates`` moved by ``periods`` periods (month starts for monthly data)."""
    steps = np.broadcast_to(np.asarray(periods, dtype=np.int64), (len(dates),))
    if freq in ("h", "Q", "Y"):
        return calendar_facts.shift(dates, freq, steps)
    if freq == "M":
        months = (dates.year * 12 + dates.month - 1).to_numpy(dtype=np.int64) + steps
        return (months - 1970 * 12).astype("datetime64[M]").astype("datetime64[ns]")
    unit = 7 if freq == "W" else 1
    return (dates.to_numpy() + (steps * unit).astype("timedelta64[D]")).astype("datetime64[ns]")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            S.UNIQUE_ID: pd.Series(dtype=object),
            "start": pd.Series(dtype="datetime64[ns]"),
            "end": pd.Series(dtype="datetime64[ns]"),
            "periods": pd.Series(dtype="int64"),
            "days": pd.Series(dtype="int64"),
            "trailing": pd.Series(dtype=bool),
        }
    )
