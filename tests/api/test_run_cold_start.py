"""The cold-start threshold of a run, asked for through the API like on the command line."""

from __future__ import annotations

import pandas as pd
import pytest
from api_helpers import Api, csv_bytes, upload, wait

from stockwise.synthetic import generate

YOUNG_DAYS = 14


def _sales_with_a_launch() -> tuple[pd.DataFrame, str]:
    """Generated retail sales where one product was listed only two weeks ago."""
    data = generate(n_products=24, n_days=120, seed=4)
    sales = data.sales[data.sales["sector"] == "retail"][["unique_id", "ds", "y", "sector"]]
    young = sorted(sales["unique_id"].unique())[0]
    last = sales["ds"].max()
    keep = (sales["unique_id"] != young) | (sales["ds"] > last - pd.Timedelta(days=YOUNG_DAYS))
    kept = sales[keep].assign(ds=lambda t: t["ds"].dt.strftime("%Y-%m-%d"))
    return kept, young


def _models_of(api: Api, body: dict[str, object], product: str) -> set[str]:
    started = api.client.post("/api/v1/runs", json=body, headers=api.write)
    assert started.status_code in (200, 201, 202), started.text
    run = wait(api.client, api.read, started.json()["id"])
    assert run["status"] == "succeeded", run["message"]
    rows = api.client.get(
        f"/api/v1/forecasts?run_id={run['id']}&page_size=500", headers=api.read
    ).json()["items"]
    return {r["model"] for r in rows if r["product_id"] == product}


@pytest.mark.slow
def test_a_young_product_is_forecast_from_its_peers_unless_the_run_says_never(api: Api) -> None:
    sales, young = _sales_with_a_launch()
    assert upload(api.client, api.write, "sales", "sales.csv", csv_bytes(sales)).status_code == 200
    body = {"kind": "forecast", "horizon": 7, "n_windows": 1}
    assert _models_of(api, body, young) == {"PeerCurves"}
    assert "PeerCurves" not in _models_of(api, {**body, "cold_start": 0}, young)
    bad = api.client.post(
        "/api/v1/runs", headers=api.write, json={"kind": "forecast", "cold_start": -1}
    )
    assert bad.status_code == 422 and "cold_start" in bad.text
