"""The API says the holes of the sales: in the upload's answer and in the run's notes."""

from __future__ import annotations

import pandas as pd
from api_helpers import RUN, Api, csv_bytes, demo_frames, upload, wait


def test_an_upload_and_a_plan_run_say_the_holes(api: Api) -> None:
    data = demo_frames(n_days=120)
    sales = data.sales
    first = sorted(sales["unique_id"].unique())[0]
    start = sales["ds"].min() + pd.Timedelta(days=30)
    lost = (sales["unique_id"] == first) & sales["ds"].between(start, start + pd.Timedelta(days=29))
    answer = upload(api.client, api.write, "sales", "sales.csv", csv_bytes(sales[~lost]))
    assert answer.status_code == 200
    said = [n for n in answer.json()["notes"] if "holes" in n]
    assert said and said[0].startswith("1 series has holes of up to 30 days")
    for table, frame in (("inventory", data.inventory), ("batches", data.batches)):
        assert (
            upload(api.client, api.write, table, f"{table}.csv", csv_bytes(frame)).status_code
            == 200
        )
    started = api.client.post("/api/v1/runs", json=RUN, headers=api.write).json()
    run = wait(api.client, api.read, started["id"])
    assert run["status"] == "succeeded", run["message"]
    notes = " ".join(run["summary"]["notes"])
    assert f"1 series has holes of up to 30 days (longest: {first}" in notes
