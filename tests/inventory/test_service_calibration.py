"""Service levels re-mapped from how past protection-interval forecasts covered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.inventory.plan import PlanOptions, ProductFacts, build_plan
from stockwise.inventory.service_calibration import (
    LEVEL_GRID,
    FillRateCalibrator,
    ServiceCalibrator,
    backtest_outcomes,
    level_for,
    plan_levels,
    stocked_levels,
)
from stockwise.replay.simulation import replay_policy


def test_stocked_levels_round_the_order_as_the_supplier_accepts() -> None:
    totals = np.arange(1, 101, dtype=float)  # the "higher" q-quantile is about 100·q + 1
    stocked = stocked_levels(totals)
    grid = list(LEVEL_GRID)
    assert stocked[grid.index(0.5)] == 51 and stocked[grid.index(1.0)] == 100
    # beyond the largest total: + (level - 1) x (largest - median) = 100 + 49
    assert stocked[grid.index(2.0)] == 149
    # below the smallest: (1 + level) x smallest, so 0.5 x 1 -> 1 unit once rounded up
    big = stocked_levels(totals + 99)  # smallest total 100
    assert big[grid.index(0.0)] == 100 and big[grid.index(-0.5)] == 50
    assert big[grid.index(-0.95)] == 5
    # 3 on hand: the order tops up to the quantile; nothing is ordered below the position
    topped = stocked_levels(totals, position=3.0)
    assert topped[0] == 3.0 and topped[list(LEVEL_GRID).index(0.5)] == 51
    # packs of 12 round every order up; a MOQ of 40 makes even a small order 40 units
    packs = stocked_levels(totals, position=3.0, pack_size=10)
    assert packs[list(LEVEL_GRID).index(0.5)] == 3 + 50  # 48 -> 5 packs
    assert stocked_levels(totals, position=3.0, moq=40)[list(LEVEL_GRID).index(0.1)] == 43
    assert np.all(np.diff(stocked) >= 0)


def test_stocked_levels_of_many_decisions_equal_one_at_a_time() -> None:
    from stockwise.inventory.decision import protection_quantile

    rng = np.random.default_rng(0)
    totals = np.floor(rng.gamma(0.6, 20.0, (9, 301)))
    totals[0] = 7.0  # all alike
    moq, pack = np.array([[0.0]] * 4 + [[5.0]] * 5), np.array([[1.0]] * 7 + [[6.0]] * 2)
    together = stocked_levels(totals, 2.0, moq, pack)
    for row, expected in enumerate(together):
        assert np.array_equal(expected, stocked_levels(totals[row], 2.0, moq[row, 0], pack[row, 0]))
    inside = np.clip(LEVEL_GRID, 0.0, 1.0)
    assert np.array_equal(
        protection_quantile(totals[3], inside), np.quantile(totals[3], inside, method="higher")
    )


def test_level_for_is_the_smallest_level_with_the_conformal_count() -> None:
    # 19 decisions; decision i is covered from level (i + 1) / 20 on
    needed = np.arange(1, 20) / 20
    covered = LEVEL_GRID[None, :] >= needed[:, None] - 1e-12
    # rank ceil(20 · 0.9) = 18 -> covered by 18 decisions from level 0.90
    assert level_for(covered, 0.9) == pytest.approx(0.90)
    # forecasts twice too wide: every decision covered from half its level
    assert level_for(LEVEL_GRID[None, :] >= needed[:, None] / 2 - 1e-12, 0.9) == pytest.approx(0.45)
    assert level_for(covered, 0.99) == 1.0  # more than 19 decisions can show
    assert level_for(np.zeros((0, len(LEVEL_GRID)), dtype=bool), 0.9) == 0.9


def test_calibrator_uses_its_group_then_the_pool_then_the_target() -> None:
    calibrator = ServiceCalibrator(min_scores=10)
    assert calibrator.level(0.9, "smooth") == 0.9  # no evidence yet
    stocked = LEVEL_GRID * 100  # stock 100·q at level q
    for actual in np.linspace(0.0, 50.0, 12):  # demand never above 50: wide forecasts
        calibrator.add("intermittent", stocked, actual)
    # the smooth group has too few, so the pooled (intermittent) evidence is used
    assert calibrator.level(0.9, "smooth") <= 0.5
    for actual in np.linspace(50.0, 100.0, 12):
        calibrator.add("smooth", stocked, actual)
    assert calibrator.level(0.9, "smooth") > 0.9
    assert calibrator.level(0.9, "intermittent") <= 0.5
    assert calibrator.count() == 24 and calibrator.count("smooth") == 12


def _history(n: int, days: int, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    y = rng.poisson(4.0, (n, days)).astype(float)
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"P{i}" for i in range(n)], days),
            "ds": np.tile(dates, n),
            "y": y.ravel(),
        }
    )


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


@pytest.mark.slow
def test_calibration_brings_realised_service_towards_the_target_with_less_stock() -> None:
    history = _history(12, 330)
    start = pd.Timestamp("2023-05-01")
    common = {
        "start": start,
        "forecast": too_wide,
        "service_level": 0.8,
        "n_paths": 300,
        "lead_time_days": 3.0,
    }
    plain = replay_policy(history, calibrate_service=False, **common)
    calibrated = replay_policy(history, **common)  # calibrated by default, as the plan is
    assert plain.summary["label"].endswith("/uncalibrated")
    assert not calibrated.summary["label"].endswith("calibrated")
    gap_plain = abs(plain.summary["cycle_service_level"] - 0.8)
    gap_calibrated = abs(calibrated.summary["cycle_service_level"] - 0.8)
    assert plain.summary["cycle_service_level"] > 0.9  # the wide bands over-serve
    assert gap_calibrated < gap_plain / 4
    assert calibrated.summary["avg_stock_value"] < plain.summary["avg_stock_value"]
    # the level ordered at starts at the target and moves below it once evidence exists
    levels = calibrated.reviews.sort_values("ds")["service_level"]
    assert levels.iloc[0] == pytest.approx(0.8)
    assert levels.iloc[-1] < 0.8
    assert (plain.reviews["service_level"] == 0.8).all()


def test_fill_rate_calibrator_counts_units_short_per_product() -> None:
    calibrator = FillRateCalibrator(min_scores=4)
    stocked = np.clip(LEVEL_GRID, 0, None) * 10  # stock 10·q at level q (0 below q = 0)
    calibrator.add("g", stocked, product="A", actual=8.0, lead_part=2.0)  # review part: 6 units
    calibrator.add("g", stocked, product="B", actual=0.0, lead_part=0.0)  # no demand at all
    assert calibrator.level(0.9, "g") is None  # two decisions: not enough evidence
    calibrator.add("g", stocked, product="B", actual=0.0, lead_part=0.0)
    calibrator.add("g", stocked, product="C", actual=4.0, lead_part=0.0)
    fills = calibrator.realised(["g"])
    grid = list(LEVEL_GRID)
    # S = 5: A short (8-5)-(2-5)+ = 3 of 6 -> 0.5; C short 0 of 4 -> 1; B has no demand
    # in its review parts and does not count: mean 0.75
    assert fills[grid.index(0.5)] == pytest.approx(0.75)
    # S = 1: A short 7 - 1 = 6 (all its review demand; the unit short before the order
    # arrived is not counted twice) -> 0; C short 3 of 4 -> 0.25
    assert fills[grid.index(0.1)] == pytest.approx(0.125)
    assert fills[grid.index(1.0)] == pytest.approx(1.0)
    # S = 4.9 gives 0.742 < 0.75, S = 5 the first to reach it
    assert calibrator.level(0.75, "g") == pytest.approx(0.5)
    assert calibrator.level(0.5, "g") < 0.5 < calibrator.level(0.99, "g")
    assert np.all(np.diff(fills) >= -1e-12)  # more stock never serves fewer units


def test_products_no_level_can_serve_do_not_push_the_others_up() -> None:
    """A product whose paths give no stock at any level (zero forecast, zero-width bands)
    would hold the mean fill below any target: left out, it no longer drives the level."""
    calibrator = FillRateCalibrator(min_scores=2)
    stocked = np.clip(LEVEL_GRID, 0, None) * 10
    calibrator.add("g", stocked, product="A", actual=8.0, lead_part=2.0)
    calibrator.add("g", stocked, product="C", actual=4.0, lead_part=0.0)
    alone = calibrator.level(0.75, "g")
    calibrator.add("g", np.zeros(len(LEVEL_GRID)), product="DEAD", actual=5.0, lead_part=0.0)
    assert calibrator.fills(["g"]).shape == (3, len(LEVEL_GRID))
    assert calibrator.realised(["g"])[-1] == pytest.approx(2 / 3)  # all three, averaged
    assert calibrator.level(0.75, "g") == pytest.approx(alone) == pytest.approx(0.5)


def _mixed_history(days: int = 400, seed: int = 3) -> pd.DataFrame:
    """Six slow movers (0.1-0.3 a day) beside four faster products (4-8 a day)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    rates = [0.1, 0.15, 0.2, 0.3, 0.1, 0.2, 5.0, 6.0, 8.0, 4.0]
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": f"P{i}", "ds": dates, "y": rng.poisson(rate, days).astype(float)}
            )
            for i, rate in enumerate(rates)
        ],
        ignore_index=True,
    )


