"""The order list as a workbook a buyer can open: formatted, filterable, most urgent first.

Sheets: "Orders" (lines to order now and soon), "Plan" (every product), "Alerts". Dates,
money and percentages get number formats, headers are frozen with filters on, and the
urgency of each line is colour-coded so the first screen shows what to do today.
Text from the user's files (ids, sectors, messages) that a spreadsheet would evaluate is
stored as plain text, never as a formula (see ``stockwise.cells``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from stockwise.cells import looks_like_formula, protect_cell

ORDER_COLUMNS = [
    "unique_id", "sector", "urgency", "order_date", "order_qty", "order_value",
    "arrival_date", "stockout_date", "stockout_probability", "days_of_cover", "on_hand",
    "on_order", "reorder_point", "order_up_to", "service_level", "fill_rate", "alert",
    "reason",
]
MONEY = {"order_value", "excess_value", "expected_waste_value", "value_at_stake"}
PERCENT = {"stockout_probability", "service_level", "cycle_service_level", "fill_rate"}
DATES = {"order_date", "arrival_date", "stockout_date"}
URGENCY_FILL = {"order now": "F8CBAD", "at risk": "FCE4D6", "order soon": "FFF2CC",
                "planned": "E2EFDA"}
SEVERITY_FILL = {"critical": "F8CBAD", "high": "FCE4D6", "medium": "FFF2CC", "low": "E2EFDA"}


def write_order_workbook(plan: pd.DataFrame, alerts: pd.DataFrame, path: str | Path) -> Path:
    """Write the formatted workbook and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    orders = plan[plan["order_qty"] > 0] if "order_qty" in plan else plan
    orders = orders[[c for c in ORDER_COLUMNS if c in orders.columns]]
    _sheet(book.active, "Orders", orders, "urgency", URGENCY_FILL)
    _sheet(book.create_sheet(), "Plan", plan, "urgency", URGENCY_FILL)
    _sheet(book.create_sheet(), "Alerts", alerts, "severity", SEVERITY_FILL)
    book.save(path)
    return path


def _sheet(sheet: Worksheet, title: str, frame: pd.DataFrame, colour_by: str,
           fills: dict[str, str]) -> None:
    sheet.title = title
    columns = list(frame.columns)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        protect_cell(cell)
    for row in frame.itertuples(index=False):
        values = [_cell(v) for v in row]
        sheet.append(values)
        for position, value in enumerate(values, start=1):
            if looks_like_formula(value):
                protect_cell(sheet.cell(row=sheet.max_row, column=position))
    for index, name in enumerate(columns, start=1):
        letter = get_column_letter(index)
        fmt = ("#,##0.00" if name in MONEY else "0.0%" if name in PERCENT else
               "yyyy-mm-dd" if name in DATES else None)
        if fmt is None and pd.api.types.is_float_dtype(frame[name]):
            fmt = "#,##0.0"
        if fmt:
            for cell in sheet[letter][1:]:
                cell.number_format = fmt
        width = 60 if name in ("reason", "message") else max(10, min(len(name) + 2, 24))
        sheet.column_dimensions[letter].width = width
    if colour_by in columns:
        position = columns.index(colour_by)
        for row in sheet.iter_rows(min_row=2):
            colour = fills.get(str(row[position].value))
            if colour:
                row[position].fill = PatternFill("solid", fgColor=colour)
    sheet.freeze_panes = "B2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(frame) + 1, 1)}"


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return None
    return value
