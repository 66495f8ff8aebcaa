"""A forecast run at a frequency and season asked for; an unknown frequency is a 422."""

from __future__ import annotations

import numpy as np
import pandas as pd
from api_helpers import Api, csv_bytes, upload, wait


def test_a_quarterly_forecast_run_with_its_season_and_a_bad_frequency(api: Api) -> None:
    dates = pd.date_range("2015-01-01", periods=20, freq="QS")
    pattern = np.array([10.0, 30.0, 20.0, 40.0])
    sales = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": dates.strftime("%Y-%m-%d"),
                    "y": level + pattern[np.arange(20) % 4],
                }
            )
            for uid, level in (("A", 0.0), ("B", 50.0))
        ]
    )
    assert upload(api.client, api.write, "sales", "sales.csv", csv_bytes(sales)).status_code == 200
    bad = api.client.post(
        "/api/v1/runs", headers=api.write, json={"kind": "forecast", "freq": "QS-APR"}
    )
    assert bad.status_code == 422 and "QS-APR" in bad.text
    body = {
        "kind": "forecast",
        "horizon": 4,
        "models": ["SeasonalNaive"],
        "n_windows": 1,
        "freq": "QS",
        "season_length": 2,
    }
    started = api.client.post("/api/v1/runs", json=body, headers=api.write).json()
    run = wait(api.client, api.read, started["id"])
    assert run["status"] == "succeeded", run["message"]
    rows = api.client.get(
        f"/api/v1/forecasts?run_id={run['id']}&page_size=100", headers=api.read
    ).json()["items"]
    a = sorted((r for r in rows if r["product_id"] == "A"), key=lambda r: r["ds"])
    assert [r["ds"][:10] for r in a] == ["2020-01-01", "2020-04-01", "2020-07-01", "2020-10-01"]
    assert [r["forecast"] for r in a] == [20.0, 40.0, 20.0, 40.0]  # a season of 2 quarters
