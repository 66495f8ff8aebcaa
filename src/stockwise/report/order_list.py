"""The order list as a workbook a buyer can open: formatted, filterable, most urgent first.

Sheets: "Orders" (lines to order now and soon), "Totals" (the bill, lost sales at stake,
excess and waste per currency, and the budget when there is one), "By supplier" (when the
inventory names suppliers), "Budget" (the lines a budget cut), "Plan" (every product),
"Alerts", each worst first as the plan ranks them, and "Settings" (the profile, service
target, lead times, models … that produced it). The Orders sheet, the one a buyer works
from, has headers in words (:data:`ORDER_HEADERS`); the Plan and Alerts sheets keep the
CSV's column names, so they match plan.csv, with a note on the headers whose meaning is
not obvious (:data:`HEADER_NOTES`). Dates, money (with its currency code) and percentages
get number formats, headers are frozen with filters on (every column sorts, by value
too), and the urgency of each line is colour-coded so the first screen shows what to do
today.
Text from the user's files (ids, sectors, messages) that a spreadsheet would evaluate is
stored as plain text, never as a formula (see ``stockwise.cells``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from stockwise.cells import decimals_of, looks_like_formula
from stockwise.inventory.budget import left_out
from stockwise.inventory.money import TOTALS, by_supplier, currencies, totals
from stockwise.words import (
    EXCEL_DAY_FORMAT,
    SENTENCES,
    check_language,
    say_columns,
    tr,
    tr_map,
)

ORDER_COLUMNS = [
    "unique_id",
    "product",
    "store",
    "sector",
    "supplier",
    "urgency",
    "order_date",
    "order_qty",
    "order_value",
    "currency",
    "arrival_date",
    "stockout_date",
    "stockout_probability",
    "expected_lost_value",
    "lost_value_avoided",
    "budget_cut_units",
    "days_of_cover",
    "on_hand",
    "on_order",
    "on_order_due",
    "reorder_point",
    "order_up_to",
    "service_level",
    "fill_rate",
    "alert",
    "severity",
    "value_at_stake",
    "reason",
]
ORDER_HEADERS = {
    "unique_id": "id",
    "product": "product",
    "store": "store",
    "sector": "sector",
    "supplier": "supplier",
    "urgency": "urgency",
    "currency": "currency",
    "expected_lost_value": "lost sales at stake (value)",
    "lost_value_avoided": "lost sales this order avoids (value)",
    "budget_cut_units": "units cut by the budget",
    "order_date": "order on",
    "order_qty": "order quantity",
    "order_value": "order value",
    "arrival_date": "arrives (if ordered on time)",
    "stockout_date": "runs out if nothing is ordered",
    "stockout_probability": "P(stockout before an order placed today arrives)",
    "days_of_cover": "days of cover",
    "on_hand": "on hand",
    "on_order": "on order",
    "on_order_due": "on order: due on",
    "reorder_point": "reorder point",
    "order_up_to": "order up to",
    "service_level": "service level target",
    "fill_rate": "expected fill rate",
    "alert": "alerts",
    "severity": "worst alert",
    "value_at_stake": "value at stake",
    "reason": "why",
}
"""The Orders sheet's headers, in a buyer's words (other columns keep their names)."""
HEADER_NOTES = {
    "stockout_date": "The day stock runs out if nothing more is ordered (deliveries "
    "already due included).",
    "stockout_probability": "The chance of running out before an order placed today can "
    "arrive (within the lead time): no order placed today "
    "changes it.",
    "on_order_due": "When the open order is due (empty: no date given).",
    "value_at_stake": "The money at stake in the line's most severe alert (lost sales, "
    "excess or expiring stock at cost).",
}
"""Notes on the Plan and Alerts sheets' headers whose meaning is not obvious."""
MONEY = {
    "order_value",
    "excess_value",
    "expected_waste_value",
    "value_at_stake",
    "expected_lost_value",
    "lost_value_avoided",
    "budget_cut_value",
    "value_left_out",
    "risk_left",
    *TOTALS,
}
TOTAL_NOTES = {
    "order_value": "lines with an order quantity, at unit cost",
    "lost_value_at_stake": "expected lost sales within the lead time, every product, at "
    "the selling price (unit cost without one)",
    "excess_value": "stock above need, at unit cost",
    "waste_value": "units expected to expire unsold, at unit cost",
}
PERCENT = {"stockout_probability", "service_level", "cycle_service_level", "fill_rate"}
DATES = {"order_date", "arrival_date", "stockout_date", "on_order_due"}
URGENCY_FILL = {
    "order now": "F8CBAD",
    "at risk": "FCE4D6",
    "order soon": "FFF2CC",
    "planned": "E2EFDA",
}
SEVERITY_FILL = {"critical": "F8CBAD", "high": "FCE4D6", "medium": "FFF2CC", "low": "E2EFDA"}


