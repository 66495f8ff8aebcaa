"""Holes are said by every output: the chunked plan (and its files), the streamed Parquet
intake (per part, merged), the HTML report's data quality section and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app
from stockwise.data.partition import PartSizes, stream_sales
from stockwise.report.html import holes_note
from stockwise.workflows.chunked_plan import plan_files_in_chunks
from stockwise.workflows.plan_config import PlanConfig

DAYS = 200
HOLES = {"shop1": ("2025-03-01", "2025-03-31"), "shop3": ("2025-02-01", "2025-02-20")}


def _sales() -> pd.DataFrame:
    """Four shops with a weekly pattern; two lose a month and 20 days of rows."""
    rng = np.random.default_rng(0)
    ds = pd.date_range("2025-01-06", periods=DAYS, freq="D")
    week = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.5, 0.6])[np.arange(DAYS) % 7]
    parts = []
    for i in range(4):
        frame = pd.DataFrame(
            {"unique_id": f"shop{i}", "ds": ds, "y": rng.poisson(40 * week).astype(float)}
        )
        hole = HOLES.get(f"shop{i}")
        parts.append(frame if hole is None else frame[~frame["ds"].between(*hole)])
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("holes")
    sales = _sales()
    paths = {
        "csv": folder / "sales.csv",
        "parquet": folder / "sales.parquet",
        "inventory": folder / "inventory.csv",
    }
    sales.to_csv(paths["csv"], index=False)
    sales.to_parquet(paths["parquet"], index=False)
    pd.DataFrame(
        {"unique_id": [f"shop{i}" for i in range(4)], "on_hand": 100.0, "lead_time_days": 2.0}
    ).to_csv(paths["inventory"], index=False)
    return paths


def _assert_both_holes(holes: pd.DataFrame) -> None:
    assert holes["unique_id"].tolist() == ["shop1", "shop3"]
    assert holes["days"].tolist() == [31, 20]


@pytest.mark.slow
def test_a_chunked_plan_finds_the_holes_of_every_chunk_and_writes_them(files, tmp_path) -> None:
    config = PlanConfig(models=("SeasonalNaive",), n_windows=1, chunk_size=1)
    run, validation = plan_files_in_chunks(files["parquet"], files["inventory"], tmp_path, config)
    _assert_both_holes(run.holes.sort_values("unique_id").reset_index(drop=True))
    written = pd.read_csv(run.files["holes"])
    assert sorted(written["unique_id"]) == ["shop1", "shop3"]
    assert set(run.plan["unique_id"]) == {f"shop{i}" for i in range(4)}
    _assert_both_holes(validation.tables["sales"].report.holes)


def test_the_streamed_intake_says_the_holes_of_all_parts_once(files, tmp_path) -> None:
    parted = stream_sales(
        files["parquet"], tmp_path / "parts", sizes=PartSizes(1), as_of="2026-01-01"
    )
    _assert_both_holes(parted.report.holes)
    said = [n for n in parted.report.notes if "holes" in n]
    assert len(said) == 1
    assert said[0].startswith(
        "2 series have holes of up to 31 days (longest: shop1, 2025-03-01 to 2025-03-31)"
    )


def test_the_report_section_warns_and_lists_the_longest_holes(files, tmp_path) -> None:
    from stockwise.data.holes import find_holes

    page = holes_note(find_holes(_sales()))
    assert "Warning: 2 series have holes of up to 31 days" in page
    assert page.index("shop1") < page.index("shop3")
    assert holes_note(find_holes(_sales().query("unique_id == 'shop0'"))) == ""


def test_validate_and_plan_on_the_command_line_warn(files, tmp_path) -> None:
    runner = CliRunner()
    checked = runner.invoke(
        app,
        [
            "validate",
            str(files["csv"]),
            "--as-of",
            "2026-01-01",
            "--out",
            str(tmp_path / "validation"),
        ],
    )
    assert checked.exit_code == 0, checked.output
    text = " ".join(checked.output.split())
    assert "warning: 2 series have holes of up to 31 days" in text
    planned = runner.invoke(
        app,
        [
            "plan",
            str(files["csv"]),
            "--inventory",
            str(files["inventory"]),
            "--out",
            str(tmp_path / "run"),
            "--models",
            "SeasonalNaive",
            "--no-track",
        ],
    )
    assert planned.exit_code == 0, planned.output
    assert "warning: 2 series have holes of up to 31 days" in " ".join(planned.output.split())
