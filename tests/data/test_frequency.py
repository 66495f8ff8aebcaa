"""Frequency inference: the vectorised path agrees with the plain groupby one on any panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from stockwise.data.frequency import _infer_with_groupby, infer_frequencies


def _panel(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for number in range(int(rng.integers(1, 10))):
        start = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
        n = int(rng.integers(1, 15))
        kind = rng.choice(["D", "7D", "MS", "ME", "random"])
        if kind == "random":
            days = start + pd.to_timedelta(rng.integers(0, 120, n), "D")
        else:
            days = pd.date_range(start, periods=n, freq=str(kind))
            if rng.random() < 0.5:  # a few rows off the series' grid
                days = days.append(start + pd.to_timedelta(rng.integers(0, 200, 2), "D"))
        parts.append(pd.DataFrame({"unique_id": f"S{number % 7}", "ds": days}))
    frame = pd.concat(parts, ignore_index=True).sample(frac=1, random_state=seed)
    frame.index = rng.permutation(len(frame)) * 3 + 5
    return frame


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("layout", ["shuffled", "sorted", "grouped"])
def test_vectorised_inference_equals_groupby(seed: int, layout: str) -> None:
    frame = _panel(seed)
    if layout != "shuffled":  # series by series in date order: the paths without a sort
        frame = frame.sort_values(["unique_id", "ds"], kind="stable")
    if layout == "grouped":  # ... but the series not in id order
        rank = frame["unique_id"].map({"S3": 0, "S1": 1, "S6": 2, "S0": 3})
        frame = frame.iloc[np.argsort(rank.fillna(9).to_numpy(), kind="stable")]
    freq, off = infer_frequencies(frame)
    expected_freq, expected_off = _infer_with_groupby(frame)
    assert_series_equal(freq, expected_freq)
    assert_series_equal(off, expected_off)


def test_ids_of_mixed_kinds_take_the_groupby_path() -> None:
    frame = pd.DataFrame(
        {
            "unique_id": pd.Series(["A", "A", "A", "B"], dtype="string"),
            "ds": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-05"]),
        }
    )
    freq, off = infer_frequencies(frame)
    assert freq.to_dict() == {"A": "M", "B": "D"}
    assert not off.any()
