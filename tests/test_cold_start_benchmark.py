"""``benchmarks/cold_start.py --smoke`` runs on the real data and scores both forecasts."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]
SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "cold_start.py"


def test_smoke_scores_own_history_and_peers_on_both_datasets(shared_data: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parents[1] / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.cold_start", "--smoke", "--data", str(shared_data)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
        cwd=SCRIPT.parents[1],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
        for line in done.stdout.splitlines()
        if line.startswith("| rossmann") or line.startswith("| m5_hobbies2_ca3")
    }
    assert set(rows) == {"rossmann", "m5_hobbies2_ca3"}
    for cells in rows.values():
        k, launches, own, peers = cells[:4]
        assert k == "14" and int(launches) >= 3
        assert math.isfinite(float(own)) and math.isfinite(float(peers)) and float(peers) > 0
    assert "stockwise commit" in done.stdout
