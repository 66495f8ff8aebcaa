"""Service levels calibrated on how past decisions' protection would have served.

Why: the order-up-to level S is the q-quantile of the forecast demand over the protection
interval (lead time + review). Whether that serves a share q of cycles depends on more
than the forecast: bands too wide — as the quantile paths of slow, intermittent items are
(docs/decisions/0007-calibrated-service-levels.md) — over-serve; too narrow, under-serve;
and with a few units a week, rounding the order up to whole units (or packs, or the MOQ)
adds service of its own. So the level is calibrated on outcomes: for each past decision
whose protection interval has passed, and for every candidate level q of a grid, would the
stock that ordering up to the q-quantile gives (the position plus the order as the
supplier accepts it) have covered the demand of the interval? Ordering at the smallest q
whose past decisions were covered at least a share τ of the time (with the split-conformal
rank ⌈(n + 1)·τ⌉ of n, for finite samples) serves τ of cycles if the future resembles that
past — the conformal recalibration of a quantile level (cf. Kuleshov et al. 2018), with
the decision rule inside.

A fill-rate target is calibrated the same way on units instead of cycles: for each past
decision and level, the units its cycle would have run short (:class:`FillRateCalibrator`).

Decisions are pooled per demand group (intermittent or smooth, Syntetos-Boylan ADI),
because one product has too few elapsed intervals; below ``min_scores`` in the group
every group's decisions are pooled, and below that the target is used as it is.

Where the past decisions come from: in a closed-loop replay, the replay's own reviews
(and forecasts made on a few review days before it starts); in the plan, the backtest
windows of the forecast that was chosen, each standing for a decision at its cutoff
with nothing in stock (:func:`backtest_outcomes`).
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.decision import protection_quantile
from stockwise.inventory.paths import (
    knot_columns,
    knot_values,
    lead_time_samples,
    paths_from_knots,
    running_demand,
)
from stockwise.inventory.policies import round_order
from stockwise.schema import CUTOFF

MIN_SCORES = 50
"""Elapsed protection intervals needed before a pool re-maps the target."""
LEVEL_GRID = np.unique(
    np.r_[
        np.arange(-19, 1) / 20,
        np.arange(1, 100) / 100,
        0.995,
        0.999,
        1.0,
        1 + np.arange(1, 21) / 10,
    ]
)
"""Candidate quantile levels: 0 and 1 = the smallest and largest totals the paths
produced; above 1, the largest plus (level − 1) × its distance to the median (up to 3
times it), for paths too narrow for the cycles they must cover; below 0, (1 + level) ×
the smallest (down to 5 % of it), for paths far too high (see
``decision.protection_quantile``)."""


def stocked_levels(
    totals: np.ndarray,
    position: float | np.ndarray = 0.0,
    moq: float | np.ndarray = 0.0,
    pack_size: float | np.ndarray = 1.0,
) -> np.ndarray:
    """Per level of :data:`LEVEL_GRID`, the stock ordering up to that quantile gives.

    ``totals`` are the forecast's sampled demand totals over the protection interval;
    the order (quantile − position, when positive) is rounded as the supplier accepts it.
    With one row of totals per decision (and ``position``, ``moq``, ``pack_size`` as
    columns), one row of levels per decision.
    """
    quantiles = protection_quantile(np.asarray(totals, dtype=float), LEVEL_GRID)
    return position + round_order(np.maximum(quantiles - position, 0.0), moq, pack_size)


def level_for(covered: np.ndarray, target: float) -> float:
    """The smallest grid level whose decisions covered a share ``target`` of intervals.

    ``covered``: (decisions, levels) booleans, non-decreasing along each row. The rank
    ⌈(n + 1)·target⌉ must be reached; when it exceeds n the evidence cannot show so
    high a target and the largest sampled total (level 1) is used, as it is when no
    level of the grid reached it.
    """
    n = len(covered)
    if n == 0:
        return float(target)
    need = math.ceil((n + 1) * float(target))
    if need > n:
        return 1.0
    ok = np.flatnonzero(covered.sum(axis=0) >= need)
    return float(LEVEL_GRID[ok[0]]) if len(ok) else 1.0


class ServiceCalibrator:
    """Past decisions' coverage per group; turns a target into the level to order at."""

    def __init__(self, min_scores: int = MIN_SCORES) -> None:
        self.min_scores = int(min_scores)
        self.covered: dict[str, list[np.ndarray]] = defaultdict(list)
        self._levels: dict[tuple[float, str], float] = {}
        """Levels already worked out from the current evidence (every product of a group
        asks the same question between two additions)."""

    def add(
        self,
        group: str,
        stocked: np.ndarray,
        actual: float,
        *,
        product: str = "",
        lead_part: float = 0.0,
    ) -> None:
        """One elapsed interval: the stock each level would have given, and its demand.

        (``product`` and ``lead_part`` are what :class:`FillRateCalibrator` needs too;
        whether a cycle was covered depends on its total only.)
        """
        self.covered[group].append(float(actual) <= np.asarray(stocked) + 1e-9)
        self._levels.clear()

    def count(self, group: str | None = None) -> int:
        if group is None:
            return sum(len(v) for v in self.covered.values())
        return len(self.covered.get(group, ()))

    def level(self, target: float, group: str) -> float:
        """The level to take the protection quantile at for ``target`` in ``group``."""
        key = (float(target), group)
        if key not in self._levels:
            self._levels[key] = self._level(float(target), group)
        return self._levels[key]

    def _level(self, target: float, group: str) -> float:
        own = self.covered.get(group, [])
        if len(own) >= self.min_scores:
            return level_for(np.vstack(own), target)
        if self.count() >= self.min_scores:
            return level_for(
                np.vstack([row for rows in self.covered.values() for row in rows]), target
            )
        return float(target)


