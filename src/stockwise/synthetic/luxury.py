"""Luxury and cosmetics demand: rare, lumpy sales, gifting peaks and product launches.

Demand is a two-part process, the structure Croston/TSB-type models assume: a sale
*occurs* on a day with probability ``p_i(t)`` (0.02-0.3 at baseline), and when it occurs
its *size* is ``1 + negative binomial``, with an occasional large order (a corporate gift,
a wedding list) multiplied by 5-20. Gifting moments raise the occurrence probability: a
Q4 ramp that peaks just before Christmas, Valentine's Day (Feb 1-14) and Mother's Day.

About 15 % of products launch mid-history: they have no rows before launch and a spike
that decays afterwards, the cold-start case. Fragrance and skincare (cosmetics) expire
(365-1095 days); jewellery and leather goods do not.

``expected`` is ``p_i(t) * E[size_i]``, the mean units per day the draws come from (exact
up to the rounding of large orders).
"""

from __future__ import annotations

import numpy as np

from stockwise.synthetic.calendar_signals import Calendar
from stockwise.synthetic.model import SectorDemand, StockProfile, weekly
from stockwise.synthetic.streams import ProductStreams

CATEGORIES = ("fragrance", "skincare", "jewellery", "leather")
_CATEGORY_WEIGHTS = (0.35, 0.25, 0.2, 0.2)
FRAGRANCE, SKINCARE, JEWELLERY, LEATHER = range(4)
_COST_RANGE = {
    FRAGRANCE: (20.0, 150.0),
    SKINCARE: (20.0, 250.0),
    JEWELLERY: (150.0, 2000.0),
    LEATHER: (250.0, 2000.0),
}
LAUNCH_SHARE = 0.15
_BIG_FACTOR = (5.0, 20.0)
_MAX_P = 0.95

PROFILE = StockProfile(
    lead_time=(42.0, 84.0),
    lead_spread=(0.05, 0.2),
    min_lead_std=1.0,
    cover_days=(90.0, 240.0),
    pack_sizes=(1, 2, 3, 6),
    n_stores=3,
    store_prefix="BOUTIQUE",
)


def stream_spec(n_days: int) -> dict:
    """Luxury needs per-day uniforms for sale occurrence and for large orders."""
    return {"n_uniform": 32, "n_normal": 1, "rows": (("occur", "uniform"), ("big", "uniform"))}


def generate_demand(streams: ProductStreams, cal: Calendar) -> SectorDemand:
    """The true daily demand of a block of luxury products (before any stockout cuts it)."""
    d = streams.draws
    n, n_days = d.n, cal.n_days
    category = d.choice(_CATEGORY_WEIGHTS)
    store = 1 + d.integers(0, PROFILE.n_stores)
    cosmetic = category <= SKINCARE

    p_base = d.loguniform(0.02, 0.3)
    profile = np.ones((n, 7))
    profile[:, 5] = d.uniform(1.1, 1.6)  # Saturday
    profile[:, 6] = d.uniform(0.2, 0.6)  # Sunday
    week = weekly(cal.dow, profile)

    q4_amp = d.uniform(1.0, 3.0)
    valentine_amp = d.uniform(0.2, 0.6) + np.where(
        (category == FRAGRANCE) | (category == JEWELLERY), d.uniform(0.6, 1.6), 0.0
    )
    mothers_amp = d.uniform(0.1, 0.4) + np.where(cosmetic, d.uniform(0.5, 1.5), 0.0)
    season = (
        1.0
        + q4_amp[:, None] * cal.q4[None, :]
        + valentine_amp[:, None] * cal.valentine[None, :]
        + mothers_amp[:, None] * cal.mothers[None, :]
    )

    launched = d.uniform() < LAUNCH_SHARE
    launch_day = np.floor(d.uniform(0.2, 0.8) * n_days).astype(np.int64)
    start = np.where(launched & (n_days >= 10), launch_day, 0)
    since = np.arange(n_days)[None, :] - start[:, None]
    height, decay = d.uniform(2.0, 6.0), d.uniform(14.0, 45.0)
    spike = height[:, None] * np.exp(-np.maximum(since, 0) / decay[:, None])
    launch = np.where(since < 0, 0.0, 1.0 + np.where(launched[:, None], spike, 0.0))

    p = np.minimum(p_base[:, None] * week * season * launch, _MAX_P).astype(np.float32)

    mean_size = 1.0 + d.loguniform(0.2, 3.0)  # typical units per sale, before large orders
    shape = d.uniform(0.8, 4.0)
    big_share = d.uniform(0.005, 0.04)
    big_mean = 0.5 * (_BIG_FACTOR[0] + _BIG_FACTOR[1])
    expected_size = mean_size * (1.0 - big_share + big_share * big_mean)
    expected = (p * expected_size[:, None].astype(np.float32)).astype(np.float32)

    occur = streams.rows["occur"] < p
    u_big = streams.rows["big"]
    is_big = u_big < big_share[:, None]
    factor = _BIG_FACTOR[0] + (_BIG_FACTOR[1] - _BIG_FACTOR[0]) * (u_big / big_share[:, None])
    demand = np.zeros((n, n_days), dtype=np.float64)
    for r, rng in enumerate(streams.rngs):
        k = float(shape[r])
        extra = rng.poisson(rng.standard_gamma(k, size=n_days) * ((mean_size[r] - 1.0) / k))
        demand[r] = 1.0 + extra
    demand = np.where(is_big, np.ceil(demand * factor), demand)
    demand = np.where(occur, demand, 0.0)

    lo = np.array([_COST_RANGE[c][0] for c in range(len(CATEGORIES))])[category]
    hi = np.array([_COST_RANGE[c][1] for c in range(len(CATEGORIES))])[category]
    unit_cost = np.round(np.exp(np.log(lo) + d.uniform() * np.log(hi / lo)), 2)
    yearly_increase = d.uniform(0.02, 0.08)  # luxury houses raise prices every January
    price = np.round(
        (unit_cost * d.uniform(2.0, 3.5))[:, None]
        * (1.0 + yearly_increase[:, None]) ** cal.year_index[None, :],
        0,
    )
    shelf = np.floor(d.uniform(365.0, 1096.0))
    return SectorDemand(
        categories=CATEGORIES,
        category=category,
        store=store,
        expected=expected,
        demand=demand,
        price=price,
        promo=np.zeros((n, n_days), dtype=np.int8),
        start=start,
        unit_cost=unit_cost,
        shelf_life=np.where(cosmetic, shelf, np.nan),
    )
