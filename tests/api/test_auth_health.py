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
