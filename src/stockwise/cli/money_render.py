"""The order list in money on the terminal: the bill, what is at stake, per supplier, and
what a budget left out (the numbers come from :mod:`stockwise.inventory.money`)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from stockwise.inventory.budget import BudgetOutcome
from stockwise.inventory.money import by_supplier, format_money, totals

MAX_SUPPLIER_LINES = 10
"""Suppliers listed one per line up to this many (more: see orders_by_supplier.csv)."""
MAX_CUT_SHOWN = 5


def render_money(console: Console, plan: pd.DataFrame, budget: BudgetOutcome | None) -> None:
    """One line per currency with the four totals, one per supplier when there are few,
    and the budget's outcome with the lines it cut most."""
    for row in totals(plan).itertuples(index=False):
        money = row.currency
        console.print(
            f"order bill: {format_money(row.order_value, money)} ({_lines(row.order_lines)}, "
            f"{row.order_units:,.0f} units) · lost sales at stake "
            f"{format_money(row.lost_value_at_stake, money)} · excess "
            f"{format_money(row.excess_value, money)} · expected waste "
            f"{format_money(row.waste_value, money)}", highlight=False)
    suppliers = by_supplier(plan)
    if 0 < len(suppliers) <= MAX_SUPPLIER_LINES:
        for row in suppliers.itertuples(index=False):
            value = format_money(row.order_value, row.currency)
            console.print(f"  supplier {row.supplier}: {value} ({_lines(row.order_lines)})",
                          highlight=False)
    elif len(suppliers) > MAX_SUPPLIER_LINES:
        console.print(f"  {len(suppliers)} suppliers: see orders_by_supplier.csv",
                      highlight=False)
    if budget is None:
        return
    console.print(budget.summary(), highlight=False)
    cut = budget.left_out
    for row in cut.head(MAX_CUT_SHOWN).itertuples(index=False):
        kept = "left out" if row.kept_units <= 0 else f"cut to {row.kept_units:g}"
        console.print(f"  {row.unique_id}: {row.proposed_units:g} units {kept} "
                      f"({format_money(row.value_left_out, budget.currency)} left out, "
                      f"~{format_money(row.risk_left, budget.currency)} at risk)",
                      highlight=False)
    if len(cut) > MAX_CUT_SHOWN:
        console.print(f"  … and {len(cut) - MAX_CUT_SHOWN} more (the workbook's Budget sheet)",
                      highlight=False)


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"
