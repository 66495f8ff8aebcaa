"""API test set-up: an app on an empty database (SQLite and PostgreSQL) and keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_helpers import Api, make_keys
from fastapi.testclient import TestClient

from stockwise.api.app import create_app
from stockwise.api.settings import Settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_upload_mb=1.0, run_workers=1)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        read, write = make_keys(app)
        yield Api(client, read, write)
