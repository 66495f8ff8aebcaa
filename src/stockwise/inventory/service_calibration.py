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

import zlib
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.inventory.calibrators import (
    LEVEL_GRID,
    MIN_SCORES,
    FillRateCalibrator,
    ServiceCalibrator,
    level_for,
    stocked_levels,
)
from stockwise.inventory.paths import (
    knot_columns,
    knot_values,
    lead_time_samples,
    paths_from_knots,
    running_demand,
)
from stockwise.schema import CUTOFF

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
