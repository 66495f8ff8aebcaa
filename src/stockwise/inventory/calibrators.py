"""Calibrators that learn, from past forecasts and what was sold, the quantile level a product
must order at to reach its service target: the share of protection intervals served for a
cycle service level, the share of units served for a fill rate.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from stockwise.inventory.decision import protection_quantile
from stockwise.inventory.policies import round_order

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
