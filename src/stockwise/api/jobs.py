"""Background runs: records in the database, executed by a small thread pool.

A run is a database row first (``queued``), so its status survives the process; the pool
only executes it. Threads rather than processes: the heavy work (statsforecast, numpy)
releases the GIL for most of its time, results go straight to the same database, and a
server with one worker stays responsive to reads. On start, runs a stopped server left
``queued`` or ``running`` are marked ``failed`` with an "interrupted" message — they are
not re-queued, because their inputs may have changed since; the user starts them again.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.models import Run, utcnow

log = logging.getLogger(__name__)
INTERRUPTED = "interrupted: the server stopped before the run finished; start it again"
Progress = Callable[[float, str], None]


class RunManager:
    """Create run records, execute them in the background, report progress."""

    def __init__(self, storage: Storage, workers: int = 1) -> None:
        self.storage = storage
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stockwise-run")

    def recover_interrupted(self) -> int:
        """Mark runs left queued/running by a previous process as failed; return how many."""
        with self.storage.transaction() as session:
            stale = session.scalars(select(Run).where(Run.status.in_(("queued", "running"))))
            count = 0
            for run in stale:
                run.status, run.message, run.finished_at = "failed", INTERRUPTED, utcnow()
                count += 1
        if count:
            log.warning("%d run(s) interrupted by the last shutdown marked failed", count)
        return count

    def submit(self, kind: str, params: dict[str, Any],
               work: Callable[[str, Progress], dict[str, Any]]) -> Run:
        """Record a queued run and schedule ``work(run_id, progress)``; return the record."""
        run = Run(id=uuid.uuid4().hex[:16], kind=kind, status="queued", progress=0.0,
                  message="queued", params=params, created_at=utcnow())
        with self.storage.transaction() as session:
            session.add(run)
        self._pool.submit(self._execute, run.id, work)
        return run

    def _execute(self, run_id: str, work: Callable[[str, Progress], dict[str, Any]]) -> None:
        self._update(run_id, status="running", started_at=utcnow(), progress=0.01,
                     message="started")
        try:
            summary = work(run_id, lambda p, m: self._update(run_id, progress=p, message=m))
        except Exception as exc:
            log.exception("run %s failed", run_id)
            self._update(run_id, status="failed", finished_at=utcnow(),
                         message=_failure(exc))
            return
        self._update(run_id, status="succeeded", progress=1.0, finished_at=utcnow(),
                     message="done", summary=summary)

    def _update(self, run_id: str, **fields: Any) -> None:
        with self.storage.transaction() as session:
            run = session.get(Run, run_id)
            if run is not None:
                for name, value in fields.items():
                    setattr(run, name, value)

    def shutdown(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)


def _failure(exc: Exception) -> str:
    from stockwise.errors import StockwiseError

    if isinstance(exc, StockwiseError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


def as_utc(value: dt.datetime | None) -> str | None:
    """ISO instant with a Z (timestamps are stored naive UTC)."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"
