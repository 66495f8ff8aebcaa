"""The API speaks the files' language: ``unique_id`` as the key (``product_id`` still
accepted and answered), and sentences in French on ``?lang=fr`` or the server's setting."""

from __future__ import annotations

import pytest
from api_helpers import RUN, csv_bytes, demo_frames, make_keys, upload, wait
from fastapi.testclient import TestClient

from stockwise.api.app import create_app
from stockwise.api.settings import Settings


@pytest.fixture(scope="module")
def served(module_database_url: str):
    app = create_app(Settings(database_url=module_database_url, max_upload_mb=5))
    data = demo_frames()
    with TestClient(app, raise_server_exceptions=False) as client:
        read, write = make_keys(app)
        for table, frame in (
            ("sales", data.sales),
            ("inventory", data.inventory),
            ("batches", data.batches),
        ):
            assert upload(client, write, table, f"{table}.csv", csv_bytes(frame)).status_code == 200
        started = client.post("/api/v1/runs", json=RUN, headers=write)
        assert wait(client, read, started.json()["id"])["status"] == "succeeded"
        yield client, read, app


def test_the_key_is_unique_id_and_product_id_stays_an_alias(served) -> None:
    client, read, _ = served
    lines = client.get("/api/v1/plan", headers=read).json()["items"]
    assert all(x["unique_id"] == x["product_id"] for x in lines)
    uid = lines[-1]["unique_id"]
    for name in ("unique_id", "product_id"):
        one = client.get("/api/v1/plan", params={name: uid}, headers=read).json()
        assert [x["unique_id"] for x in one["items"]] == [uid], name
    alerts = client.get("/api/v1/alerts", headers=read).json()["items"]
    assert alerts and all(a["unique_id"] == a["product_id"] for a in alerts)


def test_sentences_in_french_on_request_codes_unchanged(served) -> None:
    client, read, app = served
    english = client.get("/api/v1/alerts", headers=read).json()["items"]
    french = client.get("/api/v1/alerts?lang=fr", headers=read).json()["items"]
    assert [a["type"] for a in french] == [a["type"] for a in english]
    assert all(f["message"] != e["message"] for f, e in zip(french, english, strict=True))
    plan = client.get("/api/v1/plan?lang=fr", headers=read).json()["items"]
    assert all(line["reason"].startswith(("politique", "pas de")) for line in plan)
    uid = plan[0]["unique_id"]
    one = client.get(f"/api/v1/plan/{uid}?lang=fr", headers=read).json()
    assert one["line"]["reason"] == plan[0]["reason"]
    again = client.get(f"/api/v1/plan/{uid}", headers=read).json()  # not the cached French
    assert again["line"]["reason"] != one["line"]["reason"]
    app.state.settings.lang = "fr"
    try:
        assert (
            client.get("/api/v1/alerts", headers=read).json()["items"][0]["message"]
            == french[0]["message"]
        )
    finally:
        app.state.settings.lang = "en"
    bad = client.get("/api/v1/alerts?lang=de", headers=read)
    assert bad.status_code == 422 and "de" in bad.text
