"""``stockwise plan`` on its engines: --engine, --workers, --chunk-size, --scheduler (the
progress bar: test_progress_bar.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app

runner = CliRunner()
FAST = ("--models", "SeasonalNaive,CrostonSBA", "--windows", "1", "--no-track")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    result = runner.invoke(
        app, ["generate", "--products", "9", "--days", "120", "--seed", "4", "--out", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder


def plan(files: Path, out: Path, *options: str) -> str:
    result = runner.invoke(
        app,
        [
            "plan",
            str(files / "sales.csv"),
            "--inventory",
            str(files / "inventory.csv"),
            "--batches",
            str(files / "batches.csv"),
            *FAST,
            "--out",
            str(out),
            *options,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_the_process_engine_writes_the_local_engines_plan(files: Path, tmp_path: Path) -> None:
    plan(files, tmp_path / "local", "--chunk-size", "2")
    output = plan(
        files, tmp_path / "pool", "--engine", "process", "--workers", "2", "--chunk-size", "2"
    )
    assert "Most urgent of 9 products" in output
    local = pd.read_csv(tmp_path / "local" / "plan.csv")
    pool = pd.read_csv(tmp_path / "pool" / "plan.csv")
    pd.testing.assert_frame_equal(local, pool)
    chunks = pd.read_csv(tmp_path / "pool" / "chunks.csv")
    assert len(chunks) == 6 and chunks["series"].tolist() == [2, 1] * 3  # 3 a sector
    partitions = {p.name for p in (tmp_path / "pool" / "projection").iterdir()}
    assert partitions == {"sector=luxury", "sector=pharmacy", "sector=retail"}
    assert (tmp_path / "pool" / "plan.xlsx").exists()


def test_an_unknown_engine_is_refused(files: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "plan",
            str(files / "sales.csv"),
            "--inventory",
            str(files / "inventory.csv"),
            *FAST,
            "--engine",
            "spark",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "unknown engine 'spark'" in result.output


def test_the_scheduler_comes_from_the_environment(
    files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from stockwise.adapters import distributed

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT_S", 1)
    monkeypatch.setenv("STOCKWISE_DASK_SCHEDULER", "tcp://127.0.0.1:9")
    result = runner.invoke(
        app,
        [
            "plan",
            str(files / "sales.csv"),
            "--inventory",
            str(files / "inventory.csv"),
            *FAST,
            "--engine",
            "dask",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in result.output
