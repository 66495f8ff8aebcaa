"""A French ERP export goes back in its own form: the plan's CSV files open in columns in
French Excel (';', decimal comma, BOM), unless another form is asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cells import read_own_csv
from stockwise.cli.app import app


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fr")
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=120)
    sales = pd.DataFrame(
        [
            {
                "Date": d.strftime("%d/%m/%Y"),
                "Produit": p,
                "Ventes": f"{rng.poisson(20) + 0.5:.1f}".replace(".", ","),
            }
            for p in ("Crème", "Savon")
            for d in days
        ]
    )
    sales.to_csv(folder / "ventes.csv", sep=";", index=False, encoding="latin-1")
    stock = pd.DataFrame(
        {"Produit": ["Crème", "Savon"], "Stock": ["10,5", "300"], "Coût unitaire": ["2,35", "1,10"]}
    )
    stock.to_csv(folder / "stock.csv", sep=";", index=False, encoding="latin-1")
    return folder


def _plan(folder: Path, out: str, *extra: str) -> Path:
    result = CliRunner().invoke(
        app,
        [
            "plan",
            str(folder / "ventes.csv"),
            "--inventory",
            str(folder / "stock.csv"),
            "--out",
            str(folder / out),
            "--no-track",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return folder / out


@pytest.mark.slow
def test_files_follow_the_french_input_and_read_back(french: Path) -> None:
    out = _plan(french, "plan")
    for name in ("plan", "alerts", "forecasts"):
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        header = raw.decode("utf-8-sig").splitlines()[0]
        assert header.startswith("unique_id;"), name
    plan = read_own_csv(out / "plan.csv")
    assert sorted(plan["unique_id"]) == ["Crème", "Savon"]
    assert plan["order_value"].dtype == float  # decimal commas read back as numbers
    line = (out / "plan.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert "," in line.split(";")[plan.columns.get_loc("mean_daily_demand")]
    report = CliRunner().invoke(app, ["report", str(out), "--out", str(french / "r.html")])
    assert report.exit_code == 0, report.output
    assert "Savon" in (french / "r.html").read_text()


def test_the_standard_form_on_request(french: Path) -> None:
    out = _plan(french, "plan-std", "--csv-format", "standard")
    raw = (out / "plan.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.startswith(b"unique_id,product,sector,")
    assert pd.read_csv(out / "plan.csv")["order_value"].dtype == float


def test_an_unknown_form_is_refused(french: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "plan",
            str(french / "ventes.csv"),
            "--inventory",
            str(french / "stock.csv"),
            "--out",
            str(french / "x"),
            "--csv-format",
            "tsv",
        ],
    )
    assert result.exit_code == 2 and "unknown CSV format 'tsv'" in result.output
