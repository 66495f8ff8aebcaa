"""Writing to disk, streaming in chunks, and the calendar helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.synthetic import (
    FileLayout,
    generate,
    generate_to_files,
    mothers_day,
    write_synthetic,
)
from stockwise.synthetic.calendar_signals import build_calendar, easter

ARGS = {
    "sectors": ("retail", "pharmacy", "luxury"),
    "n_products": 25,
    "n_days": 200,
    "seed": 5,
    "start": "2023-10-01",
    "country": "FR",
}


@pytest.fixture(scope="module")
def in_memory():
    return generate(**ARGS)


@pytest.mark.parametrize("chunk_size", [4, 1000])
def test_chunked_parquet_equals_in_memory(tmp_path: Path, in_memory, chunk_size: int) -> None:
    paths = generate_to_files(tmp_path, layout=FileLayout("parquet", chunk_size), **ARGS)
    assert set(paths) == {"sales", "inventory", "batches", "truth"}
    assert any(in_memory.sales.groupby(S.UNIQUE_ID)[S.DS].min() > pd.Timestamp("2023-10-01"))
    for name, frame in in_memory.tables.items():
        assert len(frame) > 0, name
        pd.testing.assert_frame_equal(pd.read_parquet(paths[name]), frame, obj=name)


def test_streaming_csv_matches_write_synthetic_csv(tmp_path: Path, in_memory) -> None:
    streamed = generate_to_files(tmp_path / "stream", layout=FileLayout("csv", 6), **ARGS)
    written = write_synthetic(in_memory, tmp_path / "whole", fmt="csv")
    for name in written:
        assert streamed[name].read_text() == written[name].read_text(), name


def test_csv_round_trip_keeps_rows_and_values(tmp_path: Path, in_memory) -> None:
    paths = write_synthetic(in_memory, tmp_path, fmt="csv")
    assert {p.name for p in paths.values()} == {
        "sales.csv",
        "inventory.csv",
        "batches.csv",
        "truth.csv",
    }
    for name, frame in in_memory.tables.items():
        back = pd.read_csv(paths[name])
        assert len(back) == len(frame) and list(back.columns) == list(frame.columns)
    sales = pd.read_csv(paths["sales"], parse_dates=[S.DS])
    np.testing.assert_array_equal(sales[S.Y], in_memory.sales[S.Y])
    assert (sales[S.DS] == in_memory.sales[S.DS]).all()


def test_parquet_round_trip_is_exact(tmp_path: Path, in_memory) -> None:
    paths = write_synthetic(in_memory, tmp_path, fmt="parquet")
    for name, frame in in_memory.tables.items():
        pd.testing.assert_frame_equal(pd.read_parquet(paths[name]), frame, obj=name)


def test_unknown_format_is_rejected(tmp_path: Path, in_memory) -> None:
    with pytest.raises(ValueError, match="csv, parquet"):
        write_synthetic(in_memory, tmp_path, fmt="xlsx")


def test_bad_arguments_fail_before_any_file_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="valid sectors"):
        generate_to_files(tmp_path / "out", sectors=("retail", "toys"), n_products=4, n_days=10)
    with pytest.raises(ValueError, match="country"):
        generate_to_files(tmp_path / "out", n_products=4, n_days=10, country="Atlantis")
    assert not (tmp_path / "out").exists()


def test_a_series_does_not_depend_on_the_other_sectors() -> None:
    alone = generate(sectors="retail", n_products=3, n_days=60, seed=9)
    mixed = generate(sectors=("pharmacy", "retail"), n_products=6, n_days=60, seed=9)
    ret = mixed.sales[mixed.sales[S.SECTOR] == "retail"].reset_index(drop=True)
    pd.testing.assert_frame_equal(ret, alone.sales)


def test_easter_and_mothers_day() -> None:
    assert easter(2024) == dt.date(2024, 3, 31) and easter(2025) == dt.date(2025, 4, 20)
    assert mothers_day(2024, "FR") == dt.date(2024, 5, 26)
    assert mothers_day(2023, "FR") == dt.date(2023, 6, 4)  # last Sunday of May was Pentecost
    assert mothers_day(2024, "DE") == dt.date(2024, 5, 12)
    assert mothers_day(2025, "US") == dt.date(2025, 5, 11)
    assert mothers_day(2024, "fr") == mothers_day(2024, "FR")


def test_calendar_holidays_and_gifting_ramps() -> None:
    cal = build_calendar("2024-01-01", 366, "fr", seed=1)
    dates = cal.dates
    assert cal.holiday[dates.get_loc("2024-07-14")] and not cal.holiday[dates.get_loc("2024-07-15")]
    assert cal.days_to_holiday[dates.get_loc("2024-07-12")] == 2
    assert cal.q4[dates.get_loc("2024-12-24")] == pytest.approx(1.0)
    assert cal.q4[dates.get_loc("2024-10-31")] == 0.0
    assert cal.q4[dates.get_loc("2024-12-01")] < cal.q4[dates.get_loc("2024-12-20")]
    assert cal.valentine[dates.get_loc("2024-02-14")] == pytest.approx(1.0)
    assert cal.mothers[dates.get_loc("2024-05-26")] == pytest.approx(1.0)
    assert cal.mothers[dates.get_loc("2024-05-27")] == 0.0
    winter = cal.flu[(dates.month <= 2) | (dates.month == 12)].mean()
    assert winter > 5 * cal.flu[dates.month.isin([6, 7, 8])].mean()
