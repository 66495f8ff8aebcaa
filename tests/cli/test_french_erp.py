"""A French ERP export, read with no option, planned with ``--lang fr``: files French Excel
opens in columns, product and store beside the id, numbers rounded to their meaning, and
every sentence a buyer reads — alerts, reasons, terminal, workbook, report — in French."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cells import read_own_csv
from stockwise.cli.app import app
from stockwise.words import untranslated

PRODUCTS = ("Crème", "Savon")
STORES = ("Paris", "Lyon")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sales by product and store (no id), French headers, dates and decimal commas."""
    folder = tmp_path_factory.mktemp("erp")
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-01-01", periods=120)
    sales = pd.DataFrame(
        [
            {
                "Date": d.strftime("%d/%m/%Y"),
                "Produit": p,
                "Magasin": s,
                "Ventes": f"{rng.poisson(20 + 10 * k):.1f}".replace(".", ","),
            }
            for k, p in enumerate(PRODUCTS)
            for s in STORES
            for d in days
        ]
    )
    sales.to_csv(folder / "ventes.csv", sep=";", index=False, encoding="utf-8-sig")
    stock = pd.DataFrame(
        {
            "Produit": [p for p in PRODUCTS for _ in STORES],
            "Magasin": list(STORES) * 2,
            "Stock": ["12,5", "400", "3", "900"],
            "Délai (jours)": [7, 7, 10, 10],
            "Coût unitaire": ["2,35", "2,35", "1,10", "1,10"],
        }
    )
    stock.to_csv(folder / "stock.csv", sep=";", index=False, encoding="utf-8-sig")
    return folder


def _plan(folder: Path, out: str, lang: str) -> tuple[Path, str]:
    done = CliRunner().invoke(
        app,
        [
            "plan",
            str(folder / "ventes.csv"),
            "--inventory",
            str(folder / "stock.csv"),
            "--out",
            str(folder / out),
            "--models",
            "SeasonalNaive",
            "--no-track",
            "--lang",
            lang,
        ],
    )
    assert done.exit_code == 0, done.output
    return folder / out, done.output


@pytest.fixture(scope="module")
def runs(export: Path) -> dict[str, tuple[Path, str]]:
    return {lang: _plan(export, f"plan-{lang}", lang) for lang in ("en", "fr")}


