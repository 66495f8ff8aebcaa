"""With STOCKWISE_TRACK on, an API run is recorded in MLflow like a CLI run."""

from __future__ import annotations

import pytest
from api_helpers import RUN, csv_bytes, demo_frames, make_keys, upload, wait
from fastapi.testclient import TestClient

from stockwise.api.app import create_app
from stockwise.api.settings import Settings


@pytest.mark.slow
def test_tracked_run_lands_in_mlflow(tmp_path, mlflow_store: str) -> None:
    from stockwise.adapters.tracking import MlflowTracker

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", track=True))
    data = demo_frames(n_days=50)
    with TestClient(app) as client:
        read, write = make_keys(app)
        for table, frame in (("sales", data.sales), ("inventory", data.inventory)):
            upload(client, write, table, f"{table}.csv", csv_bytes(frame))
        started = client.post("/api/v1/runs", json=RUN, headers=write).json()
        run = wait(client, read, started["id"])
    assert run["status"] == "succeeded", run["message"]
    details = MlflowTracker(mlflow_store).run_details(run["summary"]["mlflow_run_id"])
    assert details.tags["stockwise.api_run"] == run["id"]
    assert details.params["kind"] == "plan"
    assert {"plan.csv", "alerts.csv", "forecasts.csv"} <= {
        a.split("/")[-1] for a in details.artifacts
    }
