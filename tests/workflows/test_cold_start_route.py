"""Young series through the whole path: the plan, sector profiles and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cells import read_own_csv
from stockwise.cli.app import app
from stockwise.sectors import load_profile
from stockwise.synthetic import generate
from stockwise.workflows.plan import plan_inventory
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.sector_forecast import forecast_sectors

YOUNG = 14


@pytest.fixture(scope="module")
def launch() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Generated retail sales where one product was listed only two weeks ago."""
    data = generate(n_products=30, n_days=150, seed=4)
    sales = data.sales[data.sales["sector"] == "retail"]
    young = sorted(sales["unique_id"].unique())[0]
    last = sales["ds"].max()
    keep = (sales["unique_id"] != young) | (sales["ds"] > last - pd.Timedelta(days=YOUNG))
    inventory = data.inventory[data.inventory["unique_id"].isin(sales["unique_id"])]
    return sales[keep].reset_index(drop=True), inventory, young


@pytest.mark.slow
def test_the_plan_orders_a_young_product_on_its_peers_forecast(launch) -> None:
    sales, inventory, young = launch
    assert sales["unique_id"].nunique() >= 6  # the young product and its peers
    run = plan_inventory(sales, inventory)
    forecasts = run.forecasts.forecasts
    mine = forecasts[forecasts["unique_id"] == young]
    assert (mine["model"] == "PeerCurves").all()
    assert "sector=retail" in mine["note"].iloc[0]
    assert not forecasts.loc[forecasts["unique_id"] != young, "model"].eq("PeerCurves").any()
    row = run.plan.plan.set_index("unique_id").loc[young]
    assert np.isfinite(row["order_qty"]) and row["order_qty"] >= 0
    chosen = run.forecasts.selection.set_index("unique_id").loc[young]
    assert chosen["model"] == "PeerCurves" and "young series" in chosen["basis"]
    kept = plan_inventory(sales, inventory, cold_start=0).forecasts.forecasts
    assert not kept["model"].eq("PeerCurves").any()
    assert PlanConfig(cold_start=0).plan_kwargs()["cold_start"] == 0  # the CLI's path


@pytest.mark.slow
def test_a_profile_key_and_an_argument_set_the_threshold(launch, tmp_path: Path) -> None:
    sales, _, young = launch
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "retail.yaml").write_text("extends: retail\ncold_start_periods: 0\n")
    assert load_profile("retail", extra_dirs=[folder]).cold_start_periods == 0
    off = forecast_sectors(sales, horizon=7, extra_dirs=[folder])
    assert not off.forecasts["model"].eq("PeerCurves").any()
    on = forecast_sectors(sales, horizon=7, extra_dirs=[folder], cold_start=YOUNG + 1)
    routed = on.forecasts.loc[on.forecasts["model"] == "PeerCurves", "unique_id"].unique()
    assert list(routed) == [young]
    assert (
        f" of {YOUNG + 1} periods since its first sale"
        in on.forecasts.loc[on.forecasts["unique_id"] == young, "note"].iloc[0]
    )


@pytest.mark.slow
def test_the_cli_option_sets_the_threshold(launch, tmp_path: Path) -> None:
    sales, _, young = launch
    path = tmp_path / "sales.csv"
    sales[["unique_id", "ds", "y", "sector", "category"]].to_csv(path, index=False)
    models = {}
    for value in ("0", "20"):
        out = tmp_path / f"f{value}"
        result = CliRunner().invoke(
            app,
            [
                "forecast",
                str(path),
                "-H",
                "7",
                "--no-track",
                "--cold-start",
                value,
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        forecasts = read_own_csv(out / "forecasts.csv")
        models[value] = forecasts.groupby("unique_id")["model"].first()
    assert models["20"][young] == "PeerCurves" and models["0"][young] != "PeerCurves"
