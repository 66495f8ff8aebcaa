"""Uploads: the CLI's validation, accounting, idempotent reloads, 413, 422, atomicity."""

from __future__ import annotations

import io
import json

import pytest
from api_helpers import csv_bytes, demo_frames, upload
from sqlalchemy import func, select

from stockwise.adapters.storage.models import Sale, Upload

BAD_ROWS = (
    b"unique_id,ds,y\n"
    b"A,2024-01-01,3\n"
    b"A,2024-01-02,abc\n"  # row 3: y not a number
    b"A,2024-13-03,1\n"  # row 4: no such date
    b"B,2024-01-01,-2\n"  # row 5: negative quantity
    b"B,2024-01-02,4\n"
)


def _sales_rows(api) -> int:
    with api.app.state.storage.session() as session:
        return session.scalar(select(func.count()).select_from(Sale))


def test_accounting_issues_and_quarantined_rows(api) -> None:
    answer = upload(api.client, api.write, "sales", "ventes.csv", BAD_ROWS)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["rows_read"], body["accepted"], body["quarantined"]) == (5, 2, 3)
    assert body["accepted"] + body["quarantined"] == body["rows_read"]
    cells = {(i["row"], i["column"]) for i in body["issues"] if i["severity"] == "error"}
    assert cells == {(3, "y"), (4, "ds"), (5, "y")}
    assert all(i["file"] == "ventes.csv" for i in body["issues"])
    assert sorted(r["source_row"] for r in body["quarantined_rows"]) == [3, 4, 5]
    assert _sales_rows(api) == 2 == body["inserted"]


def test_loading_the_same_file_twice_changes_nothing(api) -> None:
    data = demo_frames(n_days=20)
    content = csv_bytes(data.sales)
    first = upload(api.client, api.write, "sales", "sales.csv", content).json()
    again = upload(api.client, api.write, "sales", "sales.csv", content).json()
    assert first["inserted"] == len(data.sales) == again["unchanged"]
    assert (again["inserted"], again["updated"]) == (0, 0)
    assert _sales_rows(api) == len(data.sales)
    history = api.client.get("/api/v1/uploads", headers=api.read).json()
    assert history["total"] == 2 and history["items"][0]["unchanged"] == len(data.sales)


def test_excel_and_json_are_validated_like_csv(api, tmp_path) -> None:
    data = demo_frames(n_days=10)
    path = tmp_path / "stock.xlsx"
    data.inventory.to_excel(path, index=False)
    answer = upload(api.client, api.write, "inventory", "stock.xlsx", path.read_bytes())
    assert answer.status_code == 200 and answer.json()["accepted"] == len(data.inventory)
    rows = [
        {"Produit": "X1", "Date": "2024-01-01", "Ventes": 2},
        {"Produit": "X1", "Date": "2024-01-02", "Ventes": -1},
    ]
    answer = upload(api.client, api.write, "sales", "rows.json", json.dumps(rows).encode())
    body = answer.json()
    assert (body["accepted"], body["quarantined"]) == (1, 1)
    # the column as the user named it, as the CLI reports it
    assert (body["issues"][0]["row"], body["issues"][0]["column"]) == (2, "Ventes")


def test_unusable_file_is_422_with_file_and_columns(api) -> None:
    answer = upload(api.client, api.write, "sales", "export.csv", b"Date,Produit\n2024-01-01,A\n")
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_file" and error["file"] == "export.csv"
    assert "'y'" in error["message"] and "export.csv" in error["message"]
    assert "stockwise-upload" not in error["message"]  # never the server's temporary path


@pytest.mark.slow
def test_every_row_quarantined_is_422_with_row_and_column(api) -> None:
    answer = upload(
        api.client, api.write, "sales", "s.csv", b"unique_id,ds,y\nA,2024-01-01,x\nA,2024-01-02,y\n"
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["row"], error["column"]) == (2, "y")
    assert [(i["row"], i["column"]) for i in error["issues"]] == [(2, "y"), (3, "y")]
    assert _sales_rows(api) == 0


def test_oversized_upload_is_413_declared_or_streamed(api) -> None:
    big = b"unique_id,ds,y\n" + b"A,2024-01-01,1\n" * 80_000  # ~1.2 MB > 1 MB limit
    answer = upload(api.client, api.write, "sales", "big.csv", big)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"

    def chunks():  # no Content-Length: the server must count what arrives
        yield b'--xx\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(12):
            yield b"A,2024-01-01,1\n" * 8_000
        yield b"\r\n--xx--\r\n"

    answer = api.client.post(
        "/api/v1/uploads/sales",
        content=chunks(),
        headers={**api.write, "Content-Type": "multipart/form-data; boundary=xx"},
    )
    assert answer.status_code == 413
    assert _sales_rows(api) == 0


def test_read_key_cannot_upload(api) -> None:
    answer = upload(api.client, api.read, "sales", "s.csv", b"unique_id,ds,y\nA,2024-01-01,1\n")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    assert api.client.post("/api/v1/uploads/sales").status_code == 401


def test_a_failure_while_storing_stores_nothing(api, monkeypatch: pytest.MonkeyPatch) -> None:
    import stockwise.api.routers.uploads as uploads

    real = uploads.store_table

    def store_then_fail(session, *args, **kwargs):
        real(session, *args, **kwargs)  # rows written inside the transaction ...
        raise RuntimeError("disk full")  # ... then the load fails

    monkeypatch.setattr(uploads, "store_table", store_then_fail)
    answer = upload(api.client, api.write, "sales", "s.csv", csv_bytes(demo_frames(n_days=5).sales))
    assert answer.status_code == 500 and "reference" in answer.json()["error"]["message"]
    assert "disk full" not in answer.text  # the detail is in the server log only
    assert _sales_rows(api) == 0
    with api.app.state.storage.session() as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 0


def test_unknown_table_is_400(api) -> None:
    answer = upload(api.client, api.write, "prices", "p.csv", io.BytesIO(b"a\n1\n").read())
    assert answer.status_code == 400


def test_sector_figures_follow_new_uploads(api) -> None:
    first = b"unique_id,ds,y,sector\nA,2024-01-01,3,retail\nA,2024-01-02,4,retail\n"
    upload(api.client, api.write, "sales", "a.csv", first)
    sectors = api.client.get("/api/v1/sectors", headers=api.read).json()
    assert [(s["sector"], s["total_sales"]) for s in sectors["items"]] == [("retail", 7.0)]
    fix = b"unique_id,ds,y,sector\nA,2024-01-02,10,retail\n"
    upload(api.client, api.write, "sales", "b.csv", fix)
    sectors = api.client.get("/api/v1/sectors", headers=api.read).json()
    assert sectors["items"][0]["total_sales"] == 13.0  # the day's sales were corrected
