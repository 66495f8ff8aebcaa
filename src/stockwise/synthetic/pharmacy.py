"""Pharmacy demand: steady chronic lines, epidemics, pollen, and a long tail of slow movers.

Four behaviours, one per category, because they call for different forecasting models:

* ``chronic`` — repeat prescriptions: steady level, near-Poisson noise (low variance);
* ``cold_flu`` — a winter epidemic bump whose peak week and height change every season
  (shared by all products, as a real epidemic is), scaled by each product's sensitivity;
* ``allergy`` — an April-June pollen bump;
* ``otc_slow`` — 0.05-0.5 units/day, mostly zeros: the intermittent tail of a pharmacy.

Pharmacies are largely closed on Sundays and public holidays, so those days are low.
Prices are regulated: no promotions, one small change each January. Every product has a
shelf life (180-1095 days), which is what the batch/expiry tables exercise.
"""

from __future__ import annotations

import numpy as np

from stockwise.synthetic.calendar_signals import Calendar
from stockwise.synthetic.model import SectorDemand, StockProfile, weekly
from stockwise.synthetic.streams import ProductStreams, negative_binomial

CATEGORIES = ("chronic", "cold_flu", "allergy", "otc_slow")
_CATEGORY_WEIGHTS = (0.3, 0.25, 0.15, 0.3)
CHRONIC, COLD_FLU, ALLERGY, OTC_SLOW = range(4)

PROFILE = StockProfile(
    lead_time=(1.0, 3.0),
    lead_spread=(0.15, 0.35),
    min_lead_std=0.2,
    cover_days=(7.0, 30.0),
    pack_sizes=(1, 5, 10, 20),
    n_stores=4,
    store_prefix="PHARMACY",
)


def stream_spec(n_days: int) -> dict:
    """How much pre-drawn randomness one pharmacy product needs."""
    return {"n_uniform": 24, "n_normal": 2, "rows": ()}


def generate_demand(streams: ProductStreams, cal: Calendar) -> SectorDemand:
    """The true daily demand of a block of pharmacy products (before any stockout cuts it)."""
    d = streams.draws
    n = d.n
    category = d.choice(_CATEGORY_WEIGHTS)
    store = 1 + d.integers(0, PROFILE.n_stores)

    level = np.clip(np.exp(d.normal(np.log(6.0), 0.8)), 0.5, 40.0)
    slow = d.loguniform(0.05, 0.5)
    base = np.where(category == OTC_SLOW, slow, level)

    profile = np.ones((n, 7))
    profile[:, 5] = d.uniform(0.6, 0.9)  # Saturday
    profile[:, 6] = d.uniform(0.05, 0.25)  # Sunday: on-duty pharmacies only
    week = weekly(cal.dow, profile)
    hol = np.where(cal.holiday[None, :], d.uniform(0.1, 0.4)[:, None], 1.0)

    flu_sens = np.where(category == COLD_FLU, d.uniform(1.5, 4.0), 0.0)
    pollen_sens = np.where(category == ALLERGY, d.uniform(1.5, 4.0), 0.0)
    # Cold remedies also sell a little more all winter, epidemic or not.
    winter = np.where(category == COLD_FLU, d.uniform(0.1, 0.3), 0.0)
    season = (
        1.0
        + flu_sens[:, None] * cal.flu[None, :]
        + pollen_sens[:, None] * cal.allergy[None, :]
        + winter[:, None] * np.maximum(cal.yearly_peak_dec, 0.0)[None, :]
    )
    expected = (base[:, None] * week * hol * season).astype(np.float32)

    shape = np.where(category == CHRONIC, d.uniform(30.0, 80.0), d.uniform(2.0, 10.0))
    unit_cost = np.round(d.loguniform(2.0, 80.0), 2)
    yearly_change = d.uniform(-0.03, 0.04)
    price = np.round(
        (unit_cost * d.uniform(1.2, 1.6))[:, None]
        * (1.0 + yearly_change[:, None]) ** cal.year_index[None, :],
        2,
    )
    return SectorDemand(
        categories=CATEGORIES,
        category=category,
        store=store,
        expected=expected,
        demand=negative_binomial(streams.rngs, expected, shape),
        price=price,
        promo=np.zeros(expected.shape, dtype=np.int8),
        start=np.zeros(n, dtype=np.int64),
        unit_cost=unit_cost,
        shelf_life=np.floor(d.uniform(180.0, 1096.0)),
    )
