"""Service levels re-mapped from how past protection-interval forecasts covered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.inventory.plan import build_plan
from stockwise.inventory.service_calibration import (
    ServiceCalibrator,
    backtest_pits,
    calibrated_level,
    plan_levels,
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


# -- the plan: calibration from the forecast's backtest windows ------------------------------
TODAY = pd.Timestamp("2025-03-03")


def _window(uid: str, cutoff: str, days: int, mean: float, spread: float,
            actual: float) -> pd.DataFrame:
    start = pd.Timestamp(cutoff) + pd.Timedelta(days=1)
    frame = pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=days),
                          "cutoff": pd.Timestamp(cutoff), "y": actual, "forecast": mean})
    for level, z in ((80, 1.2816), (95, 1.96)):
        frame[f"forecast-lo-{level}"] = max(mean - z * spread, 0.0)
        frame[f"forecast-hi-{level}"] = mean + z * spread
    return frame


def _forecast_rows(uid: str) -> pd.DataFrame:
    """Today's forecast: the same too-wide bands as the backtest windows."""
    return _window(uid, "2025-03-02", 60, 10.0, 6.0, actual=np.nan).drop(columns=["cutoff",
                                                                                 "y"])


def test_backtest_pits_place_the_actual_total_in_the_forecast_distribution() -> None:
    backtest = pd.concat([
        _window("LOW", "2025-01-31", 20, 10.0, 2.0, actual=0.0),     # far below every path
        _window("HIGH", "2025-01-31", 20, 10.0, 2.0, actual=50.0),   # far above
        _window("MID", "2025-01-31", 20, 10.0, 2.0, actual=10.0),    # at the median
        _window("SHORT", "2025-01-31", 5, 10.0, 2.0, actual=10.0),   # shorter than 14 days
    ], ignore_index=True)
    protection = {"LOW": 14, "HIGH": 14, "MID": 14, "SHORT": 14}
    pits = backtest_pits(backtest, protection, n_paths=400).set_index("unique_id")["pit"]
    assert set(pits.index) == {"LOW", "HIGH", "MID"}
    assert pits["LOW"] == 0.0 and pits["HIGH"] == 1.0
    assert pits["MID"] == pytest.approx(0.5, abs=0.1)


def test_plan_orders_at_the_calibrated_level_and_says_so() -> None:
    rng = np.random.default_rng(1)
    ids = [f"P{i}" for i in range(30)]
    # two past windows per product whose bands were three times too wide: the actual
    # totals sit near the middle of the forecast distribution, far from its tails
    backtest = pd.concat([_window(uid, cutoff, 28, 10.0, 6.0, actual=10.0 + rng.normal(0, 1))
                          for uid in ids for cutoff in ("2025-01-03", "2025-01-31")],
                         ignore_index=True)
    forecasts = pd.concat([_forecast_rows(uid) for uid in ids], ignore_index=True)
    inventory = pd.DataFrame({"unique_id": ids, "on_hand": 20.0, "on_order": 0.0,
                              "lead_time_days": 7.0, "unit_cost": 1.0, "sector": "retail",
                              "service_level": 0.9})
    plain = build_plan(forecasts, inventory, today=TODAY, n_paths=300).plan
    calibrated = build_plan(forecasts, inventory, today=TODAY, n_paths=300,
                            backtest=backtest).plan
    assert (calibrated["service_level"] == 0.9).all()  # the target is still reported
    assert (calibrated["order_up_to"] < plain["order_up_to"] - 5).all()
    assert calibrated["reason"].str.contains("calibrated for the 90.0% target on 60 past").all()
    assert not plain["reason"].str.contains("calibrated").any()
    # too little evidence (one window of 20 products < 50): the target is used as it is
    few = backtest[(backtest["cutoff"] == "2025-01-31") & backtest["unique_id"].isin(ids[:20])]
    unchanged = build_plan(forecasts, inventory, today=TODAY, n_paths=300, backtest=few).plan
    assert unchanged["order_up_to"].tolist() == pytest.approx(plain["order_up_to"].tolist())


def test_plan_levels_pool_per_sector_and_group() -> None:
    pits = pd.DataFrame({"unique_id": [f"A{i}" for i in range(60)] + [f"B{i}" for i in range(10)],
                         "cutoff": pd.Timestamp("2025-01-01"),
                         "pit": list(np.linspace(0, 0.5, 60)) + list(np.linspace(0.5, 1, 10))})
    targets = dict.fromkeys(pits["unique_id"], 0.9)
    pools = {uid: ("retail" if uid.startswith("A") else "pharmacy") for uid in targets}
    levels = plan_levels(pits, targets, {}, pools=pools)
    assert levels["A0"][0] == pytest.approx(calibrated_level(np.linspace(0, 0.5, 60), 0.9))
    assert levels["A0"][1] == 60
    assert levels["B0"] == (0.9, 0)  # the pharmacy pool has 10 < 50 intervals
