"""API test set-up: an app on an empty database (SQLite and PostgreSQL) and keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from stockwise.adapters.storage.keys import create_key
from stockwise.api.app import create_app
from stockwise.api.settings import Settings


@dataclass
class Api:
    """A test client plus one key of each scope."""

    client: TestClient
    read: dict[str, str]
    write: dict[str, str]

    @property
    def app(self):
        return self.client.app


def make_keys(app) -> tuple[dict[str, str], dict[str, str]]:
    with app.state.storage.transaction() as session:
        read = create_key(session, "reader", "read")
        write = create_key(session, "writer", "write")
    return {"X-API-Key": read}, {"X-API-Key": write}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_upload_mb=1.0, run_workers=1)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    with TestClient(app) as client:
        read, write = make_keys(app)
        yield Api(client, read, write)
