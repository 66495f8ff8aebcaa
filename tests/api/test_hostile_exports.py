"""Formula injection through the API: a plan of products whose ids a spreadsheet would run.

The CSV and Excel exports of such a plan hold no live formula, and the Excel cells read
back as exactly the ids the user uploaded (see ``stockwise.cells``).
"""

from __future__ import annotations

import io
from urllib.parse import quote

import openpyxl
import pandas as pd
import pytest
from api_helpers import RUN, csv_bytes, demo_frames, make_keys, upload, wait
from fastapi.testclient import TestClient

from stockwise.api.app import create_app
from stockwise.api.settings import Settings
from stockwise.cells import looks_like_formula

HOSTILE = ["=1+1", "+cmd|'/c calc'!A1", "@SUM(1)", "-2+3+cmd|' /C calc'!D2"]


@pytest.fixture(scope="module")
def hostile_plan(module_database_url: str):
    data = demo_frames()
    ids = dict(zip(sorted(data.sales["unique_id"].unique()), HOSTILE, strict=True))
    app = create_app(Settings(database_url=module_database_url, max_upload_mb=5))
    with TestClient(app, raise_server_exceptions=False) as client:
        read, write = make_keys(app)
        for table, frame in (
            ("sales", data.sales),
            ("inventory", data.inventory),
            ("batches", data.batches),
        ):
            renamed = frame.assign(unique_id=frame["unique_id"].map(ids))
            answer = upload(client, write, table, f"{table}.csv", csv_bytes(renamed))
            assert answer.status_code == 200, answer.text
        started = client.post("/api/v1/runs", json=RUN, headers=write)
        run = wait(client, read, started.json()["id"])
        assert run["status"] == "succeeded", run["message"]
        yield client, read


def test_xlsx_export_holds_no_formula(hostile_plan) -> None:
    client, read = hostile_plan
    answer = client.get("/api/v1/plan/export?format=xlsx", headers=read)
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    formulas = [
        cell.coordinate
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    assert sorted(c.value for c in book["Plan"]["A"][1:]) == sorted(HOSTILE)


def test_csv_export_escapes_formula_looking_cells(hostile_plan) -> None:
    client, read = hostile_plan
    answer = client.get("/api/v1/plan/export?format=csv", headers=read)
    assert answer.status_code == 200
    cells = pd.read_csv(io.StringIO(answer.text), dtype=str, keep_default_na=False)
    assert not any(looks_like_formula(v) for v in cells.to_numpy().ravel())
    assert sorted(cells["unique_id"]) == sorted("'" + h for h in HOSTILE)


def test_every_id_validation_accepts_can_be_opened(hostile_plan) -> None:
    """Ids with ``/``, ``|``, quotes: the plan line, the product and its history."""
    client, read = hostile_plan
    for product_id in HOSTILE:
        path = quote(product_id, safe="")
        for url in (
            f"/api/v1/plan/{path}",
            f"/api/v1/products/{path}",
            f"/api/v1/products/{path}/history",
        ):
            answer = client.get(url, headers=read)
            assert answer.status_code == 200, (url, answer.text)
            assert answer.json()["product_id"] == product_id
    assert client.get("/api/v1/products/a%2Fnone", headers=read).status_code == 404
