"""Health, keys and scopes: no key 401, unknown or revoked key 401, read key on a write 403."""

from __future__ import annotations

from stockwise.adapters.storage.keys import revoke_key


def test_health_reports_the_database(api) -> None:
    answer = api.client.get("/health")
    assert answer.status_code == 200
    assert answer.json()["database"] == "ok"


def test_no_key_is_401_with_the_error_shape(api) -> None:
    answer = api.client.get("/api/v1/me")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "unauthorized" and "X-API-Key" in error["message"]
    assert api.client.get("/api/v1/me", headers={"X-API-Key": "sw_guess"}).status_code == 401


def test_scopes(api) -> None:
    assert api.client.get("/api/v1/me", headers=api.read).json()["scope"] == "read"
    assert api.client.get("/api/v1/me", headers=api.write).json()["scope"] == "write"


def test_revoked_key_stops_working(api) -> None:
    prefix = api.client.get("/api/v1/me", headers=api.read).json()["prefix"]
    with api.app.state.storage.transaction() as session:
        assert revoke_key(session, prefix) == 1
    api.app.state.key_cache.clear()  # the server forgets cached keys within seconds
    assert api.client.get("/api/v1/me", headers=api.read).status_code == 401


def test_keys_are_stored_hashed(api) -> None:
    from sqlalchemy import select

    from stockwise.adapters.storage.models import ApiKey

    with api.app.state.storage.session() as session:
        hashes = session.scalars(select(ApiKey.key_hash)).all()
    assert len(hashes) == 2
    assert api.read["X-API-Key"] not in hashes and all(len(h) == 64 for h in hashes)


def test_docs_page_and_schema_need_no_cdn(api) -> None:
    page = api.client.get("/docs").text
    assert "/openapi.json" in page and "cdn" not in page.lower() and "https://" not in page
    assert api.client.get("/openapi.json").json()["info"]["title"] == "stockwise"


def test_health_is_503_when_the_database_is_down() -> None:
    from fastapi.testclient import TestClient

    from stockwise.api.app import create_app
    from stockwise.api.settings import Settings

    down = Settings(
        database_url="postgresql+psycopg://nobody:x@127.0.0.1:9/none", upgrade_on_start=False
    )
    answer = TestClient(create_app(down)).get("/health")  # no lifespan: it would fail fast
    assert answer.status_code == 503 and answer.json()["status"] == "error"


def test_api_edge_leaves_sql_to_the_storage_adapter() -> None:
    import ast
    from pathlib import Path

    import stockwise.api

    for path in Path(stockwise.api.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        roots = {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import)
            for a in n.names
        }
        roots |= {
            n.module.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module and n.level == 0
        }
        assert "sqlalchemy" not in roots, path.name


def test_revoking_needs_the_whole_prefix(api) -> None:
    """`sw_` is the start of every key: it must not revoke them all."""
    with api.app.state.storage.transaction() as session:
        assert revoke_key(session, "sw_") == 0
    api.app.state.key_cache.clear()
    assert api.client.get("/api/v1/me", headers=api.read).status_code == 200
    assert api.client.get("/api/v1/me", headers=api.write).status_code == 200
