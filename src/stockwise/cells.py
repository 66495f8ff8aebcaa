"""Text cells that a spreadsheet could run: neutralised in every CSV and workbook we write.

Product ids, sectors, messages and column names come from users' files. Excel, LibreOffice
and Google Sheets treat a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some versions, a tab or a carriage return before one) as a formula, so an id such as
``=HYPERLINK(...)`` or ``+cmd|'/c calc'!A1`` in an exported order list would run when a
buyer opens it. The usual defence (OWASP "CSV injection") is applied in one place:

- CSV: such a text cell gets a leading apostrophe, which spreadsheets show as text and
  hide; :func:`unescape_text` undoes it for stockwise's own readers.
- Workbooks: such a cell is stored as a string with Excel's "quote prefix" style, never as
  a formula, so the value read back is exactly the user's text.

Numbers stay numbers: only text is touched, and text that is a plain number (``-12``,
``+3.5``, ``-1e3``) is left alone because a spreadsheet reads it as that number, not a
formula. Every writer goes through :func:`safe_frame` / :func:`write_csv` or
:func:`protect_cell`, so a new export cannot forget it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet evaluate a cell's text."""
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would evaluate (not for numbers, nor number-like text)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and _PLAIN_NUMBER.fullmatch(value) is None
    )


def escape_text(value: Any) -> Any:
    """``value`` with a leading apostrophe when it looks like a formula; otherwise as is."""
    return ESCAPE + value if looks_like_formula(value) else value


def unescape_text(value: Any) -> Any:
    """Undo :func:`escape_text`: ``'=1+1`` back to ``=1+1`` (other text is left alone)."""
    if isinstance(value, str) and value.startswith(ESCAPE) and looks_like_formula(value[1:]):
        return value[1:]
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every formula-looking text cell and column name escaped for CSV.

    Only text columns are looked at, and each distinct value once, so a large table with
    no hostile value costs a hash of its text columns and is returned without a copy.
    """
    changed: dict[int, pd.Series] = {}
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not _is_text(column):
            continue
        distinct = pd.unique(column.dropna().astype(object))
        bad = {v: escape_text(v) for v in distinct if looks_like_formula(v)}
        if bad:
            changed[position] = column.astype(object).replace(bad)
    renamed = [escape_text(c) for c in frame.columns]
    if not changed and renamed == list(frame.columns):
        return frame
    out = frame.copy(deep=False)
    for position, column in changed.items():
        out.isetitem(position, column)
    out.columns = renamed
    return out


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV for people and ERPs is written: separator, decimal mark, byte-order mark.

    French Excel opens a comma-separated, BOM-less UTF-8 file as one mis-encoded column;
    it needs ``;``, a decimal comma and a BOM (:data:`EXCEL_FR`). Other tools expect the
    standard form (:data:`STANDARD`). :meth:`like_input` follows what the user's own file
    was, so a file read from an ERP goes back in the ERP's form.
    """

    sep: str = ","
    decimal: str = "."
    bom: bool = False

    @classmethod
    def like_input(cls, sep: str | None, decimal: str | None) -> CsvFormat:
        """The format of files written back for an input read with ``sep`` / ``decimal``
        (None: not a CSV): semicolon-separated or decimal-comma input gets :data:`EXCEL_FR`."""
        return EXCEL_FR if sep == ";" or decimal == "," else STANDARD

    @classmethod
    def named(cls, name: str, sep: str | None = None, decimal: str | None = None) -> CsvFormat:
        """``"input"`` (like the input, :meth:`like_input`), ``"standard"`` or ``"excel-fr"``."""
        key = name.strip().lower()
        if key == "input":
            return cls.like_input(sep, decimal)
        if key in CSV_FORMATS:
            return CSV_FORMATS[key]
        raise ValueError(f"unknown CSV format {name!r}; use input, {', '.join(CSV_FORMATS)}")

    def options(self) -> dict[str, Any]:
        """The ``DataFrame.to_csv`` options of this format."""
        return {
            "sep": self.sep,
            "decimal": self.decimal,
            "encoding": "utf-8-sig" if self.bom else "utf-8",
        }


