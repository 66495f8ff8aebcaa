"""A run from upload to results: lifecycle, plan / alerts / filters / pages, exports, restart.

One tiny generated dataset (two sectors, two products each) is uploaded and planned once
per database; the read tests share that run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest
from api_helpers import RUN, Api, csv_bytes, demo_frames, make_keys, upload, wait
from fastapi.testclient import TestClient

from stockwise.adapters.storage.models import Run, utcnow
from stockwise.api.app import create_app
from stockwise.api.jobs import INTERRUPTED
from stockwise.api.settings import Settings


@dataclass
class Planned:
    api: Api
    run: dict
    settings: Settings


@pytest.fixture(scope="module")
def planned(module_database_url: str):
    settings = Settings(database_url=module_database_url, max_upload_mb=5)
    app = create_app(settings)
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
        assert started.status_code == 202
        assert started.headers["Location"] == started.json()["links"]["self"]
        assert started.json()["status"] == "queued"
        run = wait(client, read, started.json()["id"])
        yield Planned(Api(client, read, write), run, settings)


def test_run_succeeds_with_progress_and_links(planned: Planned) -> None:
    run = planned.run
    assert run["status"] == "succeeded", run["message"]
    assert run["progress"] == 1.0 and run["finished_at"] >= run["started_at"]
    assert run["summary"]["plan_lines"] == 4 and run["summary"]["products"] == 4
    assert run["message"].startswith("done: 4 products planned")
    client, read = planned.api.client, planned.api.read
    for name in ("forecasts", "plan", "alerts"):
        assert client.get(run["links"][name], headers=read).status_code == 200
    listed = client.get("/api/v1/runs?status=succeeded", headers=read).json()
    assert run["id"] in [r["id"] for r in listed["items"]]


def test_plan_filters_order_and_pages(planned: Planned) -> None:
    client, read = planned.api.client, planned.api.read
    everything = client.get("/api/v1/plan", headers=read).json()
    assert everything["total"] == 4 and len(everything["items"]) == 4
    rank = {"order now": 0, "at risk": 1, "order soon": 2, "planned": 3, "no action": 4}
    urgencies = [rank[x["urgency"]] for x in everything["items"]]
    assert urgencies == sorted(urgencies)
    pharmacy = client.get("/api/v1/plan?sector=pharmacy", headers=read).json()
    assert pharmacy["total"] == 2 and {x["sector"] for x in pharmacy["items"]} == {"pharmacy"}
    some = everything["items"][0]["urgency"]
    chosen = client.get("/api/v1/plan", params={"urgency": some}, headers=read).json()
    assert chosen["total"] == sum(x["urgency"] == some for x in everything["items"])
    pages = [client.get(f"/api/v1/plan?page={p}&page_size=3", headers=read).json() for p in (1, 2)]
    assert [len(p["items"]) for p in pages] == [3, 1] and pages[1]["total"] == 4
    assert [x["product_id"] for p in pages for x in p["items"]] == [
        x["product_id"] for x in everything["items"]
    ]
    bad = client.get("/api/v1/plan?urgency=soonish", headers=read)
    assert bad.status_code == 422 and bad.json()["error"]["column"] == "urgency"


def test_product_plan_has_projection_and_levels(planned: Planned) -> None:
    client, read = planned.api.client, planned.api.read
    line = client.get("/api/v1/plan?page_size=1", headers=read).json()["items"][0]
    detail = client.get(f"/api/v1/plan/{line['product_id']}", headers=read).json()
    assert detail["reorder_point"] == line["reorder_point"] > 0
    days = pd.DataFrame(detail["projection"])
    assert len(days) > 7 and days["ds"].is_monotonic_increasing
    assert (days["expected_on_hand"] >= 0).all()
    assert days["stockout_by"].is_monotonic_increasing
    assert client.get("/api/v1/plan/NOPE", headers=read).status_code == 404


def test_forecasts_have_ordered_non_negative_intervals(planned: Planned) -> None:
    client, read = planned.api.client, planned.api.read
    body = client.get("/api/v1/forecasts?page_size=1000", headers=read).json()
    assert body["total"] == planned.run["summary"]["forecast_rows"]
    for row in body["items"]:
        assert 0 <= row["lo"]["80"] <= row["lo"]["50"] <= row["hi"]["50"] <= row["hi"]["80"]
        assert row["forecast"] >= 0 and row["run_id"] == planned.run["id"]


def test_alerts_filters(planned: Planned) -> None:
    client, read = planned.api.client, planned.api.read
    every = client.get("/api/v1/alerts", headers=read).json()
    assert every["total"] == planned.run["summary"]["alerts"]
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    assert [order[a["severity"]] for a in every["items"]] == sorted(
        order[a["severity"]] for a in every["items"]
    )
    for severity in {a["severity"] for a in every["items"]}:
        some = client.get(f"/api/v1/alerts?severity={severity}", headers=read).json()
        assert some["total"] == sum(a["severity"] == severity for a in every["items"])
    assert client.get("/api/v1/alerts?severity=dire", headers=read).status_code == 422


def test_exports_csv_and_excel(planned: Planned) -> None:
    client, read = planned.api.client, planned.api.read
    csv = client.get("/api/v1/plan/export?format=csv&sector=retail", headers=read)
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(csv.text))
    assert len(table) == 2 and set(table["sector"]) == {"retail"}
    xlsx = client.get("/api/v1/plan/export?format=xlsx", headers=read)
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Orders", "Totals", "Plan", "Alerts", "Settings"]
    assert book["Plan"].max_row == 1 + 4
    settings = list(book["Settings"].iter_rows(values_only=True))
    assert settings[0] == ("setting", "pharmacy", "retail")
    rows = {r[0]: r[1:] for r in settings[1:]}
    assert rows["profile"] == ("pharmacy (built-in)", "retail (built-in)")
    assert rows["models"] == ("SeasonalNaive", "SeasonalNaive")


def test_a_run_of_a_sector_not_stored_names_the_stored_ones(planned: Planned) -> None:
    client = planned.api.client
    started = client.post(
        "/api/v1/runs", json={**RUN, "sector": "luxury"}, headers=planned.api.write
    )
    run = wait(client, planned.api.read, started.json()["id"])
    assert run["status"] == "failed"
    assert "no sales stored for sector 'luxury'" in run["message"]
    assert "pharmacy, retail" in run["message"]


def test_sectors_and_products(planned: Planned) -> None:
    client, read = planned.api.client, planned.api.read
    sectors = client.get("/api/v1/sectors", headers=read).json()
    assert [s["sector"] for s in sectors["items"]] == ["pharmacy", "retail"]
    data = demo_frames()
    retail = next(s for s in sectors["items"] if s["sector"] == "retail")
    expected = data.sales.loc[data.sales["sector"] == "retail", "y"].sum()
    assert retail["total_sales"] == pytest.approx(expected)
    monthly = client.get("/api/v1/sectors/retail/sales?period=M", headers=read).json()
    assert sum(i["total"] for i in monthly["items"]) == pytest.approx(expected)
    stock = client.get("/api/v1/sectors/retail/stock?period=W", headers=read).json()
    assert stock["items"] and all(i["stock_units"] >= 0 for i in stock["items"])
    products = client.get("/api/v1/products?sector=pharmacy", headers=read).json()
    assert products["total"] == 2 and all(p["stock"] for p in products["items"])
    one = products["items"][0]["product_id"]
    history = client.get(f"/api/v1/products/{one}/history", headers=read).json()
    assert len(history["items"]) == (data.sales["unique_id"] == one).sum()
    assert client.get("/api/v1/sectors/florist", headers=read).status_code == 404


def test_read_key_cannot_start_runs(planned: Planned) -> None:
    answer = planned.api.client.post("/api/v1/runs", json=RUN, headers=planned.api.read)
    assert answer.status_code == 403


def test_failed_run_says_why(planned: Planned) -> None:
    client, api = planned.api.client, planned.api
    started = client.post("/api/v1/runs", json={**RUN, "sector": "florist"}, headers=api.write)
    run = wait(client, api.read, started.json()["id"])
    assert run["status"] == "failed" and "no sales stored for sector 'florist'" in run["message"]


def test_run_records_survive_a_restart(planned: Planned) -> None:
    storage = planned.api.app.state.storage
    with storage.transaction() as session:
        session.add(
            Run(
                id="deadbeef00000000",
                kind="plan",
                status="running",
                progress=0.4,
                message="planning",
                params={},
                created_at=utcnow(),
            )
        )
    restarted = create_app(planned.settings)
    with TestClient(restarted) as client:
        read, _ = make_keys(restarted)
        old = client.get(f"/api/v1/runs/{planned.run['id']}", headers=read).json()
        assert old["status"] == "succeeded" and old["summary"] == planned.run["summary"]
        cut = client.get("/api/v1/runs/deadbeef00000000", headers=read).json()
        assert cut["status"] == "failed" and cut["message"] == INTERRUPTED
        assert client.get("/api/v1/plan", headers=read).json()["total"] == 4


def test_product_plan_follows_the_newest_run(planned: Planned) -> None:
    """The cached product answer is per run; a newly finished run becomes the default."""
    client, api = planned.api.client, planned.api
    line = client.get("/api/v1/plan?sector=retail&page_size=1", headers=api.read).json()
    product = line["items"][0]["product_id"]
    first = client.get(f"/api/v1/plan/{product}", headers=api.read).json()
    assert first["run_id"] == planned.run["id"]
    assert client.get(f"/api/v1/plan/{product}", headers=api.read).json() == first  # cached
    started = client.post(
        "/api/v1/runs", json={**RUN, "sector": "retail", "seed": 1}, headers=api.write
    ).json()
    assert wait(client, api.read, started["id"])["status"] == "succeeded"
    newest = client.get(f"/api/v1/plan/{product}", headers=api.read).json()
    assert newest["run_id"] == started["id"]
    pinned = client.get(
        f"/api/v1/plan/{product}?run_id={planned.run['id']}", headers=api.read
    ).json()
    assert pinned == first


def test_forecast_run_has_its_own_horizon_and_levels(planned: Planned) -> None:
    client, api = planned.api.client, planned.api
    body = {
        "kind": "forecast",
        "sector": "pharmacy",
        "horizon": 5,
        "levels": [90],
        "models": ["SeasonalNaive"],
        "n_windows": 1,
    }
    started = client.post("/api/v1/runs", json=body, headers=api.write).json()
    assert "plan" not in started["links"]
    run = wait(client, api.read, started["id"])
    assert run["status"] == "succeeded" and run["message"] == "done: 2 products forecast"
    rows = client.get(f"/api/v1/forecasts?run_id={run['id']}", headers=api.read).json()
    assert rows["total"] == 2 * 5
    assert all(set(r["lo"]) == {"90"} and r["lo"]["90"] <= r["hi"]["90"] for r in rows["items"])
    conflict = client.get(f"/api/v1/plan?run_id={run['id']}", headers=api.read)
    assert conflict.status_code == 409


def test_sector_plans_join_when_one_has_no_arrival_dates() -> None:
    """A sector without orders has an all-empty arrival_date column; the joined plan keeps
    the dates of the others, typed as dates, without pandas' all-NA concat warning."""
    import warnings

    from stockwise.api.run_work import _concat

    ordered = pd.DataFrame(
        {"unique_id": ["A"], "arrival_date": [pd.Timestamp("2025-01-08")], "order_qty": [4.0]}
    )
    idle = pd.DataFrame({"unique_id": ["B"], "arrival_date": [None], "order_qty": [0.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        joined = _concat([ordered, idle])
    assert list(joined.columns) == ["unique_id", "arrival_date", "order_qty"]
    assert joined["arrival_date"].tolist()[0] == pd.Timestamp("2025-01-08")
    assert pd.isna(joined["arrival_date"].iloc[1])
    assert str(joined["arrival_date"].dtype).startswith("datetime64")
