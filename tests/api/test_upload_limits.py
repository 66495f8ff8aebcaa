"""Bounded work per upload: workbook unpacked size, columns, rows, and answers' length."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import openpyxl
import pytest
from api_helpers import Api, make_keys, upload
from fastapi.testclient import TestClient

from stockwise.api.app import create_app
from stockwise.api.settings import Settings


@pytest.fixture
def tight(database_url: str) -> Iterator[Api]:
    """An app with small limits, so the tests need no large files."""
    settings = Settings(
        database_url=database_url,
        max_upload_mb=5,
        max_spreadsheet_mb=0.05,
        max_rows=50,
        max_columns=20,
        max_inline_issues=10,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        read, write = make_keys(app)
        yield Api(client, read, write)


def workbook(n_rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unique_id", "ds", "y"])
    for i in range(n_rows):
        sheet.append([f"P{i % 3}", f"2024-01-{1 + i % 28:02d}", i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_unpacking_past_the_limit_is_refused_unread(tight: Api) -> None:
    content = workbook(3000)
    assert len(content) < 60_000  # small on the wire ...
    answer = upload(tight.client, tight.write, "sales", "big.xlsx", content)
    assert answer.status_code == 413  # ... but it unpacks to more than 0.05 MB
    body = answer.json()["error"]
    assert body["file"] == "big.xlsx" and "unpacks to" in body["message"]


def test_a_workbook_packed_far_tighter_than_excel_packs_is_refused(api: Api) -> None:
    """A zip bomb in miniature: a valid workbook plus a member of 5 MB of blanks, which
    deflate packs 1,000 to 1: a ratio no spreadsheet program writes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook(20))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed,
    ):
        for entry in source.infolist():
            packed.writestr(entry, source.read(entry))
        packed.writestr("xl/padding.xml", b" " * 5_000_000)
    assert len(out.getvalue()) < 30_000
    answer = upload(api.client, api.write, "sales", "bomb.xlsx", out.getvalue())
    assert answer.status_code == 413
    assert "times its size" in answer.json()["error"]["message"]


def test_a_small_workbook_passes(tight: Api) -> None:
    answer = upload(tight.client, tight.write, "sales", "ok.xlsx", workbook(20))
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 20


def test_a_csv_header_of_a_million_columns_is_refused_at_once(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, max_upload_mb=5))
    with TestClient(app, raise_server_exceptions=False) as client:
        _, write = make_keys(app)
        header = ",".join(["unique_id", "ds", "y"] + [f"c{i}" for i in range(1_000_000)])
        start = time.perf_counter()
        answer = upload(
            client, write, "sales", "wide.csv", (header[:4_500_000] + "\nA,2024-01-01,1\n").encode()
        )
        assert time.perf_counter() - start < 5
    assert answer.status_code == 422
    assert answer.json()["error"]["row"] == 1 and "columns" in answer.json()["error"]["message"]


def test_columns_over_the_limit_in_any_format_are_refused(tight: Api) -> None:
    rows = [{"unique_id": "A", "ds": "2024-01-01", "y": 1, **{f"extra{i}": i for i in range(30)}}]
    import json

    answer = upload(tight.client, tight.write, "sales", "wide.json", json.dumps(rows).encode())
    assert answer.status_code == 422 and "33 columns" in answer.json()["error"]["message"]


def test_rows_over_the_limit_are_a_413(tight: Api) -> None:
    body = "unique_id,ds,y\n" + "".join(f"A,2024-01-{1 + i % 28:02d},{i}\n" for i in range(60))
    answer = upload(tight.client, tight.write, "sales", "long.csv", body.encode())
    assert answer.status_code == 413 and "60 rows" in answer.json()["error"]["message"]


def test_an_answer_lists_the_first_issues_and_counts_them_all(tight: Api) -> None:
    bad = "".join(f"B{i},not a date,{i}\n" for i in range(40))
    body = "unique_id,ds,y\nA,2024-01-01,1\n" + bad
    answer = upload(tight.client, tight.write, "sales", "bad.csv", body.encode())
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["rows_read"] == 41 == found["accepted"] + found["quarantined"]
    assert found["quarantined"] == 40 and found["issues_total"] == 40
    assert len(found["issues"]) == 10 and len(found["quarantined_rows"]) == 10
    assert [i["row"] for i in found["issues"]] == list(range(3, 13))
    assert any("the first 10 and 10 are listed" in n for n in found["notes"])


def test_every_row_refused_still_answers_small(tight: Api) -> None:
    body = "unique_id,ds,y\n" + "".join(f"B{i},nope,{i}\n" for i in range(40))
    answer = upload(tight.client, tight.write, "sales", "bad.csv", body.encode())
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert len(error["issues"]) == 10 and "40 issues" in error["message"]


def test_long_values_are_cut_in_answers_and_answers_stay_small(tight: Api) -> None:
    """Quarantined rows of long values (5 KB a cell): each value is quoted to 200
    characters, and the listed rows stop at about 256 KB of JSON."""
    long = "x" * 5_000
    header = "unique_id,ds,y," + ",".join(f"note{i}" for i in range(15))
    rows = "".join(f"B{i},nope,{i}," + ",".join([long] * 15) + "\n" for i in range(40))
    body = f"{header}\nA,2024-01-01,1,{','.join(['n'] * 15)}\n{rows}"
    answer = upload(tight.client, tight.write, "sales", "long.csv", body.encode())
    assert answer.status_code == 200, answer.text[:500]
    found = answer.json()
    assert found["quarantined"] == 40 and len(answer.content) < 400_000
    first = found["quarantined_rows"][0]
    assert first["note0"] == "x" * 200 + "…"
    assert all(len(str(i["value"])) <= 201 for i in found["issues"])
