"""Background runs: records in the database, executed by a small thread pool.

A run is a database row first (``queued``), so its status survives the process; the pool
only executes it, up to ``workers`` runs at once (``STOCKWISE_RUN_WORKERS``). Threads
rather than processes: the heavy work (statsforecast, numpy) releases the GIL for most
of its time, results go straight to the same database, and a server with one worker
stays responsive to reads.

Each step a run reports is written to its row, and a client's cancel request is read
back in the same update (:func:`~stockwise.adapters.storage.runs.report_progress`): the
run then stops at that step with :class:`RunCancelled` and ends ``cancelled``. Results
are stored only at the end, in one transaction, so a cancelled run stores none. The row
is the only channel, so a cancel request reaches the run whichever server process took
it.

The threads are daemons, so stopping the server never waits for a long run; such a run
stays ``running`` in the database, and on the next start runs left ``queued`` or
``running`` are marked ``failed`` with an "interrupted" message — not re-queued, because
their inputs may have changed since; the user starts them again (runs left
``cancelling`` are marked ``cancelled``).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from typing import Any

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.models import Run, utcnow
from stockwise.adapters.storage.runs import (
    add_run,
    claim_run,
    fail_unfinished,
    finish_run,
    report_progress,
)

log = logging.getLogger(__name__)
INTERRUPTED = "interrupted: the server stopped before the run finished; start it again"
Progress = Callable[[float, str], None]


class RunCancelled(Exception):
    """Raised from a run's progress report once a client asked to cancel it: the run
    stops at that step. Its text is the last step the run had reached."""


class RunManager:
    """Create run records, execute them in the background, report progress."""

    def __init__(
        self, storage: Storage, workers: int = 1, on_finish: Callable[[], None] | None = None
    ) -> None:
        self.storage = storage
        self.on_finish = on_finish or (lambda: None)
        self.workers = workers
        self._queue: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def recover_interrupted(self) -> int:
        """Mark runs left queued/running by a previous process as failed; return how many."""
        count = fail_unfinished(self.storage, INTERRUPTED)
        if count:
            log.warning("%d run(s) interrupted by the last shutdown marked failed", count)
        return count

    def submit(
        self, kind: str, params: dict[str, Any], work: Callable[[str, Progress], dict[str, Any]]
    ) -> Run:
        """Record a queued run and schedule ``work(run_id, progress)``; return the record."""
        run = Run(
            id=uuid.uuid4().hex[:16],
            kind=kind,
            status="queued",
            progress=0.0,
            message="queued",
            params=params,
            created_at=utcnow(),
        )
        add_run(self.storage, run)
        self._start_threads()
        self._queue.put((run.id, work))
        return run

    def _start_threads(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self.workers:
                thread = threading.Thread(
                    target=self._loop, daemon=True, name=f"stockwise-run-{len(self._threads)}"
                )
                thread.start()
                self._threads.append(thread)

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._execute(*item)
            except Exception:  # e.g. the database went away while recording the outcome
                log.exception("run %s: its status could not be recorded", item[0])

    def _execute(self, run_id: str, work: Callable[[str, Progress], dict[str, Any]]) -> None:
        if not claim_run(self.storage, run_id):
            return  # cancelled while it waited in the queue
        reached = ["started"]

        def progress(fraction: float, message: str) -> None:
            running = report_progress(self.storage, run_id, fraction, message)
            if running is None:  # busy (another run storing its results): the next
                log.warning("run %s: progress not recorded (database busy)", run_id)
                return  # step records it, and hears a cancel request then
            if not running:
                raise RunCancelled(reached[0])
            reached[0] = message

        try:
            summary = work(run_id, progress)
        except RunCancelled as stop:
            log.info("run %s cancelled at: %s", run_id, stop)
            final = {
                "status": "cancelled",
                "finished_at": utcnow(),
                "message": f"cancelled at: {stop} (nothing stored)",
            }
        except Exception as exc:
            log.exception("run %s failed", run_id)
            final = {"status": "failed", "finished_at": utcnow(), "message": _failure(exc, run_id)}
        else:
            final = {
                "status": "succeeded",
                "progress": 1.0,
                "finished_at": utcnow(),
                "message": _outcome(summary),
                "summary": summary,
            }
        # Forget cached reads before *and* after the run is marked finished, so a client
        # that sees "succeeded" never reads the previous run's results from the cache.
        self.on_finish()
        try:
            finish_run(self.storage, run_id, **final)
        finally:
            self.on_finish()

    def shutdown(self) -> None:
        """Stop taking queued runs (a run in progress finishes unless the process ends)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        for _ in self._threads:
            self._queue.put(None)


def _outcome(summary: dict[str, Any]) -> str:
    """One line for the run list: what the run produced."""
    parts = [f"{summary.get('products', 0)} products forecast"]
    if "plan_lines" in summary:
        parts = [
            f"{summary['plan_lines']} products planned",
            f"{summary.get('orders_now', 0)} to order now",
            f"{summary.get('alerts', 0)} alerts",
        ]
    notes = summary.get("notes") or []
    return "done: " + ", ".join(parts) + ("; " + "; ".join(notes) if notes else "")


def _failure(exc: Exception, run_id: str) -> str:
    """What a failed run tells its client: the user's error as written, or, for a bug,
    that it is one, without its text (it may hold SQL, parameters or server paths: the
    server log has it, under the run's id)."""
    from stockwise.errors import StockwiseError

    if isinstance(exc, StockwiseError):
        return str(exc)
    return (
        f"internal error ({type(exc).__name__}); the server log has the detail under "
        f"run {run_id}. This is a bug in stockwise; please report it."
    )


def as_utc(value: dt.datetime | None) -> str | None:
    """ISO instant with a Z (timestamps are stored naive UTC)."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"
