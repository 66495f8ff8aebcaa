"""The reading options travel as one object (``read=ReadOptions(...)``) or as keywords of
``load_table``; both read a file the same way, and each table has its own column map."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.data.intake import load_table
from stockwise.data.read_options import ReadOptions
from stockwise.errors import OptionError
from stockwise.workflows.validate import ColumnMaps, validate_sources

# a pipe-separated file with decimal commas and day-first dates: 03/02 is 3 February
LINES = ["Jour|Article|Qte", "03/02/2024|A|1,5", "04/02/2024|A|2,5"]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "ventes.csv"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_an_options_object_and_keywords_read_the_same(tmp_path: Path) -> None:
    path = _file(tmp_path)
    maps = {"ds": "Jour", "unique_id": "Article", "y": "Qte"}
    read = ReadOptions(sep="|", decimal=",", date_format="%d/%m/%Y")
    by_object = load_table(path, column_map=maps, read=read, as_of="2025-01-01")
    by_keywords = load_table(
        path, column_map=maps, sep="|", decimal=",", date_format="%d/%m/%Y", as_of="2025-01-01"
    )
    pd.testing.assert_frame_equal(by_object.data, by_keywords.data)
    assert by_object.data["y"].tolist() == [1.5, 2.5]
    assert by_object.data["ds"].min() == pd.Timestamp("2024-02-03")
    # keywords go on top of the object: month first reads 2 March
    month_first = load_table(
        path, column_map=maps, read=read, date_format="%m/%d/%Y", as_of="2025-01-01"
    )
    assert month_first.data["ds"].min() == pd.Timestamp("2024-03-02")


def test_keywords_are_checked_as_the_object_checks_them(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="decimal mark"):
        load_table(_file(tmp_path), decimal=";")


def test_each_table_reads_with_its_own_column_map(tmp_path: Path) -> None:
    sales = _file(tmp_path)
    stock = tmp_path / "stock.csv"
    stock.write_text("Ref|Stock\nA|4\n", encoding="utf-8")
    run = validate_sources(
        sales,
        inventory=stock,
        maps=ColumnMaps(
            sales={"ds": "Jour", "unique_id": "Article", "y": "Qte"},
            inventory={"unique_id": "Ref", "on_hand": "Stock"},
        ),
        as_of="2025-01-01",
        read=ReadOptions(sep="|", decimal=",", date_format="%d/%m/%Y"),
    )
    assert run.tables["sales"].report.n_accepted == 2
    assert run.tables["inventory"].data["on_hand"].tolist() == [4.0]
