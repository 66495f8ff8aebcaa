"""A small real hierarchy: aus_retail, two states × the food industries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.workflows.hierarchy_forecast import HierarchyConfig, forecast_hierarchy

pytestmark = pytest.mark.shared_data

FOOD = ("Supermarket and grocery stores", "Liquor retailing", "Other specialised food retailing")


@pytest.fixture(scope="module")
def food(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_parquet(shared_data / "aus_retail" / "aus_retail.parquet")
    frame["ds"] = pd.to_datetime(frame["ds"])
    keep = frame["state"].isin(["Victoria", "New South Wales"]) & frame["industry"].isin(FOOD)
    return frame[keep & (frame["ds"] >= "2008-01-01")].reset_index(drop=True)


def test_reconciled_food_retail_adds_up_and_is_scored_per_level(food) -> None:
    cutoff = food["ds"].max() - pd.DateOffset(months=12)
    train = food[food["ds"] <= cutoff]
    config = HierarchyConfig(
        h=12, freq="M", season_length=12, models=("SeasonalNaive", "HoltWinters")
    )
    run = forecast_hierarchy(train, ["state", "industry"], config)
    out = run.forecasts
    assert out["unique_id"].nunique() == 1 + 2 + 3 + 6
    bottom = out[out["level"] == "state*industry"].groupby("ds")["forecast"].sum()
    total = out[out["level"] == "total"].set_index("ds")["forecast"]
    np.testing.assert_allclose(total, bottom, rtol=1e-9, atol=1e-6)
    assert (out["forecast"] >= 0).all()
    table = run.accuracy
    assert set(table["level"]) == {"total", "state", "industry", "state*industry"}
    assert table.loc[table["model"] == run.method, "mase"].notna().all()
    actual = food[food["ds"] > cutoff].groupby("ds")["y"].sum()
    error = (total - actual).abs().mean() / actual.mean()
    assert error < 0.1  # the reconciled total is within 10 % of the real food turnover


def test_the_benchmark_smoke_runs(shared_data: Path) -> None:
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.hierarchy",
            "--smoke",
            "--data",
            str(shared_data),
            "--datasets",
            "aus_retail",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=repo,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "total:" in done.stdout and "state*industry:" in done.stdout
