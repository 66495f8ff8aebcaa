"""Hierarchies: levels declared from columns, their summing matrix, and reconciliation.

- :class:`HierarchySpec` — ``"sector/category/product"`` paths crossed with ``"store"``;
- :func:`build_structure` / :func:`aggregate` — the summing matrix ``S`` and every level's
  series;
- :func:`reconcile` — bottom-up, top-down, OLS, WLS and MinT (shrinkage) reconciliation;
- :func:`backtest_methods` — each method scored per level on rolling-origin windows;
- :func:`sales_at_level` — sales summed to one level, e.g. to plan a distribution centre.

The workflow that forecasts every level and reconciles them is
:func:`stockwise.workflows.hierarchy_forecast.forecast_hierarchy`.
"""

from stockwise.hierarchy.reconcile import METHODS, non_negative, reconcile, shrunk_covariance
from stockwise.hierarchy.selection import backtest_methods
from stockwise.hierarchy.spec import HierarchySpec
from stockwise.hierarchy.structure import Structure, aggregate, bottom_attributes, build_structure

__all__ = [
    "METHODS",
    "HierarchySpec",
    "Structure",
    "aggregate",
    "backtest_methods",
    "bottom_attributes",
    "build_structure",
    "non_negative",
    "reconcile",
    "shrunk_covariance",
]
