"""The settings behind a plan: built from the config, the profiles applied and the plan's
per-product values; written beside the plan, in the workbook and in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from stockwise.cli.app import app as cli
from stockwise.inventory.parameters import DEFAULTS
from stockwise.report.html import build_report
from stockwise.report.settings_view import settings_lines, settings_sheet
from stockwise.sectors import load_profile
from stockwise.synthetic import generate
from stockwise.workflows.plan import plan_inventory, write_plan
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_settings import (
    FAST_AUTO,
    NAMED_MODELS,
    ONE_MODEL,
    UNCALIBRATED,
    UNCORRECTED,
    plan_settings,
)


def plan_of(sector: str, **columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame(
        {
            "unique_id": [f"P{i}" for i in range(n)],
            "sector": [sector] * n,
            "order_value": [1.0] * n,
            **columns,
        }
    )


def test_each_per_product_setting_says_where_it_came_from() -> None:
    pharmacy = load_profile("pharmacy")
    plan = plan_of(
        "pharmacy",
        lead_time_days=[5.0, 9.0, pharmacy.lead_time_days.mid],
        review_period_days=[1, 1, 1],
        service_level=[0.98, 0.98, 0.98],
    )
    inventory = pd.DataFrame({"unique_id": ["P0", "P1", "P2"], "lead_time_days": [5.0, 9.0, None]})
    config = PlanConfig(sector="pharmacy", today="2024-05-01")
    (sector,) = plan_settings(config, plan, inventory).sectors
    assert sector["profile"] == "pharmacy" and sector["profile_file"] is None
    assert sector["products"] == 3
    assert sector["lead_time_days"] == pharmacy.lead_time_days.mid
    assert sector["lead_time_days_from"] == "inventory (2 of 3 products), else profile"
    assert sector["lead_time_days_range"] == [pharmacy.lead_time_days.mid, 9.0]
    assert sector["review_period_days"] == pharmacy.review_period_days
    assert sector["review_period_days_from"] == "profile"
    assert sector["service_level"] == pharmacy.service_level
    every = plan_settings(config, plan, inventory.fillna({"lead_time_days": 2.0})).sectors[0]
    assert every["lead_time_days_from"] == "inventory"
    table = plan_settings(config, plan, inventory).table()
    assert table[["sector", "profile", "policy", "today"]].values.tolist() == [
        ["pharmacy", "pharmacy", "RS", "2024-05-01"]
    ]


def test_a_sector_without_a_profile_plans_on_generic_defaults_and_says_so() -> None:
    plan = plan_of("all", lead_time_days=[7.0], review_period_days=[7], service_level=[0.95])
    settings = plan_settings(PlanConfig(), plan, pd.DataFrame({"unique_id": ["P0"]}))
    (sector,) = settings.sectors
    assert sector["profile"] is None and sector["service_level"] == DEFAULTS["service_level"]
    assert sector["lead_time_days_from"] == "defaults"
    (profile_note,) = [g for g in settings.gives_up if g["setting"] == "profile"]
    assert "generic defaults" in profile_note["gives_up"]
    assert "generic defaults (no profile)" in settings_lines(settings.to_dict())[0]


def test_a_user_profile_is_named_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "garden.yaml").write_text("extends: retail\nservice_level: 0.97\n")
    plan = plan_of("garden", lead_time_days=[3.0], review_period_days=[7], service_level=[0.97])
    settings = plan_settings(PlanConfig(extra_dirs=(str(tmp_path),)), plan)
    (sector,) = settings.sectors
    assert sector["profile"] == "garden"
    assert sector["profile_file"] == str(tmp_path / "garden.yaml")
    sheet = settings_sheet(settings.to_dict()).set_index("setting")
    assert sheet.loc["profile", "garden"] == f"garden ({tmp_path / 'garden.yaml'})"
    assert sheet.loc["service level", "garden"] == "97 % (profile)"


def test_a_cost_target_has_no_single_service_level() -> None:
    plan = plan_of(
        "retail", lead_time_days=[3.0, 4.0], review_period_days=[7, 7], service_level=[0.91, 0.97]
    )
    settings = plan_settings(PlanConfig(target="cost"), plan)
    (sector,) = settings.sectors
    assert sector["service_level"] is None and sector["service_level_from"] == "cost"
    sheet = settings_sheet(settings.to_dict()).set_index("setting")
    assert sheet.loc["service level", "retail"] == "91–97 % (per product from its costs)"
    assert sheet.loc["service calibration", "retail"] == "not used with a cost target"
    assert not [g for g in settings.gives_up if g["setting"] == "calibrate_service"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"models": FAST_AUTO}),
        ({"quality": "best"}, {}),
        ({"models": ("SeasonalNaive",)}, {"models": ONE_MODEL}),
        ({"models": ("SeasonalNaive", "AutoETS")}, {"models": NAMED_MODELS}),
        ({"quality": "best", "calibrate_service": False}, {"calibrate_service": UNCALIBRATED}),
        ({"quality": "best", "correct_censoring": False}, {"correct_censoring": UNCORRECTED}),
    ],
)
def test_a_fast_or_uncalibrated_choice_says_what_it_gives_up(options: dict, expected: dict) -> None:
    plan = plan_of("retail", lead_time_days=[3.0], review_period_days=[7], service_level=[0.95])
    settings = plan_settings(PlanConfig(**options), plan)
    assert {g["setting"]: g["gives_up"] for g in settings.gives_up} == expected
    lines = settings_lines(settings.to_dict())
    assert sum(line.startswith("gives up") for line in lines) == len(expected)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A small plan written with its settings: three products without a sector."""
    data = generate(sectors=("luxury",), n_products=3, n_days=120, seed=4)
    sales, inventory = data.sales.drop(columns="sector"), data.inventory.drop(columns="sector")
    config = PlanConfig(
        sector="luxury", models=("SeasonalNaive",), n_windows=1, calibrate_service=False
    )
    run = plan_inventory(sales, inventory, **config.plan_kwargs())
    out = tmp_path_factory.mktemp("plan")
    write_plan(run, out, config, inventory)
    return out, sales


