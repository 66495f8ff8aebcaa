"""The same data and settings give the same order bill from the CLI, the API and the
dashboard, and each states the settings behind it.

The data has no sector column (an ERP export rarely has one), so each side plans it under
the profile asked for: ``--sector pharmacy`` on the command line, ``sector`` in the API's
run request, and the body the dashboard's Runs page sends (``static/js/runs.js``) with
the profile chosen in its selector.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from api_helpers import Api, csv_bytes, upload, wait
from typer.testing import CliRunner

from stockwise.cli.app import app as cli
from stockwise.sectors import load_profile

MODEL = "SeasonalNaive"
"""A model the dashboard offers, quick enough for a test."""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sales and inventory of five products, without a sector column."""
    from stockwise.synthetic import generate

    data = generate(sectors=("pharmacy",), n_products=5, n_days=100, seed=5)
    folder = tmp_path_factory.mktemp("export")
    paths = {"sales": folder / "sales.csv", "inventory": folder / "inventory.csv"}
    data.sales.drop(columns="sector").to_csv(paths["sales"], index=False)
    data.inventory.drop(columns="sector").to_csv(paths["inventory"], index=False)
    return paths


def cli_plan(files: dict[str, Path], out: Path, *options: str) -> tuple[pd.DataFrame, dict, str]:
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            str(files["sales"]),
            "--inventory",
            str(files["inventory"]),
            "--out",
            str(out),
            "--no-track",
            *options,
        ],
    )
    assert result.exit_code == 0, result.output
    settings = json.loads((out / "settings.json").read_text())
    return pd.read_csv(out / "plan.csv"), settings, result.output


def api_plan(api: Api, body: dict) -> tuple[pd.DataFrame, dict]:
    started = api.client.post("/api/v1/runs", json=body, headers=api.write)
    assert started.status_code == 202, started.text
    run = wait(api.client, api.read, started.json()["id"])
    assert run["status"] == "succeeded", run["message"]
    lines = api.client.get(
        "/api/v1/plan", params={"run_id": run["id"], "page_size": 1000}, headers=api.read
    ).json()["items"]
    return pd.DataFrame(lines), run


def dashboard_body(profile: str, models: str) -> dict:
    """What runs.js sends when the Runs page starts a plan (sector select, model select,
    empty drivers field)."""
    return {
        "kind": "plan",
        "sector": profile,
        "models": "auto" if models == "auto" else [models],
        "drivers": [],
    }


def bill(plan: pd.DataFrame) -> float:
    return float(plan["order_value"].sum())


def upload_files(api: Api, files: dict[str, Path]) -> None:
    for table in ("sales", "inventory"):
        answer = upload(
            api.client, api.write, table, f"{table}.csv", csv_bytes(pd.read_csv(files[table]))
        )
        assert answer.status_code == 200, answer.text


@pytest.mark.slow
def test_cli_api_and_dashboard_give_the_same_bill(
    api: Api, files: dict[str, Path], tmp_path: Path
) -> None:
    cli_lines, cli_settings, output = cli_plan(
        files, tmp_path / "cli", "--sector", "pharmacy", "--models", MODEL
    )
    upload_files(api, files)
    explicit = {
        "kind": "plan",
        "sector": "pharmacy",
        "models": [MODEL],
        "n_windows": 2,
        "quality": "fast",
        "policy": "RS",
        "target": "cycle_service_level",
        "seed": 0,
        "calibrate_service": True,
        "correct_censoring": True,
        "drivers": [],
    }
    api_lines, api_run = api_plan(api, explicit)
    dash_lines, dash_run = api_plan(api, dashboard_body("pharmacy", MODEL))

    assert bill(cli_lines) > 0
    assert bill(api_lines) == pytest.approx(bill(cli_lines), rel=1e-9)
    assert bill(dash_lines) == pytest.approx(bill(cli_lines), rel=1e-9)
    by_product = cli_lines.set_index("unique_id")["order_qty"].sort_index()
    assert (
        api_lines.set_index("product_id")["order_qty"].sort_index().tolist() == by_product.tolist()
    )
    # each states the same settings: the pharmacy profile, the same models and day
    for described in (api_run["summary"]["settings"], dash_run["summary"]["settings"]):
        assert described == cli_settings
    assert [s["profile"] for s in cli_settings["sectors"]] == ["pharmacy"]
    assert "pharmacy (built-in)" in output


@pytest.mark.slow
def test_another_profile_gives_another_bill_and_says_so(
    api: Api, files: dict[str, Path], tmp_path: Path
) -> None:
    pharmacy, _, _ = cli_plan(
        files, tmp_path / "pharmacy", "--sector", "pharmacy", "--models", MODEL
    )
    generic, settings, output = cli_plan(files, tmp_path / "generic", "--models", MODEL)
    assert bill(generic) != pytest.approx(bill(pharmacy))
    assert settings["sectors"][0]["profile"] is None
    assert "generic defaults (no profile)" in output
    upload_files(api, files)
    lines, run = api_plan(api, dashboard_body("luxury", MODEL))
    assert run["summary"]["settings"]["sectors"][0]["profile"] == "luxury"
    assert {x["sector"] for x in lines.to_dict("records")} == {"luxury"}


def test_a_run_asks_for_a_profile_that_does_not_exist(api: Api, files: dict[str, Path]) -> None:
    upload_files(api, files)
    started = api.client.post(
        "/api/v1/runs", json=dashboard_body("pharmcy", MODEL), headers=api.write
    )
    run = wait(api.client, api.read, started.json()["id"])
    assert run["status"] == "failed"
    assert "no profile 'pharmcy'" in run["message"] and "pharmacy" in run["message"]


def test_the_api_export_and_the_profiles_list_carry_the_settings(
    api: Api, files: dict[str, Path]
) -> None:
    upload_files(api, files)
    _, run = api_plan(api, {**dashboard_body("pharmacy", MODEL), "calibrate_service": False})
    gives_up = {g["setting"]: g["gives_up"] for g in run["summary"]["settings"]["gives_up"]}
    assert "not calibrated" in gives_up["calibrate_service"]
    assert "no selection" in gives_up["models"]
    export = api.client.get(
        "/api/v1/plan/export", params={"format": "xlsx", "run_id": run["id"]}, headers=api.read
    )
    book = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    rows = {r[0]: r[1] for r in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert rows["profile"] == "pharmacy (built-in)" and rows["service calibration"] == "off"
    profiles = api.client.get("/api/v1/profiles", headers=api.read).json()["items"]
    assert {"retail", "pharmacy", "luxury"} <= {p["name"] for p in profiles}


def test_a_forecast_run_of_sales_without_a_sector_uses_the_profile(
    api: Api, files: dict[str, Path]
) -> None:
    upload_files(api, files)
    started = api.client.post(
        "/api/v1/runs",
        json={"kind": "forecast", "sector": "pharmacy", "models": [MODEL], "n_windows": 1},
        headers=api.write,
    )
    run = wait(api.client, api.read, started.json()["id"])
    assert run["status"] == "succeeded", run["message"]
    rows = api.client.get(
        "/api/v1/forecasts", params={"run_id": run["id"], "page_size": 1000}, headers=api.read
    ).json()["items"]
    assert {r["sector"] for r in rows} == {"pharmacy"}
    horizon = load_profile("pharmacy").horizon  # generic defaults forecast fewer days
    assert {
        len([r for r in rows if r["product_id"] == p]) for p in {r["product_id"] for r in rows}
    } == {horizon}
