"""Forecast accuracy metrics: hand-computed cases, NaN rules, and backtest pooling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.errors import MissingColumnsError
from stockwise.evaluation import (
    DEFAULT_METRICS,
    bias,
    coverage,
    evaluate,
    level_to_quantiles,
    mae,
    mase,
    pinball,
    rmse,
    rmsse,
    smape,
    summarise,
    wape,
)

approx = pytest.approx

# --- array level ---------------------------------------------------------------------------


def test_point_metrics_by_hand() -> None:
    y, f = [1.0, 2.0, 3.0], [2.0, 2.0, 2.0]
    # errors f - y = [1, 0, -1]
    assert mae(y, f) == approx(2 / 3)  # (1 + 0 + 1) / 3
    assert rmse(y, f) == approx(math.sqrt(2 / 3))  # sqrt((1 + 0 + 1) / 3)
    assert bias(y, f) == approx(0.0)  # (1 + 0 - 1) / 3
    assert wape(y, f) == approx(2 / 6)  # (1 + 0 + 1) / (1 + 2 + 3)
    # smape terms 2*1/(1+2), 0, 2*1/(3+2)
    assert smape(y, f) == approx((2 / 3 + 0 + 2 / 5) / 3)


def test_bias_sign_is_over_forecast_positive() -> None:
    # errors f - y = [1, 1, 2] -> 4/3
    assert bias([1, 2, 3], [2, 3, 5]) == approx(4 / 3)
    assert bias([1, 2, 3], [0, 1, 2]) == approx(-1.0)


def test_wape_nan_when_actuals_sum_to_zero() -> None:
    assert math.isnan(wape([0.0, 0.0], [1.0, 2.0]))
    # negative actuals count by their absolute value: |1-(-1)| + |1-1| = 2 over |-1| + |1| = 2
    assert wape([-1.0, 1.0], [1.0, 1.0]) == approx(1.0)


def test_smape_zero_over_zero_and_range() -> None:
    # terms: 2*2/(1+3) = 1, 0/0 -> 0, 2*0/4 = 0 -> mean 1/3
    assert smape([1.0, 0.0, 2.0], [3.0, 0.0, 2.0]) == approx(1 / 3)
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    # the maximum 2 when one side is zero and the other is not (not a percentage)
    assert smape([0.0], [5.0]) == approx(2.0)
    assert smape([5.0], [0.0]) == approx(2.0)


def test_mase_and_rmsse_by_hand() -> None:
    y_train = [1.0, 3.0, 2.0, 4.0]
    # lag-1 differences 2, -1, 2 -> scale |.| mean 5/3, squared mean (4+1+4)/3 = 3
    y, f = [5.0, 6.0], [4.0, 8.0]  # errors -1, 2: MAE 1.5, MSE (1+4)/2 = 2.5
    assert mase(y, f, y_train) == approx(1.5 / (5 / 3))  # 0.9
    assert rmsse(y, f, y_train) == approx(math.sqrt(2.5 / 3))


def test_mase_seasonal() -> None:
    y_train = [1.0, 3.0, 2.0, 4.0, 6.0]
    # lag-2 differences 2-1=1, 4-3=1, 6-2=4 -> scale 6/3 = 2, squared (1+1+16)/3 = 6
    assert mase([5.0], [7.0], y_train, season_length=2) == approx(1.0)  # MAE 2 / 2
    assert rmsse([5.0], [7.0], y_train, season_length=2) == approx(math.sqrt(4 / 6))


def test_mase_undefined_scale_is_nan() -> None:
    assert math.isnan(mase([1.0], [2.0], [2.0, 2.0, 2.0]))  # constant history: scale 0
    assert math.isnan(rmsse([1.0], [2.0], [2.0, 2.0, 2.0]))
    assert math.isnan(mase([1.0], [2.0], [1.0, 2.0], season_length=2))  # <= m points
    assert math.isnan(mase([1.0], [2.0], [1.0]))
    assert math.isnan(mase([1.0], [2.0], []))
    with pytest.raises(ValueError):
        mase([1.0], [2.0], [1.0, 2.0], season_length=0)


def test_mase_skips_nan_training_differences() -> None:
    # differences 3-1=2, nan, nan, 7-4=3 -> scale 2.5
    assert mase([0.0], [5.0], [1.0, 3.0, np.nan, 4.0, 7.0]) == approx(5 / 2.5)


def test_pinball_by_hand() -> None:
    # tau 0.9: y-q = 2 -> max(1.8, -0.2) = 1.8; y-q = -3 -> max(-2.7, 0.3) = 0.3
    assert pinball([10.0, 10.0], [8.0, 13.0], 0.9) == approx((1.8 + 0.3) / 2)
    # tau 0.5 is half the absolute error
    assert pinball([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], 0.5) == approx(0.5 * 2 / 3)
    assert pinball([4.0], [4.0], 0.1) == 0.0
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError):
            pinball([1.0], [1.0], bad)


def test_coverage_edges_count_as_covered() -> None:
    y = [1.0, 2.0, 3.0, 4.0]
    lo = [1.0, 0.0, 4.0, 0.0]  # y == lo covered; 2 > 1 above; 3 < 4 below; y == hi covered
    hi = [2.0, 1.0, 5.0, 4.0]
    assert coverage(y, lo, hi) == approx(0.5)
    assert coverage([3.0], [3.0], [3.0]) == 1.0


def test_level_to_quantiles() -> None:
    assert level_to_quantiles(80) == approx((0.1, 0.9))
    assert level_to_quantiles(95) == approx((0.025, 0.975))
    assert level_to_quantiles(50.0) == approx((0.25, 0.75))
    for bad in (0, 100, -5, 120):
        with pytest.raises(ValueError):
            level_to_quantiles(bad)


def test_nan_actuals_are_ignored() -> None:
    y, f = [1.0, np.nan, 3.0], [2.0, 100.0, 2.0]  # the middle point is dropped
    assert mae(y, f) == approx(1.0)  # (1 + 1) / 2
    assert rmse(y, f) == approx(1.0)
    assert bias(y, f) == approx(0.0)
    assert wape(y, f) == approx(2 / 4)
    assert pinball(y, f, 0.5) == approx(0.5)
    assert coverage(y, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]) == approx(0.5)
    assert mase(y, f, [0.0, 1.0]) == approx(1.0)  # scale 1


def test_nan_forecasts_propagate_and_empty_gives_nan() -> None:
    assert math.isnan(mae([1.0, 2.0], [1.0, np.nan]))
    assert math.isnan(smape([1.0, 2.0], [1.0, np.nan]))
    assert math.isnan(coverage([1.0], [np.nan], [2.0]))
    for metric in (mae, rmse, bias, wape, smape):
        assert math.isnan(metric([np.nan, np.nan], [1.0, 2.0]))
        assert math.isnan(metric([], []))


def test_length_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="same length"):
        mae([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="same length"):
        coverage([1.0, 2.0], [1.0, 2.0], [1.0])


# --- frame level ---------------------------------------------------------------------------

DATES = pd.date_range("2024-01-01", periods=8, freq="D")
# series "a": history 1, 3, 2, 4, 10, 0, 7, 7 on DATES
A_HISTORY = [1.0, 3.0, 2.0, 4.0, 10.0, 0.0, 7.0, 7.0]


def _train(values: list[float], uid: str = "a") -> pd.DataFrame:
    return pd.DataFrame({S.UNIQUE_ID: uid, S.DS: DATES[: len(values)], S.Y: values})


def _cv(
    history: list[float],
    cutoffs: list[int],
    h: int,
    forecasts: dict[str, list[float]],
    uid: str = "a",
) -> pd.DataFrame:
    """Windows after each cutoff index; ``forecasts[model]`` lists the forecasts in order."""
    rows = [(uid, DATES[c + k], DATES[c], history[c + k]) for c in cutoffs for k in range(1, h + 1)]
    frame = pd.DataFrame(rows, columns=[S.UNIQUE_ID, S.DS, "cutoff", S.Y])
    for model, values in forecasts.items():
        frame[model] = values
    return frame


def test_evaluate_pools_points_and_averages_scaled_metrics_over_windows() -> None:
    train = _train(A_HISTORY)
    # window 1: cutoff DATES[3], actuals 10, 0; window 2: cutoff DATES[5], actuals 7, 7
    cv = _cv(A_HISTORY, [3, 5], 2, {"M": [4.0, 4.0, 4.0, 4.0]})
    out = evaluate(cv, train, ["M"])
    assert list(out.columns) == [S.UNIQUE_ID, "model", *DEFAULT_METRICS, "n_points"]
    row = out.iloc[0]
    assert (row[S.UNIQUE_ID], row["model"], row["n_points"]) == ("a", "M", 4)
    # errors f - y: -6, 4, -3, -3
    assert row["mae"] == approx((6 + 4 + 3 + 3) / 4)
    assert row["rmse"] == approx(math.sqrt((36 + 16 + 9 + 9) / 4))
    assert row["bias"] == approx((-6 + 4 - 3 - 3) / 4)
    assert row["wape"] == approx(16 / (10 + 0 + 7 + 7))
    assert row["smape"] == approx((12 / 14 + 8 / 4 + 6 / 11 + 6 / 11) / 4)
    # window 1 trains on 1, 3, 2, 4: |diffs| 2, 1, 2 -> scale 5/3; squared mean 9/3 = 3
    #   MAE (6 + 4)/2 = 5 -> MASE 3; MSE (36 + 16)/2 = 26 -> RMSSE sqrt(26/3)
    # window 2 trains on 1, 3, 2, 4, 10, 0: |diffs| 2, 1, 2, 6, 10 -> 21/5 = 4.2;
    #   squared (4+1+4+36+100)/5 = 29; MAE 3 -> MASE 3/4.2; MSE 9 -> RMSSE sqrt(9/29)
    assert row["mase"] == approx((3 + 3 / 4.2) / 2)
    assert row["rmsse"] == approx((math.sqrt(26 / 3) + math.sqrt(9 / 29)) / 2)


def test_evaluate_matches_array_metrics_window_by_window() -> None:
    rng = np.random.default_rng(7)
    dates = pd.date_range("2023-01-02", periods=40, freq="W-MON")
    train = pd.concat(
        [
            pd.DataFrame({S.UNIQUE_ID: uid, S.DS: dates, S.Y: rng.poisson(lam, 40).astype(float)})
            for uid, lam in (("x", 3.0), ("y", 12.0), ("z", 0.7))
        ],
        ignore_index=True,
    )
    cutoffs = [dates[25], dates[30], dates[34]]
    h, m = 4, 3
    windows = []
    for cutoff in cutoffs:
        after = train[(train[S.DS] > cutoff)].groupby(S.UNIQUE_ID).head(h)
        windows.append(after.assign(cutoff=cutoff))
    cv = pd.concat(windows, ignore_index=True)
    cv["A"] = rng.uniform(0, 10, len(cv))
    cv["B"] = cv[S.Y] + rng.normal(0, 1, len(cv))
    out = evaluate(cv, train, ["A", "B"], season_length=m).set_index([S.UNIQUE_ID, "model"])
    for (uid, model), row in out.iterrows():
        part = cv[cv[S.UNIQUE_ID] == uid]
        y, f = part[S.Y].to_numpy(), part[model].to_numpy()
        assert row["mae"] == approx(mae(y, f))
        assert row["rmse"] == approx(rmse(y, f))
        assert row["wape"] == approx(wape(y, f), nan_ok=True)
        assert row["smape"] == approx(smape(y, f))
        per_window_mase, per_window_rmsse = [], []
        for cutoff, window in part.groupby("cutoff"):
            history = train[(train[S.UNIQUE_ID] == uid) & (train[S.DS] <= cutoff)][S.Y]
            per_window_mase.append(mase(window[S.Y], window[model], history, m))
            per_window_rmsse.append(rmsse(window[S.Y], window[model], history, m))
        assert row["mase"] == approx(np.nanmean(per_window_mase))
        assert row["rmsse"] == approx(np.nanmean(per_window_rmsse))


def _mase_of_first_window(history: list[float]) -> float:
    train = _train(history)
    cv = _cv(A_HISTORY, [3], 2, {"M": [4.0, 4.0]})  # the actuals stay the same
    return float(evaluate(cv, train, ["M"])["mase"].iloc[0])


def test_evaluate_scale_does_not_leak_values_after_the_cutoff() -> None:
    base = _mase_of_first_window(A_HISTORY)
    assert base == approx(3.0)  # MAE 5 / scale 5/3
    after = A_HISTORY.copy()
    after[4:] = [1000.0, -50.0, 3.0, 99.0]  # every row after cutoff DATES[3] changed
    assert _mase_of_first_window(after) == base
    before = A_HISTORY.copy()
    before[1] = 9.0  # inside the training part: |diffs| 8, 7, 2 -> scale 17/3
    assert _mase_of_first_window(before) == approx(5 / (17 / 3))
    at_cutoff = A_HISTORY.copy()
    at_cutoff[3] = 2.0  # the cutoff row itself is training: |diffs| 2, 1, 0 -> scale 1
    assert _mase_of_first_window(at_cutoff) == approx(5.0)


def test_evaluate_scale_per_window_changes_only_later_windows() -> None:
    cv = _cv(A_HISTORY, [3, 5], 2, {"M": [4.0, 4.0, 4.0, 4.0]})
    changed = A_HISTORY.copy()
    changed[4] = 4.0  # after cutoff 1, before cutoff 2
    # window 1 keeps MASE 3; window 2 now trains on 1,3,2,4,4,0: |diffs| 2,1,2,0,4 -> 9/5
    out = evaluate(cv, _train(changed), ["M"])
    assert out["mase"].iloc[0] == approx((3 + 3 / (9 / 5)) / 2)


def test_evaluate_skips_windows_with_zero_scale() -> None:
    history = [5.0, 5.0, 5.0, 5.0, 5.0, 8.0, 7.0, 7.0]
    # window 1 (cutoff DATES[3]) trains on a constant: scale 0 -> left out
    # window 2 (cutoff DATES[5]): |diffs| 0,0,0,0,3 -> 3/5; actuals 7, 7, f 4: MAE 3 -> MASE 5
    cv = _cv(history, [3, 5], 2, {"M": [4.0, 4.0, 4.0, 4.0]})
    out = evaluate(cv, _train(history), ["M"])
    assert out["mase"].iloc[0] == approx(3 / (3 / 5))
    only_first = cv[cv["cutoff"] == DATES[3]]
    out = evaluate(only_first, _train(history), ["M"])
    assert math.isnan(out["mase"].iloc[0])
    assert math.isnan(out["rmsse"].iloc[0])
    assert out["mae"].iloc[0] == approx((1 + 4) / 2)  # actuals 5, 8 against 4


def test_evaluate_scale_nan_when_training_part_too_short() -> None:
    cv = _cv(A_HISTORY, [1], 2, {"M": [0.0, 0.0]})  # trains on 2 rows, m = 2
    out = evaluate(cv, _train(A_HISTORY), ["M"], season_length=2)
    assert math.isnan(out["mase"].iloc[0])
    out = evaluate(cv, _train(A_HISTORY), ["M"], season_length=1)  # |3 - 1| = 2
    assert out["mase"].iloc[0] == approx(((2 + 4) / 2) / 2)  # actuals 2, 4


def test_evaluate_ignores_nan_actuals_and_propagates_nan_forecasts() -> None:
    cv = _cv(A_HISTORY, [3], 2, {"M": [4.0, 4.0], "Broken": [4.0, np.nan]})
    cv.loc[1, S.Y] = np.nan  # the actual 0 is unknown: only 10 vs 4 is scored
    out = evaluate(cv, _train(A_HISTORY), ["M", "Broken"]).set_index("model")
    assert out.loc["M", "n_points"] == 1
    assert out.loc["M", "mae"] == approx(6.0)
    assert out.loc["Broken", "mae"] == approx(6.0)  # its NaN was on the dropped point
    cv2 = _cv(A_HISTORY, [3], 2, {"M": [4.0, 4.0], "Broken": [4.0, np.nan]})
    out = evaluate(cv2, _train(A_HISTORY), ["M", "Broken"]).set_index("model")
    assert out.loc["M", "mae"] == approx(5.0)
    for metric in DEFAULT_METRICS:
        assert math.isnan(out.loc["Broken", metric]), metric
    assert out.loc["Broken", "n_points"] == 2


def test_evaluate_intervals_coverage_and_pinball() -> None:
    cv = _cv(A_HISTORY, [3], 2, {"M": [10.0, 1.0]})  # actuals 10, 0
    cv["M-lo-80"] = [10.0, 1.0]  # y == lo covered; 0 < 1 not covered
    cv["M-hi-80"] = [12.0, 3.0]
    cv["M-lo-50"] = [9.0, -1.0]
    cv["M-hi-50"] = [11.0, 0.0]  # both covered (second one on the upper edge)
    out = evaluate(cv, _train(A_HISTORY), ["M"], levels=(80, 50))
    assert list(out.columns)[-4:] == ["coverage_80", "pinball_80", "coverage_50", "pinball_50"]
    row = out.iloc[0]
    assert row["coverage_80"] == approx(0.5)
    assert row["coverage_50"] == approx(1.0)
    # level 80: quantiles 0.1 and 0.9
    #   point 1: lo y-q = 0 -> 0; hi y-q = -2 -> max(-1.8, 0.2) = 0.2 -> mean 0.1
    #   point 2: lo y-q = -1 -> max(-0.1, 0.9) = 0.9; hi y-q = -3 -> 0.3 -> mean 0.6
    assert row["pinball_80"] == approx((0.1 + 0.6) / 2)
    # level 50: quantiles 0.25 and 0.75
    #   point 1: lo y-q = 1 -> 0.25; hi y-q = -1 -> 0.25 -> mean 0.25
    #   point 2: lo y-q = 1 -> 0.25; hi y-q = 0 -> 0 -> mean 0.125
    assert row["pinball_50"] == approx((0.25 + 0.125) / 2)


def test_evaluate_layout_order_and_metric_subset() -> None:
    train = pd.concat([_train(A_HISTORY, "b"), _train(A_HISTORY, "a")], ignore_index=True)
    cv = pd.concat(
        [_cv(A_HISTORY, [3], 2, {"Z": [1.0, 1.0], "A": [2.0, 2.0]}, uid=u) for u in ("b", "a")],
        ignore_index=True,
    )
    out = evaluate(cv, train, ["Z", "A"], metrics=("mae", "mase"))
    assert list(out.columns) == [S.UNIQUE_ID, "model", "mae", "mase", "n_points"]
    assert list(zip(out[S.UNIQUE_ID], out["model"], strict=True)) == [
        ("a", "Z"),
        ("a", "A"),
        ("b", "Z"),
        ("b", "A"),
    ]
    assert out["n_points"].dtype == np.int64
    # metrics without MASE/RMSSE do not need the training frame's columns
    assert list(evaluate(cv, pd.DataFrame(), ["A"], metrics=("mae",)).columns) == [
        S.UNIQUE_ID,
        "model",
        "mae",
        "n_points",
    ]


def test_evaluate_cutoff_resolution_differs_from_train() -> None:
    train = _train(A_HISTORY)
    cv = _cv(A_HISTORY, [3, 5], 2, {"M": [4.0, 4.0, 4.0, 4.0]})
    cv["cutoff"] = cv["cutoff"].astype("datetime64[s]")
    out = evaluate(cv, train, ["M"])
    assert out["mase"].iloc[0] == approx((3 + 3 / 4.2) / 2)


def test_evaluate_rejects_bad_arguments() -> None:
    train = _train(A_HISTORY)
    cv = _cv(A_HISTORY, [3], 2, {"M": [4.0, 4.0]})
    with pytest.raises(MissingColumnsError):
        evaluate(cv, train, ["Other"])
    with pytest.raises(MissingColumnsError):
        evaluate(cv, train, ["M"], levels=(80,))
    with pytest.raises(MissingColumnsError):
        evaluate(cv.drop(columns="cutoff"), train, ["M"])
    with pytest.raises(ValueError, match="unknown metric"):
        evaluate(cv, train, ["M"], metrics=("mape",))
    with pytest.raises(ValueError):
        evaluate(cv, train, [])
    with pytest.raises(ValueError):
        evaluate(cv, train, ["M"], season_length=0)


def test_evaluate_empty_cv() -> None:
    cv = _cv(A_HISTORY, [3], 2, {"M": [4.0, 4.0]}).iloc[:0]
    out = evaluate(cv, _train(A_HISTORY), ["M"])
    assert out.empty
    assert list(out.columns) == [S.UNIQUE_ID, "model", *DEFAULT_METRICS, "n_points"]


def test_summarise_means_across_series_skipping_nan() -> None:
    metrics = pd.DataFrame(
        {
            S.UNIQUE_ID: ["a", "b", "c", "a", "b"],
            "model": ["Z", "Z", "Z", "A", "A"],
            "mae": [1.0, 2.0, 6.0, 4.0, 4.0],
            "mase": [1.0, np.nan, 0.5, np.nan, np.nan],
            "n_points": [4, 4, 4, 4, 4],
            "coverage_80": [1.0, 0.5, 0.0, 1.0, 1.0],
        }
    )
    out = summarise(metrics)
    assert list(out.columns) == ["model", "mae", "mase", "coverage_80", "n_series"]
    assert list(out["model"]) == ["Z", "A"]  # order of first appearance
    z, a = out.iloc[0], out.iloc[1]
    assert z["mae"] == approx(3.0)  # (1 + 2 + 6) / 3
    assert z["mase"] == approx(0.75)  # (1 + 0.5) / 2, NaN skipped
    assert z["coverage_80"] == approx(0.5)
    assert z["n_series"] == 3
    assert math.isnan(a["mase"])
    assert a["n_series"] == 2


def test_summarise_of_evaluate_output() -> None:
    cv = _cv(A_HISTORY, [3, 5], 2, {"M": [4.0, 4.0, 4.0, 4.0], "N": [7.0] * 4})
    out = summarise(evaluate(cv, _train(A_HISTORY), ["M", "N"]))
    assert list(out["model"]) == ["M", "N"]
    assert list(out.columns) == ["model", *DEFAULT_METRICS, "n_series"]
    assert out["mae"].iloc[0] == approx(4.0)
