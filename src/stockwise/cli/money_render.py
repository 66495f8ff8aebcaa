"""The order list in money on the terminal: the bill, what is at stake, per supplier, and
what a budget left out (the numbers come from :mod:`stockwise.inventory.money`)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from stockwise.inventory.budget import BudgetOutcome
from stockwise.inventory.money import by_supplier, format_money, totals
from stockwise.words import localise, number, say, tr

MAX_SUPPLIER_LINES = 10
"""Suppliers listed one per line up to this many (more: see orders_by_supplier.csv)."""
MAX_CUT_SHOWN = 5


BILL = (
    "order bill: {bill} ({lines}, {units} units) · lost sales at stake {lost} · excess "
    "{excess} · expected waste {waste}"
)
SUPPLIER = "  supplier {supplier}: {value} ({lines})"
CUT = "  {product}: {proposed} units {kept} ({value} left out, ~{risk} at risk)"


def render_money(
    console: Console, plan: pd.DataFrame, budget: BudgetOutcome | None, lang: str = "en"
) -> None:
    """One line per currency with the four totals, one per supplier when there are few,
    and the budget's outcome with the lines it cut most; in ``lang``."""

    def money(value: float, currency: str) -> str:
        return localise(format_money(value, currency), lang)

    for row in totals(plan).itertuples(index=False):
        code = row.currency
        console.print(
            tr(
                BILL,
                lang,
                bill=money(row.order_value, code),
                lines=_lines(row.order_lines, lang),
                units=number(row.order_units, lang),
                lost=money(row.lost_value_at_stake, code),
                excess=money(row.excess_value, code),
                waste=money(row.waste_value, code),
            ),
            highlight=False,
        )
    suppliers = by_supplier(plan)
    if 0 < len(suppliers) <= MAX_SUPPLIER_LINES:
        for row in suppliers.itertuples(index=False):
            console.print(
                tr(
                    SUPPLIER,
                    lang,
                    supplier=row.supplier,
                    value=money(row.order_value, row.currency),
                    lines=_lines(row.order_lines, lang),
                ),
                highlight=False,
            )
    elif len(suppliers) > MAX_SUPPLIER_LINES:
        console.print(
            tr("  {count} suppliers: see orders_by_supplier.csv", lang, count=len(suppliers)),
            highlight=False,
        )
    if budget is None:
        return
    console.print(say(budget.summary(), lang), highlight=False)
    cut = budget.left_out
    for row in cut.head(MAX_CUT_SHOWN).itertuples(index=False):
        kept = (
            tr("left out", lang)
            if row.kept_units <= 0
            else tr("cut to {units}", lang, units=number(row.kept_units, lang))
        )
        console.print(
            tr(
                CUT,
                lang,
                product=row.unique_id,
                proposed=number(row.proposed_units, lang),
                kept=kept,
                value=money(row.value_left_out, budget.currency),
                risk=money(row.risk_left, budget.currency),
            ),
            highlight=False,
        )
    if len(cut) > MAX_CUT_SHOWN:
        console.print(
            tr(
                "  … and {count} more (the workbook's Budget sheet)",
                lang,
                count=len(cut) - MAX_CUT_SHOWN,
            ),
            highlight=False,
        )


def _lines(count: int, lang: str = "en") -> str:
    return (
        tr("{count} line", lang, count=count)
        if count == 1
        else tr("{count} lines", lang, count=count)
    )
