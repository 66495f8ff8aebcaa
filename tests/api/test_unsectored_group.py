"""Sales without a sector column: one group, "all", with the figures of its products."""

from __future__ import annotations

import pytest
from api_helpers import RUN, Api, csv_bytes, upload, wait

from stockwise.adapters.storage.frames import NO_SECTOR
from stockwise.api.upload_hints import MAPPING_EXAMPLES
from stockwise.synthetic import generate
from stockwise.workflows.plan_outputs import NO_SECTOR as PLAN_NO_SECTOR


@pytest.fixture
def planned(api: Api) -> Api:
    """Four products without a sector, two with nothing on hand, planned under retail."""
    data = generate(sectors=("retail",), n_products=4, n_days=70, seed=5)
    inventory = data.inventory.drop(columns="sector").copy()
    inventory.loc[inventory.index[:2], "on_hand"] = 0
    for name, frame in (("sales", data.sales.drop(columns="sector")), ("inventory", inventory)):
        assert (
            upload(api.client, api.write, name, f"{name}.csv", csv_bytes(frame)).status_code == 200
        )
    run = api.client.post("/api/v1/runs", headers=api.write, json={**RUN, "sector": "retail"})
    assert wait(api.client, api.write, run.json()["id"])["status"] == "succeeded"
    return api


def test_the_group_is_named_as_the_plan_names_it() -> None:
    assert NO_SECTOR == PLAN_NO_SECTOR


def test_sectors_list_the_group_of_products_without_one(planned: Api) -> None:
    get = planned.client.get
    assert get("/api/v1/sectors", headers=planned.read).json()["items"] == []  # as before
    groups = get("/api/v1/sectors", params={"unsectored": "true"}, headers=planned.read).json()[
        "items"
    ]
    assert [g["sector"] for g in groups] == ["all"]
    group = groups[0]
    assert group["label"] == "all products (no sector in the data)"
    alerts = get("/api/v1/alerts", params={"page_size": 1000}, headers=planned.read).json()
    assert group["n_products"] == 4 and group["stock_value"] > 0
    assert sum(group["alerts"].values()) == alerts["total"] > 0  # lines say "retail"
    assert get("/api/v1/sectors/all", headers=planned.read).json()["n_products"] == 4
    weeks = get("/api/v1/sectors/all/sales", headers=planned.read).json()["items"]
    assert weeks and sum(w["total"] for w in weeks) > 0
    chosen = get(
        "/api/v1/alerts", params={"sector": "all", "page_size": 1000}, headers=planned.read
    ).json()
    assert chosen["total"] == alerts["total"]
    lines = get("/api/v1/plan", params={"sector": "all"}, headers=planned.read).json()
    assert lines["total"] == 4


@pytest.mark.parametrize("table", ["sales", "inventory", "batches"])
def test_a_missing_column_hint_names_the_form_field_and_this_table(api: Api, table: str) -> None:
    answer = upload(api.client, api.write, table, "export.csv", b"foo,bar\n1,2\n")
    error = answer.json()["error"]
    assert answer.status_code == 422 and "--" not in error["hint"] + error["message"]
    assert "Column mapping" in error["hint"] and MAPPING_EXAMPLES[table] in error["hint"]
