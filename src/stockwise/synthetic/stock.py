"""Stock of the synthetic data: one (s, S) policy per product so that stockouts happen for
a reason.

Sales data only shows *censored* demand: on a day the shelf is empty, sales are lower
than demand. To give the downstream code (stockout flags, censored-demand handling,
inventory planning) a known answer, each product is replenished by a daily-review
(s, S) policy whose parameters a planner could plausibly have chosen:

* ``s`` covers the mean demand over lead time + one review day, plus ``z`` standard
  deviations of that demand (lead-time spread included);
* ``z`` is the product's *stocking tightness*: most products are stocked comfortably
  (z in 0.8..2.5), about a third are run lean (z in -1.6..0.3) and stock out often —
  together about 3-4 % of product-days end with an empty shelf (2-10 % by sector);
* order quantities are rounded up to the pack size and to at least the MOQ, and realised
  lead times are random around the product's mean, so orders can arrive late or cross.

Each day, in this order: receive due orders, sell ``min(demand, on_hand)``, record
end-of-day stock, then order ``S - position`` if the inventory position (on hand + on
order) is at or below ``s``. The loop runs over days; every step is vectorised over
products, and nothing mixes products, so results do not depend on chunking.

**Stockout definition** (``truth.stockout``): end-of-day on-hand is zero. It includes
every day with unmet demand (sales < demand forces on-hand to zero) and days the shelf
was empty with no demand — exactly the days ``sales.on_hand == 0`` marks as censored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockwise.synthetic.model import StockProfile, active_mask
from stockwise.synthetic.streams import Draws

N_UNIFORM = 10  # scalars this module takes from each product's Draws
LEAN_SHARE = 0.35


@dataclass
class Policy:
    lead_time: np.ndarray  # mean lead time, days
    lead_std: np.ndarray  # lead-time standard deviation, days
    reorder_point: np.ndarray  # s
    order_up_to: np.ndarray  # S
    initial: np.ndarray  # on hand on the first active day
    pack_size: np.ndarray  # int
    moq: np.ndarray  # int


@dataclass
class StockResult:
    sales: np.ndarray  # (n, T) float64
    on_hand: np.ndarray  # (n, T) float64, end of day
    stockout: np.ndarray  # (n, T) bool
    on_order: np.ndarray  # (n,) units ordered but not received by the last day
    on_order_due: np.ndarray  # (n,) day index (>= T) of the earliest open arrival, -1 if none


def _active_stats(demand: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    active = active_mask(start, demand.shape[1])
    count = np.maximum(active.sum(axis=1), 1)
    masked = np.where(active, demand, 0.0)
    mean = masked.sum(axis=1) / count
    var = np.where(active, (demand - mean[:, None]) ** 2, 0.0).sum(axis=1) / count
    return mean, var


def plan_policy(d: Draws, demand: np.ndarray, start: np.ndarray, profile: StockProfile) -> Policy:
    """Draw lead times, tightness, packs and MOQs; size (s, S) from the demand history."""
    mean, var = _active_stats(demand, start)
    lead = d.uniform(*profile.lead_time)
    lead_std = np.maximum(lead * d.uniform(*profile.lead_spread), profile.min_lead_std)
    lean = d.uniform() < LEAN_SHARE
    z = np.where(lean, d.uniform(-1.6, 0.3), d.uniform(0.8, 2.5))
    protection = lead + 1.0
    sd = np.sqrt(protection * var + mean**2 * lead_std**2)
    reorder = np.maximum(np.round(mean * protection + z * sd), 0.0)

    cycle = np.maximum(np.ceil(mean * d.uniform(*profile.cover_days)), 1.0)
    packs = np.asarray(profile.pack_sizes, dtype=np.int64)
    # Big packs only for products that sell enough to use them: at most half a cycle.
    allowed = np.maximum((packs[None, :] <= np.maximum(cycle, 2.0)[:, None] / 2).sum(axis=1), 1)
    pack = packs[np.minimum(np.floor(d.uniform() * allowed).astype(np.int64), allowed - 1)]
    moq = pack * (1 + np.floor(d.uniform() * 3).astype(np.int64))
    moq = np.where(moq > np.maximum(cycle, pack), pack, moq)

    order_up_to = reorder + cycle
    initial = reorder + np.ceil(np.maximum(d.uniform(), 0.05) * cycle)
    return Policy(lead, lead_std, reorder, order_up_to, initial, pack, moq)


def realised_lead_times(policy: Policy, noise: np.ndarray) -> np.ndarray:
    """Lead time of an order placed on each day, ``(n, T)`` int, at least one day."""
    raw = policy.lead_time[:, None] + policy.lead_std[:, None] * noise
    return np.maximum(np.round(raw), 1.0).astype(np.int32)


def replenish_and_sell(
    demand: np.ndarray, start: np.ndarray, policy: Policy, lead_noise: np.ndarray
) -> StockResult:
    """Sell ``demand`` from a shelf the (s, S) ``policy`` replenishes, day by day and
    vectorised over products: the censored sales, end-of-day stock and stockout days."""
    n, n_days = demand.shape
    lead_days = realised_lead_times(policy, lead_noise).T.copy()  # (T, n): row per day
    horizon = n_days + int(lead_days.max(initial=1)) + 1
    arrivals = np.zeros((horizon, n), dtype=np.float64)
    demand_t = np.ascontiguousarray(demand.T)
    sales = np.empty((n_days, n), dtype=np.float64)
    on_hand_end = np.empty((n_days, n), dtype=np.float64)

    on_hand = policy.initial.astype(np.float64).copy()
    pipeline = np.zeros(n, dtype=np.float64)
    s, big_s = policy.reorder_point, policy.order_up_to
    pack, moq = policy.pack_size.astype(np.float64), policy.moq.astype(np.float64)
    cols = np.arange(n)
    for t in range(n_days):
        arriving = arrivals[t]
        on_hand += arriving
        pipeline -= arriving
        sold = np.minimum(demand_t[t], on_hand)
        on_hand -= sold
        sales[t] = sold
        on_hand_end[t] = on_hand
        position = on_hand + pipeline
        need = (position <= s) & (t >= start)
        if need.any():
            idx = cols[need]
            qty = np.maximum(big_s[idx] - position[idx], moq[idx])
            qty = np.ceil(qty / pack[idx]) * pack[idx]
            arrivals[t + lead_days[t, idx], idx] += qty
            pipeline[idx] += qty

    open_orders = arrivals[n_days:]
    has_open = open_orders > 0
    due = np.where(has_open.any(axis=0), n_days + has_open.argmax(axis=0), -1)
    on_hand_end = on_hand_end.T.copy()
    return StockResult(
        sales=sales.T.copy(),
        on_hand=on_hand_end,
        stockout=on_hand_end == 0,
        on_order=open_orders.sum(axis=0),
        on_order_due=due,
    )
