"""Run and upload records: create, update, cancel, recover after a restart, list.

Each helper is one transaction of its own (the run manager calls them from its worker
threads), so a status change is visible to every reader as soon as it returns.

A run's status moves ``queued`` → ``running`` → ``succeeded`` | ``failed``, or, when a
client cancels it, ``queued`` → ``cancelled`` at once, or ``running`` → ``cancelling``
→ ``cancelled`` at the run's next step. The moves a worker and a client may race on
(starting a queued run, recording progress, cancelling) are single conditional updates,
so the database decides who came first: a worker never starts a run cancelled while
queued, and never writes progress over a cancel request.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import OperationalError

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.models import Run, Upload, utcnow

UNFINISHED = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")
CANCELLED_BEFORE_START = "cancelled before it started"
CANCELLING = "cancelling: the run stops at its next step"


def add_run(storage: Storage, run: Run) -> None:
    with storage.transaction() as session:
        session.add(run)


def claim_run(storage: Storage, run_id: str) -> bool:
    """Move a queued run to running; False when it is no longer queued (cancelled)."""
    return _moved(
        storage,
        run_id,
        ("queued",),
        status="running",
        started_at=utcnow(),
        progress=0.01,
        message="started",
    )


def finish_run(storage: Storage, run_id: str, **fields: Any) -> bool:
    """Record how a run ended (its status among ``fields``), unless it has ended already."""
    return _moved(storage, run_id, ("running", "cancelling"), **fields)


def report_progress(storage: Storage, run_id: str, progress: float, message: str) -> bool | None:
    """Record a running run's progress; False when it is no longer running (a client
    asked to cancel it): the caller then stops the run. None when the database was too
    busy to take it (another run storing its results): the next step records it."""
    try:
        return _moved(storage, run_id, ("running",), progress=progress, message=message)
    except OperationalError:
        return None


def request_cancel(storage: Storage, run_id: str) -> Run | None:
    """Cancel a queued run at once, or ask a running one to stop at its next step;
    return the run as it is now (a finished run unchanged), None when there is none."""
    _moved(
        storage,
        run_id,
        ("queued",),
        status="cancelled",
        finished_at=utcnow(),
        message=CANCELLED_BEFORE_START,
    )
    _moved(storage, run_id, ("running",), status="cancelling", message=CANCELLING)
    return get_run(storage, run_id)


def _moved(storage: Storage, run_id: str, when: tuple[str, ...], **fields: Any) -> bool:
    """Set ``fields`` on the run if its status is one of ``when``; whether it was."""
    with storage.transaction() as session:
        # an UPDATE gives a CursorResult (it has the row count); execute() is typed Result
        done = cast(
            "CursorResult[Any]",
            session.execute(
                update(Run)
                .where(Run.id == run_id, Run.status.in_(when))
                .values(**fields)
                .execution_options(synchronize_session=False)
            ),
        )
        return bool(done.rowcount)


def fail_unfinished(storage: Storage, message: str) -> int:
    """Mark runs left queued / running as failed with ``message``, and runs left
    cancelling as cancelled (a stopped server stopped them); return how many."""
    with storage.transaction() as session:
        stale = session.scalars(
            select(Run).where(Run.status.in_((*UNFINISHED, "cancelling")))
        ).all()
        for run in stale:
            if run.status == "cancelling":
                run.status, run.message = "cancelled", "cancelled: the server stopped"
            else:
                run.status, run.message = "failed", message
            run.finished_at = utcnow()
        return len(stale)


def get_run(storage: Storage, run_id: str) -> Run | None:
    with storage.session() as session:
        return session.get(Run, run_id)


def list_runs(
    storage: Storage,
    *,
    status: str | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Run], int]:
    """Runs newest first, and how many match."""
    query = select(Run)
    if status:
        query = query.where(Run.status == status)
    if kind:
        query = query.where(Run.kind == kind)
    with storage.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(Run.created_at.desc(), Run.id).offset(offset).limit(limit)
        ).all()
    return list(rows), int(total)


def list_uploads(
    storage: Storage, *, offset: int = 0, limit: int = 100
) -> tuple[list[Upload], int]:
    """Upload records newest first, and how many there are."""
    with storage.session() as session:
        total = session.scalar(select(func.count()).select_from(Upload)) or 0
        rows = session.scalars(
            select(Upload).order_by(Upload.upload_id.desc()).offset(offset).limit(limit)
        ).all()
    return list(rows), int(total)