def test_the_plan_folder_and_workbook_hold_the_settings(planned) -> None:
    out, sales = planned
    settings = json.loads((out / "settings.json").read_text())
    day_after = pd.Timestamp(sales["ds"].max()) + pd.Timedelta(days=1)
    assert settings["run"]["today"] == day_after.date().isoformat()
    assert [s["profile"] for s in settings["sectors"]] == ["luxury"]
    book = load_workbook(out / "plan.xlsx", read_only=True)
    assert book.sheetnames[-1] == "Settings"
    rows = {r[0]: r[1] for r in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert rows["profile"] == "luxury (built-in)"
    assert rows["service calibration"] == "off"
    assert rows["gives up (calibrate_service: off)"] == UNCALIBRATED


@pytest.mark.slow
def test_the_report_shows_the_settings_or_says_they_are_unknown(planned, tmp_path: Path) -> None:
    out, _ = planned
    page = build_report(out, png=False).read_text(encoding="utf-8")
    assert '<section id="settings">' in page and "luxury (built-in)" in page
    assert UNCALIBRATED.replace("'", "&#x27;") in page
    older = tmp_path / "older"
    older.mkdir()
    for name in ("plan.csv", "alerts.csv", "projection.csv", "forecasts.csv"):
        (older / name).write_bytes((out / name).read_bytes())
    page = build_report(older, png=False).read_text(encoding="utf-8")
    assert "has no settings.json" in page


def test_the_cli_refuses_a_profile_that_does_not_exist(tmp_path: Path) -> None:
    data = generate(sectors=("retail",), n_products=2, n_days=60, seed=2)
    data.sales.drop(columns="sector").to_csv(tmp_path / "sales.csv", index=False)
    data.inventory.drop(columns="sector").to_csv(tmp_path / "inventory.csv", index=False)
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            str(tmp_path / "sales.csv"),
            "--inventory",
            str(tmp_path / "inventory.csv"),
            "--sector",
            "pharmcy",
            "--models",
            "Naive",
            "--no-track",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "pharmcy" in result.output and "pharmacy" in result.output


@pytest.mark.slow
def test_an_empty_sector_column_plans_like_no_column(tmp_path: Path) -> None:
    """A file whose sector column holds no value is planned under the profile asked for,
    with the bill of the same file without the column."""
    data = generate(sectors=("pharmacy",), n_products=3, n_days=80, seed=6)
    bills = {}
    for name, sales in (
        ("none", data.sales.drop(columns="sector")),
        ("empty", data.sales.assign(sector=None)),
    ):
        folder = tmp_path / name
        folder.mkdir()
        sales.to_csv(folder / "sales.csv", index=False)
        data.inventory.drop(columns="sector").to_csv(folder / "inventory.csv", index=False)
        result = CliRunner().invoke(
            cli,
            [
                "plan",
                str(folder / "sales.csv"),
                "--inventory",
                str(folder / "inventory.csv"),
                "--sector",
                "pharmacy",
                "--models",
                "Naive",
                "--no-track",
                "--out",
                str(folder / "out"),
            ],
        )
        assert result.exit_code == 0, result.output
        settings = json.loads((folder / "out" / "settings.json").read_text())
        assert [s["profile"] for s in settings["sectors"]] == ["pharmacy"]
        bills[name] = pd.read_csv(folder / "out" / "plan.csv")["order_value"].sum()
    assert bills["empty"] == pytest.approx(bills["none"], rel=1e-9)
