"""Storage adapter: stockwise's tables in SQLite (default) or PostgreSQL via SQLAlchemy 2.

:class:`Storage` owns the engine and hands out sessions; every write helper runs in one
transaction (``with storage.transaction() as session``), so a failure leaves the
database as it was. The schema comes from the Alembic migrations in ``migrations/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from stockwise.adapters.storage.database import DEFAULT_URL, make_engine, upgrade


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


__all__ = ["DEFAULT_URL", "Storage"]
