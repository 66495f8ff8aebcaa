"""Service levels re-mapped from how past protection-interval forecasts covered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.inventory.service_calibration import (
    ServiceCalibrator,
    calibrated_level,
    randomised_pit,
)
from stockwise.inventory.simulation import simulate


def test_randomised_pit_spreads_ties_between_the_two_cdf_values() -> None:
    samples = np.array([0.0, 0.0, 1.0, 2.0])
    rng = np.random.default_rng(0)
    at_zero = [randomised_pit(samples, 0.0, rng) for _ in range(200)]
    assert min(at_zero) >= 0.0 and max(at_zero) <= 0.5
    assert np.mean(at_zero) == pytest.approx(0.25, abs=0.05)
    at_one = [randomised_pit(samples, 1.0, rng) for _ in range(50)]
    assert min(at_one) >= 0.5 and max(at_one) <= 0.75
    assert randomised_pit(samples, 3.0, rng) == 1.0
    assert randomised_pit(samples, -1.0, rng) == 0.0


def test_calibrated_level_is_the_conformal_order_statistic() -> None:
    pits = np.arange(1, 20) / 20  # 0.05 .. 0.95, n = 19
    # rank ceil(20 * 0.9) = 18 -> the 18th smallest = 0.90
    assert calibrated_level(pits, 0.9) == pytest.approx(0.90)
    # forecasts twice too wide: every PIT in [0, 0.5) -> the 90 % level maps to ~0.45
    assert calibrated_level(pits / 2, 0.9) == pytest.approx(0.45)
    # a target beyond what n values can show takes the whole distribution
    assert calibrated_level(pits, 0.99) == 1.0
    assert calibrated_level(np.array([]), 0.9) == 0.9


def test_calibrator_uses_its_group_then_the_pool_then_the_target() -> None:
    calibrator = ServiceCalibrator(min_scores=10)
    assert calibrator.level(0.9, "smooth") == 0.9  # no evidence yet
    for u in np.linspace(0.0, 0.5, 12):
        calibrator.add("intermittent", u)
    # the smooth group has too few, so the pooled (intermittent) evidence is used
    assert calibrator.level(0.9, "smooth") == pytest.approx(
        calibrated_level(np.linspace(0.0, 0.5, 12), 0.9))
    for u in np.linspace(0.5, 1.0, 12):
        calibrator.add("smooth", u)
    assert calibrator.level(0.9, "smooth") > 0.9
    assert calibrator.level(0.9, "intermittent") <= 0.5
    assert calibrator.count() == 24 and calibrator.count("smooth") == 12


def _history(n: int, days: int, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    y = rng.poisson(4.0, (n, days)).astype(float)
    return pd.DataFrame({"unique_id": np.repeat([f"P{i}" for i in range(n)], days),
                         "ds": np.tile(dates, n), "y": y.ravel()})


def too_wide(train: pd.DataFrame, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
    """The right mean (4 a day) with bands three times too wide."""
    from scipy.stats import norm

    rows = []
    for uid, part in train.groupby("unique_id"):
        dates = pd.date_range(part["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D")
        row = {"unique_id": uid, "ds": dates, "forecast": 4.0}
        for level in levels:
            z = norm.ppf(0.5 + level / 200)
            row[f"forecast-lo-{level}"] = max(4.0 - 3 * z * 2.0, 0.0)
            row[f"forecast-hi-{level}"] = 4.0 + 3 * z * 2.0
        rows.append(pd.DataFrame(row))
    return pd.concat(rows, ignore_index=True)


def test_calibration_brings_realised_service_towards_the_target_with_less_stock() -> None:
    history = _history(12, 330)
    start = pd.Timestamp("2023-05-01")
    common = {"start": start, "forecast": too_wide, "service_level": 0.8, "n_paths": 300,
              "lead_time_days": 3.0}
    plain = simulate(history, **common)
    calibrated = simulate(history, calibrate_service=True, **common)
    assert calibrated.summary["label"].endswith("/calibrated")
    gap_plain = abs(plain.summary["cycle_service_level"] - 0.8)
    gap_calibrated = abs(calibrated.summary["cycle_service_level"] - 0.8)
    assert plain.summary["cycle_service_level"] > 0.9  # the wide bands over-serve
    assert gap_calibrated < gap_plain / 2
    assert calibrated.summary["avg_stock_value"] < plain.summary["avg_stock_value"]
    # the level ordered at starts at the target and moves below it once evidence exists
    levels = calibrated.reviews.sort_values("ds")["service_level"]
    assert levels.iloc[0] == pytest.approx(0.8)
    assert levels.iloc[-1] < 0.8
    assert (plain.reviews["service_level"] == 0.8).all()