def poisson_forecast(train: pd.DataFrame, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
    """Each product's mean of its last 90 days, with Poisson bands."""
    from scipy.stats import poisson

    rows = []
    for uid, part in train.groupby("unique_id"):
        mean = float(part["y"].tail(90).mean())
        dates = pd.date_range(part["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D")
        row = {"unique_id": uid, "ds": dates, "forecast": mean}
        for level in levels:
            row[f"forecast-lo-{level}"] = float(poisson.ppf(0.5 - level / 200, mean))
            row[f"forecast-hi-{level}"] = float(poisson.ppf(0.5 + level / 200, mean))
        rows.append(pd.DataFrame(row))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.slow
def test_a_fill_rate_target_is_calibrated_on_units_served() -> None:
    common = {
        "start": "2023-08-01",
        "forecast": poisson_forecast,
        "service_level": 0.9,
        "n_paths": 300,
        "lead_time_days": 3.0,
    }
    history = _mixed_history()
    cycles = replay_policy(history, **common)
    fill = replay_policy(history, target="fill_rate", **common)
    assert fill.summary["label"].endswith("/fill-rate")
    # a 90 % cycle target over-fills here (fast movers lose few units in a short cycle);
    # the fill-rate target lands near 90 % of units served, per product on average
    assert cycles.summary["fill_rate"] > 0.95
    assert abs(fill.summary["fill_rate"] - 0.9) < 0.035
    assert fill.summary["avg_stock_value"] < 0.85 * cycles.summary["avg_stock_value"]
    # the level ordered at: the forecast's own expected fill rate until 50 intervals have
    # elapsed, then a calibrated quantile level
    levels = fill.reviews.sort_values("ds")["service_level"]
    assert levels.iloc[0] == pytest.approx(0.9) and levels.iloc[-1] != pytest.approx(0.9)


# -- the plan: calibration from the forecast's backtest windows ------------------------------
TODAY = pd.Timestamp("2025-03-03")


def _window(
    uid: str, cutoff: str, days: int, mean: float, spread: float, actual: float
) -> pd.DataFrame:
    start = pd.Timestamp(cutoff) + pd.Timedelta(days=1)
    frame = pd.DataFrame(
        {
            "unique_id": uid,
            "ds": pd.date_range(start, periods=days),
            "cutoff": pd.Timestamp(cutoff),
            "y": actual,
            "forecast": mean,
        }
    )
    for level, z in ((80, 1.2816), (95, 1.96)):
        frame[f"forecast-lo-{level}"] = max(mean - z * spread, 0.0)
        frame[f"forecast-hi-{level}"] = mean + z * spread
    return frame


def _forecast_rows(uid: str) -> pd.DataFrame:
    """Today's forecast: the same too-wide bands as the backtest windows."""
    return _window(uid, "2025-03-02", 60, 10.0, 6.0, actual=np.nan).drop(columns=["cutoff", "y"])


def test_backtest_outcomes_score_each_window_on_its_protection_interval() -> None:
    backtest = pd.concat(
        [
            _window("LOW", "2025-01-31", 20, 10.0, 2.0, actual=0.0),  # far below every path
            _window("HIGH", "2025-01-31", 20, 10.0, 2.0, actual=50.0),  # far above
            _window("SHORT", "2025-01-31", 5, 10.0, 2.0, actual=10.0),  # shorter than 14 days
        ],
        ignore_index=True,
    )
    protection = {"LOW": 14, "HIGH": 14, "SHORT": 14}
    outcomes = {
        uid: (stocked, actual)
        for uid, stocked, actual, _ in backtest_outcomes(
            backtest, protection, {"HIGH": (0.0, 12.0)}, n_paths=400
        )
    }
    assert set(outcomes) == {"LOW", "HIGH"}
    stocked, actual = outcomes["LOW"]
    assert actual == 0.0 and (stocked >= actual).all()
    stocked, actual = outcomes["HIGH"]
    assert actual == pytest.approx(700.0) and (stocked < actual).all()
    assert (stocked % 12 == 0).all()  # the pack size rounds every level's order
    assert stocked[list(LEVEL_GRID).index(0.5)] == pytest.approx(144.0)  # 140 -> 12 packs


def test_plan_orders_at_the_calibrated_level_and_says_so() -> None:
    rng = np.random.default_rng(1)
    ids = [f"P{i}" for i in range(30)]
    # two past windows per product whose bands were three times too wide: the actual
    # totals sit near the middle of the forecast distribution, far from its tails
    backtest = pd.concat(
        [
            _window(uid, cutoff, 28, 10.0, 6.0, actual=10.0 + rng.normal(0, 1))
            for uid in ids
            for cutoff in ("2025-01-03", "2025-01-31")
        ],
        ignore_index=True,
    )
    forecasts = pd.concat([_forecast_rows(uid) for uid in ids], ignore_index=True)
    inventory = pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": 20.0,
            "on_order": 0.0,
            "lead_time_days": 7.0,
            "unit_cost": 1.0,
            "sector": "retail",
            "service_level": 0.9,
        }
    )
    options = PlanOptions(today=TODAY, n_paths=300)
    plain = build_plan(forecasts, inventory, options).plan
    calibrated = build_plan(forecasts, inventory, options, ProductFacts(backtest=backtest)).plan
    assert (calibrated["service_level"] == 0.9).all()  # the target is still reported
    assert (calibrated["order_up_to"] < plain["order_up_to"] - 5).all()
    assert calibrated["reason"].str.contains("calibrated for the 90.0% target on 60 past").all()
    assert not plain["reason"].str.contains("calibrated").any()
    # too little evidence (one window of 20 products < 50): the target is used as it is
    few = backtest[(backtest["cutoff"] == "2025-01-31") & backtest["unique_id"].isin(ids[:20])]
    unchanged = build_plan(forecasts, inventory, options, ProductFacts(backtest=few)).plan
    assert unchanged["order_up_to"].tolist() == pytest.approx(plain["order_up_to"].tolist())


