"""Read a sheet of an Excel workbook as text cells numbered as Excel shows them, refusing a
workbook whose formulas were never calculated (their cells would read as empty).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from stockwise.data.csv_dialect import TITLE_SCAN, TitleRows, title_lines
from stockwise.data.raw_table import RawTable, _check_header, _with_source_rows
from stockwise.errors import EmptyInputError, InputError


def read_excel(
    path: Path, *, sheet: str | int | None = None, skip_rows: int | None = None
) -> RawTable:
    """Read one sheet of an .xlsx workbook (the first unless ``sheet`` is given).

    ``skip_rows`` rows above the header are left out (None: an obvious title row, as
    :func:`title_lines` finds it in a CSV); rows keep their numbers in the sheet.
    """
    title = None
    if skip_rows is None:
        title = _sheet_title(path, 0 if sheet is None else sheet)
        skip_rows = title.count if title else 0
    try:
        frame = pd.read_excel(
            path,
            sheet_name=0 if sheet is None else sheet,
            dtype=object,
            engine="openpyxl",
            skiprows=skip_rows or None,
        )
    except ValueError as exc:
        raise InputError(
            str(exc), source=str(path), hint="Name an existing sheet with --sheet."
        ) from exc
    except Exception as exc:  # openpyxl raises several unrelated types for corrupt files
        raise InputError(f"cannot read the workbook: {exc}", source=str(path)) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_header(frame, str(path), header_row=skip_rows + 1)
    if frame.isna().to_numpy().any():
        _refuse_unsaved_formulas(path, 0 if sheet is None else sheet)
    frame = _with_source_rows(frame, first_row=skip_rows + 2)
    if frame.empty:
        raise EmptyInputError("the sheet has a header but no data rows", source=str(path))
    return RawTable(frame, str(path), title=title)


def _sheet_title(path: Path, sheet: str | int) -> TitleRows | None:
    """The title rows above a sheet's header (:func:`title_lines`' rule on its first rows),
    read in one short streaming pass; a sheet that cannot be opened is left to pandas."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # the full read reports what is wrong with the workbook
        return None
    try:
        found = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in found.iter_rows(max_row=TITLE_SCAN + 1, values_only=True)
        ]
    except (KeyError, IndexError):
        return None
    finally:
        book.close()
    lines = [io_line(row) for row in rows]
    return title_lines(lines, "\t")


def io_line(cells: list[str]) -> str:
    """Cells as one tab-separated line (quoted as a CSV writer would)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t").writerow(cells)
    return buffer.getvalue().rstrip("\r\n")


def _refuse_unsaved_formulas(path: Path, sheet: str | int) -> None:
    """Refuse a workbook whose formulas carry no saved result.

    Excel stores each formula's last result next to it; files written by other programs
    (scripts, some ERPs) often store the formula alone, which reads as an empty cell: a
    sales figure would then look missing, or be quarantined as "empty", for a reason the
    user cannot see. Only looked for when some cell read empty.
    """
    formulas = dict(
        _cells(path, sheet, formulas=True, keep=lambda v: isinstance(v, str) and v.startswith("="))
    )
    if not formulas:
        return
    empty = {where for where, _ in _cells(path, sheet, formulas=False, keep=lambda v: v is None)}
    unsaved = [(where, text) for where, text in formulas.items() if where in empty]
    if unsaved:
        where, text = unsaved[0]
        raise InputError(
            f"{len(unsaved)} formula cell(s) have no saved result (e.g. cell {where}: {text}); "
            "their values are unknown",
            source=str(path),
            hint="Open the workbook in Excel or LibreOffice and save it (that stores each "
            "formula's result), or export the sheet as CSV.",
        )


def _cells(
    path: Path, sheet: str | int, *, formulas: bool, keep: Callable[[object], bool]
) -> list[tuple[str, object]]:
    """(coordinate, value) of the sheet's cells whose value ``keep`` accepts, read in one
    streaming pass; ``formulas``: the formulas' text rather than their saved results."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=not formulas)
    try:
        found = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
        return [
            (f"{column}{number}", cell.value)
            for number, row in enumerate(found.iter_rows(), start=1)
            for column, cell in zip(_letters(len(row)), row, strict=True)
            if keep(cell.value)
        ]
    finally:
        book.close()


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, count + 1)]
