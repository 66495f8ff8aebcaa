"""Syntetos–Boylan demand classification and the candidate models of each class."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.errors import MissingColumnsError
from stockwise.features import (
    CANDIDATES_BY_CLASS,
    DEMAND_CLASSES,
    candidate_models,
    classify_demand,
)

approx = pytest.approx

SERIES = {
    "smooth": [5, 6, 5, 6, 5, 6, 5, 6],  # demand every period, sizes close to each other
    "erratic": [1, 10, 2, 20, 1, 15, 3, 30],  # demand every period, sizes all over the place
    "intermittent": [0, 0, 4, 0, 0, 4, 0, 4],  # sparse, always 4
    "lumpy": [0, 0, 1, 0, 0, 20, 0, 3],  # sparse, sizes 1, 20, 3
    "zero": [0, 0, 0, 0, 0, 0, 0, 0],
}


def _frame(series: dict[str, list[float]]) -> pd.DataFrame:
    parts = []
    for uid, values in series.items():
        dates = pd.date_range("2024-01-01", periods=len(values), freq="W-MON")
        parts.append(pd.DataFrame({S.UNIQUE_ID: uid, S.DS: dates, S.Y: np.asarray(values, float)}))
    return pd.concat(parts, ignore_index=True)


def test_the_four_classes_and_no_demand() -> None:
    out = classify_demand(_frame(SERIES))
    assert list(out.columns) == ["adi", "cv2", "n_nonzero", "n_periods", "demand_class"]
    assert out.index.name == S.UNIQUE_ID
    assert list(out.index) == sorted(SERIES)
    assert out["demand_class"].to_dict() == {
        "erratic": "erratic",
        "intermittent": "intermittent",
        "lumpy": "lumpy",
        "smooth": "smooth",
        "zero": "no_demand",
    }
    assert out["n_periods"].tolist() == [8, 8, 8, 8, 8]
    assert out["n_nonzero"].to_dict() == {
        "erratic": 8,
        "intermittent": 3,
        "lumpy": 3,
        "smooth": 8,
        "zero": 0,
    }


def test_adi_and_cv2_by_hand() -> None:
    out = classify_demand(_frame(SERIES))
    # smooth: demand in 8 of 8 periods -> ADI 1; sizes mean 5.5, population std 0.5
    #   -> CV² = (0.5 / 5.5)² = 1/121
    assert out.loc["smooth", "adi"] == approx(1.0)
    assert out.loc["smooth", "cv2"] == approx(1 / 121)
    # intermittent: first demand at period 3 -> span of 6 periods, 3 with demand -> ADI 2;
    #   sizes all 4 -> CV² 0
    assert out.loc["intermittent", "adi"] == approx(2.0)
    assert out.loc["intermittent", "cv2"] == approx(0.0)
    # lumpy: same span -> ADI 2; sizes 1, 20, 3: mean 8, deviations -7, 12, -5
    #   -> variance (49 + 144 + 25) / 3 = 218/3 -> CV² = (218/3) / 64 = 218/192
    assert out.loc["lumpy", "adi"] == approx(2.0)
    assert out.loc["lumpy", "cv2"] == approx(218 / 192)
    # erratic: ADI 1; sizes 1,10,2,20,1,15,3,30 -> mean 82/8 = 10.25
    sizes = np.array(SERIES["erratic"], float)
    assert out.loc["erratic", "adi"] == approx(1.0)
    assert out.loc["erratic", "cv2"] == approx((sizes.std() / sizes.mean()) ** 2)
    assert out.loc["erratic", "cv2"] >= 0.49
    assert math.isnan(out.loc["zero", "adi"])
    assert math.isnan(out.loc["zero", "cv2"])


def test_single_demand_has_zero_cv2() -> None:
    out = classify_demand(_frame({"one": [0, 0, 0, 7, 0, 0, 0, 0]}))
    # span from period 4 to 8 = 5 periods, 1 with demand -> ADI 5
    assert out.loc["one", "adi"] == approx(5.0)
    assert out.loc["one", "cv2"] == 0.0
    assert out.loc["one", "demand_class"] == "intermittent"


def test_leading_zeros_are_left_out_trailing_zeros_kept() -> None:
    out = classify_demand(_frame({"launch": [0, 0, 0, 0, 2, 2], "delisted": [2, 2, 0, 0, 0, 0]}))
    # launch: span is the last 2 periods, both with demand -> ADI 1 (not intermittent)
    assert out.loc["launch", "adi"] == approx(1.0)
    assert out.loc["launch", "demand_class"] == "smooth"
    assert out.loc["launch", "n_periods"] == 6  # the whole history, leading zeros included
    # delisted: span is all 6 periods, 2 with demand -> ADI 3
    assert out.loc["delisted", "adi"] == approx(3.0)
    assert out.loc["delisted", "demand_class"] == "intermittent"


def test_cutoffs_are_inclusive_on_the_high_side() -> None:
    frame = _frame({"s": [0, 4, 0, 4]})  # span 3 periods, 2 with demand -> ADI 1.5, CV² 0
    assert classify_demand(frame, adi_cutoff=1.5).loc["s", "demand_class"] == "intermittent"
    assert classify_demand(frame, adi_cutoff=1.51).loc["s", "demand_class"] == "smooth"
    # sizes 1 and 3: mean 2, population std 1 -> CV² 0.25
    frame = _frame({"s": [1, 3]})
    assert classify_demand(frame, cv2_cutoff=0.25).loc["s", "demand_class"] == "erratic"
    assert classify_demand(frame, cv2_cutoff=0.26).loc["s", "demand_class"] == "smooth"
    # the default ADI cut-off 1.32 = 33/25: 33 periods with 25 demands sits on it
    values = [1.0] * 25 + [0.0] * 8
    out = classify_demand(_frame({"edge": values}))
    assert out.loc["edge", "adi"] == approx(1.32)
    assert out.loc["edge", "demand_class"] == "intermittent"


def test_row_order_nan_and_negative_values() -> None:
    ordered = classify_demand(_frame(SERIES))
    shuffled = _frame(SERIES).sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(classify_demand(shuffled), ordered)
    # a NaN y is not a period; a negative y (returns) is a period without demand
    out = classify_demand(_frame({"s": [np.nan, 0, 3, -2, 3]}))
    assert out.loc["s", "n_periods"] == 4
    assert out.loc["s", "n_nonzero"] == 2
    assert out.loc["s", "adi"] == approx(3 / 2)  # span 3, -2, 3
    assert out.loc["s", "cv2"] == 0.0


def test_series_with_only_nan_is_no_demand() -> None:
    out = classify_demand(_frame({"gone": [np.nan, np.nan], "ok": [1, 1]}))
    assert out.loc["gone", "demand_class"] == "no_demand"
    assert out.loc["gone", "n_periods"] == 0
    assert out.loc["ok", "demand_class"] == "smooth"


def test_missing_columns_raise() -> None:
    with pytest.raises(MissingColumnsError):
        classify_demand(pd.DataFrame({S.UNIQUE_ID: ["a"], S.Y: [1.0]}))


def test_candidates_cover_every_class() -> None:
    assert set(CANDIDATES_BY_CLASS) == set(DEMAND_CLASSES)
    assert CANDIDATES_BY_CLASS["no_demand"] == ("Naive",)
    assert CANDIDATES_BY_CLASS["smooth"][0] == "AutoETS"


def test_candidate_models_filters_and_keeps_order() -> None:
    classes = classify_demand(_frame(SERIES))["demand_class"]
    available = ["IMAPA", "AutoETS", "TSB", "Naive", "CrostonSBA", "Unknown"]
    out = candidate_models(classes, available)
    assert out == {
        "erratic": ("AutoETS",),
        "intermittent": ("CrostonSBA", "TSB", "IMAPA"),
        "lumpy": ("TSB", "IMAPA", "CrostonSBA"),
        "smooth": ("AutoETS",),
        "zero": ("Naive",),
    }
    assert candidate_models(classes, iter(["AutoTheta"]))["intermittent"] == ()


def test_candidate_models_rejects_unknown_class() -> None:
    with pytest.raises(ValueError, match="unknown demand class"):
        candidate_models(pd.Series({"a": "weird"}), ["Naive"])
