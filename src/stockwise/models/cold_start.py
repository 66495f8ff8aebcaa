"""New series forecast from their peers: the peers' curves scaled by the newcomer's start.

Why. A product a few weeks old has too little history for a model of its own: a seasonal
naive repeats its launch week, a smoothing model has no season to go on, and bands made
from a handful of errors mean little. Products of the same category, sector or store type
have sold for a long time, and the way their sales moved is a better guess of how the new
one's will — once scaled to what the new one has shown so far.

Rule. A series is *young* when fewer than ``min_history`` periods have passed since its
first sale (counted from the sale, not the listing: the zeros before a launch say nothing
about demand after it). Its *peers* are the established series of its group (the same
values of the peer columns; fewer columns, then the whole panel, when a group has fewer
than ``min_peers`` of them). Each peer gives a curve over the newcomer's ages:

- a peer whose own launch is in the data (its first sale a season, and at least
  :data:`PHASE_LIMIT` periods, after the panel's first date) gives its sales by age since
  that first sale — its launch curve — shifted by under a season so that the weekday
  (or season position) of each age matches the newcomer's;
- otherwise (the peer was already selling when the data begins, so its launch is unseen)
  it gives its sales on the newcomer's own dates, and for the dates ahead each of its
  last seasons in turn (one curve per season, the last :data:`RECENT_DAYS` days and at
  least one season): the level and season of a mature product, measured on the same
  days as the newcomer, so a holiday or a promotion in its first weeks scales both alike.

Peers whose launch is in the data are used when there are enough of them; the two kinds
are not mixed. For a start that sold on most of its periods, the curves closest to its
shape are kept (:data:`NEAREST`). Each curve is divided by its mean over the newcomer's
observed ages and multiplied by the newcomer's level (its mean over those ages, shrunk
toward the peers' median level by how noisy a mean of that few periods is against how
much the peers' levels differ: an empirical-Bayes weight). The forecast is the trimmed mean of these
scaled curves per period, and the bands their quantiles: the spread of how peers that
started like the newcomer went on — for mature peers, times the shifts that moved all of
them at once after their recent cutoffs (a holiday, a season starting), which their
spread alone cannot show. Nothing uses a peer's data after the newcomer's last
date, so a backtest of this rule sees no future. Evidence and the variants left out:
docs/decisions/0011-cold-start-from-peers.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import OptionError
from stockwise.models.base import interval_columns
from stockwise.models.peer_scaling import NEAREST as NEAREST
from stockwise.models.peer_scaling import nearest_curves, scaled_curves

DEFAULT_MIN_HISTORY = {"D": 56, "W": 13, "M": 6}
"""Periods since the first sale under which a series is young, by frequency: eight weeks
of days, a quarter of weeks, half a year of months. Other frequencies: two seasons."""
DEFAULT_PEER_COLUMNS = (S.SECTOR, S.CATEGORY)
"""Peer columns used when none are named and the sales table has them."""
MIN_PEERS = 5
"""Fewest peers a group must have to be used (fewer: a broader group, then the panel)."""
PHASE_LIMIT = 7
"""Launch curves are shifted to the newcomer's season position only for seasons up to this
many periods (a week of days): a shift of months would mix launch ages."""
RECENT_DAYS = 56
"""A mature peer's dates ahead repeat its seasons of about this many last days (eight
weeks: the level now, and enough weeks to show how much one week differs from the next);
at least one season."""
SHIFT_CUTOFFS = 52
"""Earlier cutoffs (a season apart) whose common shifts widen mature peers' bands."""
TRIM = 0.1
"""Share of peers cut at each end before averaging the scaled curves."""
MODEL_NAME = "PeerCurves"


