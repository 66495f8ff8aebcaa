"""Service levels calibrated from how well past protection-interval forecasts covered.

Why: the order-up-to level S is the q-quantile of the forecast demand over the protection
interval (lead time + review). If that distribution is too wide — as the quantile paths
of slow, intermittent items are (docs/benchmarks.md, closed-loop replays: 96-99 % of
cycles served at a 90 % target) — the realised cycle service level overshoots the
target and stock piles up; too narrow, it falls short. Looking back at the decisions
whose protection interval has already passed tells how the forecasts covered: for each,
the probability integral transform (PIT) u = F(actual total), where F is the forecast
distribution of the total. If the forecasts were calibrated, u would be uniform and
P(u ≤ q) = q. Otherwise, to serve a share τ of cycles, S should be the forecast's
q'-quantile with q' the τ-quantile of the observed u (a conformal recalibration of the
quantile level, Kuleshov et al. 2018; the split-conformal order statistic makes it valid
in finite samples). Demand is discrete, so u is drawn uniformly between F(actual⁻) and
F(actual) (the randomised PIT), which keeps it uniform under calibration.

The observed u are pooled per demand group (intermittent or smooth, Syntetos-Boylan
ADI), because one product has too few elapsed intervals; below ``min_scores`` in the
group the pool of every product is used, and below that the target is used as it is.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

MIN_SCORES = 50
"""Elapsed protection intervals needed before a pool re-maps the target."""
LOWEST_LEVEL = 0.01


def randomised_pit(samples: np.ndarray, actual: float, rng: np.random.Generator) -> float:
    """F(actual) under the empirical distribution of ``samples``, ties broken at random."""
    below = float(np.mean(samples < actual))
    at = float(np.mean(samples == actual))
    return below + at * float(rng.random())


def calibrated_level(pits: np.ndarray, target: float) -> float:
    """The quantile level q' whose quantiles covered a share ``target`` of the past totals.

    ``pits`` are the past PIT values; q' is their ⌈(n + 1)·target⌉-th smallest (1 when that
    exceeds n: not enough evidence for so high a target, so take the whole distribution).
    """
    values = np.sort(np.asarray(pits, dtype=float))
    n = len(values)
    if n == 0:
        return float(target)
    rank = math.ceil((n + 1) * float(target))
    if rank > n:
        return 1.0
    return float(min(max(values[max(rank, 1) - 1], LOWEST_LEVEL), 1.0))


class ServiceCalibrator:
    """Collects PIT values per group and turns a target into the level to order at."""

    def __init__(self, min_scores: int = MIN_SCORES) -> None:
        self.min_scores = int(min_scores)
        self.pits: dict[str, list[float]] = defaultdict(list)

    def add(self, group: str, pit: float) -> None:
        self.pits[group].append(float(pit))

    def count(self, group: str | None = None) -> int:
        if group is None:
            return sum(len(v) for v in self.pits.values())
        return len(self.pits.get(group, ()))

    def level(self, target: float, group: str) -> float:
        """The level to take the protection quantile at for ``target`` in ``group``."""
        own = self.pits.get(group, [])
        if len(own) >= self.min_scores:
            return calibrated_level(np.asarray(own), target)
        if self.count() >= self.min_scores:
            pooled = np.concatenate([np.asarray(v) for v in self.pits.values()])
            return calibrated_level(pooled, target)
        return float(target)


__all__ = ["MIN_SCORES", "ServiceCalibrator", "calibrated_level", "randomised_pit"]
