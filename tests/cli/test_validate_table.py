"""The issues table ``stockwise validate`` prints: an issue of no column shows an empty
cell (never ``nan``), whatever the dtype validation keeps its columns in."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from stockwise.cli.app import app

runner = CliRunner()


def test_a_blank_row_is_listed_without_a_column(tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("unique_id,ds,y\nA,2024-01-01,1\n,,\nA,2024-01-02,x\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["validate", str(sales), "--out", str(tmp_path / "out"), "--as-of", "2025-01-01"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "blank_row" in result.output and "non_numeric" in result.output
    assert "nan" not in result.output.lower().replace("non_numeric", "")