class FillRateCalibrator:
    """Past decisions' shortages per level; turns a fill-rate target into a level.

    Why a second calibrator: a cycle counts as served when its demand fits the stock, so a
    slow mover meets a cycle-service target in its many cycles without demand while its
    few sales go unserved (docs/decisions/0007-calibrated-service-levels.md). A fill-rate
    target must look at units. For each elapsed decision and each grid level, the units
    the cycle would have run short are those of the periodic-review shortage formula:
    (D_{L+R} − S)⁺ − (D_L − S)⁺ (the shortage over lead time + review minus the part
    already short before the order arrived), against the demand of the review part,
    D_{L+R} − D_L. Per product, fill(level) = 1 − Σ shortages ÷ Σ review demand; the level
    chosen is the smallest whose mean over the group's products reaches the target: each
    product counts once, as a per-product target means, not in proportion to its volume
    (which would let fast movers carry the group while slow ones go short).
    """

    def __init__(self, min_scores: int = MIN_SCORES) -> None:
        self.min_scores = int(min_scores)
        self.short: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
        self.demand: dict[str, dict[str, float]] = defaultdict(dict)
        self.counts: dict[str, int] = defaultdict(int)
        self._levels: dict[tuple[float, str], float | None] = {}

    def add(
        self,
        group: str,
        stocked: np.ndarray,
        actual: float,
        *,
        product: str = "",
        lead_part: float = 0.0,
    ) -> None:
        """One elapsed interval: stock per level, demand over it and over its lead part."""
        stocked = np.asarray(stocked, dtype=float)
        total, lead_part = float(actual), min(float(lead_part), float(actual))
        short = np.maximum(total - stocked, 0.0) - np.maximum(lead_part - stocked, 0.0)
        held = self.short[group]
        held[product] = held[product] + short if product in held else short
        self.demand[group][product] = self.demand[group].get(product, 0.0) + total - lead_part
        self.counts[group] += 1
        self._levels.clear()

    def count(self, group: str | None = None) -> int:
        return sum(self.counts.values()) if group is None else self.counts.get(group, 0)

    def level(self, target: float, group: str) -> float | None:
        """The level for ``target`` in ``group``; None without enough evidence."""
        key = (float(target), group)
        if key not in self._levels:
            groups = [group] if self.count(group) >= self.min_scores else list(self.short)
            if self.count() < self.min_scores:
                self._levels[key] = None
            else:
                self._levels[key] = self._level(float(target), groups)
        return self._levels[key]

    def fills(self, groups: list[str]) -> np.ndarray:
        """(products, levels): each product's fill per level (products with demand in
        their review parts only)."""
        rows = [
            1.0 - self.short[g][p] / self.demand[g][p]
            for g in groups
            for p in self.short[g]
            if self.demand[g][p] > 1e-9
        ]
        return np.vstack(rows) if rows else np.ones((0, len(LEVEL_GRID)))

    def realised(self, groups: list[str], target: float | None = None) -> np.ndarray:
        """Mean over products of fill per level; with ``target``, over those products that
        reach it at some level of the grid.

        Why leave the others out: a product whose paths give no stock at any level (a
        forecast of zero with zero-width bands after a quiet spell) cannot be served by
        raising the level, and averaging it in would push every other product far past
        the target to make up for it — on carparts, orders of 140-270 units for parts
        selling one or two a month. They still order at the level chosen.
        """
        fills = self.fills(groups)
        if not len(fills):
            return np.ones(len(LEVEL_GRID))
        if target is not None:
            servable = fills[:, -1] >= target - 1e-12
            if servable.any():
                fills = fills[servable]
        return fills.mean(axis=0)

    def _level(self, target: float, groups: list[str]) -> float:
        ok = np.flatnonzero(self.realised(groups, target) >= target - 1e-12)
        return float(LEVEL_GRID[ok[0]]) if len(ok) else float(LEVEL_GRID[-1])


