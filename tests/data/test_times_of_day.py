"""Timestamps with a time of day (or a UTC offset) are read as their day, and said so.

Sales are counted per day: the time is dropped, text and native datetimes alike, and the
report's notes give the number of rows whose time was dropped, naming the user's column.
"""

from __future__ import annotations

import pandas as pd

from stockwise.data import load_table

AS_OF = "2025-01-01"


def _note(notes: list[str]) -> str:
    found = [n for n in notes if "time of day" in n]
    assert len(found) == 1, notes
    return found[0]


def test_text_timestamps_are_read_as_their_day_and_counted(tmp_path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "Date,unique_id,y\n2024-01-01 08:00,A,1\n2024-01-02T23:30:00+02:00,A,2\n"
        "2024-01-03,A,3\n2024-01-04T00:00:00Z,A,4\n2024-01-05,A,5\n",
        encoding="utf-8",
    )
    result = load_table(path, as_of=AS_OF)
    assert result.report.n_accepted == 5
    assert result.data["ds"].tolist() == list(pd.date_range("2024-01-01", periods=5))
    note = _note(result.report.notes)
    assert note.startswith("3 row(s) of column 'Date'")


def test_native_datetimes_with_a_time_are_read_as_their_day_and_counted() -> None:
    frame = pd.DataFrame(
        {
            "unique_id": "A",
            "y": 1.0,
            "ds": pd.to_datetime(["2024-01-01 08:00", "2024-01-02 17:30", "2024-01-03 00:00"]),
        }
    )
    result = load_table(frame, as_of=AS_OF)
    assert result.data["ds"].tolist() == list(pd.date_range("2024-01-01", periods=3))
    assert _note(result.report.notes).startswith("2 row(s) of column 'ds'")


def test_dates_without_a_time_say_nothing_of_times(tmp_path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("ds,unique_id,y\n2024-01-01,A,1\n2024-01-02,A,2\n", encoding="utf-8")
    result = load_table(path, as_of=AS_OF)
    assert not any("time of day" in n for n in result.report.notes)
