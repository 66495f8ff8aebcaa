"""Hostile files at the readers: encodings, NUL characters, bad options — clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.data.intake import load_table
from stockwise.data.readers import read_csv, read_table
from stockwise.errors import InputError, OptionError


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_csv_with_a_unicode_byte_order_mark_is_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "s.csv"
    text = "unique_id;ds;y\nÉté-1;2024-01-01;2\n"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + text.encode(encoding))
    raw = read_csv(path)
    assert raw.frame["unique_id"].tolist() == ["Été-1"]
    assert raw.dialect is not None and raw.dialect.encoding.startswith("utf-")
    assert raw.dialect.separator == ";"


def test_a_nul_character_refuses_the_file_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"unique_id,ds,y\nA,2024-01-01,1\nB\x00C,2024-01-02,2\n")
    with pytest.raises(InputError) as caught:
        read_csv(path)
    assert caught.value.row == 3 and "NUL" in caught.value.message


@pytest.mark.parametrize("encoding", ["rot13", "zip", "no-such-codec"])
def test_an_unknown_or_non_text_encoding_is_an_input_error(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text("unique_id,ds,y\nA,2024-01-01,1\n")
    with pytest.raises(InputError, match=f"unknown text encoding '{encoding}'"):
        read_table(path, encoding=encoding)


def test_a_bad_date_format_is_an_option_error() -> None:
    from stockwise.data.readers import from_frame

    raw = from_frame(pd.DataFrame({"unique_id": ["A"], "ds": ["2024-01-01"], "y": ["1"]}))
    with pytest.raises(OptionError, match="the date format '%Q' is not valid"):
        load_table(raw, "sales", date_format="%Q")


def test_timestamps_with_a_time_or_an_offset_are_taken_as_their_local_date() -> None:
    from stockwise.data.readers import from_frame

    stamps = [
        "2024-03-30T23:30:00+02:00",
        "2024-03-31 08:15",
        "2024-04-01T00:00:00.000Z",
        "2024-04-02 10:00:00 +0100",
        "2024-04-03T09:00:00-05:00",
    ]
    raw = from_frame(
        pd.DataFrame({"unique_id": ["A"] * 5, "ds": stamps, "y": ["1", "2", "3", "4", "5"]})
    )
    result = load_table(raw, "sales")
    assert result.report.n_quarantined == 0
    assert result.data["ds"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-30",
        "2024-03-31",
        "2024-04-01",
        "2024-04-02",
        "2024-04-03",
    ]


def test_two_timestamps_of_one_day_are_a_duplicate_named_by_row() -> None:
    from stockwise.data.readers import from_frame

    raw = from_frame(
        pd.DataFrame(
            {
                "unique_id": ["A", "A", "A"],
                "ds": ["2024-03-30T08:00:00Z", "2024-03-30T17:00:00Z", "2024-03-31T08:00:00Z"],
                "y": ["1", "2", "3"],
            }
        )
    )
    result = load_table(raw, "sales")
    assert result.report.n_read == 3 == result.report.n_accepted + result.report.n_quarantined
    issues = result.report.issues
    assert set(issues["rule"]) == {"duplicate_key"} and 2 in set(issues["row"])
    assert "2024-03-30T17:00:00Z" in set(issues["value"]) | set(result.quarantine["ds"])
