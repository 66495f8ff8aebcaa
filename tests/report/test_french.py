"""French for what a buyer reads: `--lang fr` on the report and the workbook."""

from __future__ import annotations

import string
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app
from stockwise.errors import OptionError
from stockwise.synthetic import generate_to_files
from stockwise.words import LOCALES, catalogue, tr


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fr")
    files = generate_to_files(folder / "data", n_products=4, n_days=120, seed=1)
    out = folder / "plan"
    done = CliRunner().invoke(
        app,
        [
            "plan",
            str(files["sales"]),
            "--inventory",
            str(files["inventory"]),
            "--out",
            str(out),
            "--lang",
            "fr",
            "--models",
            "SeasonalNaive",
            "--no-track",
        ],
    )
    assert done.exit_code == 0, done.output
    return out


@pytest.mark.slow
def test_the_workbook_speaks_french(planned: Path) -> None:
    book = openpyxl.load_workbook(planned / "plan.xlsx")
    assert book.sheetnames[:2] == ["Commandes", "Totaux"] and "Alertes" in book.sheetnames
    header = [c.value for c in book["Commandes"][1]]
    assert "produit" in header and "rupture si rien n'est commandé" in header


@pytest.mark.slow
def test_the_report_speaks_french(planned: Path) -> None:
    done = CliRunner().invoke(
        app,
        [
            "report",
            str(planned),
            "--lang",
            "fr",
            "--no-png",
            "--out",
            str(planned / "rapport.html"),
        ],
    )
    assert done.exit_code == 0, done.output
    page = (planned / "rapport.html").read_text(encoding="utf-8")
    for words in (
        "Produits les plus urgents",
        "Qualité des données",
        "Paramètres",
        "produits planifiés",
        "rupture si rien n",
    ):
        assert words in page, words
    assert "Most urgent products" not in page


def test_every_catalogue_entry_keeps_its_placeholders_and_english_is_the_default() -> None:
    for english, french in catalogue("fr").items():
        assert sorted(_fields(english)) == sorted(_fields(french)), english
    assert tr("Alerts") == "Alerts" and tr("a text nobody translated", "fr") == (
        "a text nobody translated"
    )
    assert (LOCALES / "fr.yaml").is_file()
    with pytest.raises(OptionError, match="unknown language 'de'"):
        tr("Alerts", "de")


def _fields(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]