def test_plan_calibrates_a_fill_rate_target_on_units_short() -> None:
    ids = [f"P{i}" for i in range(30)]
    # 20-day windows, 14-day protection intervals of which 7 days lead time: the actual
    # demand (10 a day) sits in the middle of bands three times too wide
    backtest = pd.concat(
        [
            _window(uid, cutoff, 20, 10.0, 6.0, actual=10.0)
            for uid in ids
            for cutoff in ("2025-01-03", "2025-01-31")
        ],
        ignore_index=True,
    )
    outcomes = backtest_outcomes(backtest, dict.fromkeys(ids, (14, 7)), n_paths=200)
    assert {(actual, lead) for _, _, actual, lead in outcomes} == {(140.0, 70.0)}
    forecasts = pd.concat([_forecast_rows(uid) for uid in ids], ignore_index=True)
    inventory = pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": 20.0,
            "on_order": 0.0,
            "lead_time_days": 7.0,
            "unit_cost": 1.0,
            "sector": "retail",
            "service_level": 0.95,
        }
    )
    options = PlanOptions(today=TODAY, n_paths=300, target="fill_rate")
    plain = build_plan(forecasts, inventory, options).plan
    calibrated = build_plan(forecasts, inventory, options, ProductFacts(backtest=backtest)).plan
    assert calibrated["reason"].str.contains("calibrated for the 95.0% fill-rate target").all()
    # every past interval was served by about its mean: far less than the wide bands ask
    assert (calibrated["order_up_to"] < plain["order_up_to"] - 5).all()
    # 95 % of the review part's 70 units allows 3.5 short: S near 140 - 3.5 (the level
    # is chosen on the windows' paths, applied to today's, sampled afresh)
    assert calibrated["order_up_to"].between(130, 142).all()
    assert 134 < calibrated["order_up_to"].median() < 141


