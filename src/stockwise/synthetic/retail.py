"""Retail demand: fast movers driven by the week, the year, holidays, price and promotions.

The mean rate of product ``i`` on day ``t`` is a product of interpretable factors::

    base_i * trend_i(t) * week_i(dow) * season_i(doy) * holiday_i(t)
           * (price_i(t) / ref_price_i) ** elasticity_i * (1 + lift_i * promo_i(t))

Each factor is one thing a retail forecaster is expected to learn (weekend uplift,
December peak, the drop on a public holiday and the rush before it, the price response
around -1.5, the promotional lift on top of the discount). Counts are negative binomial
around that mean, so the noise is realistic but the signal is known exactly.
"""

from __future__ import annotations

import numpy as np

from stockwise.synthetic.calendar_signals import Calendar
from stockwise.synthetic.model import SectorDemand, StockProfile, runs, step_path, weekly
from stockwise.synthetic.streams import ProductStreams, negative_binomial

CATEGORIES = ("grocery", "household", "apparel")
_CATEGORY_WEIGHTS = (0.5, 0.3, 0.2)
_COST_RANGE = {0: (1.0, 12.0), 1: (2.0, 30.0), 2: (8.0, 50.0)}  # by category code

PROFILE = StockProfile(
    lead_time=(2.0, 14.0),
    lead_spread=(0.1, 0.3),
    min_lead_std=0.3,
    cover_days=(7.0, 28.0),
    pack_sizes=(1, 6, 12, 24),
    n_stores=8,
    store_prefix="STORE",
)

_MAX_PRICE_CHANGES_PER_YEAR = 4.0


def _n_promo_slots(n_days: int) -> int:
    # Every run plus its gap takes at least 4 days, so this many slots always covers the
    # history: no product ever "runs out" of promotions late in a long history.
    return n_days // 4 + 1


def _n_price_slots(n_days: int) -> int:
    return int(np.ceil(_MAX_PRICE_CHANGES_PER_YEAR * n_days / 365.25)) + 2


def stream_spec(n_days: int) -> dict:
    """How much pre-drawn randomness one retail product needs."""
    return {
        "n_uniform": 40 + 3 * _n_promo_slots(n_days) + 2 * _n_price_slots(n_days),
        "n_normal": 4 + _n_price_slots(n_days),
        "rows": (),
    }


def generate_demand(streams: ProductStreams, cal: Calendar) -> SectorDemand:
    """The true daily demand of a block of retail products (before any stockout cuts it)."""
    d = streams.draws
    n, n_days = d.n, cal.n_days
    category = d.choice(_CATEGORY_WEIGHTS)
    store = 1 + d.integers(0, PROFILE.n_stores)

    base = np.clip(np.exp(d.normal(np.log(15.0), 1.0)), 2.0, 200.0)
    slope = d.uniform(-0.2, 0.2)
    trend = np.maximum(1.0 + slope[:, None] * cal.t_years[None, :], 0.2)

    weekend = d.uniform(0.1, 0.7)
    profile = np.ones((n, 7))
    profile[:, 4] += d.uniform(0.0, 0.2)  # Friday
    profile[:, 5] += weekend  # Saturday
    profile[:, 6] += weekend * d.uniform(0.2, 1.0)  # Sunday (many stores open shorter)
    week = weekly(cal.dow, profile)

    amplitude = d.uniform(0.05, 0.3) + 0.2 * (category == 2)  # apparel is more seasonal
    season = 1.0 + amplitude[:, None] * cal.yearly_peak_dec[None, :]

    holiday_level = d.uniform(0.3, 0.7)
    pre_uplift = d.uniform(0.1, 0.4)
    pre_days = d.integers(1, 4)
    pre = (
        (cal.days_to_holiday[None, :] >= 1)
        & (cal.days_to_holiday[None, :] <= pre_days[:, None])
        & ~cal.holiday[None, :]
    )
    hol = np.where(cal.holiday[None, :], holiday_level[:, None], 1.0)
    hol = np.where(pre, 1.0 + pre_uplift[:, None], hol)

    # Promotions: runs of 3-10 days on ~8-12 % of days, each with its own discount.
    slots = _n_promo_slots(n_days)
    promo, run_id = runs(
        d.uniform(),
        d.uniform_block(slots),
        d.uniform_block(slots),
        d.uniform(0.08, 0.12),
        n_days,
        3,
        10,
    )
    run_discount = 0.10 + 0.30 * d.uniform_block(slots)
    discount = np.where(promo, np.take_along_axis(run_discount, run_id, axis=1), 0.0)
    lift = d.uniform(0.1, 0.6)

    lo = np.array([_COST_RANGE[c][0] for c in range(len(CATEGORIES))])[category]
    hi = np.array([_COST_RANGE[c][1] for c in range(len(CATEGORIES))])[category]
    unit_cost = np.round(np.exp(np.log(lo) + d.uniform() * np.log(hi / lo)), 2)
    ref_price = unit_cost * d.uniform(1.3, 2.0)

    # Regular price: a few step changes per year of a few percent either way.
    price_slots = _n_price_slots(n_days)
    jumps = np.column_stack([d.normal(0.01, 0.06) for _ in range(price_slots)])
    log_steps = step_path(
        d.uniform_block(price_slots),
        d.uniform_block(price_slots),
        jumps,
        d.uniform(1.0, _MAX_PRICE_CHANGES_PER_YEAR),
        n_days,
    )
    regular = ref_price[:, None] * np.exp(log_steps)
    price = np.round(regular * (1.0 - discount), 2)
    elasticity = np.clip(d.normal(-1.5, 0.25), -2.5, -0.8)
    price_effect = (price / ref_price[:, None]) ** elasticity[:, None]

    expected = (
        base[:, None] * trend * week * season * hol * price_effect * (1.0 + lift[:, None] * promo)
    ).astype(np.float32)
    shape = d.uniform(3.0, 20.0)
    return SectorDemand(
        categories=CATEGORIES,
        category=category,
        store=store,
        expected=expected,
        demand=negative_binomial(streams.rngs, expected, shape),
        price=price,
        promo=promo.astype(np.int8),
        start=np.zeros(n, dtype=np.int64),
        unit_cost=unit_cost,
        shelf_life=np.full(n, np.nan),
    )