@dataclass(frozen=True)
class ColdStart:
    """How young series are forecast from their peers.

    ``min_history``: periods since the first sale under which a series is young (None:
    :data:`DEFAULT_MIN_HISTORY` for the frequency); ``peers``: columns of the sales table
    whose values make a peer group, broadest last dropped first (None: those of
    :data:`DEFAULT_PEER_COLUMNS` present); ``min_peers``: fewest usable peers;
    ``enabled``: False keeps young series on their own history.
    """

    min_history: int | None = None
    peers: tuple[str, ...] | None = None
    min_peers: int = MIN_PEERS
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.min_history is not None and (
            isinstance(self.min_history, bool) or int(self.min_history) < 1
        ):
            raise OptionError(
                f"cold start min_history must be a whole number of periods "
                f"of 1 or more, not {self.min_history!r}"
            )
        if int(self.min_peers) < 1:
            raise OptionError(f"cold start min_peers must be 1 or more, not {self.min_peers!r}")

    def threshold(self, freq: str, season_length: int) -> int:
        """``min_history``, else the default for ``freq`` (two seasons when unlisted)."""
        if self.min_history is not None:
            return int(self.min_history)
        return DEFAULT_MIN_HISTORY.get(str(freq)[:1].upper(), max(2 * season_length, 2))

    @classmethod
    def of(cls, value: ColdStart | int | bool | None) -> ColdStart:
        """The options from what a caller gave: options, a threshold (0: off), True/None
        (the defaults) or False (off)."""
        if isinstance(value, ColdStart):
            return value
        if value is None or value is True:
            return cls()
        if value is False or (isinstance(value, int | np.integer) and value == 0):
            return cls(enabled=False)
        if isinstance(value, int | np.integer):
            return cls(min_history=int(value))
        raise OptionError(
            f"cold_start must be True, False, a number of periods or ColdStart(...), not {value!r}"
        )


@dataclass(frozen=True)
class PeerResult:
    """Forecasts of the young series that had peers, and what each one was given."""

    forecasts: pd.DataFrame
    """``unique_id, ds, forecast`` and bands, for the young series that had peers."""
    basis: dict[str, str]
    """Per young series with peers: how many peers, of which kind, from which group."""
    without_peers: dict[str, str]
    """Per young series left on its own history: why."""


