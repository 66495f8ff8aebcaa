"""Every maintained harness in ``benchmarks/`` runs its ``--smoke`` mode, in-process.

``--smoke`` runs each harness end to end (data, fits, scores, the markdown it prints) on
tiny generated data in a few seconds, so a change that breaks a harness shows up here and
not on the day of a full run. No number is asserted: the machine is shared. The nightly
harness has its own tests (``test_benchmarks_smoke.py``), the hostile-input ones theirs
(``tests/api/test_hostile_uploads_benchmark.py``, ``tests/data/test_bad_rows_memory.py``).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch):
    """Import ``benchmarks.<name>`` with the repository root on the path."""
    monkeypatch.syspath_prepend(str(REPO))

    def load(name: str):
        return importlib.import_module(f"benchmarks.{name}")

    return load


@pytest.mark.slow
def test_accuracy(harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert harness("accuracy").main(["--smoke", "--out", str(tmp_path)]) == 0
    assert "| pbs |" in capsys.readouterr().out
    assert (tmp_path / "accuracy_pbs_series.csv").exists()


def test_censored_demand(harness, tmp_path: Path) -> None:
    report = tmp_path / "censored.json"
    assert harness("censored_demand").main(["--smoke", "--json", str(report)]) == 0
    assert [row["sector"] for row in json.loads(report.read_text())["table"]][-1] == "all"


@pytest.mark.slow
def test_closed_loop(harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    harness("closed_loop").main(["--smoke", "--out", str(tmp_path)])
    assert (tmp_path / "smoke_summary.csv").exists()
    assert "| smoke |" in capsys.readouterr().out


def test_generate_scale(harness, tmp_path: Path) -> None:
    report = tmp_path / "generate.json"
    assert harness("generate_scale").main(["--smoke", "--json", str(report)]) == 0
    assert json.loads(report.read_text())["products"] == 30


@pytest.mark.slow
def test_ml_accuracy(harness, tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    assert harness("ml_accuracy").main(["--smoke", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "ml_accuracy.json").read_text())["rossmann"]
    assert [row["model"] for row in rows] == ["SeasonalNaive", "LightGBM"]


@pytest.mark.slow
def test_overhead(harness, tmp_path: Path) -> None:
    assert harness("overhead").main(["--smoke", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "overhead.json").read_text())
    assert result["series"] == 8 and result["checks"]["a_vs_b"]["unmatched_rows"] == 0


@pytest.mark.slow
def test_lstm_scale(harness, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    assert harness("lstm_scale").main(["--smoke", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "lstm_scale.json").read_text())["series"] == 6


@pytest.mark.slow
def test_api_load(harness, capsys: pytest.CaptureFixture[str]) -> None:
    """Starts a uvicorn server in a subprocess: slower than the others."""
    harness("api_load").main(["--smoke"])
    assert "| `GET /api/v1/plan/{product_id}` | 2 | 40 | 0 |" in capsys.readouterr().out


def test_render_tables(harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = tmp_path / "result.json"
    result.write_text(
        json.dumps(
            {
                "runs": [
                    {
                        "stages": [
                            {"stage": "read", "cpu_s": 0.25, "rows": 1200},
                            {"stage": "plan", "cpu_s": 3.5},
                        ]
                    }
                ]
            }
        )
    )
    render = harness("render_tables")
    assert render.main([str(result), "--records", "runs.0.stages"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "| stage | cpu_s | rows |",
        "|---|---:|---:|",
        "| read | 0.25 | 1,200 |",
        "| plan | 3.5 |  |",
    ]