STANDARD = CsvFormat()
EXCEL_FR = CsvFormat(sep=";", decimal=",", bom=True)
CSV_FORMATS = {"standard": STANDARD, "excel-fr": EXCEL_FR}
FLOAT_FORMAT = "%.15g"
"""Floats as the shortest text with 15 significant digits: ``4963.200000000001`` (binary
noise from a sum) is written ``4963.2``; no figure stockwise computes has more meaning."""


WHOLE_UNITS = frozenset(
    {
        "order_qty",
        "budget_cut_units",
        "order_units",
        "order_lines",
        "proposed_units",
        "kept_units",
        "moq",
        "pack_size",
    }
)
"""Counts of whole units or lines: written without decimals."""
PROBABILITIES = frozenset(
    {"stockout_probability", "service_level", "cycle_service_level", "fill_rate", "share_won"}
)
"""Probabilities and rates: three decimals (99.95 % is 0.9995, shown as 1.000 only when
it rounds so)."""
MONEY_COLUMNS = frozenset(
    {"value_at_stake", "risk_left", "lost_value_at_stake", "lost_value_avoided"}
)
"""Money that does not end in ``_value``: cents, like every ``*_value`` column."""
RATES = frozenset({"mean_daily_demand"})
"""Units per day: three decimals, so a slow mover's 0.04 a day is not written 0."""
FORECASTS = frozenset({"forecast", "mean"})
"""Forecast columns (and their ``-lo-80`` / ``-hi-80`` bounds): two decimals."""
UNIT_DECIMALS = 1
"""Other quantities (stock levels, expected units, days): one decimal."""


def decimals_of(column: str) -> int | None:
    """The decimals a buyer's column is written with, by its meaning; None: as computed."""
    if column in WHOLE_UNITS:
        return 0
    if column in PROBABILITIES or column.endswith("_probability") or column in RATES:
        return 3
    if column in FORECASTS or column.startswith(tuple(f"{c}-" for c in FORECASTS)):
        return 2
    if column in MONEY_COLUMNS or column.endswith("_value"):
        return 2
    if column.endswith(("_units", "_days")) or column in (
        "on_hand",
        "on_order",
        "position",
        "safety_stock",
        "reorder_point",
        "order_up_to",
        "days_of_cover",
        "days",
    ):
        return UNIT_DECIMALS
    return None


def round_to_meaning(frame: pd.DataFrame) -> pd.DataFrame:
    """The buyer's tables (plan, alerts, orders) as written: each number rounded to what
    it means (:func:`decimals_of`) — whole units, money to the cent, probabilities to three
    decimals — rather than to the binary noise of a sum (``4963.200000000001``). Only
    float columns with a known meaning are touched; the input's own data never comes here."""
    rounded = {}
    for column in frame.columns:
        places = decimals_of(str(column))
        if places is not None and pd.api.types.is_float_dtype(frame[column]):
            rounded[column] = frame[column].round(places)
    return frame.assign(**rounded) if rounded else frame


def write_csv(
    frame: pd.DataFrame,
    target: str | Path | IO[str],
    csv_format: CsvFormat | None = None,
    **options: Any,
) -> None:
    """``frame.to_csv(target, index=False)`` with formula-looking text escaped, floats
    without binary noise, in ``csv_format`` (default :data:`STANDARD`)."""
    options.setdefault("index", False)
    options.setdefault("float_format", FLOAT_FORMAT)
    for key, value in (csv_format or STANDARD).options().items():
        if key != "encoding" or not hasattr(target, "write"):
            options.setdefault(key, value)
    safe_frame(frame).to_csv(target, **options)


def read_own_csv(path: str | Path, **options: Any) -> pd.DataFrame:
    """A CSV stockwise wrote, in whichever :class:`CsvFormat`: the separator is read from
    the header line (``;`` means :data:`EXCEL_FR`), the BOM is skipped."""
    with Path(path).open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    french = header.count(";") > header.count(",")
    fmt = EXCEL_FR if french else STANDARD
    return pd.read_csv(path, sep=fmt.sep, decimal=fmt.decimal, encoding="utf-8-sig", **options)


def protect_cell(cell: Any) -> None:
    """Make an openpyxl cell holding formula-looking text a plain string cell.

    openpyxl turns any text starting with ``=`` into a formula; the cell is set back to a
    string and given the quote prefix, so Excel keeps it as text even when it is edited.
    """
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    return dtype is np.dtype(object) or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)
