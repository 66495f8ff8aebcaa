"""Inventory engine: from forecast tables to projections, alerts and order proposals.

It reads forecast tables, never models: demand sample paths from the forecast quantiles
(:mod:`paths`), a FEFO stock projection (:mod:`projection`), per-product parameters from
the sector profile and the inventory row (:mod:`parameters`), the order decision
(:mod:`decision`) built on textbook policy math (:mod:`policies`, :mod:`distributions`),
alerts (:mod:`alerts`), the plan that ties them together (:mod:`plan`), its lines
ranked worst first (:mod:`ranking`), its totals in money (:mod:`money`) and a budget
cap on its orders (:mod:`budget`). Stocked-out days are corrected before forecasting
(:mod:`censoring`).
"""

from stockwise.inventory.budget import BudgetOutcome, apply_budget
from stockwise.inventory.censoring import censoring_summary, uncensor_demand
from stockwise.inventory.plan import InventoryPlan, build_plan
from stockwise.inventory.plan_options import PlanOptions, ProductFacts

__all__ = [
    "BudgetOutcome",
    "InventoryPlan",
    "PlanOptions",
    "ProductFacts",
    "apply_budget",
    "build_plan",
    "censoring_summary",
    "uncensor_demand",
]