def write_order_workbook(
    plan: pd.DataFrame,
    alerts: pd.DataFrame,
    path: str | Path,
    settings: pd.DataFrame | None = None,
    *,
    budget: float | None = None,
    lang: str = "en",
) -> Path:
    """Write the formatted workbook and return its path (``budget``: the cap the plan was
    held to, shown on the Totals sheet; the Budget sheet lists the lines it cut). ``lang``:
    the sheet names, the Orders sheet's headers and codes (urgency, severity), every
    sentence (reasons, alerts) and the dates in "en" or "fr" (:mod:`stockwise.words`); the
    Plan and Alerts sheets keep plan.csv's column names and codes.

    ``settings``: the run's settings as a sheet (``report.settings_view.settings_sheet``).

    Written row by row with XlsxWriter in constant-memory mode: a chain's plan has
    100,000 lines, which an in-memory workbook would hold as millions of cell objects.
    Text is always written as text (never as a formula), and formula-looking text gets
    Excel's quote prefix so it stays text when edited.
    """
    lang = check_language(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    orders = plan[plan["order_qty"] > 0] if "order_qty" in plan else plan
    orders = say_columns(orders[[c for c in ORDER_COLUMNS if c in orders.columns]], lang)
    plan, alerts = say_columns(plan, lang, SENTENCES), say_columns(alerts, lang, SENTENCES)
    days = EXCEL_DAY_FORMAT[lang]
    found = currencies(plan)
    money = _money_format(found[0] if len(found) == 1 else "")
    cut = left_out(plan)
    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        styles = _Styles(book)

        def new_sheet(name: str) -> Any:
            return book.add_worksheet(tr(name, lang))

        _sheet(
            new_sheet("Orders"),
            orders,
            "urgency",
            {tr(k, lang): v for k, v in URGENCY_FILL.items()},
            styles,
            money,
            tr_map(ORDER_HEADERS, lang),
            days,
        )
        _totals_sheet(new_sheet("Totals"), plan, cut, budget, styles)
        suppliers = by_supplier(plan)
        if "supplier" in plan and plan["supplier"].notna().any():
            _sheet(new_sheet("By supplier"), suppliers, "", {}, styles, money, None, days)
        if budget is not None or not cut.empty:
            _sheet(new_sheet("Budget"), cut, "urgency", URGENCY_FILL, styles, money, None, days)
        _sheet(new_sheet("Plan"), plan, "urgency", URGENCY_FILL, styles, money, None, days)
        _sheet(new_sheet("Alerts"), alerts, "severity", SEVERITY_FILL, styles, money, None, days)
        if settings is not None:
            sheet = new_sheet("Settings")
            _sheet(sheet, settings, "", {}, styles)
            sheet.set_column(0, 0, 40)
            sheet.set_column(1, max(len(settings.columns) - 1, 1), 60)
    return path


def _totals_sheet(
    sheet: Any, plan: pd.DataFrame, cut: pd.DataFrame, budget: float | None, styles: _Styles
) -> None:
    """The order list's totals per currency, what each sums, and the budget's outcome."""
    table = totals(plan)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, len(table.columns), 18)
    for position, name in enumerate(table.columns):
        sheet.write_string(0, position, name, styles.header)
    row = 1
    for line in table.itertuples(index=False):
        for position, (name, value) in enumerate(zip(table.columns, line, strict=True)):
            if name == "currency":
                sheet.write_string(row, position, str(value))
            else:
                number = _money_format(line.currency) if name in MONEY else "#,##0"
                sheet.write_number(row, position, float(value), styles.get(number))
        row += 1
    row += 1
    for name, note in TOTAL_NOTES.items():
        sheet.write_string(row, 0, name)
        sheet.write_string(row, 1, note)
        row += 1
    if budget is None and cut.empty:
        return
    currency = str(table["currency"].iloc[0]) if len(table) == 1 else ""
    number = styles.get(_money_format(currency))
    row += 1
    sheet.write_string(row, 0, "budget outcome", styles.header)
    sheet.write_string(row, 1, "amount", styles.header)
    lines: list[tuple[str, float | None]] = (
        [("budget", budget)] if budget is not None else []
    )  # unknown to an export
    lines += [
        ("spent", float(table["order_value"].sum())),
        ("lines left out or cut down", None),
        ("value left out", float(cut["value_left_out"].sum())),
        ("expected lost sales left at risk", float(cut["risk_left"].sum())),
    ]
    for label, value in lines:
        row += 1
        sheet.write_string(row, 0, label)
        if value is None:  # the count of lines
            sheet.write_number(row, 1, len(cut))
        else:
            sheet.write_number(row, 1, value, number)


