"""Formulas in a workbook: their saved results are read; formulas without one are named."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import Workbook

from stockwise.data import load_table
from stockwise.errors import InputError


def test_formulas_without_a_saved_result_are_refused_with_their_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for row in (
        ["product", "date", "sales"],
        ["A", "2024-01-01", 3],
        ["A", "2024-01-02", "=C2*2"],
        ["A", "2024-01-03", None],
    ):
        sheet.append(row)
    path = tmp_path / "sales.xlsx"
    book.save(path)  # openpyxl stores formulas without results, as scripts often do
    with pytest.raises(InputError, match=r"1 formula cell\(s\) .*cell C3: =C2\*2"):
        load_table(path, "sales")


def test_formulas_with_a_saved_result_read_as_that_result(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["product", "date", "sales"])
    sheet.write_row(1, 0, ["A", "2024-01-01", 3])
    sheet.write_row(2, 0, ["A", "2024-01-02"])
    sheet.write_formula(2, 2, "=C2*2", None, 6)
    sheet.write_row(3, 0, ["A", "2024-01-03"])  # an empty sales cell: the usual rule
    book.close()
    result = load_table(path, "sales")
    assert result.data["y"].tolist() == [3.0, 6.0]
    assert result.report.n_quarantined == 1
