"""``benchmarks/accuracy_preset.py --smoke`` runs end to end and reports its checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "accuracy_preset.py"


def test_smoke_scores_the_three_runs_on_pbs(shared_data: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.accuracy_preset",
            "--smoke",
            "--data",
            str(shared_data),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = (tmp_path / "accuracy_preset.md").read_text()
    row = next(line for line in table.splitlines() if line.startswith("| pbs |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2] == "6 (336)"  # six series of the 336
    best, combo = float(cells[3]), float(cells[4])
    assert 0 < best < 5 and 0 < combo < 5
    assert "MASE" in cells[-1] and "coverage" in cells[-1]
