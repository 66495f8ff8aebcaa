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
import zlib
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.paths import sample_paths

CUTOFF = "cutoff"
"""The backtest column with each window's forecast origin (``models.splits.CUTOFF``)."""

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




# -- the plan: evidence from the forecast's own backtest -------------------------------------
def backtest_pits(backtest: pd.DataFrame, protection: Mapping[str, int], *,
                  n_paths: int = 500, correlation: float = 0.0, seed: int = 0
                  ) -> pd.DataFrame:
    """PIT of the actual total over each product's protection interval, per backtest window.

    ``backtest``: the chosen model's backtest forecasts (``unique_id, ds, cutoff, y,
    forecast`` and bands; ``ForecastRun.backtest``), in the forecast's periods;
    ``protection``: per product, the protection interval in those periods. Each window
    stands for a decision taken at its cutoff: its first ``protection`` periods are
    sampled into paths exactly as the plan samples today's forecast, and the actual total
    is placed in their distribution. Windows shorter than the interval are skipped.
    """
    columns = [S.UNIQUE_ID, CUTOFF, "pit"]
    if backtest is None or backtest.empty or CUTOFF not in backtest.columns:
        return pd.DataFrame(columns=columns)
    rows = []
    for (uid, cutoff), part in backtest.groupby([S.UNIQUE_ID, CUTOFF], sort=True):
        periods = protection.get(str(uid))
        if periods is None or len(part) < periods or periods < 1:
            continue
        head = part.sort_values(S.DS).iloc[:periods]
        if head[S.Y].isna().any():
            continue
        rng = np.random.default_rng([int(seed), zlib.crc32(str(uid).encode()),
                                     int(pd.Timestamp(cutoff).value // 10**9)])
        totals = sample_paths(head, n_paths, correlation, rng).sum(axis=1)
        rows.append({S.UNIQUE_ID: str(uid), CUTOFF: cutoff,
                     "pit": randomised_pit(totals, float(head[S.Y].sum()), rng)})
    return pd.DataFrame(rows, columns=columns)


def plan_levels(pits: pd.DataFrame, targets: Mapping[str, float], groups: Mapping[str, str],
                pools: Mapping[str, str] | None = None, min_scores: int = MIN_SCORES
                ) -> dict[str, tuple[float, int]]:
    """Per product, (level to order at, number of past intervals behind it).

    PITs are pooled per ``pools`` value (e.g. the sector; one pool when None) and, inside
    it, per demand ``groups`` value, as in :class:`ServiceCalibrator`. Products of a pool
    without enough evidence keep their target (count 0).
    """
    pools = pools or {}
    calibrators: dict[str, ServiceCalibrator] = defaultdict(
        lambda: ServiceCalibrator(min_scores))
    for uid, pit in zip(pits[S.UNIQUE_ID].astype(str), pits["pit"], strict=True):
        calibrators[pools.get(uid, "")].add(groups.get(uid, "all"), float(pit))
    out = {}
    for uid, target in targets.items():
        calibrator = calibrators.get(pools.get(uid, ""))
        if calibrator is None or calibrator.count() < min_scores:
            out[uid] = (float(target), 0)
            continue
        group = groups.get(uid, "all")
        used = calibrator.count(group) if calibrator.count(group) >= min_scores else \
            calibrator.count()
        out[uid] = (calibrator.level(float(target), group), used)
    return out


__all__ = ["MIN_SCORES", "ServiceCalibrator", "backtest_pits", "calibrated_level",
           "plan_levels", "randomised_pit"]
