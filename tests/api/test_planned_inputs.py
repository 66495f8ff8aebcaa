"""Planned inputs over the API: upload checked cell by cell, stored (upsert), used by runs.

The data mirror tests/data/test_planned.py: four products selling 4 a day, four times as
much on promotion days, so a model that sees the promotions (LightGBM) learns the lift.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from api_helpers import csv_bytes, upload, wait
from sqlalchemy import func, select

from stockwise.adapters.storage.frames import planned_frame, sales_frame
from stockwise.adapters.storage.models import PlannedInput

DAYS, AHEAD = 300, 42
START = pd.Timestamp("2024-01-01")
CUT = START + pd.Timedelta(days=DAYS)
IDS = [f"P{i}" for i in range(4)]
LIGHTGBM = {"kind": "plan", "models": ["LightGBM"], "n_windows": 1}


def _promoted(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=DAYS + AHEAD, freq="D")
    frames = []
    for uid in IDS:
        promo = np.zeros(len(dates), dtype=int)
        for start in rng.choice(len(dates) - 3, 25, replace=False):
            promo[start : start + 3] = 1
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": dates,
                    "promo": promo,
                    "y": rng.poisson(4.0 * (1 + 3 * promo)).astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


FULL = _promoted()
SALES = FULL[FULL["ds"] < CUT]
AHEAD_ROWS = FULL[FULL["ds"] >= CUT][["unique_id", "ds"]].reset_index(drop=True)
STOCK = pd.DataFrame({"unique_id": IDS, "on_hand": 0.0, "lead_time_days": 7.0, "unit_cost": 2.0})


def _planned(promo_days: range = range(0)) -> pd.DataFrame:
    """Every product: no promotion ahead except on the given days after the history."""
    days = (AHEAD_ROWS["ds"] - CUT).dt.days
    return AHEAD_ROWS.assign(promo=days.isin(list(promo_days)).astype(int))


def _stored(api) -> int:
    with api.app.state.storage.session() as session:
        return session.scalar(select(func.count()).select_from(PlannedInput))


def test_bad_planned_cell_is_422_naming_file_row_and_column(api) -> None:
    bad = _planned().astype({"promo": object})
    bad.iloc[4, 2] = "yes"  # the fifth data row: row 6 of the file (header = row 1)
    answer = upload(api.client, api.write, "planned", "promos.csv", csv_bytes(bad))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_file" and error["file"] == "promos.csv"
    assert (error["row"], error["column"]) == (6, "promo")
    assert "number" in error["message"] and "stockwise-upload" not in error["message"]
    assert [(i["row"], i["column"]) for i in error["issues"]] == [(6, "promo")]
    missing = upload(api.client, api.write, "planned", "p.csv", b"unique_id,promo\nP0,1\n")
    assert missing.status_code == 422 and "'ds'" in missing.json()["error"]["message"]
    twice = csv_bytes(pd.concat([_planned().head(2), _planned().head(1)]))
    answer = upload(api.client, api.write, "planned", "p.csv", twice)
    assert answer.status_code == 422 and answer.json()["error"]["row"] == 4
    assert "planned twice" in answer.json()["error"]["message"]
    assert _stored(api) == 0
    # ?drivers= keeps the named columns: an unready price column is then not read at all
    kept = upload(
        api.client,
        api.write,
        "planned",
        "p.csv",
        csv_bytes(_planned().assign(price="n/a")),
        drivers="promo",
    )
    assert kept.status_code == 200 and kept.json()["drivers"] == ["promo"]


def test_planned_upload_is_stored_and_reuploads_update(api) -> None:
    plan = _planned(range(3, 6))
    first = upload(api.client, api.write, "planned", "promos.csv", csv_bytes(plan)).json()
    assert (first["table"], first["rows_read"], first["inserted"]) == (
        "planned",
        len(plan),
        len(plan),
    )
    assert first["drivers"] == ["promo"] and first["products"] == 4
    assert (first["start"], first["end"]) == (
        str(CUT.date()),
        str((CUT + pd.Timedelta(days=AHEAD - 1)).date()),
    )
    again = upload(api.client, api.write, "planned", "promos.csv", csv_bytes(plan)).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, len(plan))
    # a price list for P0's first week: those days gain a price and keep their promo
    prices = plan[plan["unique_id"].eq("P0")].head(7).drop(columns="promo").assign(price=2.5)
    prices.loc[prices.index[0], "price"] = 1.99
    prices["ds"] = prices["ds"].dt.strftime("%Y-%m-%d")
    third = upload(
        api.client, api.write, "planned", "prices.json", prices.to_json(orient="records").encode()
    ).json()
    assert (third["inserted"], third["updated"], third["unchanged"]) == (0, 7, 0)
    assert _stored(api) == len(plan)
    with api.app.state.storage.session() as session:
        both = planned_frame(session, ["promo", "price"])
        promos = planned_frame(session, ["promo"])
    assert len(both) == 7 and both["price"].tolist() == [1.99] + [2.5] * 6
    assert both["promo"].tolist() == plan.head(7)["promo"].astype(float).tolist()
    assert (
        promos.sort_values(["unique_id", "ds"])["promo"].tolist()
        == plan.sort_values(["unique_id", "ds"])["promo"].astype(float).tolist()
    )
    history = api.client.get("/api/v1/uploads", headers=api.read).json()
    assert [u["table"] for u in history["items"]] == ["planned"] * 3
    shown = api.client.get(
        "/api/v1/planned",
        headers=api.read,
        params={"product_id": "P0", "end": str(CUT.date()), "page_size": 5},
    ).json()
    assert shown["total"] == 1 and shown["items"] == [
        {"product_id": "P0", "ds": str(CUT.date()), "drivers": {"promo": 0.0, "price": 1.99}}
    ]
    assert api.client.get("/api/v1/planned", headers=api.read).json()["total"] == len(plan)


def test_stored_sales_keep_their_driver_history(api) -> None:
    sales = SALES.head(60).assign(price=np.linspace(2.0, 3.0, 60), discount=0.1)
    assert upload(api.client, api.write, "sales", "s.csv", csv_bytes(sales)).status_code == 200
    with api.app.state.storage.session() as session:
        stored = sales_frame(session, extras=["discount", "event"])
    assert stored["promo"].tolist() == sales["promo"].astype(float).tolist()
    assert stored["price"].to_numpy() == pytest.approx(sales["price"].to_numpy())
    assert stored["discount"].tolist() == [0.1] * 60
    assert "event" not in stored.columns  # no stored row carries it: not made up


@pytest.mark.slow
def test_plan_run_orders_for_a_planned_promotion(api) -> None:
    for table, frame in (("sales", SALES), ("inventory", STOCK)):
        assert (
            upload(api.client, api.write, table, f"{table}.csv", csv_bytes(frame)).status_code
            == 200
        )
    # everything on promotion over lead time (7 days) + review (7 days): without the
    # driver, the forecast can only spread the promotions' lift over every day
    assert (
        upload(
            api.client, api.write, "planned", "promos.csv", csv_bytes(_planned(range(14)))
        ).status_code
        == 200
    )
    lines = {}
    for name, body in (("promoted", {**LIGHTGBM, "drivers": ["promo"]}), ("plain", LIGHTGBM)):
        started = api.client.post("/api/v1/runs", json=body, headers=api.write)
        assert started.status_code == 202 and started.json()["params"]["drivers"] == body.get(
            "drivers", []
        )
        run = wait(api.client, api.read, started.json()["id"])
        assert run["status"] == "succeeded" and "not used" not in run["message"], run
        plan = api.client.get(run["links"]["plan"], headers=api.read).json()["items"]
        lines[name] = pd.DataFrame(plan).set_index("product_id").sort_index()
    promoted, plain = lines["promoted"], lines["plain"]
    assert len(promoted) == 4
    assert (promoted["order_up_to"] > 1.3 * plain["order_up_to"]).all(), (
        promoted["order_up_to"],
        plain["order_up_to"],
    )
    assert (promoted["order_qty"] > plain["order_qty"]).all()


@pytest.mark.slow
def test_run_with_drivers_but_no_planned_values_fails_saying_so(api) -> None:
    for table, frame in (("sales", SALES), ("inventory", STOCK)):
        assert (
            upload(api.client, api.write, table, f"{table}.csv", csv_bytes(frame)).status_code
            == 200
        )
    body = {**LIGHTGBM, "drivers": ["promo"]}
    run = wait(
        api.client,
        api.read,
        api.client.post("/api/v1/runs", json=body, headers=api.write).json()["id"],
    )
    assert run["status"] == "failed"
    assert "planned values" in run["message"] and "/api/v1/uploads/planned" in run["message"]
    # planned, but only for the first week of a horizon of several: the gap is named
    short = _planned()[lambda f: f["ds"] < CUT + pd.Timedelta(days=7)]
    upload(api.client, api.write, "planned", "week.csv", csv_bytes(short))
    run = wait(
        api.client,
        api.read,
        api.client.post(
            "/api/v1/runs", json={**body, "kind": "forecast"}, headers=api.write
        ).json()["id"],
    )
    assert run["status"] == "failed" and "internal error" not in run["message"]
    assert "promo" in run["message"], run["message"]
    # a model that takes no inputs cannot use them: the run says so rather than pretend
    naive = {**body, "models": ["SeasonalNaive"]}
    run = wait(
        api.client,
        api.read,
        api.client.post("/api/v1/runs", json=naive, headers=api.write).json()["id"],
    )
    assert run["status"] == "succeeded" and "not used" in run["message"], run["message"]
    # a driver the stored sales never carried cannot be learnt
    upload(
        api.client,
        api.write,
        "planned",
        "price.csv",
        csv_bytes(_planned().drop(columns="promo").assign(price=2.0)),
    )
    run = wait(
        api.client,
        api.read,
        api.client.post(
            "/api/v1/runs", json={**body, "drivers": ["price"]}, headers=api.write
        ).json()["id"],
    )
    assert run["status"] == "failed" and "'price'" in run["message"], run["message"]
    assert (
        api.client.post(
            "/api/v1/runs", json={**body, "drivers": [" "]}, headers=api.write
        ).status_code
        == 422
    )
