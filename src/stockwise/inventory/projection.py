"""Day-by-day stock projection over demand sample paths, with FEFO batch expiry.

Each path starts from today's stock split into batches (lots with expiry dates; units not
covered by a batch never expire), receives the due orders, and serves demand first
expired, first out. Unserved demand is lost (the projection answers "what happens if we
do nothing more"). Batches still holding units at the end of their expiry day are
written off. Averaging over paths gives the expected stock, the probability of being out
of stock on each day, the expected lost sales and the expected waste per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from stockwise import schema as S

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

    COLUMNS = (
        ("expected_on_hand", "expected_on_hand"),
        ("stockout_probability", "stockout_probability"),
        ("stockout_by", "stockout_by"),
        ("expected_lost_sales", "expected_lost"),
        ("expected_waste", "expected_waste"),
    )
    """(column of :meth:`to_frame`, attribute) after ``ds``."""

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"ds": self.dates, **{name: getattr(self, field) for name, field in self.COLUMNS}}
        )


def project(
    paths: np.ndarray,
    dates: pd.DatetimeIndex,
    lots: list[Lot],
    receipts: Sequence[tuple[int, float]] = (),
    shelf_life_days: float | None = None,
) -> Projection:
    """Project stock along every path; ``receipts`` are (day index, units) arrivals.

    Received units expire ``shelf_life_days`` after arrival when that is known.
    """
    n_paths, days = paths.shape
    arrivals: dict[int, float] = {}
    for day, units in receipts:
        if 0 <= day < days and units > 0:
            arrivals[day] = arrivals.get(day, 0.0) + float(units)
    expiries = [lot.expiry for lot in lots]
    whole_days = all(isinstance(e, int | np.integer) for e in expiries)
    in_order = whole_days and all(a <= b for a, b in pairwise(expiries))
    if (
        n_paths == 0
        or days == 0
        or not whole_days
        or (arrivals and not in_order)
        or not all(lot.quantity >= 0 for lot in lots)
        or not paths.min() >= 0
    ):
        return _project_by_day(paths, dates, lots, arrivals, shelf_life_days)
    stock = [(float(lot.quantity), int(lot.expiry), 0) for lot in lots]
    for day in sorted(arrivals):
        expiry = (
            day + int(shelf_life_days)
            if shelf_life_days and np.isfinite(shelf_life_days)
            else NEVER
        )
        stock.append((arrivals[day], expiry, day))
    if arrivals:  # from a receipt on, first expiring first; on a tie, the lot there first
        stock.sort(key=lambda lot: lot[1])
    return _project_by_lot(paths, dates, stock)


def _project_by_lot(
    paths: np.ndarray, dates: pd.DatetimeIndex, stock: list[tuple[float, int, int]]
) -> Projection:
    """FEFO lot by lot, all days at once: each lot serves what the lots before it left.

    ``stock``: (units, expiry day, arrival day) in the order the lots are served, which
    stays the same on every day (expiry, then arrival). A lot's running stock is its
    units minus the demand that reaches it, day after day, until it runs out or expires;
    the demand it cannot serve goes on to the next lot, and what no lot serves is lost.
    The arithmetic is the day-by-day simulation's, in the same order, so the results are
    the same to the last bit; it only runs over days instead of over lots and days.
    """
    n_paths, days = paths.shape
    demand = paths.T.copy(order="C")  # (days, paths): demand not served so far
    on_hand = np.zeros(days)
    waste = np.zeros(days)
    work = np.empty_like(demand)
    for units, expiry, start in stock:
        removed = max(expiry, start)  # written off at the end of that day
        last = min(removed, days - 1)
        if last < start:
            continue
        span = last - start + 1
        left = work[:span]  # the lot's units left at the end of each day, < 0 once out
        before = np.full(n_paths, units)
        for i in range(span):
            before = np.subtract(before, demand[start + i], out=left[i])
            if i % 7 == 6 and before.max() < 0:  # out on every path: the rest passes on
                span = i + 1
                break
        left = left[:span]
        reaching = demand[start : start + span]
        if left[-1].min() >= 0:  # it lasts on every path: it serves all that reaches it
            reaching[...] = 0.0
        else:
            # demand beyond what the lot held that morning goes on; while it lasts that
            # is nothing, and the (exact) difference is ≤ 0, so a floor at 0 says it
            np.maximum(left, 0.0, out=left)
            np.subtract(reaching[1:], left[:-1], out=reaching[1:])
            np.subtract(reaching[:1], units, out=reaching[:1])
            np.maximum(reaching, 0.0, out=reaching)
        held = left.mean(axis=1)
        present = min(removed, days) - start  # days it is still there at the end of
        on_hand[start : start + min(span, present)] += held[:present]
        if span > present:  # it expires within the horizon, holding what it holds
            waste[removed] += held[present]
    # paths short on each day, and short on or before it: counted as bits, 8 paths a byte
    short = np.packbits(demand > 1e-9, axis=1)
    shortages = np.bitwise_count(short).sum(axis=1)
    ran_out = np.bitwise_count(np.bitwise_or.accumulate(short, axis=0)).sum(axis=1)
    return Projection(
        dates, on_hand, shortages / n_paths, ran_out / n_paths, demand.mean(axis=1), waste
    )


def _project_by_day(
    paths: np.ndarray,
    dates: pd.DatetimeIndex,
    lots: list[Lot],
    arrivals: dict[int, float],
    shelf_life_days: float | None,
) -> Projection:
    """The plain day-by-day simulation, for the cases :func:`_project_by_lot` leaves out
    (lots not in expiry order before a receipt, negative stock or demand, no paths)."""
    n_paths, days = paths.shape
    quantities = [np.full(n_paths, float(lot.quantity)) for lot in lots]
    expiries = [lot.expiry for lot in lots]
    on_hand = np.empty(days)
    out_today = np.empty(days)
    out_by = np.empty(days)
    lost = np.empty(days)
    waste = np.zeros(days)
    ever_out = np.zeros(n_paths, dtype=bool)
    for day in range(days):
        if day in arrivals:
            expiry = (
                day + int(shelf_life_days)
                if shelf_life_days and np.isfinite(shelf_life_days)
                else NEVER
            )
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


def lots_from_batches(
    on_hand: float,
    batches: pd.DataFrame | None,
    today: pd.Timestamp,
    expiry_column: str = S.EXPIRY_DATE,
    quantity_column: str = S.QUANTITY,
) -> list[Lot]:
    """Today's stock as lots: the batches (FEFO order), plus any units they do not cover.

    Batches already expired are not stock: they are left out (and reported by the plan).
    If the batches add up to more than ``on_hand``, the latest-expiring are trimmed,
    because the stock count is what the shelf holds.
    """
    if batches is None or batches.empty:
        return stock_lots(on_hand, ())
    rows = batches.sort_values(expiry_column, kind="stable")
    days = [(pd.Timestamp(expiry) - today).days for expiry in rows[expiry_column]]
    return stock_lots(on_hand, zip(rows[quantity_column], days, strict=True))


def stock_lots(on_hand: float, batches: Iterable[tuple[float, int]]) -> list[Lot]:
    """:func:`lots_from_batches` from (quantity, days to expiry) pairs in expiry order."""
    lots: list[Lot] = []
    covered = 0.0
    for quantity, day in batches:
        if day < 0 or quantity <= 0:
            continue
        take = min(float(quantity), max(on_hand - covered, 0.0))
        if take > 0:
            lots.append(Lot(take, day))
            covered += take
    if on_hand - covered > 1e-9:
        lots.append(Lot(on_hand - covered, NEVER))
    return lots
