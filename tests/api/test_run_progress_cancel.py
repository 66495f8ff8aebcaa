"""API runs: progress that moves with every step of the work, cancel (queued: at once;
running: at its next step, storing nothing), and several runs at once up to
``run_workers``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from api_helpers import RUN, Api, csv_bytes, demo_frames, make_keys, upload, wait
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.models import Forecast, PlanLine, Run, utcnow
from stockwise.adapters.storage.runs import get_run, request_cancel
from stockwise.api import jobs
from stockwise.api.app import create_app
from stockwise.api.routers import runs as runs_router
from stockwise.api.settings import Settings

Work = Callable[..., dict]


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    store = Storage(database_url)
    store.upgrade()
    yield store
    store.dispose()


def _until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _finished(storage: Storage, run_id: str) -> Run:
    _until(lambda: get_run(storage, run_id).status in ("succeeded", "failed", "cancelled"))
    return get_run(storage, run_id)


# -- the run manager ---------------------------------------------------------------------
def test_a_running_run_stops_at_its_next_step_once_cancelled(storage: Storage) -> None:
    manager = jobs.RunManager(storage, workers=1)
    steps = threading.Event()

    def work(run_id: str, progress: jobs.Progress) -> dict:
        for k in range(1000):
            progress((k + 1) / 1000, f"step {k + 1} of 1000")
            steps.set()
            time.sleep(0.01)
        return {"products": 1}

    run = manager.submit("forecast", {}, work)
    steps.wait(10)
    asked = request_cancel(storage, run.id)
    assert asked.status == "cancelling" and "next step" in asked.message
    done = _finished(storage, run.id)
    assert done.status == "cancelled" and done.finished_at is not None
    assert done.message.startswith("cancelled at: step ") and "nothing stored" in done.message
    assert 0 < done.progress < 0.5  # stopped early, not run to the end
    assert request_cancel(storage, run.id).status == "cancelled"  # asking again: no change
    manager.shutdown()


def test_a_queued_run_is_cancelled_at_once_and_never_starts(storage: Storage) -> None:
    manager = jobs.RunManager(storage, workers=1)
    release = threading.Event()
    started: list[str] = []

    def blocking(run_id: str, progress: jobs.Progress) -> dict:
        started.append(run_id)
        release.wait(30)
        return {"products": 1}

    first = manager.submit("forecast", {}, blocking)
    second = manager.submit("forecast", {}, blocking)
    _until(lambda: started == [first.id])
    cancelled = request_cancel(storage, second.id)
    assert cancelled.status == "cancelled" and cancelled.message == "cancelled before it started"
    release.set()
    assert _finished(storage, first.id).status == "succeeded"
    _until(manager._queue.empty)  # the worker took the cancelled run, and dropped it
    time.sleep(0.2)
    assert started == [first.id] and get_run(storage, second.id).status == "cancelled"
    manager.shutdown()


@pytest.mark.parametrize("workers", [1, 2])
def test_runs_execute_at_once_up_to_the_workers_setting(storage: Storage, workers: int) -> None:
    manager = jobs.RunManager(storage, workers=workers)
    lock, running, most = threading.Lock(), [0], [0]
    release = threading.Event()

    def work(run_id: str, progress: jobs.Progress) -> dict:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(0.5 if workers == 1 else 30)
        with lock:
            running[0] -= 1
        return {"products": 1}

    submitted = [manager.submit("forecast", {}, work) for _ in range(3)]
    if workers == 2:
        _until(lambda: most[0] == 2)
        release.set()
    assert [_finished(storage, r.id).status for r in submitted] == ["succeeded"] * 3
    assert most[0] == workers
    manager.shutdown()


def test_a_busy_database_skips_a_progress_record_without_failing_the_run(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockwise.adapters.storage import runs as run_records

    real, calls = run_records._moved, []

    def busy_once(*args, **fields) -> bool:
        if fields.get("message") in ("first step", "second step"):  # the work's steps
            calls.append(fields["progress"])
            if len(calls) == 1:  # as SQLite answers while another run stores its results
                raise OperationalError("UPDATE runs", {}, Exception("database is locked"))
        return real(*args, **fields)

    monkeypatch.setattr(run_records, "_moved", busy_once)
    manager = jobs.RunManager(storage, workers=1)

    def work(run_id: str, progress: jobs.Progress) -> dict:
        progress(0.3, "first step")
        progress(0.6, "second step")
        assert get_run(storage, run_id).message == "second step"
        return {"products": 2}

    done = _finished(storage, manager.submit("forecast", {}, work).id)
    assert done.status == "succeeded", done.message
    assert calls == [0.3, 0.6]
    manager.shutdown()


def test_a_restart_ends_runs_left_cancelling_as_cancelled(storage: Storage) -> None:
    with storage.transaction() as session:
        session.add(
            Run(
                id="r-cancelling",
                kind="plan",
                status="cancelling",
                progress=0.3,
                message="cancelling",
                params={},
                created_at=utcnow(),
            )
        )
        session.add(
            Run(
                id="r-running",
                kind="plan",
                status="running",
                progress=0.3,
                message="x",
                params={},
                created_at=utcnow(),
            )
        )
    assert jobs.RunManager(storage).recover_interrupted() == 2
    assert get_run(storage, "r-cancelling").status == "cancelled"
    assert get_run(storage, "r-running").status == "failed"


# -- through the API ------------------------------------------------------------------------
@pytest.fixture
def loaded(settings: Settings) -> Iterator[Api]:
    """An app with the tiny dataset uploaded (two sectors, two products each)."""
    app = create_app(settings)
    data = demo_frames()
    with TestClient(app, raise_server_exceptions=False) as client:
        read, write = make_keys(app)
        for table, frame in (
            ("sales", data.sales),
            ("inventory", data.inventory),
            ("batches", data.batches),
        ):
            assert upload(client, write, table, f"{table}.csv", csv_bytes(frame)).status_code == 200
        yield Api(client, read, write)


def _watching(monkeypatch: pytest.MonkeyPatch, each: Callable[[float, str], None]) -> None:
    """Run the real work, but let the test see (and pause at) every progress report."""
    real = runs_router.execute_run

    def execute(storage, run_id, kind, params, progress, *args, **kwargs):
        def seen(fraction: float, message: str) -> None:
            progress(fraction, message)  # records it, or stops a cancelled run
            each(fraction, message)

        return real(storage, run_id, kind, params, seen, *args, **kwargs)

    monkeypatch.setattr(runs_router, "execute_run", execute)


def test_a_plan_runs_progress_moves_with_every_stage(
    loaded: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports: list[tuple[float, str]] = []
    _watching(monkeypatch, lambda p, m: reports.append((p, m)))
    started = loaded.client.post("/api/v1/runs", json=RUN, headers=loaded.write).json()
    assert wait(loaded.client, loaded.read, started["id"])["status"] == "succeeded"
    fractions = [p for p, _ in reports]
    assert fractions == sorted(fractions)
    # one chunk of four series: the bar still moves through its stages, not 5 % → 90 %
    planning = [p for p, m in reports if 0.05 < p < 0.9]
    assert len(set(planning)) >= 5
    said = " | ".join(m for _, m in reports)
    for stage in (
        "preparing the sales",
        "chunk 1 of 2, sector pharmacy",
        "chunk 2 of 2, sector retail",
        "fitting chosen model: SeasonalNaive",
        "building the order list",
        "chunks planned",
        "storing the results",
    ):
        assert stage in said, said


def test_a_forecast_runs_progress_names_each_sector_and_candidate(
    loaded: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports: list[tuple[float, str]] = []
    _watching(monkeypatch, lambda p, m: reports.append((p, m)))
    body = {"kind": "forecast", "models": ["Naive", "SeasonalNaive"], "n_windows": 1}
    started = loaded.client.post("/api/v1/runs", json=body, headers=loaded.write).json()
    assert wait(loaded.client, loaded.read, started["id"])["status"] == "succeeded"
    said = [m for _, m in reports]
    for sector, index in (("pharmacy", 1), ("retail", 2)):
        assert (
            f"sector {sector} ({index} of 2) · backtesting candidate 2 of 2: SeasonalNaive" in said
        ), said
    fractions = [p for p, _ in reports]
    assert fractions == sorted(fractions) and len(set(fractions)) >= 8


def test_a_running_plan_cancelled_from_the_api_stores_nothing(
    loaded: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, go = threading.Event(), threading.Event()

    def pause_once_forecasting(fraction: float, message: str) -> None:
        if "backtesting candidate" in message and not reached.is_set():
            reached.set()
            go.wait(30)

    _watching(monkeypatch, pause_once_forecasting)
    client = loaded.client
    started = client.post(
        "/api/v1/runs", json={**RUN, "models": ["Naive", "SeasonalNaive"]}, headers=loaded.write
    ).json()
    assert reached.wait(60)
    answer = client.post(f"/api/v1/runs/{started['id']}/cancel", headers=loaded.write)
    assert answer.status_code == 202 and answer.json()["status"] == "cancelling"
    assert client.get("/api/v1/runs?status=cancelling", headers=loaded.read).json()["total"] == 1
    go.set()
    run = wait(client, loaded.read, started["id"])
    assert run["status"] == "cancelled" and "backtesting candidate" in run["message"]
    assert run["summary"] is None and run["finished_at"] is not None
    assert client.get(f"/api/v1/plan?run_id={run['id']}", headers=loaded.read).status_code == 409
    storage = client.app.state.storage
    with storage.session() as session:
        for table in (Forecast, PlanLine):
            assert (
                session.scalar(
                    select(func.count()).select_from(table).where(table.run_id == run["id"])
                )
                == 0
            )
    # a later run is not hindered, and a finished run cannot be cancelled
    again = client.post("/api/v1/runs", json=RUN, headers=loaded.write).json()
    assert wait(client, loaded.read, again["id"])["status"] == "succeeded"
    late = client.post(f"/api/v1/runs/{again['id']}/cancel", headers=loaded.write)
    assert late.status_code == 409 and "already succeeded" in late.json()["error"]["message"]


def test_cancel_needs_a_write_key_and_a_known_run(api: Api) -> None:
    assert api.client.post("/api/v1/runs/nope/cancel", headers=api.read).status_code == 403
    assert api.client.post("/api/v1/runs/nope/cancel").status_code == 401
    missing = api.client.post("/api/v1/runs/nope/cancel", headers=api.write)
    assert missing.status_code == 404 and missing.json()["error"]["id"] == "nope"
    assert "nope" not in missing.json()["error"]["message"]  # never echoed in the text


def test_several_api_runs_run_at_once_up_to_the_setting(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    both = threading.Barrier(2, timeout=30)

    def together(storage, run_id, kind, params, progress, *args, **kwargs) -> dict:
        both.wait()  # only returns once the other run is executing too
        return {"products": 0}

    monkeypatch.setattr(runs_router, "execute_run", together)
    app = create_app(Settings(database_url=database_url, run_workers=2))
    with TestClient(app, raise_server_exceptions=False) as client:
        read, write = make_keys(app)
        ids = [client.post("/api/v1/runs", json=RUN, headers=write).json()["id"] for _ in range(2)]
        assert [wait(client, read, i, 60)["status"] for i in ids] == ["succeeded"] * 2
