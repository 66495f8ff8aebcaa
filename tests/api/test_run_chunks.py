"""API plan runs go through the chunked plan: progress per chunk, the settings' engine."""

from __future__ import annotations

import pytest
from api_helpers import RUN, Api, csv_bytes, demo_frames, make_keys, upload, wait
from fastapi.testclient import TestClient

from stockwise.adapters.storage.models import Run, utcnow
from stockwise.adapters.storage.runs import add_run
from stockwise.api.app import create_app
from stockwise.api.run_work import execute_run
from stockwise.api.settings import Settings


def _upload_demo(client: TestClient, write: dict[str, str]) -> None:
    data = demo_frames()
    for table, frame in (
        ("sales", data.sales),
        ("inventory", data.inventory),
        ("batches", data.batches),
    ):
        assert upload(client, write, table, f"{table}.csv", csv_bytes(frame)).status_code == 200


def test_a_plan_run_reports_each_chunk_with_its_sector(api: Api) -> None:
    _upload_demo(api.client, api.write)
    heard: list[tuple[float, str]] = []
    params = {k: v for k, v in RUN.items() if k != "kind"}
    storage = api.app.state.storage
    add_run(
        storage,
        Run(
            id="c" * 16,
            kind="plan",
            status="running",
            progress=0.0,
            message="",
            params=params,
            created_at=utcnow(),
        ),
    )
    summary = execute_run(
        storage,
        "c" * 16,
        "plan",
        params,
        lambda done, message: heard.append((done, message)),
        settings=Settings(chunk_size=1),
    )
    assert summary["plan_lines"] == 4
    done = [message for _, message in heard if message.startswith("chunks planned")]
    assert done == [f"chunks planned {k} of 4" for k in (1, 2, 3, 4)]
    chunks = list(dict.fromkeys(m.split(" · ")[0] for _, m in heard if " · " in m))
    assert chunks == [
        "chunk 1 of 4, sector pharmacy",
        "chunk 2 of 4, sector pharmacy",
        "chunk 3 of 4, sector retail",
        "chunk 4 of 4, sector retail",
    ]
    fractions = [done for done, _ in heard]
    assert fractions == sorted(fractions) and fractions[-1] < 1


@pytest.mark.slow
def test_a_plan_run_on_the_process_engine(tmp_path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        engine="process",
        engine_workers=2,
        chunk_size=1,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        read, write = make_keys(app)
        _upload_demo(client, write)
        started = client.post("/api/v1/runs", json=RUN, headers=write).json()
        run = wait(client, read, started["id"])
    assert run["status"] == "succeeded", run["message"]
    assert run["summary"]["plan_lines"] == 4 and run["progress"] == 1.0
