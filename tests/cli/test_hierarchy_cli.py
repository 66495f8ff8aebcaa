"""``stockwise forecast --hierarchy`` and ``stockwise plan --plan-level`` end to end."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from stockwise.cli.app import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hierarchy.helpers import chain_sales

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_forecast_with_hierarchy_writes_every_level_and_accuracy(tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    chain_sales(periods=40).to_csv(sales, index=False)
    code, output = run(
        "forecast",
        str(sales),
        "--hierarchy",
        "category/product",
        "--hierarchy",
        "store",
        "--horizon",
        "4",
        "--models",
        "SeasonalNaive,Naive",
        "--levels",
        "80",
        "--out",
        str(tmp_path / "f"),
        "--no-track",
    )
    assert code == 0, output
    assert "Backtest accuracy per level" in output and "category*store" in output
    out = pd.read_csv(tmp_path / "f" / "hierarchy_forecasts.csv")
    assert set(out["level"]) == {
        "total",
        "category",
        "store",
        "product",
        "category*store",
        "product*store",
    }
    bottom = out[out["level"] == "product*store"].groupby("ds")["forecast"].sum()
    total = out[out["level"] == "total"].set_index("ds")["forecast"]
    np.testing.assert_allclose(total, bottom, rtol=1e-9)
    assert (out["forecast"] >= 0).all()
    accuracy = pd.read_csv(tmp_path / "f" / "accuracy_by_level.csv")
    assert {"level", "model", "n_series", "mase", "chosen"} <= set(accuracy.columns)
    chosen = pd.read_csv(tmp_path / "f" / "reconciliation.csv")
    assert chosen["chosen"].sum() == 1
    assert chosen.loc[chosen["chosen"], "model"].item() == out["method"].iloc[0]


def test_forecast_with_hierarchy_on_a_missing_column_says_so(tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    chain_sales(periods=30).to_csv(sales, index=False)
    code, output = run(
        "forecast",
        str(sales),
        "--hierarchy",
        "region/store",
        "--horizon",
        "3",
        "--out",
        str(tmp_path / "f"),
        "--no-track",
    )
    assert code == 2
    assert "region" in output


def daily_stores(days: int = 150) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    rows = []
    for store in ("DC-A", "DC-B"):
        for p in range(3):
            rows.append(
                pd.DataFrame(
                    {
                        "unique_id": f"{store}-p{p}",
                        "ds": dates,
                        "y": rng.poisson(5 + 3 * p, days).astype(float),
                        "store": store,
                        "sector": "retail",
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_plan_at_the_store_level_orders_for_each_store(tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    daily_stores().to_csv(sales, index=False)
    inventory = tmp_path / "inventory.csv"
    pd.DataFrame(
        {
            "unique_id": ["DC-A", "DC-B"],
            "on_hand": [20.0, 400.0],
            "lead_time_days": [3, 3],
            "unit_cost": [2.0, 2.0],
        }
    ).to_csv(inventory, index=False)
    code, output = run(
        "plan",
        str(sales),
        "--inventory",
        str(inventory),
        "--plan-level",
        "store",
        "--models",
        "SeasonalNaive",
        "--out",
        str(tmp_path / "p"),
        "--no-track",
    )
    assert code == 0, output
    assert "6 series summed into 2" in output
    plan = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert sorted(plan["unique_id"]) == ["DC-A", "DC-B"]
    order = plan.set_index("unique_id")["order_qty"]
    assert order["DC-A"] > order["DC-B"] >= 0  # 20 units cannot cover ~30 a day
