"""One product's shelf in a replay: lots on hand in expiry order, consumed first expired,
first out, the orders due, and the backlog."""

from __future__ import annotations

import bisect

from stockwise.inventory.projection import NEVER


class LotStock:
    """One product's shelf: lots [units, expiry day] in expiry order, orders, backlog."""

    __slots__ = ("backlog", "lots", "pipeline", "shelf")

    def __init__(self, shelf: int | None) -> None:
        self.lots: list[list[float]] = []
        self.pipeline: dict[int, float] = {}
        self.backlog = 0.0
        self.shelf = shelf

    def on_hand(self) -> float:
        return float(sum(lot[0] for lot in self.lots))

    def add(self, units: float, day: int) -> None:
        expiry = day + self.shelf if self.shelf is not None else NEVER
        keys = [lot[1] for lot in self.lots]
        at = bisect.bisect_left(keys, expiry)
        if at < len(self.lots) and self.lots[at][1] == expiry:
            self.lots[at][0] += units
        else:
            self.lots.insert(at, [units, expiry])

    def take(self, units: float) -> float:
        """Serve up to ``units`` first expired, first out; returns the units served."""
        served = 0.0
        for lot in self.lots:
            if units <= 0:
                break
            part = min(lot[0], units)
            lot[0] -= part
            units -= part
            served += part
        self.lots = [lot for lot in self.lots if lot[0] > 1e-12]
        return served

    def expire(self, day: int) -> float:
        wasted = sum(lot[0] for lot in self.lots if lot[1] <= day)
        if wasted:
            self.lots = [lot for lot in self.lots if lot[1] > day]
        return float(wasted)
