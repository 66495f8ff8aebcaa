"""The order list in money: its totals, and the same per supplier.

A buyer signs off an order list by its bill and weighs it against what is at stake, so
every output (CLI, workbook, report, API) shows the same four sums, computed here once:

- ``order_value``: the lines with an order quantity (the workbook's "Orders" sheet), at
  unit cost;
- ``lost_value_at_stake``: the expected lost sales within the lead time of every planned
  product (``expected_lost_value``: at the selling price, unit cost when none is known);
- ``excess_value``: stock above need, at unit cost;
- ``waste_value``: units expected to expire unsold, at unit cost.

Sums are per currency: values in two currencies are never added together (nothing is
converted). A plan without a ``currency`` column counts as one unnamed currency ("").
"""

from __future__ import annotations

import pandas as pd

from stockwise import schema as S

TOTALS = {
    "order_value": "order_value",
    "lost_value_at_stake": "expected_lost_value",
    "excess_value": "excess_value",
    "waste_value": "expected_waste_value",
}
"""Total name → the plan column it sums."""
NO_SUPPLIER = "(no supplier)"
"""The group of order lines whose inventory row names no supplier."""


def order_lines(plan: pd.DataFrame) -> pd.DataFrame:
    """The lines with something to order (any urgency): the order list."""
    return plan[plan["order_qty"] > 0] if "order_qty" in plan else plan.iloc[:0]


def currencies(plan: pd.DataFrame) -> list[str]:
    """The plan's currencies, sorted ("" for a plan without the column)."""
    if plan.empty:
        return []
    if "currency" not in plan:
        return [""]
    return sorted({str(c) for c in plan["currency"].fillna("")})


def totals(plan: pd.DataFrame) -> pd.DataFrame:
    """One row per currency: ``currency, order_lines, order_units`` and the four totals
    of :data:`TOTALS` (missing values count as 0)."""
    columns = ["currency", "order_lines", "order_units", *TOTALS]
    rows = []
    money = _with_currency(plan)
    for currency, lines in money.groupby("currency", sort=True):
        ordered = order_lines(lines)
        row = {
            "currency": currency,
            "order_lines": len(ordered),
            "order_units": _sum(ordered, "order_qty"),
        }
        for name, column in TOTALS.items():
            row[name] = _sum(ordered if name == "order_value" else lines, column)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def by_supplier(plan: pd.DataFrame) -> pd.DataFrame:
    """The order list per supplier and currency, largest order value first: ``supplier,
    currency, order_lines, order_units, order_value, lost_value_avoided,
    expected_lost_value``; lines without a supplier form :data:`NO_SUPPLIER`. Empty
    when no line names a supplier (nothing to group by)."""
    columns = [
        S.SUPPLIER,
        "currency",
        "order_lines",
        "order_units",
        "order_value",
        "lost_value_avoided",
        "expected_lost_value",
    ]
    if S.SUPPLIER not in plan or plan[S.SUPPLIER].isna().all():
        return pd.DataFrame(columns=columns)
    ordered = _with_currency(order_lines(plan))
    ordered = ordered.assign(**{S.SUPPLIER: ordered[S.SUPPLIER].fillna(NO_SUPPLIER).astype(str)})
    rows = [
        {
            S.SUPPLIER: supplier,
            "currency": currency,
            "order_lines": len(lines),
            "order_units": _sum(lines, "order_qty"),
            "order_value": _sum(lines, "order_value"),
            "lost_value_avoided": _sum(lines, "lost_value_avoided"),
            "expected_lost_value": _sum(lines, "expected_lost_value"),
        }
        for (supplier, currency), lines in ordered.groupby([S.SUPPLIER, "currency"], sort=True)
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["currency", "order_value", S.SUPPLIER],
        ascending=[True, False, True],
        kind="stable",
        ignore_index=True,
    )


def format_money(value: float, currency: str = "") -> str:
    """``1234.5, "EUR"`` → ``"1,234.50 EUR"`` (the way every text output writes money)."""
    return f"{value:,.2f} {currency}".rstrip()


def _with_currency(plan: pd.DataFrame) -> pd.DataFrame:
    currency = plan["currency"].fillna("").astype(str) if "currency" in plan else ""
    return plan.assign(currency=currency)


def _sum(frame: pd.DataFrame, column: str) -> float:
    if column not in frame:
        return 0.0
    values = pd.to_numeric(frame[column], errors="coerce")
    return float(values[values.abs() != float("inf")].fillna(0.0).sum())