# -- the plan: evidence from the forecast's own backtest -------------------------------------
Outcome = tuple[str, np.ndarray, float, float]
"""(product, stock per grid level, actual demand over the interval, over its lead part)."""


def backtest_outcomes(
    backtest: pd.DataFrame,
    protection: Mapping[str, int | tuple[int, int] | tuple[float, float, int]],
    rounding: Mapping[str, tuple[float, float]] | None = None,
    *,
    n_paths: int = 500,
    correlation: float = 0.0,
    seed: int = 0,
) -> list[Outcome]:
    """(product, stock per grid level, actual total, actual lead part) per backtest window.

    ``backtest``: the chosen model's backtest forecasts (``unique_id, ds, cutoff, y,
    forecast`` and bands; ``ForecastRun.backtest``), in the forecast's periods;
    ``protection``: per product, the protection interval in those periods (an int, or
    (periods, of which lead time) for the fill-rate shortage formula), or (lead time mean,
    its standard deviation, review period) to draw the lead time as the decision does;
    ``rounding``: per product (MOQ, pack size). Each window stands for a decision
    at its cutoff with nothing in stock: its first periods are sampled into paths as the
    plan samples today's forecast. Windows shorter than the interval are skipped.

    Each window draws from its own generator (seeded by ``seed``, the product and the
    cutoff), so a window's outcome does not depend on which other windows are scored.
    """
    if backtest is None or backtest.empty or CUTOFF not in backtest.columns:
        return []
    rounding = rounding or {}
    windows = backtest.dropna(subset=[S.UNIQUE_ID, CUTOFF]).sort_values(
        [S.UNIQUE_ID, CUTOFF, S.DS], kind="stable"
    )
    probs, names = knot_columns(windows.columns)
    knots = knot_values(windows, names)
    actual = windows[S.Y].to_numpy(dtype=float)
    keys = windows[[S.UNIQUE_ID, CUTOFF]]
    starts = np.flatnonzero(keys.ne(keys.shift()).any(axis=1).to_numpy())
    ends = np.r_[starts[1:], len(windows)]
    uids = keys[S.UNIQUE_ID].to_numpy()[starts]
    seconds = _cutoff_seconds(keys[CUTOFF].to_numpy()[starts])
    scored: list[tuple[str, np.ndarray, float, float, float, float]] = []
    crc: dict[str, int] = {}
    for uid, second, lo, hi in zip(
        uids.tolist(), seconds, starts.tolist(), ends.tolist(), strict=True
    ):
        uid = str(uid)
        spec = protection.get(uid)
        if spec is None:
            continue
        if uid not in crc:
            crc[uid] = zlib.crc32(uid.encode())
        rng = np.random.default_rng([int(seed), crc[uid], second])
        lengths: np.ndarray | int  # one per path when lead times vary, else one for all
        if isinstance(spec, tuple) and len(spec) == 3:
            mean, std, review = spec
            leads = lead_time_samples(mean, std, n_paths + 1, rng)
            lengths, periods = leads[1:] + int(review), int(leads[0]) + int(review)
            lead_periods = int(leads[0])
        elif isinstance(spec, tuple):
            lengths = periods = int(spec[0])
            lead_periods = int(spec[1])
        else:
            lengths = periods = int(spec)
            lead_periods = 0
        y = actual[lo:hi]
        if periods < 1 or len(y) < periods or np.isnan(y[:periods]).any():
            continue
        longest = int(np.max(lengths))
        paths = paths_from_knots(
            probs,
            knots[lo:hi],
            n_paths,
            correlation,
            rng,
            days=longest if longest <= len(y) else None,
        )
        scored.append(
            (
                uid,
                _totals_from_start(paths, lengths),
                *rounding.get(uid, (0.0, 1.0)),
                float(y[:periods].sum()),
                float(y[: min(lead_periods, periods)].sum()),
            )
        )
    if not scored:
        return []
    # every window's stock per level at once: the same order statistics, one sort per row
    totals = np.vstack([row[1] for row in scored])
    moq = np.array([[row[2]] for row in scored], dtype=float)
    pack = np.array([[row[3]] for row in scored], dtype=float)
    stocked = stocked_levels(totals, 0.0, moq, pack)
    return [
        (uid, stock, total, lead_part)
        for (uid, _, _, _, total, lead_part), stock in zip(scored, stocked, strict=True)
    ]


