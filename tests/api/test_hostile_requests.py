"""Requests built to mislead the server: unknown models, ids made to be reflected back.

An unknown model name is refused when the run is asked for (422 naming it and the known
ones), with nothing queued; a 404 says what was not found without repeating the client's
text in its message, the id coming back only in its own field, cut short.
"""

from __future__ import annotations

import pytest
from api_helpers import Api

from stockwise.api.errors import MAX_ECHOED_ID
from stockwise.models.registry import available_models


def test_an_unknown_model_is_refused_when_the_run_is_asked_for(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/runs", json={"kind": "forecast", "models": ["Naive", "AutoEST"]}, headers=api.write
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()["error"]
    assert body["column"] == "models"
    assert "'AutoEST'" in body["message"] and "'Naive'" not in body["message"]
    assert "AutoETS" in body["message"]  # the close match, among the known models
    assert all(name in body["message"] for name in available_models())
    runs = api.client.get("/api/v1/runs", headers=api.read).json()
    assert runs["total"] == 0  # nothing was queued


@pytest.mark.parametrize(
    "models", [["SeasonalNaive"], ["ETS", "Croston"], "auto", ["auto"], ["LightGBM-tweedie"]]
)
def test_known_models_and_aliases_are_accepted(api: Api, models) -> None:
    answer = api.client.post(
        "/api/v1/runs", json={"kind": "forecast", "models": models}, headers=api.write
    )
    assert answer.status_code == 202, answer.text


HOSTILE_ID = "<img src=x onerror=alert(1)>" + "x" * 500


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/{}",
        "/api/v1/products/{}/history",
        "/api/v1/plan/{}",
        "/api/v1/runs/{}",
        "/api/v1/sectors/{}",
    ],
)
def test_a_404_does_not_reflect_the_id_it_was_sent(api: Api, path: str) -> None:
    answer = api.client.get(path.format(HOSTILE_ID), headers=api.read)
    if path.startswith("/api/v1/plan"):  # no plan run yet: the 404 says so first
        assert answer.status_code == 404
        assert "<img" not in answer.json()["error"]["message"]
        return
    assert answer.status_code == 404, answer.text
    body = answer.json()["error"]
    assert body["message"].startswith("no ") and body["message"].endswith(" with this id")
    assert "<img" not in body["message"] and "x" * 20 not in body["message"]
    assert body["id"] == HOSTILE_ID[:MAX_ECHOED_ID]
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert len(answer.content) < 2000


def test_the_openapi_document_declares_the_id_of_a_404(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    detail = schema["components"]["schemas"]["ErrorDetail"]["properties"]
    assert "id" in detail