def test_plan_levels_pool_per_sector_and_group() -> None:
    stocked = LEVEL_GRID * 100
    outcomes = [(f"A{i}", stocked, a) for i, a in enumerate(np.linspace(0, 50, 60))]
    outcomes += [(f"B{i}", stocked, a) for i, a in enumerate(np.linspace(50, 100, 10))]
    targets = dict.fromkeys([uid for uid, _, _ in outcomes], 0.9)
    pools = {uid: ("retail" if uid.startswith("A") else "pharmacy") for uid in targets}
    levels = plan_levels(outcomes, targets, {}, pools=pools)
    assert levels["A0"][0] <= 0.5 and levels["A0"][1] == 60
    assert levels["B0"] == (0.9, 0)  # the pharmacy pool has 10 < 50 intervals


def test_plan_inventory_calibrates_from_its_own_backtest_unless_told_not_to() -> None:
    from stockwise.synthetic import generate
    from stockwise.workflows.plan import plan_inventory

    data = generate(sectors=("retail",), n_products=30, n_days=240, seed=3)
    models = ["SeasonalNaive", "WindowAverage"]  # two candidates: a backtest is made
    calibrated = plan_inventory(data.sales, data.inventory, sector="retail", models=models)
    plain = plan_inventory(
        data.sales, data.inventory, sector="retail", models=models, calibrate_service=False
    )
    backtest = calibrated.forecasts.backtest
    assert {"cutoff", "y", "forecast", "forecast-lo-95"} <= set(backtest.columns)
    assert backtest["unique_id"].nunique() == 30 and backtest["cutoff"].nunique() >= 2
    said = calibrated.plan.plan["reason"].str.contains("calibrated for the")
    assert said.all() and not plain.plan.plan["reason"].str.contains("calibrated").any()
    before = plain.plan.plan.set_index("unique_id").sort_index()
    after = calibrated.plan.plan.set_index("unique_id").sort_index()
    assert after["service_level"].equals(before["service_level"])  # the target, reported
    assert not np.allclose(after["order_up_to"], before["order_up_to"])