def _cutoff_seconds(cutoffs: np.ndarray) -> list[int]:
    """Each cutoff as whole seconds since the epoch (``pd.Timestamp(cutoff).value // 10**9``).

    Converted for all windows at once when they are datetimes without a time zone.
    """
    if np.issubdtype(cutoffs.dtype, np.datetime64):
        return (cutoffs.astype("datetime64[ns]").view(np.int64) // 10**9).tolist()
    return [int(pd.Timestamp(cutoff).value // 10**9) for cutoff in cutoffs]


def _totals_from_start(paths: np.ndarray, lengths: np.ndarray | int) -> np.ndarray:
    """Per path, its total demand over its first ``lengths`` days (≥ 0 each).

    ``demand_over(paths, 0, lengths)`` without its general start: the running total at
    ``lengths`` minus the one at 0, which is exactly 0, so the difference is that total.
    """
    n_paths = len(paths)
    end = np.broadcast_to(np.asarray(lengths), (n_paths,))
    totals = running_demand(paths, int(end.max()) if n_paths else 0)
    return totals.ravel()[end * n_paths + np.arange(n_paths)]


def plan_levels(
    outcomes: list[Outcome] | list[tuple[str, np.ndarray, float]],
    targets: Mapping[str, float],
    groups: Mapping[str, str],
    pools: Mapping[str, str] | None = None,
    min_scores: int = MIN_SCORES,
    target: str = "cycle_service_level",
) -> dict[str, tuple[float, int]]:
    """Per product, (level to order at, number of past intervals behind it).

    Outcomes are pooled per ``pools`` value (e.g. the sector; one pool when None) and,
    inside it, per demand ``groups`` value, as in :class:`ServiceCalibrator` (or, with
    ``target="fill_rate"``, :class:`FillRateCalibrator`, which needs each outcome's lead
    part; an outcome without one counts the whole interval as the review part). Products
    of a pool without enough evidence keep their target (count 0).
    """
    pools = pools or {}
    fill = target == "fill_rate"
    calibrators: dict[str, ServiceCalibrator | FillRateCalibrator] = defaultdict(
        lambda: FillRateCalibrator(min_scores) if fill else ServiceCalibrator(min_scores)
    )
    for uid, stocked, actual, *lead in outcomes:
        calibrator, group = calibrators[pools.get(uid, "")], groups.get(uid, "all")
        calibrator.add(group, stocked, actual, product=uid, lead_part=lead[0] if lead else 0.0)
    out = {}
    for uid, aim in targets.items():
        pooled = calibrators.get(pools.get(uid, ""))
        group = groups.get(uid, "all")
        level = (
            None
            if pooled is None or pooled.count() < min_scores
            else pooled.level(float(aim), group)
        )
        if level is None or pooled is None:
            out[uid] = (float(aim), 0)
            continue
        used = pooled.count(group) if pooled.count(group) >= min_scores else pooled.count()
        out[uid] = (level, used)
    return out


__all__ = [
    "LEVEL_GRID",
    "MIN_SCORES",
    "FillRateCalibrator",
    "Outcome",
    "ServiceCalibrator",
    "backtest_outcomes",
    "level_for",
    "plan_levels",
    "stocked_levels",
]
