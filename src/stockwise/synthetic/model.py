"""Shared building blocks of the sector demand models.

A sector model turns a block of :class:`~stockwise.synthetic.streams.ProductStreams` and
the shared :class:`~stockwise.synthetic.calendar_signals.Calendar` into a :class:`SectorDemand`:
the mean rate per product-day (the ground truth a forecaster should recover), the drawn
unconstrained demand, and the commercial context (price, promotions, category, shelf
life, cost). Stock replenishment is *not* decided here: :mod:`.stock` applies one policy
to every sector with the per-sector numbers of :class:`StockProfile`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class SectorDemand:
    """Demand side of one block of products (arrays are ``(n,)`` or ``(n, n_days)``)."""

    categories: tuple[str, ...]
    category: np.ndarray  # int codes into ``categories``
    store: np.ndarray  # int store number (1-based)
    expected: np.ndarray  # float32 mean demand per day
    demand: np.ndarray  # float64 integer counts (true unconstrained demand)
    price: np.ndarray  # float64 selling price per day
    promo: np.ndarray  # int8 0/1
    start: np.ndarray  # int first active day (launches start mid-history)
    unit_cost: np.ndarray  # float64 purchase cost per unit
    shelf_life: np.ndarray  # float64 days, NaN where the product does not expire


@dataclass(frozen=True)
class StockProfile:
    """Replenishment habits of a sector (ranges drawn per product)."""

    lead_time: tuple[float, float]  # mean supplier lead time, days
    lead_spread: tuple[float, float]  # lead-time std as a fraction of the mean
    min_lead_std: float  # floor on the lead-time std, days
    cover_days: tuple[float, float]  # order quantity as days of mean demand
    pack_sizes: tuple[int, ...]  # ascending order multiples
    n_stores: int
    store_prefix: str


def runs(
    u_first: np.ndarray,
    u_len: np.ndarray,
    u_gap: np.ndarray,
    share: np.ndarray,
    n_days: int,
    min_len: int,
    max_len: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping on/off runs (e.g. promotions) covering about ``share`` of days.

    Run lengths are uniform in ``[min_len, max_len]`` and the gaps between runs are
    geometric-like with the mean that gives the requested share, so the pattern looks like
    a retailer's promo calendar rather than independent coin flips per day. Returns the
    ``(n, n_days)`` bool mask and, for each day, the index of the run it belongs to (so a
    per-run value such as a discount can be looked up with ``take_along_axis``).
    """
    n = u_len.shape[0]
    lengths = min_len + np.floor(u_len * (max_len - min_len + 1)).astype(np.int64)
    mean_len = 0.5 * (min_len + max_len)
    mean_gap = np.maximum(mean_len / share - mean_len, 1.0)
    gaps = 1 + np.floor(-np.log1p(-u_gap) * (mean_gap[:, None] - 1.0)).astype(np.int64)
    first = np.floor(u_first * (mean_gap + mean_len)).astype(np.int64)
    step = lengths + gaps
    starts = first[:, None] + np.concatenate(
        [np.zeros((n, 1), dtype=np.int64), np.cumsum(step[:, :-1], axis=1)], axis=1
    )
    ends = starts + lengths
    inside = starts < n_days
    flat = (np.arange(n)[:, None] * n_days + starts)[inside]
    started = np.bincount(flat, minlength=n * n_days).reshape(n, n_days).cumsum(axis=1)
    run_id = np.maximum(started - 1, 0)
    run_end = np.take_along_axis(ends, run_id, axis=1)
    mask = (started > 0) & (np.arange(n_days)[None, :] < run_end)
    return mask, run_id


def step_path(
    u_day: np.ndarray, u_on: np.ndarray, jumps: np.ndarray, rate: np.ndarray, n_days: int
) -> np.ndarray:
    """Piecewise-constant log-multiplier with a few random steps (e.g. price changes).

    Each of the ``m`` candidate steps falls on a uniform day and is kept with the
    probability that gives ``rate`` steps per year on average; the result is the running
    sum of the kept jumps, shape ``(n, n_days)``.
    """
    n, m = u_day.shape
    expected_steps = rate * n_days / 365.25
    keep = u_on < (expected_steps / m)[:, None]
    day = np.minimum(np.floor(u_day * n_days).astype(np.int64), n_days - 1)
    flat = (np.arange(n)[:, None] * n_days + day)[keep]
    marks = np.bincount(flat, weights=jumps[keep], minlength=n * n_days)
    return marks.reshape(n, n_days).cumsum(axis=1)


def weekly(dow: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Spread a per-product weekday profile ``(n, 7)`` over the days: ``(n, n_days)``."""
    return profile[:, dow].astype(np.float32)


def active_mask(start: np.ndarray, n_days: int) -> np.ndarray:
    return np.arange(n_days)[None, :] >= start[:, None]