class Panel:
    """The sales as a series × period matrix, with each series' first sale and last period.

    Periods are the sorted dates of the whole panel, so a position is a calendar period
    shared by every series (the data layer puts each series on a regular calendar).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        ids = frame[S.UNIQUE_ID].astype(str)
        self.dates = pd.DatetimeIndex(np.sort(frame[S.DS].unique()))
        self.ids = pd.Index(np.sort(ids.unique()))
        rows = self.ids.get_indexer(ids)
        cols = self.dates.get_indexer(frame[S.DS])
        self.y = np.full((len(self.ids), len(self.dates)), np.nan)
        self.y[rows, cols] = frame[S.Y].to_numpy(dtype=float)
        sold = np.nan_to_num(self.y) > 0
        self.first_sale = np.where(sold.any(axis=1), sold.argmax(axis=1), -1)
        seen = ~np.isnan(self.y)
        self.last = len(self.dates) - 1 - seen[:, ::-1].argmax(axis=1)
        gaps = np.diff(self.dates.values) / np.timedelta64(1, "D")
        self.step_days = float(np.median(gaps)) if len(gaps) else 1.0
        """Days per period (the median spacing of the panel's dates)."""

    def ages(self) -> pd.Series:
        """Periods from each series' first sale to its last period (inclusive; -1 before
        any sale)."""
        age = np.where(self.first_sale >= 0, self.last - self.first_sale + 1, -1)
        return pd.Series(age, index=self.ids)


def young_series(frame: pd.DataFrame, min_history: int) -> pd.Series:
    """Age (periods since the first sale, inclusive) of each series younger than
    ``min_history``; a series that never sold is not young (it has no start to scale)."""
    ages = Panel(frame).ages()
    return ages[(ages >= 1) & (ages < min_history)]


def peer_forecast(
    frame: pd.DataFrame,
    future: pd.DataFrame,
    groups: pd.DataFrame | None,
    levels: Sequence[int],
    season_length: int,
    min_history: int,
    min_peers: int = MIN_PEERS,
) -> PeerResult:
    """Forecast each young series of ``future`` (``unique_id, ds``: its periods ahead, in
    order) from the established series of ``frame`` (regular ``unique_id, ds, y``).

    ``groups``: one row per series (index ``unique_id``), one column per peer attribute,
    broadest first; None or no columns: every established series is a peer.
    """
    panel = Panel(frame)
    ages = panel.ages()
    parts, basis, without = [], {}, {}
    for uid, rows in future.groupby(S.UNIQUE_ID, sort=True):
        uid = str(uid)
        if uid not in panel.ids:
            without[uid] = "no sales history"
            continue
        i = panel.ids.get_loc(uid)
        if not 1 <= ages.iloc[i] < min_history:
            continue
        found = _peers(panel, i, groups, season_length, min_history, len(rows), min_peers)
        if isinstance(found, str):
            without[uid] = found
            continue
        curves, observed, label, shifts = found
        seen = panel.y[i, panel.first_sale[i] : panel.last[i] + 1]
        values = scaled_curves(seen, nearest_curves(seen, curves, observed), observed)
        parts.append(_summarise(uid, rows[S.DS].to_numpy(), values, levels, shifts))
        basis[uid] = label
    columns = [S.UNIQUE_ID, S.DS, S.FORECAST, *interval_columns(S.FORECAST, tuple(levels))]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return PeerResult(out[columns], basis, without)


def _peers(
    panel: Panel,
    i: int,
    groups: pd.DataFrame | None,
    season_length: int,
    min_history: int,
    h: int,
    min_peers: int,
) -> tuple[np.ndarray, int, str, np.ndarray | None] | str:
    """The peers' curves for young series ``i`` (peers × (observed ages + h)), its
    number of observed ages and how the peers were found; or why there are none."""
    first, end = int(panel.first_sale[i]), int(panel.last[i])
    k = end - first + 1
    # established by the newcomer's last date: sold for min_history periods up to it
    # (a peer that stopped since still shows how a launch went on)
    seen_to = np.minimum(panel.last, end)
    established = (panel.first_sale >= 0) & (seen_to - panel.first_sale + 1 >= min_history)
    established[i] = False
    columns = [] if groups is None else list(groups.columns)
    for depth in range(len(columns), -1, -1):
        pool = established.copy()
        where = "the whole panel"
        if depth:
            keys = groups.reindex(panel.ids)[columns[:depth]]  # type: ignore[union-attr]
            mine = keys.iloc[i]
            if mine.isna().any():
                continue
            pool &= (keys == mine).all(axis=1).to_numpy()
            where = ", ".join(f"{c}={v}" for c, v in mine.items())
        curves, owners = _launch_curves(
            panel, np.flatnonzero(pool), first, end, k, h, season_length
        )
        if len(set(owners)) >= min_peers:
            return curves, k, f"{len(set(owners))} peers' launch curves ({where})", None
        curves, owners = _mature_curves(panel, np.flatnonzero(pool), first, end, h, season_length)
        if len(set(owners)) >= min_peers:
            return (
                curves,
                k,
                f"{len(set(owners))} peers' sales on the same dates ({where})",
                _common_shifts(panel, np.unique(owners), end, h, season_length),
            )
    if not established.any():
        return "no established series to learn from"
    return f"fewer than {min_peers} established peers with sales on its dates"


def _launch_curves(
    panel: Panel, peers: np.ndarray, first: int, end: int, k: int, h: int, season_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sales by age since each peer's own (observed) launch, up to the newcomer's last
    date, shifted by under a season to the newcomer's season position."""
    launched = peers[panel.first_sale[peers] >= max(season_length, PHASE_LIMIT)]
    if not len(launched):
        return np.empty((0, k + h)), launched
    shift = np.zeros(len(launched), dtype=int)
    if season_length <= PHASE_LIMIT:
        shift = (first - panel.first_sale[launched]) % season_length
    begin = panel.first_sale[launched] + shift
    fits = begin + k + h - 1 <= np.minimum(end, panel.last[launched])
    launched, begin = launched[fits], begin[fits]
    ages = begin[:, None] + np.arange(k + h)[None, :]
    curves = panel.y[launched[:, None], ages] if len(launched) else np.empty((0, k + h))
    return _usable(curves, launched, k)


def _mature_curves(
    panel: Panel, peers: np.ndarray, first: int, end: int, h: int, season_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each peer's sales on the newcomer's dates, then, for the dates ahead, each of its
    last seasons in turn (one curve per season: their spread is the week-to-week
    variation a mean would hide); nothing after the newcomer's last date. Also returns
    the peer of each curve."""
    k = end - first + 1
    season = max(int(season_length), 1)
    span = season * max(1, round(RECENT_DAYS / panel.step_days) // season)
    span = min(span, end + 1) // season * season
    if not len(peers) or not span:
        return np.empty((0, k + h)), np.empty(0, dtype=int)
    seen = panel.y[peers, first : end + 1]
    recent = panel.y[peers, end + 1 - span : end + 1]
    # recent[:, p] is position end + 1 - span + p; the date ahead end + m takes the same
    # season position, r seasons back (r = 0: the latest)
    phase = (np.arange(span) - (span - 1)) % season
    count = span // season
    ahead = np.empty((len(peers), count, h))
    for m in range(1, h + 1):
        same = np.flatnonzero(phase == m % season)[::-1]
        ahead[:, :, m - 1] = recent[:, same]
    curves = np.concatenate([np.repeat(seen[:, None, :], count, axis=1), ahead], axis=2)
    return _usable(curves.reshape(len(peers) * count, k + h), np.repeat(peers, count), k)


def _common_shifts(
    panel: Panel, peers: np.ndarray, end: int, h: int, season_length: int
) -> np.ndarray | None:
    """How far the peers' total sales in the periods after each of their recent cutoffs
    (a season apart, up to :data:`SHIFT_CUTOFFS`, all seen by ``end``) came out from the
    repeat of their last seasons: ratios (cutoffs × h). A holiday or a season starting
    moves every peer at once, so the peers' spread alone cannot show it."""
    season = max(int(season_length), 1)
    span = season * max(1, round(RECENT_DAYS / panel.step_days) // season)
    total = np.nansum(panel.y[peers], axis=0)
    phase = (np.arange(span) - (span - 1)) % season
    same = [np.flatnonzero(phase == m % season) for m in range(1, h + 1)]
    ratios = []
    for cutoff in range(end - h, span - 2, -season)[:SHIFT_CUTOFFS]:
        recent = total[cutoff + 1 - span : cutoff + 1]
        projected = np.array([recent[where].mean() for where in same])
        actual = total[cutoff + 1 : cutoff + h + 1]
        if (projected > 0).all():
            ratios.append(actual / projected)
    return np.array(ratios) if ratios else None


def _usable(curves: np.ndarray, owners: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Curves with every value known and sales on the observed ages (else no scale)."""
    if not len(curves):
        return curves, owners
    keep = np.isfinite(curves).all(axis=1) & (curves[:, :k].sum(axis=1) > 0)
    return np.clip(curves[keep], 0.0, None), owners[keep]


def _summarise(
    uid: str,
    dates: np.ndarray,
    values: np.ndarray,
    levels: Sequence[int],
    shifts: np.ndarray | None = None,
) -> pd.DataFrame:
    """Trimmed mean and quantile bands of the scaled curves per period, never negative;
    the bands of every curve times every common shift when there are ``shifts``."""
    ordered = np.sort(values, axis=0)
    cut = int(TRIM * len(ordered))
    kept = ordered[cut : len(ordered) - cut] if len(ordered) - 2 * cut > 0 else ordered
    point = np.clip(kept.mean(axis=0), 0.0, None)
    out = {S.UNIQUE_ID: uid, S.DS: dates, S.FORECAST: point}
    if shifts is not None:
        values = (values[:, None, :] * shifts[None, :, :]).reshape(-1, values.shape[1])
    for level in levels:
        tail = (100 - level) / 200
        lo, hi = np.quantile(values, [tail, 1 - tail], axis=0)
        out[f"{S.FORECAST}-lo-{level}"] = np.clip(np.minimum(lo, point), 0.0, None)
        out[f"{S.FORECAST}-hi-{level}"] = np.maximum(hi, point)
    return pd.DataFrame(out)


__all__ = [
    "DEFAULT_MIN_HISTORY",
    "MODEL_NAME",
    "ColdStart",
    "Panel",
    "PeerResult",
    "peer_forecast",
    "young_series",
]
