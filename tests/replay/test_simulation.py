"""Closed-loop replay: hand-computed cases, timing, FEFO, no leakage, calibration trends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.replay.metrics import equal_fill_rate, stock_at_fill_rate
from stockwise.replay.simulation import (
    RefitSchedule,
    ReviewForecasts,
    compare,
    replay_policies,
    replay_policy,
)

START = pd.Timestamp("2024-03-01")


def constant(days_before: int, days_after: int, value: float = 10.0, ids=("A",)) -> pd.DataFrame:
    dates = pd.date_range(
        START - pd.Timedelta(days=days_before), periods=days_before + days_after, freq="D"
    )
    return pd.DataFrame(
        {"unique_id": np.repeat(list(ids), len(dates)), "ds": np.tile(dates, len(ids)), "y": value}
    )


def poisson(n_series: int, days: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    weekday = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.5, 0.5])[dates.dayofweek]
    means = rng.uniform(2, 20, n_series)
    y = rng.poisson(means[:, None] * weekday[None, :])
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"P{i}" for i in range(n_series)], days),
            "ds": np.tile(dates, n_series),
            "y": y.ravel().astype(float),
        }
    )


def flat_forecast(train: pd.DataFrame, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
    """A cheap forecaster: the mean of the last 28 days, ± a normal band."""
    from scipy.stats import norm

    rows = []
    for uid, part in train.groupby("unique_id"):
        recent = part["y"].to_numpy()[-28:]
        mean, sd = recent.mean(), recent.std()
        dates = pd.date_range(part["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D")
        row = {"unique_id": uid, "ds": dates, "forecast": mean}
        for level in levels:
            z = norm.ppf(0.5 + level / 200)
            row[f"forecast-lo-{level}"] = max(mean - z * sd, 0.0)
            row[f"forecast-hi-{level}"] = mean + z * sd
        rows.append(pd.DataFrame(row))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.slow
def test_constant_demand_matches_the_hand_computed_rs_policy() -> None:
    # d = 10/day, L = 7, R = 7: S = d·(L + R) = 140 with no uncertainty. Initial stock
    # 140 = S, so no order on day 0; from day 7 on every review orders 70, which arrives
    # on the next review day when the shelf has just emptied: no lost sales. Evaluation
    # starts after L + R = 14 days; end-of-day stock runs 60, 50, ..., 0 in every cycle,
    # so the average is (R − 1)·d/2 = 30.
    result = replay_policy(
        constant(60, 56), start=START, service_level=0.95, review_period_days=7, lead_time_days=7
    )
    reviews = result.reviews
    assert reviews["order_up_to"].tolist() == [140.0] * 8
    assert reviews["order_quantity"].tolist() == [0.0] + [70.0] * 7
    row = result.products.iloc[0]
    assert row["short_units"] == 0 and row["cycle_service_level"] == 1.0
    assert row["fill_rate"] == 1.0 and row["cycles"] == 6
    assert row["avg_on_hand"] == pytest.approx(30.0)
    assert result.summary["avg_stock_value"] == pytest.approx(30.0)
    assert result.summary["orders"] == 6 and result.summary["lost_units"] == 0


def test_unit_cost_values_the_stock() -> None:
    result = replay_policy(constant(60, 56), start=START, unit_cost=2.5, forecast=flat_forecast)
    assert result.summary["avg_stock_value"] == pytest.approx(2.5 * 30.0)


def test_orders_arrive_after_their_drawn_lead_time() -> None:
    history = constant(60, 90, ids=("A", "B"))
    inventory = pd.DataFrame(
        {"unique_id": ["A", "B"], "lead_time_days": [3.0, 5.0], "lead_time_std_days": [0.0, 2.0]}
    )
    result = replay_policy(
        history, start=START, inventory=inventory, forecast=flat_forecast, initial_cover_days=4
    )
    orders = result.reviews[result.reviews["order_quantity"] > 0]
    assert (orders.loc[orders["unique_id"] == "A", "lead_time"] == 3).all()
    spread = orders.loc[orders["unique_id"] == "B", "lead_time"]
    assert spread.min() >= 1 and spread.nunique() > 1  # drawn per order
    trace = result.trace.set_index(["unique_id", "ds"])
    last_day = result.trace["ds"].max()
    for row in orders.itertuples():
        due = row.ds + pd.Timedelta(days=int(row.lead_time))
        if due <= last_day:
            assert trace.loc[(row.unique_id, due), "received"] >= row.order_quantity
    assert result.trace["received"].sum() <= orders["order_quantity"].sum()


def test_fefo_serves_the_oldest_lot_first_and_writes_off_at_expiry() -> None:
    # Baseline, d = 10, L = 1, R = 7, σ = 0: S = 80. Initial stock 12 days = 120 units,
    # expiring at the end of day 10 (shelf life 10). Day 7: position 50 -> order 30,
    # arriving day 8 (expires day 18). FEFO sells the old lot on days 8-10: 10 units of it
    # are left and written off at the end of day 10; the new lot lasts days 11-13; day 14
    # is short (the day-14 order arrives on day 15).
    result = replay_policy(
        constant(60, 21),
        start=START,
        policy="baseline",
        lead_time_days=1,
        shelf_life_days=10,
        initial_cover_days=12,
    )
    trace = result.trace.set_index("ds")
    day = [START + pd.Timedelta(days=i) for i in range(21)]
    assert trace.loc[day[7], "ordered"] == 30 and trace.loc[day[8], "received"] == 30
    assert trace["waste"].to_numpy()[:11].tolist() == [0.0] * 10 + [10.0]
    assert trace.loc[day[13], "on_hand"] == 0 and trace.loc[day[14], "short"] == 10
    assert trace.loc[day[14], "ordered"] == 80 and trace.loc[day[15], "received"] == 80


def test_a_short_shelf_life_creates_waste_and_caps_stockwise_orders() -> None:
    history = poisson(3, 220)
    start = pd.Timestamp("2023-06-01")
    kwargs = {"start": start, "forecast": flat_forecast, "lead_time_days": 2, "n_paths": 200}
    short = replay_policy(history, shelf_life_days=4, **kwargs)
    base = replay_policy(history, policy="baseline", shelf_life_days=4, **kwargs)
    assert base.summary["waste_units"] > 0
    assert short.summary["waste_units"] < base.summary["waste_units"]  # the expiry cap
    assert replay_policy(history, **kwargs).summary["waste_units"] == 0


def test_backorders_are_filled_first_when_stock_arrives() -> None:
    # Initial stock 30 (3 days), S = 140: order 110 on day 0, due day 7. Days 3-6 are
    # short 40 units in all, backordered; day 7 fills them, then serves the day: 60 left.
    result = replay_policy(
        constant(60, 14),
        start=START,
        lost_sales=False,
        initial_cover_days=3,
        forecast=flat_forecast,
    )
    trace = result.trace
    assert trace["backlog"].tolist()[:8] == [0, 0, 0, 10, 20, 30, 40, 0]
    assert trace["on_hand"].iloc[7] == 60
    assert result.summary["lost_units"] == 0


@pytest.mark.slow
def test_no_leakage_future_demand_does_not_change_todays_order() -> None:
    history = poisson(3, 200)
    start = pd.Timestamp("2023-05-15")
    review_day = start + pd.Timedelta(days=21)
    changed = history.copy()
    later = changed["ds"] >= review_day  # the review day's own demand comes after the review
    changed.loc[later, "y"] = changed.loc[later, "y"] * 3 + 5
    a = replay_policy(history, start=start, n_paths=200).reviews
    b = replay_policy(changed, start=start, n_paths=200).reviews
    until = a["ds"] <= review_day
    pd.testing.assert_frame_equal(a[until], b[until])
    assert not np.allclose(a.loc[~until, "order_quantity"], b.loc[~until, "order_quantity"])


def test_forecasts_only_see_the_past_and_refit_every_reuses_them() -> None:
    seen: list[pd.Timestamp] = []

    def spy(train: pd.DataFrame, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
        seen.append(train["ds"].max())
        return flat_forecast(train, h, levels)

    history = poisson(2, 150)
    start = pd.Timestamp("2023-04-01")
    source = ReviewForecasts(history, spy, horizon=30, schedule=RefitSchedule(refit_every=3))
    result = replay_policy(history, start=start, forecast=source, calibrate_service=False)
    review_days = sorted(result.reviews["ds"].unique())
    assert len(review_days) == 9 and len(seen) == 3  # fitted on reviews 0, 3, 6
    assert seen == [day - pd.Timedelta(days=1) for day in review_days[::3]]
    assert result.summary["refit_every"] == 3
    # the service calibration adds forecasts on 4 review days before the replay, each
    # early enough for its protection interval (L 7 + R 7 days) to end before the start
    seen.clear()
    replay_policy(history, start=start, forecast=ReviewForecasts(history, spy, horizon=30))
    warmup = [day for day in seen if day < start - pd.Timedelta(days=1)]
    assert len(warmup) == 4
    assert max(warmup) == start - pd.Timedelta(days=15)


@pytest.fixture(scope="module")
def levels_compared() -> pd.DataFrame:
    history = poisson(8, 330, seed=11)
    configs = [{"service_level": s} for s in (0.7, 0.85, 0.95)]
    return compare(history, configs, start="2023-06-01", n_paths=300, seed=5, correlation=0.0)


@pytest.mark.slow
def test_higher_service_level_means_more_stock_and_higher_realised_csl(
    levels_compared: pd.DataFrame,
) -> None:
    ours = levels_compared[levels_compared["policy"] == "RS"].sort_values("service_level")
    assert ours["avg_stock_value"].is_monotonic_increasing
    assert ours["cycle_service_level"].is_monotonic_increasing
    assert ours["fill_rate"].is_monotonic_increasing
    assert ours["cycle_service_level"].iloc[-1] > ours["cycle_service_level"].iloc[0]


@pytest.mark.slow
def test_compare_always_includes_the_baseline(levels_compared: pd.DataFrame) -> None:
    base = levels_compared[levels_compared["policy"] == "baseline"]
    assert sorted(base["service_level"]) == [0.7, 0.85, 0.95]
    assert base["avg_stock_value"].is_monotonic_increasing
    assert (levels_compared["products_with_demand"] == 8).all()
    table = equal_fill_rate(levels_compared)
    assert len(table) == 3 and "stock_saving" in table.columns


def test_stock_at_fill_rate_interpolates_inside_the_range_only() -> None:
    assert stock_at_fill_rate([0.9, 0.95, 0.99], [100, 150, 250], 0.97) == pytest.approx(200)
    assert np.isnan(stock_at_fill_rate([0.9, 0.95], [100, 150], 0.99))


def test_equal_fill_rate_gives_a_bound_above_the_reference_range() -> None:
    summary = pd.DataFrame(
        {
            "policy": ["baseline", "baseline", "RS", "RS"],
            "fill_rate": [0.90, 0.95, 0.93, 0.99],
            "avg_stock_value": [100.0, 200.0, 120.0, 150.0],
        }
    )
    table = equal_fill_rate(summary)
    assert table["stock_saving"].iloc[0] == pytest.approx(1 - 120 / 160)
    assert np.isnan(table["stock_saving"].iloc[1])
    assert table["stock_saving_bound"].iloc[1] == pytest.approx(1 - 150 / 200)


@pytest.mark.slow
def test_same_seed_same_result_other_seed_other_paths() -> None:
    history = poisson(3, 160)
    source = ReviewForecasts(history, "SeasonalNaive", horizon=30)
    runs = [
        replay_policy(
            history,
            start="2023-04-15",
            forecast=source,
            seed=s,
            lead_time_std_days=2.0,
            n_paths=200,
        )
        for s in (1, 1, 2)
    ]
    pd.testing.assert_frame_equal(runs[0].trace, runs[1].trace)
    pd.testing.assert_frame_equal(runs[0].reviews, runs[1].reviews)
    assert not runs[0].reviews["order_up_to"].equals(runs[2].reviews["order_up_to"])


def test_other_policies_run_and_bad_options_are_refused() -> None:
    history = poisson(2, 150)
    results = replay_policies(
        history,
        [{"policy": "sS"}, {"policy": "sQ"}],
        start="2023-04-15",
        forecast=flat_forecast,
        n_paths=200,
        unit_cost=50.0,
    )
    assert [r.config["policy"] for r in results] == ["sS", "sQ", "baseline"]
    assert all(r.summary["orders"] > 0 for r in results)
    with pytest.raises(ValueError, match="policy"):
        replay_policy(history, start="2023-04-15", policy="XYZ")
    with pytest.raises(ValueError, match="start"):
        replay_policy(history, start="2030-01-01")


def test_products_launched_late_start_when_they_have_history() -> None:
    history = poisson(2, 150)
    late = history["unique_id"].eq("P1") & history["ds"].lt("2023-05-01")
    result = replay_policy(history[~late], start="2023-04-15", forecast=flat_forecast, n_paths=200)
    first = result.trace.groupby("unique_id")["ds"].min()
    assert first["P0"] == pd.Timestamp("2023-04-15")
    assert first["P1"] == pd.Timestamp("2023-05-20")  # first review with 14 days behind it


@pytest.mark.slow
def test_cli_writes_the_summary_and_product_tables(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from stockwise.cli.app import app

    sales = tmp_path / "sales.csv"
    poisson(3, 150).to_csv(sales, index=False)
    result = CliRunner().invoke(
        app,
        [
            "replay",
            str(sales),
            "--sector",
            "retail",
            "--policy",
            "RS,baseline",
            "--service-levels",
            "0.9,0.95",
            "--days",
            "60",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "out" / "simulation_summary.csv")
    assert sorted(summary["policy"]) == ["RS", "RS", "baseline", "baseline"]
    assert summary.loc[summary["policy"] == "RS", "calibrate_service"].all()
    products = pd.read_csv(tmp_path / "out" / "simulation_products.csv")
    assert len(products) == 4 * 3
    plain = CliRunner().invoke(
        app,
        [
            "replay",
            str(sales),
            "--sector",
            "retail",
            "--service-levels",
            "0.9",
            "--days",
            "60",
            "--no-calibrate-service",
            "--out",
            str(tmp_path / "plain"),
        ],
    )
    assert plain.exit_code == 0, plain.output
    labels = pd.read_csv(tmp_path / "plain" / "simulation_summary.csv")["label"]
    assert labels.str.endswith("/uncalibrated").sum() == 1
    fill = CliRunner().invoke(
        app,
        [
            "replay",
            str(sales),
            "--sector",
            "retail",
            "--service-levels",
            "0.9",
            "--days",
            "60",
            "--target",
            "fill-rate",
            "--out",
            str(tmp_path / "fill"),
        ],
    )
    assert fill.exit_code == 0, fill.output
    row = pd.read_csv(tmp_path / "fill" / "simulation_summary.csv").iloc[0]
    assert row["target"] == "fill_rate" and row["label"].endswith("/fill-rate")
    window = CliRunner().invoke(
        app,
        [
            "replay",
            str(sales),
            "--service-levels",
            "0.9",
            "--days",
            "60",
            "--train-window",
            "42",
            "--out",
            str(tmp_path / "window"),
        ],
    )
    assert window.exit_code == 0, window.output
    assert pd.read_csv(tmp_path / "window" / "simulation_summary.csv").loc[0, "train_window"] == 42
    assert pd.isna(pd.read_csv(tmp_path / "fill" / "simulation_summary.csv").loc[0, "train_window"])
    # the former command name reaches the same replay (and its checks)
    wrong = CliRunner().invoke(
        app, ["simulate", str(sales), "--target", "units", "--out", str(tmp_path / "wrong")]
    )
    assert wrong.exit_code != 0 and "--target must be one of" in wrong.output


@pytest.mark.slow
def test_bootstrap_paths_for_intermittent_products_are_an_option() -> None:
    rng = np.random.default_rng(8)
    history = poisson(2, 240)
    slow = history[history["unique_id"] == "P0"].assign(unique_id="SLOW")
    slow["y"] = np.where(rng.random(len(slow)) < 0.2, rng.integers(1, 6, len(slow)), 0.0)
    history = pd.concat([history, slow], ignore_index=True)
    start = pd.Timestamp("2023-06-01")
    plain = replay_policy(history, start=start, n_paths=200)
    boot = replay_policy(history, start=start, n_paths=200, intermittent_paths="bootstrap")
    assert boot.summary["label"].endswith("/boot")
    assert boot.config["intermittent_paths"] == "bootstrap"
    levels = {
        name: r.reviews.groupby("unique_id")["order_up_to"].mean()
        for name, r in (("plain", plain), ("boot", boot))
    }
    # only the intermittent product's decisions change
    assert levels["plain"]["SLOW"] != pytest.approx(levels["boot"]["SLOW"])
    assert levels["plain"].drop("SLOW").tolist() == pytest.approx(
        levels["boot"].drop("SLOW").tolist()
    )
    with pytest.raises(ValueError, match="intermittent_paths"):
        replay_policy(history, start=start, intermittent_paths="magic")


@pytest.mark.slow
def test_initial_stock_follows_the_mean_of_the_cover_window() -> None:
    """A December-like burst just before the start: 28 days of it set a starting stock
    five times the long-run one; a 365-day window averages it away."""
    history = constant(400, 30, value=2.0)
    burst = (history["ds"] >= START - pd.Timedelta(days=28)) & (history["ds"] < START)
    history.loc[burst, "y"] = 10.0
    stock = {}
    for window in (28, 365):
        result = replay_policy(
            history,
            start=START,
            lead_time_days=7,
            review_period_days=7,
            initial_cover_window=window,
            calibrate_service=False,
            n_paths=50,
        )
        first = result.trace.sort_values("ds").iloc[0]
        stock[window] = first["on_hand"] + first["demand"]  # before the first day's sales
    assert stock[28] == pytest.approx(10.0 * 14)
    expected = (2.0 * 337 + 10.0 * 28) / 365 * 14
    assert stock[365] == pytest.approx(expected)


def test_the_cli_help_states_the_replay_default_length() -> None:
    from stockwise.cli import replay_command
    from stockwise.replay import comparison

    assert replay_command.DEFAULT_DAYS == comparison.DEFAULT_DAYS


def test_the_former_names_of_the_replay_still_answer_with_a_warning() -> None:
    from stockwise.replay import simulation

    for old, new in (
        ("simulate", replay_policy),
        ("simulate_many", replay_policies),
        ("SimulationResult", simulation.ReplayResult),
    ):
        with pytest.warns(FutureWarning, match=new.__name__):
            assert getattr(simulation, old) is new
    with pytest.raises(AttributeError):
        simulation.simulate_everything  # noqa: B018


def test_the_replay_reads_the_former_drivers_name_with_a_warning() -> None:
    from stockwise.replay.comparison import PolicyComparison
    from stockwise.replay.config import ReplayConfig

    with pytest.warns(FutureWarning, match="exog"):
        old = ReplayConfig(drivers=["promo"])
    assert old == ReplayConfig(exog=("promo",))
    with pytest.raises(ValueError, match="give one"), pytest.warns(FutureWarning):
        ReplayConfig(exog=("promo",), drivers=("price",))
    # "drivers" is the command line's word: read as exog
    assert PolicyComparison.from_request({"drivers": "promo, price"}).exog == ("promo", "price")
