"""Band calibration from backtest errors (conformalised quantile regression per segment)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.evaluation.calibration import (
    ALL,
    apply_corrections,
    apply_floors,
    band_scores,
    corrections,
    open_floors,
    series_scale,
)
from stockwise.models.conformal import conformal_quantile
from stockwise.workflows.forecast import run_forecast


def test_conformal_quantile_uses_the_finite_sample_rank() -> None:
    scores = np.arange(1.0, 10.0)  # 9 scores: 1..9
    # ceil(10 * 0.8) = 8th smallest
    assert conformal_quantile(scores, 80) == 8.0
    # ceil(10 * 0.95) = 10 > n: the largest
    assert conformal_quantile(scores, 95) == 9.0


def test_series_scale_is_the_mean_absolute_seasonal_difference() -> None:
    train = pd.DataFrame(
        {
            "unique_id": ["a"] * 5 + ["flat"] * 3,
            "ds": list(pd.date_range("2024-01-01", periods=5))
            + list(pd.date_range("2024-01-01", periods=3)),
            "y": [1.0, 3.0, 2.0, 6.0, 4.0, 5.0, 5.0, 5.0],
        }
    )
    scale = series_scale(train, season_length=2)
    assert scale["a"] == pytest.approx((1 + 3 + 2) / 3)  # |2-1|, |6-3|, |4-2|
    assert scale["flat"] == pytest.approx(5.0)  # no differences: mean |y|


def test_band_scores_are_signed_scaled_distances() -> None:
    cv = pd.DataFrame(
        {
            "unique_id": ["a", "a", "a"],
            "y": [5.0, 12.0, 1.0],
            "forecast": 5.0,
            "forecast-lo-80": 2.0,
            "forecast-hi-80": 8.0,
        }
    )
    scores = band_scores(cv, [80], pd.Series({"a": 2.0}))
    # inside (3 below the upper edge, 3 above the lower: -3), above by 4, below by 1
    assert scores[80].tolist() == [-1.5, 2.0, 0.5]


def _normal_cv(n: int, width: float, rng: np.random.Generator) -> pd.DataFrame:
    y = rng.normal(10.0, 1.0, n)
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i}" for i in range(n // 20)], 20),
            "y": y,
            "forecast": 10.0,
            "forecast-lo-80": 10.0 - width,
            "forecast-hi-80": 10.0 + width,
            "forecast-lo-95": 10.0 - 1.5 * width,
            "forecast-hi-95": 10.0 + 1.5 * width,
        }
    )


@pytest.mark.parametrize("width", [0.3, 2.0])  # far too narrow, too wide
def test_corrected_bands_cover_close_to_nominal_on_new_data(width: float) -> None:
    rng = np.random.default_rng(0)
    backtest = _normal_cv(4000, width, rng)
    ids = backtest["unique_id"].unique()
    scale = pd.Series(1.0, index=ids)
    segments = pd.Series("smooth", index=ids)
    table = corrections(band_scores(backtest, [80, 95], scale), segments, [80, 95])
    assert set(table["segment"]) == {ALL, "smooth"}
    fresh = _normal_cv(4000, width, rng)
    before = (fresh["y"] >= fresh["forecast-lo-80"]) & (fresh["y"] <= fresh["forecast-hi-80"])
    fixed = apply_corrections(fresh.drop(columns="y"), table, segments, scale, [80, 95])
    for level in (80, 95):
        inside = (
            (fresh["y"] >= fixed[f"forecast-lo-{level}"])
            & (fresh["y"] <= fixed[f"forecast-hi-{level}"])
        ).mean()
        assert inside == pytest.approx(level / 100, abs=0.03)
    assert abs(before.mean() - 0.8) > 0.15  # the raw bands were badly off


def test_inward_corrections_keep_half_of_the_models_band() -> None:
    # bands 2.3 times too wide: reaching 80 % would remove 57 % of each side; the cap
    # keeps half, so the bands narrow to +-1.5 and still cover more than nominal
    rng = np.random.default_rng(1)
    backtest = _normal_cv(4000, 3.0, rng)
    ids = backtest["unique_id"].unique()
    scale, segments = pd.Series(1.0, index=ids), pd.Series("smooth", index=ids)
    table = corrections(band_scores(backtest, [80, 95], scale), segments, [80, 95])
    fresh = _normal_cv(4000, 3.0, rng)
    fixed = apply_corrections(fresh.drop(columns="y"), table, segments, scale, [80, 95])
    assert fixed["forecast-hi-80"].to_numpy() == pytest.approx(11.5)
    assert fixed["forecast-lo-80"].to_numpy() == pytest.approx(8.5)
    inside = (fresh["y"] >= fixed["forecast-lo-80"]) & (fresh["y"] <= fixed["forecast-hi-80"])
    assert 0.8 < inside.mean() < 0.9


def test_corrections_stay_non_negative_nested_and_around_the_point() -> None:
    forecasts = pd.DataFrame(
        {
            "unique_id": ["a", "a"],
            "forecast": [1.0, 0.2],
            "forecast-lo-80": [0.5, 0.0],
            "forecast-hi-80": [1.5, 0.6],
            "forecast-lo-95": [0.4, 0.0],
            "forecast-hi-95": [1.8, 0.9],
        }
    )
    segments = pd.Series({"a": "smooth"})
    scale = pd.Series({"a": 1.0})
    shrink = pd.DataFrame(
        {
            "segment": [ALL, ALL],
            "level": [80, 95],
            "n": [99, 99],
            "correction": [-5.0, 0.1],
            "backtest_coverage": [1.0, 0.9],
        }
    )
    out = apply_corrections(forecasts, shrink, segments, scale, [80, 95])
    # a huge inward correction keeps half of each side of the band; a lower end at zero
    # stays at zero
    assert out["forecast-lo-80"].tolist() == pytest.approx([0.75, 0.0])
    assert out["forecast-hi-80"].tolist() == pytest.approx([1.25, 0.4])
    assert (out["forecast-lo-95"] <= out["forecast-lo-80"]).all()
    assert (out["forecast-hi-95"] >= out["forecast-hi-80"]).all()
    assert (out.filter(like="forecast") >= 0).all().all()


def test_small_segments_use_the_pooled_correction() -> None:
    scores = pd.DataFrame(
        {"unique_id": ["a"] * 60 + ["b"] * 5, 80: np.r_[np.full(60, -1.0), np.full(5, 3.0)]}
    )
    segments = pd.Series({"a": "smooth", "b": "lumpy"})
    table = corrections(scores, segments, [80])
    assert "lumpy" not in set(table["segment"])  # 5 scores: too few of its own
    assert set(table["segment"]) == {ALL, "smooth"}


def test_auto_runs_calibrate_their_bands_from_the_backtest() -> None:
    rng = np.random.default_rng(5)
    ds = pd.date_range("2023-01-01", periods=60, freq="D")
    df = pd.DataFrame(
        {
            "unique_id": np.repeat([f"p{i}" for i in range(6)], 60),
            "ds": np.tile(ds, 6),
            "y": np.abs(rng.normal(20, 4, 360)).round(),
        }
    )
    kwargs = {"h": 7, "freq": "D", "models": ["Naive", "HistoricAverage"], "levels": (80,)}
    calibrated = run_forecast(df, **kwargs)
    raw = run_forecast(df, calibrate=False, **kwargs)
    assert not calibrated.calibration.empty
    assert {"segment", "level", "n", "correction", "backtest_coverage"} <= set(
        calibrated.calibration.columns
    )
    assert raw.calibration.empty
    assert np.allclose(calibrated.forecasts["forecast"], raw.forecasts["forecast"])
    assert not np.allclose(calibrated.forecasts["forecast-hi-80"], raw.forecasts["forecast-hi-80"])
    out = calibrated.forecasts
    assert (
        (out["forecast-lo-80"] <= out["forecast"]) & (out["forecast"] <= out["forecast-hi-80"])
    ).all()
    assert (out["forecast-lo-80"] >= 0).all()


def test_bands_at_zero_are_scored_above_only_so_too_wide_ones_can_shrink() -> None:
    """Slow movers: 80 % of periods without demand, bands [0, 4] at 80 % while demand is
    0 or 1. Scored on both sides every zero would score 0 (on the lower bound) and the
    80 % correction would be 0; scored above only, the correction is negative and the
    band moves in (by at most half its upper side, :data:`MAX_INWARD`)."""
    rng = np.random.default_rng(3)
    n = 2000
    y = np.where(rng.random(n) < 0.8, 0.0, 1.0)
    backtest = pd.DataFrame(
        {"unique_id": "a", "y": y, "forecast": 0.2, "forecast-lo-80": 0.0, "forecast-hi-80": 4.0}
    )
    scores = band_scores(backtest, [80], pd.Series({"a": 1.0}))
    assert (scores[80].to_numpy()[y == 0] == -np.inf).all()  # covered whatever happens
    assert scores[80].to_numpy()[y == 1] == pytest.approx(-3.0)
    segments = pd.Series({"a": "intermittent"})
    table = corrections(scores, segments, [80])
    assert table["correction"].iloc[0] < 0
    fixed = apply_corrections(
        backtest.drop(columns="y"), table, segments, pd.Series({"a": 1.0}), [80]
    )
    assert (fixed["forecast-lo-80"] == 0).all()
    assert (fixed["forecast-hi-80"] < 4.0).all()  # moved in, at most half its width


def test_open_floors_are_the_lower_tail_of_actual_over_forecast() -> None:
    rng = np.random.default_rng(4)
    steady = pd.DataFrame(
        {"unique_id": "steady", "y": rng.poisson(10, 200).astype(float), "forecast": 10.0}
    )
    slow = pd.DataFrame(
        {"unique_id": "slow", "y": rng.poisson(0.5, 200).astype(float), "forecast": 0.5}
    )
    short = pd.DataFrame({"unique_id": "short", "y": [5.0] * 10, "forecast": 5.0})
    floors = open_floors(pd.concat([steady, slow, short]), (80, 95))
    assert sorted(floors.index) == ["slow", "steady"]  # too few points: no floor of its own
    expected = np.quantile(steady["y"] / 10.0, 0.1, method="lower")
    assert floors.loc["steady", 80] == pytest.approx(expected) and expected > 0.5
    assert floors.loc["steady", 95] <= floors.loc["steady", 80]
    assert floors.loc["slow", 80] == 0  # zero sales fill its lower tail: nothing to raise


def test_floors_raise_only_lower_ends_pinned_at_zero_and_keep_levels_nested() -> None:
    out = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b"],
            "forecast": [10.0, 0.0, 10.0],
            "forecast-lo-80": [0.0, 0.0, 3.0],
            "forecast-hi-80": [20.0, 0, 20.0],
            "forecast-lo-95": [0.0, 0.0, 1.0],
            "forecast-hi-95": [30.0, 0, 30.0],
        }
    )
    floors = pd.DataFrame({80: [0.6, 0.6], 95: [0.8, 0.8]}, index=["a", "b"])
    raised = apply_floors(out, floors, (80, 95))
    assert raised["forecast-lo-80"].tolist() == [6.0, 0.0, 3.0]  # b's own end is kept
    # the 95 % band's floor (8) would sit above the 80 % band's: nesting pulls it down
    assert raised["forecast-lo-95"].tolist() == [6.0, 0.0, 1.0]


def test_a_shop_shut_on_sundays_gets_open_day_bands_above_zero() -> None:
    """Small daily counts, the store closed every Sunday: the models' bands swell with the
    closure zeros and start at 0; the open days' own backtest puts them near the 10th
    percentile (1, 2 and 5 here)."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2023-06-01", "2024-06-30")
    frames = []
    for uid, rate in (("p3", 3.0), ("p5", 5.0), ("p8", 8.0)):
        y = rng.poisson(rate, len(days)).astype(float)
        y[days.dayofweek == 6] = 0
        frames.append(pd.DataFrame({"unique_id": uid, "ds": days, "y": y, "store": "S1"}))
    run = run_forecast(pd.concat(frames, ignore_index=True), 28, "D", 7, "auto", (80,), 2)
    out = run.forecasts
    open_days = out[out["ds"].dt.dayofweek != 6]
    assert (out.loc[out["ds"].dt.dayofweek == 6, "forecast"] == 0).all()
    assert (open_days["forecast-lo-80"] > 0).all()
    assert (open_days["forecast-lo-80"] <= open_days["forecast"]).all()
