"""Worst first: the one order in which the plan's lines are listed everywhere.

A buyer reads the top of a list and stops, so the top must hold what costs most to
ignore. The plan, the CLI's urgent table, the report and the dashboard all list lines in
this order (:func:`rank_plan`):

1. **Critical** lines: the shelf is empty, or running out before an order placed today
   can arrive is more likely than not, or a late delivery leaves the shelf empty. Nothing
   ordered today prevents the loss, only expediting or moving stock can: most money at
   stake first (the expected lost sales).
2. **Order now**: the lines to order today, by risk × value (the chance of running out
   before an order placed today arrives × the money at stake), then by order value.
3. **At risk**: a stockout risk above what the service level tolerates, without an order
   today; most money at stake first.
4. **Order soon**, then **planned**, then **no action**: by stockout risk, then money.

Ties keep the input order (the sort is stable), so ranking twice changes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
URGENCY_TIER = {"order now": 1, "at risk": 2, "order soon": 3, "planned": 4, "no action": 5}
CRITICAL_TIER = 0


def priority_tier(plan: pd.DataFrame) -> pd.Series:
    """0 for critical lines, else the urgency's tier (see the module docstring)."""
    tier = plan["urgency"].map(URGENCY_TIER).fillna(len(URGENCY_TIER) + 1).astype(int)
    return tier.where(~_critical(plan), CRITICAL_TIER)


def rank_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan's lines worst first (a new frame, index reset)."""
    if plan.empty:
        return plan.reset_index(drop=True)
    tier = priority_tier(plan)
    risk = _number(plan, "stockout_probability")
    stake = _number(plan, "value_at_stake")
    order_value = _number(plan, "order_value")
    # within a tier, the money key first: critical and at-risk lines by money at stake,
    # order-now lines by risk × money, the rest by risk (money breaks ties)
    money_first = tier.isin([CRITICAL_TIER, URGENCY_TIER["at risk"]])
    first = np.where(
        money_first,
        stake,
        np.where(tier == URGENCY_TIER["order now"], risk * np.maximum(stake, order_value), risk),
    )
    second = np.where(money_first, risk, np.maximum(stake, order_value))
    keys = pd.DataFrame(
        {
            "tier": tier.to_numpy(),
            "first": -first,
            "second": -second,
            "value": -order_value.to_numpy(),
        },
        index=plan.index,
    )
    order = keys.sort_values(["tier", "first", "second", "value"], kind="stable").index
    return plan.loc[order].reset_index(drop=True)


def _critical(plan: pd.DataFrame) -> pd.Series:
    """Lines with a critical alert; for a plan written before the ``severity`` column,
    a stockout alert with an empty shelf or at least even odds of running out."""
    if "severity" in plan.columns:
        return plan["severity"].fillna("").astype(str).eq("critical")
    alerted = plan.get("alert", pd.Series("", index=plan.index)).fillna("").astype(str)
    empty = _number(plan, "on_hand") <= 0
    likely = _number(plan, "stockout_probability") >= 0.5
    return alerted.str.contains("stockout_risk") & (empty | likely)


def _number(plan: pd.DataFrame, column: str) -> pd.Series:
    if column not in plan.columns:
        return pd.Series(0.0, index=plan.index)
    values = pd.to_numeric(plan[column], errors="coerce").astype(float)
    return values.where(np.isfinite(values), 0.0).fillna(0.0)