def test_files_open_in_columns_with_product_and_store_beside_the_id(runs) -> None:
    out, _ = runs["fr"]
    raw = (out / "plan.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + b"unique_id;product;store;")
    plan = read_own_csv(out / "plan.csv")
    for row in plan.itertuples():
        assert row.unique_id == f"{row.product}@{row.store}"
    assert sorted(plan["product"].unique()) == sorted(PRODUCTS)
    assert read_own_csv(out / "alerts.csv").columns[:3].tolist() == [
        "unique_id",
        "product",
        "store",
    ]


def test_numbers_carry_no_noise(runs) -> None:
    out, _ = runs["fr"]
    plan = read_own_csv(out / "plan.csv", dtype=str, keep_default_na=False)
    for column, most in (
        ("order_qty", 0),
        ("order_value", 2),
        ("value_at_stake", 2),
        ("stockout_probability", 3),
        ("lost_value_avoided", 2),
        ("safety_stock", 1),
        ("on_hand", 1),
    ):
        for cell in plan[column]:
            decimals = cell.split(",")[1] if "," in cell else ""
            assert len(decimals) <= most, (column, cell)
    assert not any("." in cell for cell in plan["order_value"])  # a decimal comma


def test_every_sentence_the_run_writes_is_in_the_catalogue(runs) -> None:
    out, _ = runs["en"]
    plan, alerts = read_own_csv(out / "plan.csv"), read_own_csv(out / "alerts.csv")
    assert not alerts.empty, "the export is meant to raise alerts"
    sentences = [*plan["reason"], *alerts["message"], *alerts["action"]]
    missing = {clause for text in sentences for clause in untranslated(text, "fr")}
    assert missing == set()


def test_alerts_reasons_and_terminal_speak_french(runs) -> None:
    out, said = runs["fr"]
    alerts = read_own_csv(out / "alerts.csv")
    english = read_own_csv(runs["en"][0] / "alerts.csv")
    assert alerts["type"].tolist() == english["type"].tolist()  # codes stay codes
    assert all(m != e for m, e in zip(alerts["message"], english["message"], strict=True))
    assert any(m.startswith("commander ") for m in alerts["message"])
    assert all("units" not in r for r in read_own_csv(out / "plan.csv")["reason"])
    assert "Les plus urgents des 4 produits" in said and "alertes :" in said
    assert re.search(r"\d\d/\d\d", said) and "maintenant" in said
    assert "Suite plus bas (80 colonnes" in said and "Continued below" not in said


def test_the_workbook_has_french_headers_codes_and_dates(runs) -> None:
    out, _ = runs["fr"]
    sheet = openpyxl.load_workbook(out / "plan.xlsx")["Commandes"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["identifiant", "produit", "magasin"]
    cells = {
        name: sheet.cell(row=2, column=header.index(name) + 1)
        for name in ("urgence", "quantité à commander", "commander le")
    }
    assert cells["urgence"].value in {"commander maintenant", "commander bientôt"}
    assert cells["quantité à commander"].number_format == "#,##0"
    assert cells["commander le"].number_format == "dd/mm/yyyy"


def test_the_report_writes_french_numbers_and_sentences(runs, export: Path) -> None:
    out, _ = runs["en"]
    page_path = export / "rapport.html"
    done = CliRunner().invoke(
        app, ["report", str(out), "--lang", "fr", "--no-png", "--out", str(page_path)]
    )
    assert done.exit_code == 0, done.output
    page = page_path.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "Sommaire" in page
    assert "de risque de rupture avant l" in page and "commander maintenant" in page
    assert re.search('<td class="num">\\d+\u202f\\d{3}</td>', page)  # "1 371"
    assert re.search('<td class="num">\\d+\u202f%</td>', page)  # "100 %"
    assert "chance of running out" not in page


def test_a_profile_that_speaks_french_sets_the_language(export: Path) -> None:
    profiles = export / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "boutiques.yaml").write_text("extends: retail\nlanguage: fr\n")
    done = CliRunner().invoke(
        app,
        [
            "plan",
            str(export / "ventes.csv"),
            "--inventory",
            str(export / "stock.csv"),
            "--out",
            str(export / "plan-profile"),
            "--sector",
            "boutiques",
            "--sectors-dir",
            str(profiles),
            "--models",
            "SeasonalNaive",
            "--no-track",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "Les plus urgents" in done.output
    alerts = read_own_csv(export / "plan-profile" / "alerts.csv")
    assert any(m.startswith("commander ") for m in alerts["message"])
    report = CliRunner().invoke(app, ["report", str(export / "plan-profile"), "--no-png"])
    assert report.exit_code == 0, report.output
    assert '<html lang="fr">' in (export / "plan-profile" / "report.html").read_text()


def test_forecast_files_carry_product_and_store_and_round_forecasts(export: Path) -> None:
    out = export / "fc"
    done = CliRunner().invoke(
        app,
        [
            "forecast",
            str(export / "ventes.csv"),
            "--out",
            str(out),
            "--models",
            "SeasonalNaive",
            "--horizon",
            "7",
            "--no-track",
        ],
    )
    assert done.exit_code == 0, done.output
    forecasts = read_own_csv(out / "forecasts.csv", dtype=str)
    assert forecasts.columns[:3].tolist() == ["unique_id", "product", "store"]
    assert (forecasts["unique_id"] == forecasts["product"] + "@" + forecasts["store"]).all()
    assert all(len(v.partition(".")[2]) <= 2 for v in forecasts["forecast"])
