"""Read a table from a SQL database through a SQLAlchemy URL.

Lives in ``adapters`` because the core never imports SQLAlchemy; the result is a plain
:class:`~stockwise.data.readers.RawTable`, so validation is the same as for files. Row
numbers are the 1-based positions in the query result (order them with ``ORDER BY`` for
stable numbers).
"""

from __future__ import annotations

import pandas as pd

from stockwise.data.readers import RawTable, from_frame
from stockwise.errors import EmptyInputError, InputError


def read_sql(url: str, query: str) -> RawTable:
    """Run ``query`` (a SELECT or a table name) against ``url`` and return its rows."""
    import sqlalchemy as sa

    statement = query if " " in query.strip() else f'SELECT * FROM "{query.strip()}"'
    source = f"{_redact(url)} [{statement}]"
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # ArgumentError, missing driver (NoSuchModuleError) ...
        raise InputError(
            f"cannot use database URL: {exc}",
            source=_redact(url),
            hint="Use a SQLAlchemy URL such as sqlite:///sales.db or "
            "postgresql+psycopg://user@host/db.",
        ) from exc
    try:
        with engine.connect() as connection:
            frame = pd.read_sql_query(sa.text(statement), connection)
    except Exception as exc:  # OperationalError, ProgrammingError ...
        raise InputError(
            f"the query failed: {exc}", source=source, hint="Check the table name and the query."
        ) from exc
    finally:
        engine.dispose()
    if frame.empty:
        raise EmptyInputError("the query returned no rows", source=source)
    return from_frame(frame, source=source)


def _redact(url: str) -> str:
    """Hide a password in a URL before it reaches a message or a log."""
    try:
        import sqlalchemy as sa

        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url
