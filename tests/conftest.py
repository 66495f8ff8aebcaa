"""Shared fixtures: where the real datasets live, and small helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("STOCKWISE_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only folder of real datasets; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (set STOCKWISE_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Tracked runs (CLI commands track by default) go to a temporary MLflow store."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        patch.delenv("STOCKWISE_DATA_DIR", raising=False)
        yield uri


# --- databases for the storage and API suites (issue #7) -----------------------------------
POSTGRES_ENV = "STOCKWISE_TEST_POSTGRES_URL"


ONE_POSTGRES_WORKER = pytest.param("postgresql", marks=pytest.mark.xdist_group("postgresql"))
"""Each PostgreSQL test empties the one test database: under pytest-xdist
(``make test-fast``: ``--dist loadgroup``) they all run on the same worker, one at a time."""


def _fresh_postgres() -> str:
    """The test PostgreSQL URL with an empty ``public`` schema (skip/fail when unset)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        message = (
            f"{POSTGRES_ENV} is not set: PostgreSQL tests need a database URL such as "
            "postgresql+psycopg://stockwise:stockwise@localhost/stockwise_test"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {message}")
        pytest.skip(message)
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", ONE_POSTGRES_WORKER])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, then PostgreSQL (``$STOCKWISE_TEST_POSTGRES_URL``)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'stockwise.db'}"
    return _fresh_postgres()


@pytest.fixture(scope="module", params=["sqlite", ONE_POSTGRES_WORKER])
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """Like ``database_url`` but shared by a module's tests (for costly set-ups)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'stockwise.db'}"
    return _fresh_postgres()


CHROMIUM = Path(os.environ.get("STOCKWISE_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (its browser download is not used);
    skips when either is missing. Shared by the report and dashboard browser tests."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    if not CHROMIUM.is_file():
        pytest.skip(
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set STOCKWISE_CHROMIUM)"
        )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()
