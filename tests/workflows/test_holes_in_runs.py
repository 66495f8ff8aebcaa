"""Missing is not zero: a store without rows for six months, in validate, forecast and plan.

The fixture is a few real Rossmann stores (daily, closed on Sundays and holidays) with 184
days cut out of one of them, as a chain's export lost them, and a generated slow item
whose zeros are real sales of nothing. A hole early enough leaves a long segment after
it, which is fitted alone; a recent one leaves too little, and is bridged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.workflows.forecast import run_forecast
from stockwise.workflows.plan import plan_inventory
from stockwise.workflows.validate import validate_sources

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

STORES = ["store_0001", "store_0003", "store_0024", "store_0025"]
REAL_HOLES = ["store_0013", "store_0020"]
"""Stores the public data itself lacks for 2014-07-01..2014-12-31."""
CUT = "store_0024"
EARLY = ("2014-07-01", "2014-12-31")
RECENT = ("2014-10-01", "2015-04-02")
H = 28


@pytest.fixture(scope="module")
def stores(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_parquet(
        shared_data / "rossmann" / "rossmann.parquet", columns=["unique_id", "ds", "y", "store"]
    )
    frame["ds"] = pd.to_datetime(frame["ds"])
    picked = frame["unique_id"].isin([*STORES, *REAL_HOLES]) & (frame["ds"] >= "2014-01-01")
    return frame[picked].reset_index(drop=True)


@pytest.fixture(scope="module")
def rossmann(stores: pd.DataFrame) -> pd.DataFrame:
    frame = stores[stores["unique_id"].isin(STORES)][["unique_id", "ds", "y"]]
    frame = frame[frame.groupby("unique_id")["ds"].transform("size") == frame["ds"].nunique()]
    assert sorted(frame["unique_id"].unique()) == STORES, "the stores must be hole-free"
    return frame.reset_index(drop=True)


def _holed(rossmann: pd.DataFrame, hole: tuple[str, str]) -> pd.DataFrame:
    lost = (rossmann["unique_id"] == CUT) & rossmann["ds"].between(*hole)
    days = rossmann["ds"].drop_duplicates().sort_values()
    rng = np.random.default_rng(3)
    slow = pd.DataFrame(
        {"unique_id": "slow_item", "ds": days, "y": rng.poisson(0.2, len(days)).astype(float)}
    )
    return pd.concat([rossmann[~lost], slow], ignore_index=True)


@pytest.fixture(scope="module")
def holed(rossmann: pd.DataFrame) -> pd.DataFrame:
    return _holed(rossmann, RECENT)


@pytest.fixture(scope="module")
def plan_run(holed: pd.DataFrame):
    inventory = pd.DataFrame(
        {"unique_id": [*STORES, "slow_item"], "on_hand": 1000.0, "lead_time_days": 3.0}
    )
    return plan_inventory(holed, inventory, seed=0)


def _open_level(frame: pd.DataFrame, uid: str, weeks: int = 8) -> float:
    rows = frame[(frame["unique_id"] == uid) & (frame["y"] > 0)]
    return float(rows[rows["ds"] > rows["ds"].max() - pd.Timedelta(weeks=weeks)]["y"].mean())


def test_validate_reports_the_hole(holed: pd.DataFrame) -> None:
    report = validate_sources(holed, as_of="2015-08-01").tables["sales"].report
    assert report.holes["unique_id"].tolist() == [CUT]
    assert report.holes["days"].tolist() == [184]
    assert (
        f"1 series has holes of up to 184 days (longest: {CUT}, 2014-10-01 to 2015-04-02)"
    ) in " ".join(report.notes)


def test_plan_reports_a_recent_hole_and_no_filled_zero_is_demand(plan_run, holed) -> None:
    assert plan_run.holes["unique_id"].tolist() == [CUT]
    assert plan_run.demand_groups[CUT] == "smooth"
    assert plan_run.demand_groups["slow_item"] == "intermittent"
    _assert_near_level(plan_run.forecasts.forecasts, holed)


@pytest.mark.parametrize("hole", [EARLY, RECENT], ids=["fitted after", "bridged"])
def test_the_forecast_neither_classes_nor_learns_a_hole_as_demand(rossmann, hole) -> None:
    holed = _holed(rossmann, hole)
    run = run_forecast(holed, h=H, freq="D", levels=(80, 95))
    assert run.demand_classes[CUT] == run.demand_classes[STORES[0]] == "smooth"
    assert run.demand_classes["slow_item"] in ("intermittent", "lumpy")
    assert not run.backtest[run.backtest["unique_id"] == CUT]["ds"].between(*hole).any()
    _assert_near_level(run.forecasts, holed)


def _assert_near_level(forecasts: pd.DataFrame, sales: pd.DataFrame) -> None:
    ahead = forecasts[(forecasts["unique_id"] == CUT) & (forecasts["forecast"] > 0)]
    assert ahead["forecast"].head(H).mean() == pytest.approx(_open_level(sales, CUT), rel=0.2)


def test_short_gaps_still_mean_nothing_sold(rossmann: pd.DataFrame) -> None:
    """Hole-free data gives what it gave before: a few days without a row are zeros."""
    recent = rossmann[rossmann["ds"] >= "2015-01-01"]
    short = (recent["unique_id"] == STORES[0]) & recent["ds"].between("2015-03-10", "2015-03-13")
    zeros = recent.assign(y=np.where(short, 0.0, recent["y"]))
    levels = (80, 95)
    with_gaps = run_forecast(recent[~short], h=H, freq="D", levels=levels).forecasts
    with_zeros = run_forecast(zeros, h=H, freq="D", levels=levels).forecasts
    pd.testing.assert_frame_equal(with_gaps, with_zeros)


def test_open_day_bands_start_above_zero(stores: pd.DataFrame) -> None:
    """The default 80 % band's lower bound is above 0 on open days wherever the store's
    open-day 10th percentile is above 0 (stores with the data's own hole included);
    closed days are forecast 0."""
    cutoff = stores["ds"].max() - pd.Timedelta(days=48)
    train, test = stores[stores["ds"] <= cutoff], stores[stores["ds"] > cutoff]
    out = run_forecast(train, h=48, freq="D", levels=(80, 95)).forecasts
    joined = out.merge(test[["unique_id", "ds", "y"]], on=["unique_id", "ds"])
    low = train[train["y"] > 0].groupby("unique_id")["y"].quantile(0.1)
    open_days = joined[(joined["y"] > 0) & (joined["unique_id"].map(low) > 0)]
    assert open_days["unique_id"].nunique() == len(STORES) + len(REAL_HOLES)
    assert len(open_days) > 0.7 * len(joined)
    assert (open_days["forecast-lo-80"] > 0).all()
    sundays = joined[joined["ds"].dt.dayofweek == 6]
    assert (sundays["forecast"] == 0).all()