def _money_format(currency: str) -> str:
    """Money with two decimals, and its currency code when it has one."""
    return f'#,##0.00 "{currency}"' if currency and currency.isalpha() else "#,##0.00"


class _Styles:
    """One XlsxWriter format per (number format, fill colour, quote prefix), made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self._made: dict[tuple[str | None, str | None, bool], Any] = {}
        self.header = book.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": "#305496",
                "pattern": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.quoted_header = book.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": "#305496",
                "pattern": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "quote_prefix": True,
            }
        )

    def get(self, number: str | None, fill: str | None = None, quote: bool = False) -> Any:
        key = (number, fill, quote)
        if key not in self._made:
            spec: dict[str, object] = {}
            if number:
                spec["num_format"] = number
            if fill:
                spec.update(bg_color=f"#{fill}", pattern=1)
            if quote:
                spec["quote_prefix"] = True
            self._made[key] = self.book.add_format(spec) if spec else None
        return self._made[key]


def _sheet(
    sheet: Any,
    frame: pd.DataFrame,
    colour_by: str,
    fills: dict[str, str],
    styles: _Styles,
    money: str = "#,##0.00",
    headers: dict[str, str] | None = None,
    days: str = "yyyy-mm-dd",
) -> None:
    """Header (``headers`` of the columns, else their names; with notes where the name
    alone does not say it), then one row per line: number formats per column (``money``
    for money), the colour of ``colour_by``'s value, text always as text."""
    columns = [str(c) for c in frame.columns]
    titles = [(headers or {}).get(name, name) for name in columns]
    for index, name in enumerate(columns):
        width = 60 if name in ("reason", "message") else max(10, min(len(titles[index]) + 2, 24))
        sheet.set_column(index, index, width)
    for index, name in enumerate(columns):
        quoted = looks_like_formula(titles[index])
        sheet.write_string(
            0, index, titles[index], styles.quoted_header if quoted else styles.header
        )
        if headers is None and name in HEADER_NOTES:
            sheet.write_comment(0, index, HEADER_NOTES[name])
    sheet.freeze_panes(1, 1)
    if columns:
        sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
    formats = [
        money if name in MONEY else _number_format(name, frame[name], days) for name in columns
    ]
    colour_at = columns.index(colour_by) if colour_by in columns else -1
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        for position, raw in enumerate(row):
            value = _cell(raw)
            if value is None:
                continue
            fill = fills.get(str(value)) if position == colour_at else None
            if isinstance(value, bool | np.bool_):
                sheet.write_boolean(number, position, bool(value), styles.get(None, fill))
            elif isinstance(value, int | float | np.integer | np.floating):
                sheet.write_number(number, position, value, styles.get(formats[position], fill))
            elif isinstance(value, dt.datetime | dt.date):
                sheet.write_datetime(
                    number, position, value, styles.get(formats[position] or days, fill)
                )
            else:
                text = str(value)
                sheet.write_string(
                    number, position, text, styles.get(None, fill, looks_like_formula(text))
                )


def _number_format(name: str, values: pd.Series, days: str = "yyyy-mm-dd") -> str | None:
    """The cell format of a column, by its meaning (:func:`stockwise.cells.decimals_of`):
    whole units without decimals, money to the cent. Excel shows the separators of the
    reader's locale ("1 128" in French Excel); dates are written as the language writes
    them (``days``)."""
    if name in MONEY:
        return "#,##0.00"
    if name in PERCENT:
        return "0.0%"
    if name in DATES:
        return days
    if not pd.api.types.is_float_dtype(values):
        return None
    places = decimals_of(name)
    return "#,##0" if places == 0 else "#,##0.00" if places == 2 else "#,##0.0"


def _cell(value: object) -> object:
    """A value as written: missing and infinite values as empty cells, timestamps as
    datetimes."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return None
    return value
