"""The planned-drivers and closed-days files are read with the same options as the sales:
an ambiguous date follows ``--date-format``, a separator or a sheet is honoured."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stockwise.data.closed_calendar import read_closed_days
from stockwise.data.planned import read_planned
from stockwise.data.read_options import ReadOptions

DAY_FIRST = ReadOptions(date_format="%d/%m/%Y")


def test_planned_values_follow_the_date_format_and_separator(tmp_path: Path) -> None:
    path = tmp_path / "promos.txt"
    path.write_text("unique_id|ds|promo\nA|01/02/2025|1\nA|02/02/2025|0\n")
    planned = read_planned(path, reading=ReadOptions(sep="|", date_format="%d/%m/%Y"))
    assert planned["ds"].tolist() == [pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-02")]
    month_first = read_planned(path, reading=ReadOptions(sep="|", date_format="%m/%d/%Y"))
    assert month_first["ds"].tolist() == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-02-02")]


def test_closed_days_follow_the_date_format_and_sheet(tmp_path: Path) -> None:
    path = tmp_path / "fermetures.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"x": [1]}).to_excel(book, sheet_name="notes", index=False)
        pd.DataFrame({"Date": ["01/05/2025", "11/11/2025"], "Magasin": ["Paris", ""]}).to_excel(
            book, sheet_name="jours", index=False
        )
    closed = read_closed_days(path, ReadOptions(sheet="jours", date_format="%d/%m/%Y"))
    assert closed["ds"].tolist() == [pd.Timestamp("2025-05-01"), pd.Timestamp("2025-11-11")]
    assert closed["store"].iloc[0] == "Paris" and pd.isna(closed["store"].iloc[1])
    other = read_closed_days(path, ReadOptions(sheet="jours", date_format="%m/%d/%Y"))
    assert other["ds"].iloc[0] == pd.Timestamp("2025-01-05")
