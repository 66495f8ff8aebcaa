"""Lots with expiry dates for the stock left at the end of the history.

Expiry-aware planning (FEFO, expiry alerts, caps on order-up-to levels) needs lots, not
just a stock figure. The closing on-hand of every product with a shelf life is split
into 1-3 lots whose quantities add up exactly to it. About a third of those products
have their oldest lot expiring within 30 days of the last day, so expiry alerts have
something to find; later lots expire progressively later, never beyond the shelf life.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockwise.synthetic.streams import Draws

N_UNIFORM = 10  # scalars this module takes from each product's Draws
MAX_LOTS = 3
NEAR_EXPIRY_SHARE = 0.35
NEAR_EXPIRY_DAYS = 30


@dataclass
class Lots:
    product: np.ndarray  # row index of the product in its block
    lot: np.ndarray  # 1-based lot number within the product
    quantity: np.ndarray  # float64 units
    days_after_end: np.ndarray  # expiry, in days after the last day of history (>= 1)


def split_lots(d: Draws, on_hand: np.ndarray, shelf_life: np.ndarray) -> Lots:
    """Split each product's closing stock into lots (products without shelf life: none)."""
    n = len(on_hand)
    n_lots = 1 + np.floor(d.uniform() * MAX_LOTS).astype(np.int64)
    n_lots = np.minimum(n_lots, np.maximum(on_hand, 1).astype(np.int64))
    weights = -np.log1p(-d.uniform_block(MAX_LOTS))  # exponential: a flat Dirichlet split
    used = np.arange(MAX_LOTS)[None, :] < n_lots[:, None]
    weights = np.where(used, weights + 1e-9, 0.0)
    share = weights / weights.sum(axis=1, keepdims=True)
    qty = np.floor(share * on_hand[:, None])
    last = n_lots - 1
    qty[np.arange(n), last] += on_hand - qty.sum(axis=1)  # remainder: sums are exact

    life = np.where(np.isnan(shelf_life), 1.0, shelf_life)
    near = d.uniform() < NEAR_EXPIRY_SHARE
    first = np.where(
        near,
        1 + np.floor(d.uniform() * NEAR_EXPIRY_DAYS),
        NEAR_EXPIRY_DAYS + 1 + np.floor(d.uniform() * np.maximum(0.5 * life - NEAR_EXPIRY_DAYS, 1)),
    )
    gaps = 7 + np.floor(d.uniform_block(MAX_LOTS - 1) * np.maximum(life / 3, 1)[:, None])
    offsets = np.concatenate([first[:, None], first[:, None] + np.cumsum(gaps, axis=1)], axis=1)
    offsets = np.minimum(offsets, np.maximum(life, first)[:, None])

    keep = used & (qty > 0) & ~np.isnan(shelf_life)[:, None] & (on_hand > 0)[:, None]
    rows, lots = np.nonzero(keep)
    return Lots(
        product=rows,
        lot=lots + 1,
        quantity=qty[rows, lots],
        days_after_end=offsets[rows, lots].astype(np.int64),
    )
