"""Hostile requests get a clear 4xx naming what to fix, never a 500 or the server's insides.

Regression tests of the campaign of issue 17: huge page numbers, odd upload file names,
deeply nested or non-tabular JSON, unknown encodings and date formats, NaN and invalid run
parameters, values the database cannot store (checked the same on SQLite and PostgreSQL),
NULs in URLs, LIKE wildcards, and the security headers of every answer.
"""

from __future__ import annotations

import json

import pytest
from api_helpers import Api, upload

LISTS = [
    "/api/v1/runs",
    "/api/v1/uploads",
    "/api/v1/plan",
    "/api/v1/alerts",
    "/api/v1/forecasts",
    "/api/v1/products",
    "/api/v1/sectors",
    "/api/v1/planned",
]
SALES = b"unique_id,ds,y,sector\nA_1,2024-01-01,1,retail\nB%2,2024-01-01,2,retail\n"


def error(answer) -> dict:
    body = answer.json()["error"]
    assert "Traceback" not in answer.text and "/tmp" not in answer.text, answer.text
    return body


@pytest.mark.parametrize("path", LISTS)
def test_a_page_beyond_any_list_is_a_422_naming_page(api: Api, path: str) -> None:
    answer = api.client.get(path, params={"page": 2**63}, headers=api.read)
    assert answer.status_code == 422
    assert error(answer)["column"] == "query.page"


