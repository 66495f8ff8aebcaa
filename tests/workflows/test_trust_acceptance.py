"""Plans a buyer can trust, end to end through the command line, on one hostile panel.

Real Rossmann stores (daily, shut on Sundays and holidays) with six months cut out of
one store, plus generated rows a chain's export really holds: a product that stopped
selling (dead stock), a purchase order already overdue, a shelf already empty, and
absurd values (sales of 1e300, a lead time of 100,000 days). Weekly sales dated on a mix
of Mondays and Sundays go through validation and forecasting beside it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app

pytestmark = pytest.mark.shared_data

STORES = ["store_0001", "store_0003", "store_0024", "store_0025"]
CUT, HOLE = "store_0024", ("2014-10-01", "2015-04-02")
TEXT = {"supplier", "note"}
"""Text columns that no row fills here (read back from CSV as all-NaN numbers)."""


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def panel(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    frame = pd.read_parquet(
        shared_data / "rossmann" / "rossmann.parquet", columns=["unique_id", "ds", "y"]
    )
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame = frame[frame["unique_id"].isin(STORES) & (frame["ds"] >= "2014-06-01")]
    frame = frame[~((frame["unique_id"] == CUT) & frame["ds"].between(*HOLE))]
    days = pd.date_range("2014-06-01", "2015-07-31")
    rng = np.random.default_rng(5)
    dead = pd.DataFrame(
        {
            "unique_id": "dead_item",
            "ds": days,
            "y": np.where(days < "2015-06-01", rng.poisson(3, len(days)), 0),
        }
    )
    absurd = pd.DataFrame(
        {"unique_id": ["store_0003"], "ds": [pd.Timestamp("2015-07-31")], "y": [1e300]}
    )
    sales = pd.concat(
        [
            frame[frame["ds"] != "2015-07-31"],
            frame[(frame["ds"] == "2015-07-31") & (frame["unique_id"] != "store_0003")],
            dead,
            absurd,
            frame[(frame["ds"] == "2015-07-31") & (frame["unique_id"] == "store_0003")],
        ]
    )
    sales = sales.assign(sector="pharmacy")
    inventory = pd.DataFrame(
        {
            "unique_id": [*STORES, "dead_item", "absurd_item"],
            "sector": "pharmacy",
            "on_hand": [8000.0, 0.0, 9000.0, 7000.0, 400.0, 10.0],
            "on_order": [5000.0, 0, 0, 0, 0, 0],
            "on_order_due": ["2015-07-25", "", "", "", "", ""],  # a week overdue
            "lead_time_days": [2.0, 2.0, 2.0, 2.0, 2.0, 100_000.0],
            "unit_cost": 1.0,
        }
    )
    inventory.loc[inventory["unique_id"] == "absurd_item", "unit_cost"] = 2.0
    folder = tmp_path_factory.mktemp("trust")
    files = {"sales": folder / "sales.csv", "inventory": folder / "inventory.csv"}
    sales.to_csv(files["sales"], index=False)
    inventory.to_csv(files["inventory"], index=False)
    return files


@pytest.fixture(scope="module")
def planned(panel: dict[str, Path]) -> tuple[Path, str]:
    out = panel["sales"].parent / "plan"
    output = _run(
        "plan",
        str(panel["sales"]),
        "--inventory",
        str(panel["inventory"]),
        "--out",
        str(out),
        "--no-track",
    )
    return out, output


@pytest.mark.slow
def test_validate_and_plan_report_the_hole(panel: dict[str, Path], planned) -> None:
    out, output = planned
    validated = _run(
        "validate",
        str(panel["sales"]),
        "--out",
        str(panel["sales"].parent / "checks"),
        "--as-of",
        "2015-08-01",
    )
    for said in (validated, output):
        assert "holes of up to 184 days" in " ".join(said.split()) and CUT in said
    holes = pd.read_csv(out / "holes.csv")
    assert holes["unique_id"].tolist() == [CUT] and holes["days"].tolist() == [184]


@pytest.mark.slow
def test_no_gap_filled_zero_is_forecast_as_demand(planned) -> None:
    out, _ = planned
    forecasts = pd.read_csv(out / "forecasts.csv", parse_dates=["ds"])
    store = forecasts[forecasts["unique_id"] == CUT]
    open_days = store[store["forecast"] > 0]
    # the store sells ~4,000-9,000 on an open day; six months of invented zeros would
    # drag its level down or class it a slow mover with a flat, tiny forecast
    assert open_days["forecast"].median() > 3000
    assert (store["ds"].dt.dayofweek == 6).sum() > 0
    assert (store.loc[store["ds"].dt.dayofweek == 6, "forecast"] == 0).all()


@pytest.mark.slow
def test_bands_start_above_zero_on_open_days(planned, panel: dict[str, Path]) -> None:
    out, _ = planned
    sales = pd.read_csv(panel["sales"], parse_dates=["ds"])
    forecasts = pd.read_csv(out / "forecasts.csv", parse_dates=["ds"])
    for uid in STORES:
        history = sales[(sales["unique_id"] == uid) & (sales["y"] > 0) & (sales["y"] < 1e9)]
        if history["y"].quantile(0.1) <= 0:
            continue
        rows = forecasts[(forecasts["unique_id"] == uid) & (forecasts["forecast"] > 0)]
        assert len(rows) and (rows["forecast-lo-80"] > 0).all(), uid


@pytest.mark.slow
def test_dead_stock_is_planned_with_an_alert(planned) -> None:
    out, _ = planned
    plan = pd.read_csv(out / "plan.csv")
    alerts = pd.read_csv(out / "alerts.csv")
    assert "dead_item" in set(plan["unique_id"])
    assert "dead_stock" in set(alerts.loc[alerts["unique_id"] == "dead_item", "type"])


@pytest.mark.slow
def test_an_overdue_order_is_alerted(planned) -> None:
    out, _ = planned
    alerts = pd.read_csv(out / "alerts.csv")
    overdue = alerts[alerts["type"] == "overdue_delivery"]
    assert overdue["unique_id"].tolist() == ["store_0001"]
    assert "7 days" in overdue["message"].iloc[0]


@pytest.mark.slow
def test_absurd_rows_are_quarantined_with_the_rule(planned) -> None:
    out, _ = planned
    sales = pd.read_csv(out / "validation" / "sales_quarantine.csv")
    inventory = pd.read_csv(out / "validation" / "inventory_quarantine.csv")
    assert "plausible maximum" in sales["reasons"].iloc[0]
    assert inventory["unique_id"].tolist() == ["absurd_item"]
    assert "lead_time_days 100000" in inventory["reasons"].iloc[0]


@pytest.mark.slow
def test_every_critical_stockout_is_in_the_first_ten_lines(planned) -> None:
    out, output = planned
    plan = pd.read_csv(out / "plan.csv")
    alerts = pd.read_csv(out / "alerts.csv")
    critical = set(
        alerts.loc[
            (alerts["type"] == "stockout_risk") & (alerts["severity"] == "critical"), "unique_id"
        ]
    )
    assert "store_0003" in critical  # its shelf is empty
    assert critical <= set(plan["unique_id"].head(10))
    table = output.split("Most urgent", 1)[1]
    assert all(uid in table for uid in critical)


@pytest.mark.slow
def test_no_output_holds_nan_or_infinity(planned) -> None:
    out, _ = planned
    for name in ("plan", "alerts", "forecasts", "projection"):
        frame = pd.read_csv(out / f"{name}.csv")
        numbers = frame.select_dtypes("number").drop(columns=list(TEXT), errors="ignore")
        assert not numbers.empty
        assert np.isfinite(numbers.to_numpy(dtype=float)).all(), name
    plan = pd.read_csv(out / "plan.csv")
    for column in (
        "order_qty",
        "safety_stock",
        "order_up_to",
        "stockout_probability",
        "days_of_cover",
        "excess_value",
    ):
        assert plan[column].notna().all(), column


def test_weekly_sales_on_mixed_weekdays_are_read_as_weekly(tmp_path: Path) -> None:
    weeks = pd.date_range("2023-01-02", periods=80, freq="W-MON")
    rng = np.random.default_rng(1)
    dates = [d - pd.Timedelta(days=1) if i % 3 == 0 else d for i, d in enumerate(weeks)]
    sales = pd.DataFrame(
        {"unique_id": "bag", "ds": dates, "y": rng.poisson(100, len(weeks)).astype(float)}
    )
    path = tmp_path / "weekly.csv"
    sales.to_csv(path, index=False)
    output = _run(
        "forecast",
        str(path),
        "--horizon",
        "4",
        "--models",
        "SeasonalNaive",
        "--out",
        str(tmp_path / "f"),
        "--no-track",
    )
    forecasts = pd.read_csv(tmp_path / "f" / "forecasts.csv", parse_dates=["ds"])
    assert len(forecasts) == 4 and (forecasts["ds"].diff().dropna() == "7D").all()
    assert forecasts["forecast"].between(60, 140).all()  # weekly level, not twice or zero
    assert "week" in output.lower()
