"""Storage adapter: stockwise's tables in SQLite (default) or PostgreSQL via SQLAlchemy 2.

:class:`Storage` owns the engine and hands out sessions; every write helper runs in one
transaction (``with storage.transaction() as session``), so a failure leaves the
database as it was. The schema comes from the Alembic migrations in ``migrations/``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from stockwise.adapters.storage.database import DEFAULT_URL, make_engine, upgrade
from stockwise.errors import StockwiseError

T = TypeVar("T")
WRITE_ATTEMPTS = 5


class WriteConflict(StockwiseError):
    """Another writer kept winning the race for the same rows; trying later will work."""


class Storage:
    """A database: engine + session factory (thread-safe; one session per unit of work)."""

    def __init__(self, url: str = DEFAULT_URL, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> None:
        """Apply the migrations up to the latest schema."""
        upgrade(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as session:
            yield session

    def write(self, work: Callable[[Session], T], attempts: int = WRITE_ATTEMPTS) -> T:
        """``work(session)`` in one transaction, tried again when it loses a race.

        Two clients uploading the same new products both read "absent" and both insert;
        the second commit then breaks a unique key (or, on SQLite, finds the database
        locked by the first). The whole unit of work is run again after a short random
        wait: the next try sees the other's committed rows and updates them, so both
        uploads succeed and no row is lost. After ``attempts`` lost races
        :class:`WriteConflict` says so, without the SQL.
        """
        for attempt in range(attempts):
            try:
                with self.transaction() as session:
                    return work(session)
            except (IntegrityError, OperationalError) as exc:
                if not _lost_race(exc) or attempt == attempts - 1:
                    if _lost_race(exc):
                        raise WriteConflict(
                            "other uploads kept changing the same rows at the same time",
                            hint="Send the upload again in a moment.",
                        ) from None
                    raise
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session (nothing is committed)."""
        with self._sessions() as session:
            yield session

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def _lost_race(exc: IntegrityError | OperationalError) -> bool:
    """A unique key broken by a concurrent insert, a busy SQLite, or a PostgreSQL
    serialization failure / deadlock: conflicts a retry resolves (not a bad value)."""
    if isinstance(exc, IntegrityError):
        code = getattr(exc.orig, "sqlstate", None)
        return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40001", "40P01") or "database is locked" in str(exc.orig)


__all__ = ["DEFAULT_URL", "Storage", "WriteConflict"]
