"""CSV files for people and ERPs: the French Excel form, no float noise, read back alike."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.cells import EXCEL_FR, STANDARD, CsvFormat, read_own_csv, write_csv


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id": ["Crème@Paris", "=B"], "order_value": [4963.2 + 1e-12, 0.1 + 0.2]}
    )


def test_the_french_excel_form_has_a_bom_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    write_csv(_frame(), path, EXCEL_FR)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines == ["unique_id;order_value", "Crème@Paris;4963,2", "'=B;0,3"]
    back = read_own_csv(path)
    assert back["order_value"].tolist() == pytest.approx([4963.2, 0.3])
    assert back["unique_id"].tolist() == ["Crème@Paris", "'=B"]


def test_the_standard_form_has_no_float_noise(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    write_csv(_frame(), path)
    assert path.read_text().splitlines()[1:] == ["Crème@Paris,4963.2", "'=B,0.3"]
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_own_csv(path)["order_value"].tolist() == pytest.approx([4963.2, 0.3])


@pytest.mark.parametrize(
    "sep, decimal, expected",
    [
        (";", ",", EXCEL_FR),
        (";", ".", EXCEL_FR),
        (",", ",", EXCEL_FR),
        (",", ".", STANDARD),
        ("\t", ".", STANDARD),
        (None, None, STANDARD),
    ],
)
def test_files_written_back_follow_the_input(sep, decimal, expected) -> None:
    assert CsvFormat.named("input", sep, decimal) == expected


def test_formats_by_name() -> None:
    assert CsvFormat.named("Excel-FR") == EXCEL_FR and CsvFormat.named("standard") == STANDARD
    with pytest.raises(ValueError, match="unknown CSV format 'tsv'"):
        CsvFormat.named("tsv")
