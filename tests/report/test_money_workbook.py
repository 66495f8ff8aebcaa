"""The workbook in money: a Totals sheet, a By supplier sheet, the budget's cuts, money
formats with the currency code, and every sheet sortable by value."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from stockwise.inventory.budget import apply_budget
from stockwise.report.order_list import write_order_workbook


def _plan() -> pd.DataFrame:
    rows = [
        ("a", "Acme", 10, 100.0, 300.0),
        ("b", "=SUM(1)", 20, 400.0, 100.0),
        ("c", "Acme", 5, 50.0, 10.0),
        ("d", None, 0, 0.0, 0.0),
    ]
    return pd.DataFrame(
        [
            {
                "unique_id": uid,
                "sector": "retail",
                "supplier": supplier,
                "urgency": "order now",
                "order_qty": qty,
                "order_value": value,
                "currency": "EUR",
                "expected_lost_value": avoided / 2,
                "lost_value_avoided": avoided,
                "excess_value": 7.0,
                "expected_waste_value": 1.5,
                "budget_cut_units": 0.0,
                "budget_cut_value": 0.0,
                "reason": "why",
            }
            for uid, supplier, qty, value, avoided in rows
        ]
    )


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_totals_suppliers_and_budget_sheets(tmp_path: Path) -> None:
    # budget 300, by lost sales avoided per unit of money: a (100 for 300: 3) fits; b (400
    # for 100: 0.25) is cut down to what the 200 left buy at 20 a unit, 10 units; c (50
    # for 10: 0.2) is left out
    capped = apply_budget(_plan(), 300.0).plan
    path = write_order_workbook(capped, pd.DataFrame(), tmp_path / "plan.xlsx", budget=300.0)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Orders", "Totals", "By supplier", "Budget", "Plan", "Alerts"]

    totals = _rows(book["Totals"])
    assert totals[0][:7] == (
        "currency",
        "order_lines",
        "order_units",
        "order_value",
        "lost_value_at_stake",
        "excess_value",
        "waste_value",
    )
    assert totals[1][:7] == ("EUR", 2, 20, 300.0, 205.0, 28.0, 6.0)
    assert book["Totals"].cell(2, 4).number_format == '#,##0.00 "EUR"'
    budget = {row[0]: row[1] for row in totals if row and row[0]}
    assert budget["budget"] == 300.0 and budget["spent"] == 300.0
    assert budget["lines left out or cut down"] == 2 and budget["value left out"] == 250.0
    assert budget["expected lost sales left at risk"] == 60.0  # half of b's 100, c's 10

    suppliers = _rows(book["By supplier"])
    header = suppliers[0]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in suppliers[1:]}
    assert by_name["Acme"]["order_lines"] == 1 and by_name["Acme"]["order_value"] == 100.0
    assert by_name["=SUM(1)"]["order_value"] == 200.0  # a formula-looking name stays text
    assert book["By supplier"]["A2"].data_type == "s"
    assert book["By supplier"].auto_filter.ref.startswith("A1:")

    cut = _rows(book["Budget"])
    assert [row[0] for row in cut[1:]] == ["b", "c"]  # most lost sales left at risk first
    assert cut[1][1] == "=SUM(1)" and cut[1][cut[0].index("kept_units")] == 10

    orders = book["Orders"]
    header = [c.value for c in orders[1]]
    assert orders.auto_filter.ref.startswith("A1:")  # sortable, by value too
    # the Orders sheet speaks the buyer's words (ORDER_HEADERS)
    assert {
        "order value",
        "lost sales at stake (value)",
        "lost sales this order avoids (value)",
        "currency",
        "supplier",
    } <= set(header)
    assert (
        orders.cell(2, header.index("lost sales at stake (value)") + 1).number_format
        == '#,##0.00 "EUR"'
    )


def test_no_supplier_no_budget_no_extra_sheets(tmp_path: Path) -> None:
    plan = _plan().drop(columns="supplier").assign(currency="USD")
    book = openpyxl.load_workbook(
        write_order_workbook(plan, pd.DataFrame(), tmp_path / "plan.xlsx")
    )
    assert book.sheetnames == ["Orders", "Totals", "Plan", "Alerts"]
    assert _rows(book["Totals"])[1][0] == "USD"
    header = [c.value for c in book["Orders"][1]]
    assert book["Orders"].cell(2, header.index("order value") + 1).number_format == '#,##0.00 "USD"'


def test_two_currencies_get_a_totals_row_each_and_no_code_in_the_format(tmp_path: Path) -> None:
    plan = _plan().assign(currency=["EUR", "USD", "EUR", "EUR"])
    book = openpyxl.load_workbook(
        write_order_workbook(plan, pd.DataFrame(), tmp_path / "plan.xlsx")
    )
    totals = _rows(book["Totals"])
    assert [totals[1][0], totals[2][0]] == ["EUR", "USD"]
    assert totals[1][3] == 150.0 and totals[2][3] == 400.0
    header = [c.value for c in book["Orders"][1]]
    assert book["Orders"].cell(2, header.index("order value") + 1).number_format == "#,##0.00"


def test_an_export_of_a_capped_plan_lists_the_cuts_without_inventing_the_budget(
    tmp_path: Path,
) -> None:
    capped = apply_budget(_plan(), 300.0).plan  # written back without the budget amount
    book = openpyxl.load_workbook(
        write_order_workbook(capped, pd.DataFrame(), tmp_path / "plan.xlsx")
    )
    assert "Budget" in book.sheetnames
    labels = {row[0]: row[1] for row in _rows(book["Totals"]) if row and row[0]}
    assert "budget" not in labels and labels["spent"] == 300.0
    assert labels["lines left out or cut down"] == 2
