"""Per-product planning parameters: the sector profile's defaults, overridden per product.

The inventory table may carry any of these columns for a product (e.g. a critical drug
with ``service_level`` 0.995, or a supplier with ``review_period_days`` 14); where the
cell is empty the sector profile decides, and where there is no profile, conservative
generic defaults do. Keeping the resolution in one place makes every order explainable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.errors import OptionError
from stockwise.sectors import SectorProfile

POLICIES = ("RS", "sS", "sQ")
DEFAULTS = {
    "service_level": 0.95,
    "review_period_days": 7,
    "holding_cost_rate": 0.20,
    "ordering_cost": 10.0,
    "shortage_cost_rate": 1.0,
    "lead_time_days": 7.0,
    "lead_time_std_days": 0.0,
}
OVERRIDABLE = (
    "service_level",
    "review_period_days",
    "holding_cost_rate",
    "ordering_cost",
    "shortage_cost_rate",
    "policy",
    "max_stock",
)


@dataclass(frozen=True)
class ProductParameters:
    """Everything the plan needs to decide one product's order."""

    unique_id: str
    sector: str
    on_hand: float
    on_order: float
    on_order_due: pd.Timestamp | None
    lead_time_days: float
    lead_time_std_days: float
    review_period_days: int
    service_level: float
    holding_cost_rate: float
    ordering_cost: float
    shortage_cost_rate: float
    """Cost of one unit short, as a fraction of its unit cost (lost margin, goodwill)."""
    unit_cost: float
    moq: float
    pack_size: float
    max_stock: float | None
    shelf_life_days: float | None
    policy: str

    @property
    def holding_cost_per_unit_year(self) -> float:
        return self.holding_cost_rate * self.unit_cost

    def cost_based_service_level(self) -> float:
        """Critical ratio p / (p + h): shortage cost per unit against the cost of holding
        a unit one review period longer (newsvendor logic per cycle)."""
        holding = self.holding_cost_rate * self.review_period_days / 365.0
        shortage = self.shortage_cost_rate
        if shortage <= 0:
            return 0.5
        return min(max(shortage / (shortage + holding), 0.5), 0.9995)


def resolve(row: pd.Series, profile: SectorProfile | None, policy: str = "RS") -> ProductParameters:
    """Combine one inventory row with its sector profile (row values win when present)."""

    def pick(column: str, fallback: Any) -> Any:  # a cell: number, text, date …
        value = row.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return fallback
        if isinstance(value, str) and not value.strip():
            return fallback
        return value

    profile_values = _profile_values(profile)
    lead_mid = profile.lead_time_days.mid if profile is not None else DEFAULTS["lead_time_days"]
    chosen_policy = str(pick("policy", policy))
    if chosen_policy not in POLICIES:
        raise OptionError(
            f"product {row[S.UNIQUE_ID]}: unknown policy {chosen_policy!r}; use one of {POLICIES}"
        )
    due = pick(S.ON_ORDER_DUE, None)
    shelf = pick(S.SHELF_LIFE_DAYS, None)
    max_stock = pick("max_stock", None)
    return ProductParameters(
        unique_id=str(row[S.UNIQUE_ID]),
        sector=str(pick(S.SECTOR, profile.name if profile else "all")),
        on_hand=float(row[S.ON_HAND]),
        on_order=float(pick(S.ON_ORDER, 0.0)),
        on_order_due=pd.Timestamp(due) if due is not None else None,
        lead_time_days=float(pick(S.LEAD_TIME_DAYS, lead_mid)),
        lead_time_std_days=float(pick(S.LEAD_TIME_STD_DAYS, 0.0)),
        review_period_days=max(
            int(pick("review_period_days", profile_values["review_period_days"])), 1
        ),
        service_level=float(pick("service_level", profile_values["service_level"])),
        holding_cost_rate=float(pick("holding_cost_rate", profile_values["holding_cost_rate"])),
        ordering_cost=float(pick("ordering_cost", profile_values["ordering_cost"])),
        shortage_cost_rate=float(pick("shortage_cost_rate", profile_values["shortage_cost_rate"])),
        unit_cost=float(pick(S.UNIT_COST, 0.0)),
        moq=float(pick(S.MOQ, 0.0)),
        pack_size=max(float(pick(S.PACK_SIZE, 1.0)), 1.0),
        max_stock=float(max_stock) if max_stock is not None else None,
        shelf_life_days=float(shelf) if shelf is not None else None,
        policy=chosen_policy,
    )


def _profile_values(profile: SectorProfile | None) -> dict[str, float]:
    if profile is None:
        return dict(DEFAULTS)
    return {
        "service_level": profile.service_level,
        "review_period_days": profile.review_period_days,
        "holding_cost_rate": profile.holding_cost_rate,
        "ordering_cost": profile.ordering_cost,
        "shortage_cost_rate": profile.shortage_cost_rate,
    }
