"""Validation of typed (Parquet-like) frames: the fast paths keep the results of text input."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from stockwise.data import load_table

AS_OF = "2025-06-30"


def _sales() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=6, freq="D")
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["B", "A"], 6),
            "ds": np.tile(days, 2),
            "y": [1.0, 2.0, np.nan, 4.0, -1.0, np.inf, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "promo": [0, 1, 1, 0, 2, 0, 0, 0, 1, 1, 0, 0],
            "price": [1.5] * 12,
            "note": ["x"] * 12,
        }
    )
    return frame.iloc[[0, 3, 1, 2, 4, 5, 11, 6, 7, 8, 9, 10]].reset_index(drop=True)


def test_a_typed_frame_gives_what_its_text_export_gives(tmp_path) -> None:
    frame = _sales()
    typed = load_table(frame, as_of=AS_OF)
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    text = load_table(path, as_of=AS_OF)
    assert_frame_equal(typed.data.drop(columns="note"), text.data.drop(columns="note"))
    assert typed.quarantine["source_row"].tolist() == [4, 5, 6]
    found = sorted(map(tuple, typed.report.errors[["row", "rule"]].values.tolist()))
    assert found == [(4, "missing_value"), (5, "negative"), (5, "not_a_flag"), (6, "non_numeric")]
    # the same cells, one row further down in the CSV (its header is row 1)
    shifted = [(row - 1, rule) for row, rule in text.report.errors[["row", "rule"]].values]
    assert sorted(shifted) == found
    # accepted rows come sorted by (unique_id, ds), whatever the input order
    assert typed.data["unique_id"].tolist() == ["A"] * 6 + ["B"] * 3
    assert typed.data.groupby("unique_id")["ds"].apply(lambda d: d.is_monotonic_increasing).all()


def test_the_callers_frame_is_neither_changed_nor_shared() -> None:
    frame = _sales()
    before = frame.copy()
    result = load_table(frame, as_of=AS_OF)
    assert_frame_equal(frame, before)
    for column in result.data.columns:
        if column in frame.columns:
            assert not np.shares_memory(result.data[column].to_numpy(), frame[column].to_numpy()), (
                column
            )
    result.data.loc[0, "y"] = 99.0
    result.data.loc[0, "note"] = "changed"
    assert_frame_equal(frame, before)


def test_float_flags_and_missing_flags() -> None:
    frame = pd.DataFrame(
        {
            "unique_id": "A",
            "ds": pd.date_range("2024-01-01", periods=4),
            "y": 1.0,
            "promo": [1.0, np.nan, 0.5, 0.0],
        }
    )
    result = load_table(frame, as_of=AS_OF)
    assert result.report.errors[["row", "rule"]].values.tolist() == [[3, "not_a_flag"]]
    assert result.data["promo"].tolist() == [1, 0, 0]
    assert result.data["promo"].dtype == "int8"
