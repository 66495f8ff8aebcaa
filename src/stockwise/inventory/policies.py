"""Inventory policy mathematics: EOQ, newsvendor, (s,S), safety stock, service levels.

Everything here is pure arithmetic on numbers and :mod:`.distributions` objects — no
dates, no files — so every order the plan proposes can be recomputed and explained.

Conventions (one period = whatever unit the demand is expressed in, e.g. a day):

- ``h``: holding cost per unit left over per period; ``p``: backorder (shortage) cost per
  unit short per period; ``K``: fixed cost per order; ``D``: demand per period (EOQ uses
  the same time unit for ``D`` and ``h``, e.g. both per year).
- Inventory position = on hand + on order − backorders.
- (s,S): review every period; when the inventory position is **≤ s**, order up to S.
  So s is the highest position at which an order is placed, S − s ≥ 1, and the positions
  visited in a replenishment cycle are S, S − 1, …, s + 1.
- Cycle service level (CSL) = P(no stockout in a replenishment cycle) = F(r) for the
  demand over the protection interval; fill rate = share of demand served from stock.
  They differ — report both.

Textbook oracles (Snyder & Shen, *Fundamentals of Supply Chain Theory*) are in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from stockwise.inventory.policy_costs import (
    SSSolution,
    _out,
    _positive,
    base_stock_level,
    critical_ratio,
    eoq,
    eoq_cost,
    newsvendor,
    newsvendor_cost,
    optimal_ss,
    optimal_ss_poisson,
    service_level_from_costs,
    ss_cost,
)
from stockwise.inventory.policy_levels import (
    cycle_service_level,
    fill_rate,
    lead_time_demand,
    order_up_to_for_fill_rate,
    reorder_point,
    reorder_point_for_fill_rate,
    reorder_point_from_distribution,
    round_order,
    safety_stock_from_distribution,
    safety_stock_normal,
)

# ------------------------------------------------------------------ policy objects


def _fmt(x: float) -> str:
    return f"{x:.6g}"


@runtime_checkable
class InventoryPolicy(Protocol):
    """A replenishment rule: the raw order quantity for an inventory position."""

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any: ...

    def describe(self, inventory_position: float | None = None) -> str: ...


def _explain(
    policy: InventoryPolicy, rule: str, inventory_position: float | None, **context: Any
) -> str:
    if inventory_position is None:
        return rule
    qty = float(policy.order_quantity(inventory_position, **context))
    verdict = f"order {_fmt(qty)}" if qty > 0 else "no order"
    return f"{rule}; position {_fmt(inventory_position)} → {verdict}"


@dataclass(frozen=True)
class ReorderPointPolicy:
    """(s,Q): when the position is ≤ s, order the fewest multiples of Q that lift it
    above s (one Q in normal operation)."""

    s: float
    Q: float

    def __post_init__(self) -> None:
        _positive("Q", self.Q)
        if not np.isfinite(self.s):
            raise ValueError(f"s must be finite, got {self.s}")

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        n = np.floor((self.s - x) / self.Q) + 1.0
        return _out(np.where(x <= self.s, n * self.Q, 0.0))

    def describe(self, inventory_position: float | None = None) -> str:
        rule = (
            f"(s,Q) reorder point: when inventory position ≤ s={_fmt(self.s)}, "
            f"order multiples of Q={_fmt(self.Q)} until above s"
        )
        return _explain(self, rule, inventory_position)


@dataclass(frozen=True)
class MinMaxPolicy:
    """(s,S) min–max: when the position is ≤ s, order S − position."""

    s: float
    S: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.s) and np.isfinite(self.S)) or self.s > self.S:
            raise ValueError(f"(s,S) needs finite s ≤ S, got s={self.s}, S={self.S}")

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        return _out(np.where(x <= self.s, np.maximum(self.S - x, 0.0), 0.0))

    def describe(self, inventory_position: float | None = None) -> str:
        rule = (
            f"(s,S) min-max: when inventory position ≤ s={_fmt(self.s)}, "
            f"order up to S={_fmt(self.S)}"
        )
        return _explain(self, rule, inventory_position)


@dataclass(frozen=True)
class PeriodicReviewPolicy:
    """(R,S) order-up-to: every ``review_period`` periods, order S − position.

    ``order_quantity`` takes ``is_review`` (default True) in its context: off a review
    day nothing is ordered.
    """

    S: float
    review_period: float

    def __post_init__(self) -> None:
        _positive("review_period", self.review_period)
        if not np.isfinite(self.S):
            raise ValueError(f"S must be finite, got {self.S}")

    def order_quantity(
        self, inventory_position: Any, *, is_review: bool = True, **context: Any
    ) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        qty = np.maximum(self.S - x, 0.0) if is_review else np.zeros_like(x)
        return _out(qty)

    def describe(self, inventory_position: float | None = None, *, is_review: bool = True) -> str:
        rule = (
            f"(R,S) periodic review: every R={_fmt(self.review_period)} periods, "
            f"order up to S={_fmt(self.S)}"
        )
        if inventory_position is not None and not is_review:
            return f"{rule}; not a review day → no order"
        return _explain(self, rule, inventory_position)


@dataclass(frozen=True)
class NewsvendorPolicy:
    """Single period: order S − position (S = F⁻¹(p/(p+h)))."""

    S: float

    def __post_init__(self) -> None:
        if not np.isfinite(self.S):
            raise ValueError(f"S must be finite, got {self.S}")

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        return _out(np.maximum(self.S - x, 0.0))

    def describe(self, inventory_position: float | None = None) -> str:
        rule = f"newsvendor (single period): order up to S={_fmt(self.S)}"
        return _explain(self, rule, inventory_position)


__all__ = [
    "InventoryPolicy",
    "MinMaxPolicy",
    "NewsvendorPolicy",
    "PeriodicReviewPolicy",
    "ReorderPointPolicy",
    "SSSolution",
    "base_stock_level",
    "critical_ratio",
    "cycle_service_level",
    "eoq",
    "eoq_cost",
    "fill_rate",
    "lead_time_demand",
    "newsvendor",
    "newsvendor_cost",
    "optimal_ss",
    "optimal_ss_poisson",
    "order_up_to_for_fill_rate",
    "reorder_point",
    "reorder_point_for_fill_rate",
    "reorder_point_from_distribution",
    "round_order",
    "safety_stock_from_distribution",
    "safety_stock_normal",
    "service_level_from_costs",
    "ss_cost",
]
