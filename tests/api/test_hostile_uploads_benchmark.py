"""``benchmarks/hostile_uploads.py --smoke`` runs, and each hostile file gets its answer.

No timing is asserted (the machine is shared): what is checked is the answer each file
gets and that every answer stays far under 1 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_smoke_answers_every_hostile_file_briefly(tmp_path: Path) -> None:
    report = tmp_path / "hostile.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.hostile_uploads", "--smoke", "--json", str(report)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = {r["case"]: r for r in json.loads(report.read_text())}
    assert {case: r["status"] for case, r in results.items()} == {
        "bad-rows-5mb": 200,
        "xlsx-200kb": 200,
        "xlsx-bomb-200kb": 413,
        "wide-1m-columns": 422,
        "wide-500-columns": 200,
    }
    assert all(r["answer_bytes"] < 1_000_000 for r in results.values())
    assert "| file | bytes sent |" in done.stdout
