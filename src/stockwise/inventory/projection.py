"""Day-by-day stock projection over demand sample paths, with FEFO batch expiry.

Each path starts from today's stock split into batches (lots with expiry dates; units not
covered by a batch never expire), receives the due orders, and serves demand first
expired, first out. Unserved demand is lost (the projection answers "what happens if we
do nothing more"). Batches still holding units at the end of their expiry day are
written off. Averaging over paths gives the expected stock, the probability of being out
of stock on each day, the expected lost sales and the expected waste per batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Lot:
    """Units that expire together; ``expiry`` is a day index (end of that day), or NEVER."""

    quantity: float
    expiry: int = NEVER


@dataclass
class Projection:
    """Averages over the sample paths, one value per projected day."""

    dates: pd.DatetimeIndex
    expected_on_hand: np.ndarray
    stockout_probability: np.ndarray
    """Share of paths with unmet demand on that day."""
    stockout_by: np.ndarray
    """Share of paths that have had unmet demand on or before that day."""
    expected_lost: np.ndarray
    expected_waste: np.ndarray
    """Expected units written off at the end of each day (expired batches)."""

    def stockout_date(self, threshold: float = 0.5) -> pd.Timestamp | None:
        """First day on which at least ``threshold`` of the paths have run out."""
        hit = np.flatnonzero(self.stockout_by >= threshold)
        return self.dates[hit[0]] if len(hit) else None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "ds": self.dates, "expected_on_hand": self.expected_on_hand,
            "stockout_probability": self.stockout_probability,
            "stockout_by": self.stockout_by, "expected_lost_sales": self.expected_lost,
            "expected_waste": self.expected_waste,
        })


def project(
    paths: np.ndarray, dates: pd.DatetimeIndex, lots: list[Lot],
    receipts: list[tuple[int, float]] = (), shelf_life_days: float | None = None,
) -> Projection:
    """Project stock along every path; ``receipts`` are (day index, units) arrivals.

    Received units expire ``shelf_life_days`` after arrival when that is known.
    """
    n_paths, days = paths.shape
    quantities = [np.full(n_paths, float(lot.quantity)) for lot in lots]
    expiries = [lot.expiry for lot in lots]
    arrivals: dict[int, float] = {}
    for day, units in receipts:
        if 0 <= day < days and units > 0:
            arrivals[day] = arrivals.get(day, 0.0) + float(units)
    on_hand = np.empty(days)
    out_today = np.empty(days)
    out_by = np.empty(days)
    lost = np.empty(days)
    waste = np.zeros(days)
    ever_out = np.zeros(n_paths, dtype=bool)
    for day in range(days):
        if day in arrivals:
            expiry = (day + int(shelf_life_days) if shelf_life_days and
                      np.isfinite(shelf_life_days) else NEVER)
            quantities.append(np.full(n_paths, arrivals[day]))
            expiries.append(expiry)
            order = np.argsort(expiries, kind="stable")
            quantities = [quantities[i] for i in order]
            expiries = [expiries[i] for i in order]
        remaining = paths[:, day].copy()
        for lot in quantities:  # first expired, first out
            take = np.minimum(lot, remaining)
            lot -= take
            remaining -= take
        short = remaining > 1e-9
        ever_out |= short
        out_today[day] = short.mean()
        out_by[day] = ever_out.mean()
        lost[day] = remaining.mean()
        keep_q, keep_e = [], []
        for lot, expiry in zip(quantities, expiries, strict=True):
            if expiry <= day:
                waste[day] += lot.mean()
            else:
                keep_q.append(lot)
                keep_e.append(expiry)
        quantities, expiries = keep_q, keep_e
        on_hand[day] = sum(lot.mean() for lot in quantities) if quantities else 0.0
    return Projection(dates, on_hand, out_today, out_by, lost, waste)


def lots_from_batches(on_hand: float, batches: pd.DataFrame | None, today: pd.Timestamp,
                      expiry_column: str = "expiry_date", quantity_column: str = "quantity"
                      ) -> list[Lot]:
    """Today's stock as lots: the batches (FEFO order), plus any units they do not cover.

    Batches already expired are not stock: they are left out (and reported by the plan).
    If the batches add up to more than ``on_hand``, the latest-expiring are trimmed,
    because the stock count is what the shelf holds.
    """
    lots: list[Lot] = []
    covered = 0.0
    if batches is not None and not batches.empty:
        rows = batches.sort_values(expiry_column, kind="stable")
        for quantity, expiry in zip(rows[quantity_column], rows[expiry_column], strict=True):
            day = (pd.Timestamp(expiry) - today).days
            if day < 0 or quantity <= 0:
                continue
            take = min(float(quantity), max(on_hand - covered, 0.0))
            if take > 0:
                lots.append(Lot(take, day))
                covered += take
    if on_hand - covered > 1e-9:
        lots.append(Lot(on_hand - covered, NEVER))
    return lots
