"""Quarterly and yearly budgets from real monthly data, forecast and planned end to end.

pbs, aus_retail and hospital are monthly; their months are summed to calendar quarters
and years (whole periods only: a quarter with two months is not a low quarter), then
the frequency is inferred, forecast with its own season and planned in days.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise import calendar_facts
from stockwise.workflows.forecast import run_forecast
from stockwise.workflows.plan import plan_inventory

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]
DATASETS = ("pbs", "aus_retail", "hospital")
SERIES = 4
"""Series per dataset: the busiest few, to keep the test fast."""


def _summed(monthly: pd.DataFrame, code: str) -> pd.DataFrame:
    """Months summed to ``code`` periods, keeping only periods with all their months."""
    frame = monthly.assign(ds=calendar_facts.period_start(monthly["ds"], code))
    totals = frame.groupby(["unique_id", "ds"], as_index=False).agg(
        y=("y", "sum"), months=("y", "size")
    )
    whole = totals["months"] == calendar_facts.MONTHS_PER_PERIOD[code]
    return totals.loc[whole, ["unique_id", "ds", "y"]].reset_index(drop=True)


@pytest.fixture(scope="module", params=DATASETS)
def monthly(request: pytest.FixtureRequest, shared_data: Path) -> pd.DataFrame:
    name = request.param
    frame = pd.read_parquet(
        shared_data / name / f"{name}.parquet", columns=["unique_id", "ds", "y"]
    )
    frame["ds"] = pd.to_datetime(frame["ds"])
    busiest = frame.groupby("unique_id")["y"].sum().nlargest(SERIES).index
    return frame[frame["unique_id"].isin(busiest)].reset_index(drop=True)


@pytest.mark.parametrize("code", ["Q", "Y"])
def test_summed_real_data_is_forecast_and_planned(monthly: pd.DataFrame, code: str) -> None:
    sales = _summed(monthly, code)
    months = calendar_facts.MONTHS_PER_PERIOD[code]
    assert len(sales) * months <= len(monthly)  # partial periods left out, none invented
    h = 4 if code == "Q" else 2
    run = run_forecast(sales, h=h, levels=[80, 95], n_windows=1)
    assert (run.freq, run.season_length) == (code, calendar_facts.SEASON[code])
    out = run.forecasts
    assert out.groupby("unique_id").size().eq(h).all()
    assert (out[["forecast", "forecast-lo-95"]] >= 0).all().all()
    assert (out["forecast-lo-95"] <= out["forecast"]).all()
    assert (out["forecast"] <= out["forecast-hi-95"]).all()
    last = sales.groupby("unique_id")["ds"].max()
    first_ahead = out.groupby("unique_id")["ds"].min()
    expected = pd.Series(calendar_facts.shift(last, code, 1), index=last.index)
    pd.testing.assert_series_equal(first_ahead, expected, check_names=False)
    # the next periods stay on the scale of the last year (a budget, not a wild guess)
    recent = sales.groupby("unique_id").tail(calendar_facts.SEASON[code] or 1)
    scale = recent.groupby("unique_id")["y"].mean()
    ahead = out.groupby("unique_id")["forecast"].mean()
    busy = scale > 0
    ratio = ahead[busy] / scale[busy]
    assert ratio.between(0.2, 5.0).all(), ratio

    ids = sorted(sales["unique_id"].unique())
    per_day = (scale / calendar_facts.DAYS_PER_PERIOD[code]).reindex(ids).to_numpy()
    inventory = pd.DataFrame(
        {
            "unique_id": ids,
            "lead_time_days": 30.0,
            "on_hand": np.where(np.arange(len(ids)) % 2 == 0, 0.0, per_day * 3 * 365 + 1),
        }
    )
    planned = plan_inventory(sales, inventory, n_windows=1, seed=0)
    assert set(planned.forecasts.forecasts["freq"]) == {code}
    plan = planned.plan.plan.set_index("unique_id")
    assert sorted(plan.index) == ids
    empty = [
        uid
        for uid, stock in zip(ids, inventory["on_hand"], strict=True)
        if stock == 0 and scale[uid] > 0
    ]
    full = [uid for uid, stock in zip(ids, inventory["on_hand"], strict=True) if stock > 0]
    assert (plan.loc[empty, "order_qty"] > 0).all()  # nothing on hand, demand: an order
    assert (plan.loc[full, "order_qty"] == 0).all()  # three years of stock: none
    projection = planned.plan.projection
    start = pd.Timestamp(calendar_facts.shift(pd.DatetimeIndex([sales["ds"].max()]), code, 1)[0])
    assert pd.Timestamp(projection["ds"].min()) == start
