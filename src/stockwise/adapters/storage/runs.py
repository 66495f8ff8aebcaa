"""Run and upload records: create, update, recover after a restart, list.

Each helper is one transaction of its own (the run manager calls them from its worker
threads), so a status change is visible to every reader as soon as it returns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.models import Run, Upload, utcnow

UNFINISHED = ("queued", "running")


def add_run(storage: Storage, run: Run) -> None:
    with storage.transaction() as session:
        session.add(run)


def update_run(storage: Storage, run_id: str, **fields: Any) -> None:
    with storage.transaction() as session:
        run = session.get(Run, run_id)
        if run is not None:
            for name, value in fields.items():
                setattr(run, name, value)


def fail_unfinished(storage: Storage, message: str) -> int:
    """Mark runs left queued / running as failed with ``message``; return how many."""
    with storage.transaction() as session:
        stale = session.scalars(select(Run).where(Run.status.in_(UNFINISHED))).all()
        for run in stale:
            run.status, run.message, run.finished_at = "failed", message, utcnow()
        return len(stale)


def get_run(storage: Storage, run_id: str) -> Run | None:
    with storage.session() as session:
        return session.get(Run, run_id)


def list_runs(storage: Storage, *, status: str | None = None, kind: str | None = None,
              offset: int = 0, limit: int = 100) -> tuple[list[Run], int]:
    """Runs newest first, and how many match."""
    query = select(Run)
    if status:
        query = query.where(Run.status == status)
    if kind:
        query = query.where(Run.kind == kind)
    with storage.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Run.created_at.desc(), Run.id)
                               .offset(offset).limit(limit)).all()
    return list(rows), int(total)


def list_uploads(storage: Storage, *, offset: int = 0, limit: int = 100
                 ) -> tuple[list[Upload], int]:
    """Upload records newest first, and how many there are."""
    with storage.session() as session:
        total = session.scalar(select(func.count()).select_from(Upload)) or 0
        rows = session.scalars(select(Upload).order_by(Upload.upload_id.desc())
                               .offset(offset).limit(limit)).all()
    return list(rows), int(total)