def multipart(filename: bytes, content: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart body with the file name exactly as given (NUL bytes included)."""
    boundary = "stockwise-test-boundary"
    body = (
        b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="file"; '
        b'filename="'
        + filename
        + b'"\r\nContent-Type: text/csv\r\n\r\n'
        + content
        + b"\r\n--"
        + boundary.encode()
        + b"--\r\n"
    )
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    "filename", [b"a\x00b.csv", b"x" * 300 + b".csv", b"../../etc/passwd.csv", b"\x00"]
)
def test_any_upload_file_name_is_only_a_label(api: Api, filename: bytes) -> None:
    body, headers = multipart(filename, SALES)
    answer = api.client.post(
        "/api/v1/uploads/sales", content=body, headers={**api.write, **headers}
    )
    assert answer.status_code == 200, answer.text
    label = answer.json()["file"]
    assert "\x00" not in label and "/" not in label and len(label) <= 200
    assert label.endswith(".csv")
    assert answer.json()["accepted"] == 2


def test_json_nested_deeper_than_any_table_is_a_422(api: Api) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = upload(api.client, api.write, "sales", "deep.json", deep)
    assert answer.status_code == 422
    assert error(answer)["file"] == "deep.json"
    assert "nested too deeply" in error(answer)["message"]


def test_json_rows_holding_objects_name_the_row_and_column(api: Api) -> None:
    rows = [
        {"unique_id": "A", "ds": "2024-01-01", "y": 1},
        {"unique_id": {"id": 1}, "ds": "2024-01-02", "y": [2]},
    ]
    answer = upload(api.client, api.write, "sales", "rows.json", json.dumps(rows).encode())
    assert answer.status_code == 422
    body = error(answer)
    assert (body["row"], body["column"]) == (2, "unique_id")
    assert "an object where one value" in body["message"] and "1 more cell" in body["message"]


def test_an_unknown_encoding_is_a_422_naming_the_file(api: Api) -> None:
    answer = upload(api.client, api.write, "sales", "s.csv", SALES, encoding="rot13")
    assert answer.status_code == 422
    assert error(answer)["file"] == "s.csv" and "rot13" in error(answer)["message"]


def test_a_bad_date_format_is_a_422(api: Api) -> None:
    answer = upload(api.client, api.write, "sales", "s.csv", SALES, date_format="%Q")
    assert answer.status_code == 422
    assert "date format '%Q' is not valid" in error(answer)["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"kind": "plan", "horizon": NaN}', "horizon"),
        (b'{"kind": "forecast", "levels": [0]}', "levels.0"),
        (b'{"kind": "forecast", "levels": [80, 100]}', "levels.1"),
        (b'{"kind": "forecast", "levels": [150]}', "levels.0"),
        (b'{"kind": "forecast", "levels": [-5]}', "levels.0"),
        (b'{"kind": "plan", "seed": -1}', "seed"),
        (json.dumps({"models": ["Naive"] * 31}).encode(), "models"),
        (json.dumps({"levels": list(range(1, 12))}).encode(), "levels"),
        (json.dumps({"sector": "s" * 101}).encode(), "sector"),
        (b'{"kind": "plan", "sector": "a\\u0000b"}', "sector"),
        (json.dumps({"drivers": ["pro\nmo"]}).encode(), "drivers.0"),
        (b"[" * 100_000 + b"]" * 100_000, ""),
    ],
)
def test_run_parameters_are_checked_when_the_run_is_asked_for(
    api: Api, body: bytes, field: str
) -> None:
    answer = api.client.post(
        "/api/v1/runs", content=body, headers={**api.write, "content-type": "application/json"}
    )
    assert answer.status_code in (400, 422), answer.text
    assert (error(answer)["column"] or "").startswith(field)
    runs = api.client.get("/api/v1/runs", headers=api.read).json()
    assert runs["total"] == 0  # nothing was queued


@pytest.mark.parametrize(
    ("row", "column", "rule"),
    [
        ("P" * 201 + ",2024-01-01,1,retail", "unique_id", "201 characters long; at most 200"),
        ("A\\u0000B,2024-01-01,1,retail", "unique_id", "NUL character"),
        ("A,2024-01-01,1," + "s" * 101, "sector", "101 characters long; at most 100"),
    ],
)
def test_values_the_database_cannot_store_are_refused_before_it(
    api: Api, row: str, column: str, rule: str
) -> None:
    """The same answer on SQLite and PostgreSQL, naming row and column; nothing stored."""
    unique_id, ds, y, sector = row.split(",")
    rows = [
        {"unique_id": "OK", "ds": "2024-01-01", "y": 1, "sector": "retail"},
        {"unique_id": json.loads(f'"{unique_id}"'), "ds": ds, "y": int(y), "sector": sector},
    ]
    answer = upload(api.client, api.write, "sales", "s.json", json.dumps(rows).encode())
    assert answer.status_code == 422, answer.text
    body = error(answer)
    assert (body["row"], body["column"]) == (2, column) and rule in body["message"]
    assert len(body["issues"][0]["value"]) <= 61 and "\x00" not in body["issues"][0]["value"]
    assert api.client.get("/api/v1/products", headers=api.read).json()["total"] == 0


def test_a_nul_in_the_url_is_a_422(api: Api) -> None:
    for url in (
        "/api/v1/products/A%00B",
        "/api/v1/products?q=%00",
        "/api/v1/sectors/x%00y",
        "/api/v1/plan?product_id=a%00",
    ):
        answer = api.client.get(url, headers=api.read)
        assert answer.status_code == 422, (url, answer.text)
        assert "NUL" in error(answer)["message"]
    long_id = "L" * 5000
    assert api.client.get(f"/api/v1/products/{long_id}", headers=api.read).status_code == 404


def test_like_wildcards_in_q_are_matched_literally(api: Api) -> None:
    assert upload(api.client, api.write, "sales", "s.csv", SALES).status_code == 200

    def found(q: str) -> list[str]:
        items = api.client.get("/api/v1/products", params={"q": q}, headers=api.read)
        return [p["product_id"] for p in items.json()["items"]]

    assert found("%") == ["B%2"] and found("_") == ["A_1"]
    assert found("a") == ["A_1"] and found("") == ["A_1", "B%2"]


def test_an_internal_error_answers_without_its_detail(api: Api, monkeypatch) -> None:
    from stockwise.adapters.storage import queries

    def broken(*args, **kwargs):
        raise RuntimeError("(psycopg.DataError) SELECT secret FROM products /srv/app/x.py")

    monkeypatch.setattr(queries, "products", broken)
    answer = api.client.get("/api/v1/products", headers=api.read)
    assert answer.status_code == 500
    text = answer.text
    assert "SELECT" not in text and "/srv" not in text and "psycopg" not in text
    assert "reference" in answer.json()["error"]["message"]


def test_security_headers(api: Api) -> None:
    json_answer = api.client.get("/api/v1/me", headers=api.read)
    assert json_answer.headers["x-content-type-options"] == "nosniff"
    assert json_answer.headers["cache-control"] == "no-store"
    refused = api.client.get("/api/v1/me")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    docs = api.client.get("/docs")
    policy = docs.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    assert "unsafe-inline" not in policy and docs.headers["x-content-type-options"] == "nosniff"
    page = api.client.get("/orders")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    asset = api.client.get("/static/css/dashboard.css")
    assert asset.status_code == 200
    assert asset.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in asset.headers.get("cache-control", "")


def test_openapi_declares_every_error_answer_with_its_body(api: Api) -> None:
    from stockwise.api.errors import ErrorBody

    spec = api.client.get("/openapi.json").json()
    operations = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith("/api/v1")
    ]
    assert len(operations) >= 20
    for path, method, op in operations:
        for status in ("400", "401", "403", "404", "409", "413", "422", "500"):
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    answers = [
        api.client.get("/api/v1/me"),
        api.client.get("/api/v1/products/none", headers=api.read),
        api.client.get("/api/v1/plan?page=0", headers=api.read),
    ]
    for answer in answers:
        assert answer.status_code in (401, 404, 422)
        ErrorBody.model_validate(answer.json())


def test_names_holding_a_slash_can_be_opened(api: Api) -> None:
    body = (
        b"unique_id,ds,y,sector,on_hand\nA/B,2024-01-01,1,Health/Beauty,3\n"
        b"A/B,2024-01-02,2,Health/Beauty,2\n"
    )
    assert upload(api.client, api.write, "sales", "s.csv", body).status_code == 200
    for url in (
        "/api/v1/sectors/Health%2FBeauty",
        "/api/v1/sectors/Health%2FBeauty/sales",
        "/api/v1/sectors/Health%2FBeauty/stock",
        "/api/v1/products/A%2FB",
        "/api/v1/products/A%2FB/history",
    ):
        answer = api.client.get(url, headers=api.read)
        assert answer.status_code == 200, (url, answer.text)
    assert (
        api.client.get("/api/v1/sectors/Health%2FBeauty", headers=api.read).json()["sector"]
        == "Health/Beauty"
    )
    history = api.client.get("/api/v1/products/A%2FB/history", headers=api.read).json()
    assert history["product_id"] == "A/B" and len(history["items"]) == 2


def test_a_run_failing_on_a_bug_tells_its_client_no_internals(api: Api, monkeypatch) -> None:
    from api_helpers import wait

    import stockwise.api.routers.runs as runs

    def broken(*args, **kwargs):
        raise RuntimeError("(psycopg.errors.UniqueViolation) INSERT INTO plan_lines /srv/x")

    monkeypatch.setattr(runs, "execute_run", broken)
    started = api.client.post("/api/v1/runs", json={"kind": "plan"}, headers=api.write)
    assert started.status_code == 202
    run = wait(api.client, api.read, started.json()["id"], seconds=30)
    assert run["status"] == "failed"
    assert "INSERT" not in run["message"] and "/srv" not in run["message"]
    assert "RuntimeError" in run["message"] and run["id"] in run["message"]