@pytest.mark.slow
def test_plan_inventory_calibrates_a_fill_rate_target_from_its_backtest() -> None:
    from stockwise.synthetic import generate
    from stockwise.workflows.plan import plan_inventory

    data = generate(sectors=("retail",), n_products=30, n_days=240, seed=3)
    common = {
        "sector": "retail",
        "models": ["SeasonalNaive", "WindowAverage"],
        "target": "fill_rate",
    }
    calibrated = plan_inventory(data.sales, data.inventory, **common).plan.plan
    plain = plan_inventory(data.sales, data.inventory, calibrate_service=False, **common).plan.plan
    assert calibrated["reason"].str.contains("fill-rate target on").all()
    assert not plain["reason"].str.contains("calibrated").any()
    after = calibrated.set_index("unique_id").sort_index()
    before = plain.set_index("unique_id").sort_index()
    assert after["service_level"].equals(before["service_level"])  # the target, reported
    assert not np.allclose(after["order_up_to"], before["order_up_to"])


def test_forecasts_far_too_high_are_ordered_below_their_smallest_total() -> None:
    """Every past interval needed under a quarter of the smallest sampled total (a
    seasonal naive forecast of a lumpy item repeating last week's burst): the level goes
    below 0, and the plan reason says so in words."""
    from stockwise.inventory.decision import describe_level, protection_quantile

    calibrator = ServiceCalibrator(min_scores=10)
    totals = np.linspace(80.0, 120.0, 200)
    for actual in np.linspace(0.0, 20.0, 30):
        calibrator.add("intermittent", stocked_levels(totals), actual)
    level = calibrator.level(0.9, "intermittent")
    assert -0.85 <= level < -0.7  # 20 of 80 covers all; the rank needs ~19 of 20
    assert protection_quantile(totals, level) == pytest.approx((1 + level) * 80.0)
    assert describe_level(level).endswith("of the smallest sampled total")
    assert describe_level(0.9) == "the 90.0% quantile"
    assert describe_level(1.5).startswith("the largest sampled total")
