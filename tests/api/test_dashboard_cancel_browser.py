"""Cancelling a run from the dashboard, in a real headless Chromium against a live server.

The run does the real work; the test only holds it at its first step until the page has
asked to cancel it, so the click always finds it running (whatever the machine's speed).
Needs what ``test_dashboard_browser.py`` needs (Debian's chromium, Playwright).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from test_dashboard_browser import Watch, _serve, _shot

from stockwise.api.routers import runs as runs_router
from stockwise.synthetic import generate


@pytest.mark.slow
def test_a_running_run_is_cancelled_from_the_runs_page(
    browser: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, go = threading.Event(), threading.Event()
    real = runs_router.execute_run

    def held_at_first_step(storage, run_id, kind, params, progress, *args, **kwargs):
        def report(fraction: float, message: str) -> None:
            progress(fraction, message)  # records the step, or stops a cancelled run
            if "preparing the sales" in message and not reached.is_set():
                reached.set()
                go.wait(60)

        return real(storage, run_id, kind, params, report, *args, **kwargs)

    monkeypatch.setattr(runs_router, "execute_run", held_at_first_step)
    data = generate(n_products=6, n_days=120, seed=5)
    with _serve(tmp_path / "stockwise.db") as (base, key):
        headers = {"X-API-Key": key}
        for name in ("sales", "inventory"):
            frame = getattr(data, name)
            answer = httpx.post(
                f"{base}/api/v1/uploads/{name}",
                headers=headers,
                files={"file": (f"{name}.csv", frame.to_csv(index=False))},
            )
            assert answer.status_code == 200, answer.text
        page = browser.new_context().new_page()  # type: ignore[attr-defined]
        page.set_default_timeout(30_000)
        watch = Watch(page, base)
        page.goto(f"{base}/runs")
        page.fill("#api-key", key)
        page.click("#key-form button")
        page.select_option("#run-models", "SeasonalNaive")
        page.click("#start-run")
        assert reached.wait(60), "the run never reached its first step"
        page.wait_for_selector("#runs-table .badge.running")
        _shot(page, tmp_path, "10-run-running")
        page.click("#runs-table button.cancel-run")
        page.wait_for_selector("#start-messages:has-text('stopping at its next step')")
        run_id = httpx.get(f"{base}/api/v1/runs", headers=headers).json()["items"][0]["id"]
        assert _status(base, headers, run_id) == "cancelling"
        go.set()  # the run goes on to its next step, and stops there
        page.wait_for_selector("#runs-table .badge.cancelled", timeout=60_000)
        page.wait_for_selector(f"#start-messages:has-text('Run {run_id} cancelled at:')")
        assert page.locator("#runs-table button.cancel-run").count() == 0
        assert page.locator("#runs-table progress").count() == 0
        _shot(page, tmp_path, "11-run-cancelled")
        run = httpx.get(f"{base}/api/v1/runs/{run_id}", headers=headers).json()
        assert run["status"] == "cancelled" and run["summary"] is None
        assert "preparing the sales" in run["message"] and "nothing stored" in run["message"]
        plan = httpx.get(f"{base}/api/v1/plan", params={"run_id": run_id}, headers=headers)
        assert plan.status_code == 409
        page.context.close()
    assert watch.problems == []


def _status(base: str, headers: dict[str, str], run_id: str, seconds: float = 10) -> str:
    """The run's status once its cancel request is recorded (the page asked for it)."""
    deadline = time.monotonic() + seconds
    while True:
        status = httpx.get(f"{base}/api/v1/runs/{run_id}", headers=headers).json()["status"]
        if status != "running" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)
