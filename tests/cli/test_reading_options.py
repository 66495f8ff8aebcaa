"""Every command that reads a file takes the same reading options, and they reach the
files: here an ERP export with two lines above its header that only --skip-rows can
skip, and a date format that, given wrong, stops each command with the reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app

TITLE = ["Export ERP;ventes", "Période;janvier-avril 2024"]  # no plain title: asked for


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    rng = np.random.default_rng(1)
    days = pd.date_range("2024-01-01", periods=120)
    sales = pd.DataFrame(
        [
            {"Date": d.strftime("%d/%m/%Y"), "Produit": p, "Ventes": str(rng.poisson(12))}
            for p in ("A1", "B2")
            for d in days
        ]
    )
    _write(folder / "ventes.csv", sales)
    _write(folder / "stock.csv", pd.DataFrame({"Produit": ["A1", "B2"], "Stock": ["30", "5"]}))
    _write(
        folder / "lots.csv",
        pd.DataFrame(
            {
                "Produit": ["A1", "B2"],
                "Code du lot": ["L-1", "L-2"],
                "Unités": ["10", "5"],
                "Fin de validité": ["30/06/2024", "15/05/2024"],
            }
        ),
    )
    return folder


def _write(path: Path, frame: pd.DataFrame) -> None:
    body = frame.to_csv(sep=";", index=False)
    path.write_text("\n".join(TITLE) + "\n" + body, encoding="utf-8")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def plan_run(export: Path) -> Path:
    out = export / "plan"
    code, output = _run(
        "plan",
        export / "ventes.csv",
        "--inventory",
        export / "stock.csv",
        "--batches",
        export / "lots.csv",
        "--models",
        "SeasonalNaive",
        "--no-track",
        "--out",
        out,
        "--skip-rows",
        "2",
        "--date-format",
        "%d/%m/%Y",
        "--batches-map",
        "batch_id=Code du lot,quantity=Unités,expiry_date=Fin de validité",
    )
    assert code == 0, output
    return out


def test_plan_reads_three_files_below_their_titles_with_the_batches_mapping(plan_run: Path) -> None:
    summary = pd.read_csv(
        plan_run / "validation" / "validation_summary.csv", sep=None, engine="python"
    )
    accepted = dict(zip(summary["table"], summary["n_accepted"], strict=True))
    assert accepted == {"sales": 240, "inventory": 2, "batches": 2}


def test_report_reads_the_sales_file_with_the_same_options(export: Path, plan_run: Path) -> None:
    code, output = _run(
        "report",
        plan_run,
        "--sales",
        export / "ventes.csv",
        "--skip-rows",
        "2",
        "--no-png",
        "--out",
        export / "r.html",
    )
    assert code == 0, output
    assert (export / "r.html").is_file()


def _commands(export: Path, tmp: Path) -> dict[str, list[object]]:
    sales = export / "ventes.csv"
    fast = ["--models", "SeasonalNaive", "--no-track"]
    return {
        "validate": ["validate", sales, "--out", tmp / "v"],
        "prepare": ["prepare", sales, "--out", tmp / "p"],
        "forecast": ["forecast", sales, *fast, "--out", tmp / "f"],
        "backtest": ["backtest", sales, *fast, "--out", tmp / "b"],
        "plan": ["plan", sales, "--inventory", export / "stock.csv", *fast, "--out", tmp / "pl"],
        "etl": ["etl", sales, "--out", tmp / "e"],
        "replay": ["replay", sales, "--out", tmp / "s"],
        "report": [
            "report",
            export / "plan",
            "--sales",
            sales,
            "--no-png",
            "--out",
            tmp / "r.html",
        ],
    }


@pytest.mark.parametrize(
    "command", ["validate", "prepare", "forecast", "backtest", "plan", "etl", "replay", "report"]
)
def test_every_command_takes_the_reading_options(
    export: Path, plan_run: Path, tmp_path: Path, command: str
) -> None:
    args = _commands(export, tmp_path)[command]
    code, output = _run(
        *args,
        "--skip-rows",
        "2",
        "--sep",
        ";",
        "--encoding",
        "utf-8",
        "--decimal",
        ",",
        "--date-format",
        "%Y-%m-%d",
    )
    assert code == 2, output  # skipped to the header, then the wrong format stops it
    assert "the date format '%Y-%m-%d' fails on 240 of 240 rows" in output
    assert "row 4" in output  # the file's own row: two title lines, then the header


@pytest.mark.parametrize("command", ["validate", "forecast", "plan", "etl", "replay"])
def test_without_skip_rows_the_titles_are_read_as_the_header(
    export: Path, tmp_path: Path, command: str
) -> None:
    code, _ = _run(*_commands(export, tmp_path)[command])
    assert code != 0
