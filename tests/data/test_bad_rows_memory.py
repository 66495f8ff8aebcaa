"""A file of many bad rows costs memory in proportion to what differs between them.

The issue texts every row shares are held once (categorical columns) and the reasons of
rows that fail the same way are one shared string; ``benchmarks/bad_rows_memory.py``
measures the peak on millions of rows, its smoke run is checked here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from stockwise.data import load_table

REPO = Path(__file__).resolve().parents[2]


def _bad_file(path: Path, rows: int) -> Path:
    lines = ["unique_id,ds,y,price", "B,2024-01-01,1,2.5"]
    lines += [f"A,not a date {i % 3},x,-" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rows_failing_the_same_way_share_their_reasons(tmp_path: Path) -> None:
    result = load_table(_bad_file(tmp_path / "bad.csv", 3000), as_of="2025-01-01")
    assert (result.report.n_read, result.report.n_accepted, result.report.n_quarantined) == (
        3001,
        1,
        3000,
    )
    reasons = result.quarantine["reasons"]
    assert reasons.nunique() == 3  # three distinct bad dates
    assert len({id(text) for text in reasons}) <= 3 * 2  # shared, not one string a row
    assert reasons.iloc[1] == (
        "column 'ds' value 'not a date 1': unparseable_date (not a "
        "date (expected a date like 2024-03-31)); column 'y' "
        "value 'x': non_numeric (not a number)"
    )
    issues = result.report.issues
    assert len(issues) == 6000
    for name in ("source", "column", "field", "rule", "severity", "message"):
        assert isinstance(issues[name].dtype, pd.CategoricalDtype), name
    assert issues["row"].tolist()[:4] == [3, 3, 4, 4]
    assert result.report.rule_counts().to_dict() == {
        ("error", "non_numeric"): 3000,
        ("error", "unparseable_date"): 3000,
    }


@pytest.mark.slow
def test_the_benchmark_smoke_run_reports_its_peak() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bad_rows_memory", "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[0])
    assert (found["accepted"], found["quarantined"], found["issues"]) == (1, 20_000, 40_000)
    assert found["peak_mb"] >= found["before_mb"] > 0
    assert "| 20,000 |" in done.stdout
