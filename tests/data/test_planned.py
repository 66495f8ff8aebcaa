"""Planned values of known-ahead drivers: read, checked, used by forecasts and plans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.data.planned import read_planned
from stockwise.errors import InputError, OptionError
from stockwise.workflows.sector_forecast import forecast_sectors

DAYS = 300


def promoted_sales(products: int = 4, extra: int = 42, seed: int = 5) -> pd.DataFrame:
    """Daily sales of 4/day, four times as much on promotion days, ``extra`` days past
    the history for the planned values."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=DAYS + extra, freq="D")
    frames = []
    for i in range(products):
        promo = np.zeros(len(dates), dtype=int)
        for start in rng.choice(len(dates) - 3, 25, replace=False):
            promo[start : start + 3] = 1
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": f"P{i}",
                    "ds": dates,
                    "promo": promo,
                    "y": rng.poisson(4.0 * (1 + 3 * promo)).astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


FULL = promoted_sales()
CUT = pd.Timestamp("2024-01-01") + pd.Timedelta(days=DAYS)
SALES = FULL[FULL["ds"] < CUT]
PLANNED = FULL[FULL["ds"] >= CUT][["unique_id", "ds", "promo"]]


def test_planned_file_is_read_and_each_bad_cell_named(tmp_path: Path) -> None:
    path = tmp_path / "planned.csv"
    PLANNED.to_csv(path, index=False)
    table = read_planned(path)
    assert list(table.columns) == ["unique_id", "ds", "promo"] and len(table) == len(PLANNED)
    bad = PLANNED.astype({"promo": object}).copy()
    bad.iloc[4, 2] = "yes"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError) as error:
        read_planned(path)
    assert str(path) in str(error.value) and "row 6" in str(error.value)  # header = row 1
    assert "'promo'" in str(error.value) and "number" in str(error.value)
    with pytest.raises(InputError, match="'price'"):
        read_planned(PLANNED, exog=("promo", "price"))
    twice = pd.concat([PLANNED.head(3), PLANNED.head(1)])
    with pytest.raises(InputError, match="planned twice"):
        read_planned(twice)


@pytest.mark.slow
def test_forecasts_use_the_planned_promotions() -> None:
    run = forecast_sectors(SALES, horizon=14, models="LightGBM", levels=(80,), X_df=PLANNED)
    rows = run.forecasts.merge(PLANNED, on=["unique_id", "ds"])
    lift = rows.groupby("promo")["forecast"].mean()
    assert lift[1] > 2.5 * lift[0]
    plain = forecast_sectors(
        SALES.drop(columns="promo"), horizon=14, models="LightGBM", levels=(80,)
    ).forecasts.merge(PLANNED, on=["unique_id", "ds"])
    flat = plain.groupby("promo")["forecast"].mean()
    assert flat[1] < 1.5 * flat[0]


def test_drivers_without_plans_or_sales_columns_are_refused() -> None:
    with pytest.raises(OptionError, match="planned values"):
        forecast_sectors(SALES, horizon=14, models="LightGBM", exog=("promo",))
    with pytest.raises(OptionError, match="no column"):
        forecast_sectors(SALES.drop(columns="promo"), horizon=14, models="LightGBM", X_df=PLANNED)
    with pytest.raises(OptionError, match="no values"):  # a column the history never filled
        forecast_sectors(SALES.assign(promo=np.nan), horizon=14, models="LightGBM", X_df=PLANNED)
    short = PLANNED[PLANNED["ds"] < CUT + pd.Timedelta(days=7)]
    with pytest.raises(InputError, match="promo"):
        forecast_sectors(SALES, horizon=14, models="LightGBM", X_df=short)


@pytest.mark.slow
def test_plan_command_orders_for_the_planned_promotions(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from stockwise.cli.app import app

    SALES.to_csv(tmp_path / "sales.csv", index=False)
    planned = PLANNED.copy()  # a three-day promotion of everything, inside L + R
    days = (planned["ds"] - CUT).dt.days
    planned.loc[days.between(3, 5), "promo"] = 1
    planned.to_csv(tmp_path / "planned.csv", index=False)
    stock = pd.DataFrame(
        {
            "unique_id": [f"P{i}" for i in range(4)],
            "on_hand": 0.0,
            "lead_time_days": 7.0,
            "unit_cost": 2.0,
        }
    )
    stock.to_csv(tmp_path / "stock.csv", index=False)
    common = [
        "plan",
        str(tmp_path / "sales.csv"),
        "--inventory",
        str(tmp_path / "stock.csv"),
        "--models",
        "LightGBM",
        "--no-track",
    ]
    with_plans = CliRunner().invoke(
        app, [*common, "--planned", str(tmp_path / "planned.csv"), "--out", str(tmp_path / "a")]
    )
    assert with_plans.exit_code == 0, with_plans.output
    calm = PLANNED.assign(promo=0)
    calm.to_csv(tmp_path / "calm.csv", index=False)
    without = CliRunner().invoke(
        app, [*common, "--planned", str(tmp_path / "calm.csv"), "--out", str(tmp_path / "b")]
    )
    assert without.exit_code == 0, without.output
    promoted = pd.read_csv(tmp_path / "a" / "plan.csv").set_index("unique_id").sort_index()
    quiet = pd.read_csv(tmp_path / "b" / "plan.csv").set_index("unique_id").sort_index()
    assert (promoted["order_up_to"] > 1.2 * quiet["order_up_to"]).all()
