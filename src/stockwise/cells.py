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
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and _PLAIN_NUMBER.fullmatch(value) is None)


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


def write_csv(frame: pd.DataFrame, target: str | Path | IO[str], **options: Any) -> None:
    """``frame.to_csv(target, index=False)`` with formula-looking text escaped."""
    options.setdefault("index", False)
    safe_frame(frame).to_csv(target, **options)


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
