"""A CSV line with too many or too few fields costs that line, not the whole file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.data import load_table
from stockwise.data.intake import write_quarantine
from stockwise.errors import InputError

GOOD = "product,date,sales\nA,2024-01-01,3\nA,2024-01-02,4\n"


def test_ragged_lines_are_quarantined_with_their_row_and_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(GOOD + "A,2024-01-03,5,oops\nA,2024-01-04\n\nA,2024-01-05,6\nA,2024-01-06,x\n")
    result = load_table(path, "sales")
    assert result.data["y"].tolist() == [3.0, 4.0, 6.0]
    report = result.report
    assert (report.n_read, report.n_accepted) == (7, 3)
    assert report.n_quarantined == 4  # two ragged lines, the blank one, the bad number
    bad_number = report.issues[report.issues["column"] == "sales"]
    assert bad_number["row"].tolist() == [8]  # the file's own row numbers, after the gap
    ragged = report.issues[report.issues["rule"] == "ragged_line"]
    assert ragged["row"].tolist() == [4, 5]
    assert ragged["message"].tolist() == [
        "the line has 4 fields, the header has 3",
        "the line has 2 fields, the header has 3",
    ]
    quarantine = result.quarantine.set_index("source_row")
    assert quarantine.loc[4, "sales"] == "5,oops"  # the surplus stays with the last column
    assert quarantine.loc[5, "date"] == "2024-01-04" and quarantine.loc[5, "sales"] == ""
    written = pd.read_csv(write_quarantine(result, tmp_path)["quarantine"], dtype=str)
    assert written["source_row"].tolist() == ["4", "5", "6", "8"]
    assert "the header has 3" in written.loc[0, "reasons"]


def test_quoted_separators_are_not_ragged(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text('product,date,sales\n"A,1",2024-01-01,3\nB,2024-01-01,4,5\n')
    result = load_table(path, "sales")
    assert result.data["unique_id"].tolist() == ["A,1"]
    assert result.report.issues["rule"].tolist() == ["ragged_line"]


def test_a_file_the_csv_reader_cannot_split_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(GOOD + 'A,2024-01-03,"5\nA,2024-01-04,5,6\n')
    with pytest.raises(InputError, match="structure is broken"):
        load_table(path, "sales")
