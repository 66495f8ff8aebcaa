"""``stockwise serve``, ``stockwise keys`` and ``stockwise db``: the server's edge commands.

Thin on purpose: settings come from ``STOCKWISE_*`` (pydantic-settings) with the options
on top; the app, storage and key handling live in ``stockwise.api`` and
``stockwise.adapters.storage``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from stockwise.cli.console import console, handle_errors

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default $STOCKWISE_DATABASE_URL or "
        "sqlite:///stockwise-data-store/stockwise.db).",
    ),
]

keys_app = typer.Typer(help="API keys (read / write scopes), stored hashed.", no_args_is_help=True)
db_app = typer.Typer(
    help="The database schema (Alembic migrations shipped in the package).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("serve")(handle_errors(serve))
    keys_app.command("create")(handle_errors(create_key))
    keys_app.command("list")(handle_errors(list_keys))
    keys_app.command("revoke")(handle_errors(revoke_key))
    db_app.command("upgrade")(handle_errors(db_upgrade))
    app.add_typer(keys_app, name="keys")
    app.add_typer(db_app, name="db")


def _settings(database_url: str | None, **overrides: object):
    from stockwise.api.settings import Settings

    values: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    if database_url:
        values["database_url"] = database_url
    return Settings(**values)


def _storage(database_url: str | None):
    from stockwise.adapters.storage import Storage

    storage = Storage(_settings(database_url).database_url)
    storage.upgrade()
    return storage


def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    database_url: DatabaseOption = None,
    workers: Annotated[
        int | None,
        typer.Option("--run-workers", help="Runs executed at the same time (default 1)."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help="Language of the dashboard and of the API's sentences when a request names "
            "none: en or fr (default: $STOCKWISE_LANG, else en); a page also takes "
            "?lang=fr."
        ),
    ] = None,
) -> None:
    """Start the REST API and the dashboard (migrations are applied first)."""
    import uvicorn

    from stockwise.api.app import create_app
    from stockwise.words import check_language

    settings = _settings(
        database_url,
        host=host,
        port=port,
        run_workers=workers,
        lang=check_language(lang) if lang else None,
    )
    console.print(
        f"stockwise on http://{settings.host}:{settings.port}/ "
        f"(API docs /docs, database {_redacted(settings.database_url)})",
        highlight=False,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


def create_key(
    name: Annotated[str, typer.Option(help="Who or what uses the key (e.g. erp-sync).")],
    scope: Annotated[str, typer.Option(help="read (GET only) or write (uploads, runs).")] = "read",
    database_url: DatabaseOption = None,
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    from stockwise.adapters.storage.keys import SCOPES, create_key
    from stockwise.errors import OptionError

    if scope not in SCOPES:
        raise OptionError(f"--scope must be read or write, got {scope!r}")
    storage = _storage(database_url)
    with storage.transaction() as session:
        key = create_key(session, name, scope)
    storage.dispose()
    console.print(
        f"{scope} key for {name} (shown once; send it as the X-API-Key header):", highlight=False
    )
    typer.echo(key)


def list_keys(database_url: DatabaseOption = None) -> None:
    """List keys: prefix, name, scope, created, revoked."""
    from stockwise.adapters.storage.keys import list_keys

    storage = _storage(database_url)
    with storage.session() as session:
        rows = list_keys(session)
    storage.dispose()
    for row in rows:
        revoked = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        console.print(
            f"{row.prefix}…  {row.scope:5}  {row.name}  "
            f"created {row.created_at:%Y-%m-%d}  {revoked}",
            highlight=False,
        )
    if not rows:
        console.print("no keys yet: stockwise keys create --scope write --name me")


def revoke_key(
    prefix: Annotated[str, typer.Argument(help="The key's prefix as `keys list` shows it.")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke a key (it stops working within seconds)."""
    from stockwise.adapters.storage.keys import revoke_key
    from stockwise.errors import OptionError

    storage = _storage(database_url)
    with storage.transaction() as session:
        count = revoke_key(session, prefix)
    storage.dispose()
    if not count:
        raise OptionError(
            f"no active key has the prefix {prefix!r} (give the 10 characters "
            "that stockwise keys list shows)"
        )
    console.print(f"revoked {count} key(s)")


def db_upgrade(database_url: DatabaseOption = None) -> None:
    """Create or upgrade the database schema to the latest version."""
    from stockwise.adapters.storage.database import current_revision

    storage = _storage(database_url)
    console.print(
        f"database {_redacted(storage.url)} at schema revision {current_revision(storage.engine)}",
        highlight=False,
    )
    storage.dispose()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
