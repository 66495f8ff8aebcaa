"""API plan runs in money: the currency and budget options, the run's totals, suppliers
in the plan lines and the exported workbook."""

from __future__ import annotations

import io

import openpyxl
import pytest
from api_helpers import RUN, Api, csv_bytes, demo_frames, upload, wait


def _upload_with_suppliers(api: Api) -> None:
    data = demo_frames()
    inventory = data.inventory.assign(supplier=["Nord", "Sud"] * (len(data.inventory) // 2))
    for table, frame in (
        ("sales", data.sales),
        ("inventory", inventory),
        ("batches", data.batches),
    ):
        answer = upload(api.client, api.write, table, f"{table}.csv", csv_bytes(frame))
        assert answer.status_code == 200, answer.text


def _run(api: Api, **options) -> dict:
    started = api.client.post("/api/v1/runs", json={**RUN, **options}, headers=api.write)
    assert started.status_code == 202, started.text
    run = wait(api.client, api.read, started.json()["id"])
    assert run["status"] == "succeeded", run["message"]
    return run


@pytest.mark.slow
def test_a_run_with_currency_and_budget_reports_its_money(api: Api) -> None:
    _upload_with_suppliers(api)
    free = _run(api, currency="usd")["summary"]["money"]
    [total] = free["totals"]
    assert total["currency"] == "USD" and total["order_value"] > 0
    assert "budget" not in free
    budget = round(total["order_value"] / 2, 2)
    run = _run(api, currency="USD", budget=budget)
    money = run["summary"]["money"]
    assert money["totals"][0]["order_value"] <= budget
    assert money["budget"]["budget"] == budget and money["budget"]["lines_cut"] >= 1
    assert money["budget"]["spent"] == money["totals"][0]["order_value"]
    lines = api.client.get(f"/api/v1/plan?run_id={run['id']}", headers=api.read).json()
    items = lines["items"]
    assert {line["currency"] for line in items} == {"USD"}
    assert {line["supplier"] for line in items} == {"Nord", "Sud"}
    assert any("budget" in line["reason"] and line["budget_cut_units"] > 0 for line in items)
    export = api.client.get(f"/api/v1/plan/export?format=xlsx&run_id={run['id']}", headers=api.read)
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert {"Totals", "By supplier", "Budget"} <= set(book.sheetnames)


def test_bad_money_options_are_refused_when_asked(api: Api) -> None:
    for wrong in ({"currency": "euro"}, {"currency": "E1"}, {"budget": 0}, {"budget": -3}):
        answer = api.client.post("/api/v1/runs", json={**RUN, **wrong}, headers=api.write)
        assert answer.status_code == 422, (wrong, answer.text)
