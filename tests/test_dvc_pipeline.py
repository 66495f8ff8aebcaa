"""The DVC pipeline (dvc.yaml + params.yaml) runs end to end, and a second run does nothing.

The repository's ``dvc.yaml`` and ``params.yaml`` are copied into a fresh git + DVC repo
in a temporary folder; ``dvc repro`` runs there with this environment's ``dvc`` and
``stockwise`` on PATH. Runs are tracked into a temporary MLflow store. Every stage of
the repository's pipeline runs, the report included: a stage that breaks fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DVC = shutil.which("dvc", path=str(BIN)) or shutil.which("dvc")
STOCKWISE = shutil.which("stockwise", path=str(BIN)) or shutil.which("stockwise")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(DVC is None, reason="dvc is not installed (pip install dvc)"),
    pytest.mark.skipif(STOCKWISE is None, reason="the stockwise command is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def pipeline_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DVC_NO_ANALYTICS": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}",
    }
    env.pop("STOCKWISE_DATA_DIR", None)  # it would take precedence over the URI above
    shutil.copy(REPO / "params.yaml", repo / "params.yaml")
    pipeline = yaml.safe_load((REPO / "dvc.yaml").read_text())
    assert "report" in pipeline["stages"]  # the whole pipeline is tested, report included
    (repo / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    for args in (["git", "init", "-q"], [DVC, "init", "-q"]):
        done = _run([str(a) for a in args], repo, env)
        assert done.returncode == 0, done.stdout + done.stderr
    return repo, env


def test_dvc_repro_runs_the_pipeline_then_has_nothing_to_do(
    pipeline_repo: tuple[Path, dict[str, str]],
) -> None:
    repo, env = pipeline_repo
    assert DVC is not None
    first = _run([DVC, "repro"], repo, env)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    stages = yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]
    lock = yaml.safe_load((repo / "dvc.lock").read_text())["stages"]
    assert set(lock) == set(stages)
    for name in (
        "data/sales.csv",
        "prepared/sales_prepared.csv",
        "backtest/backtest_summary.csv",
        "forecast/forecasts.csv",
        "plan/plan.csv",
        "report.html",
    ):
        assert (repo / "pipeline" / name).is_file(), name

    second = _run([DVC, "repro"], repo, env)
    assert second.returncode == 0, second.stdout + second.stderr
    output = second.stdout + second.stderr
    assert "Data and pipelines are up to date" in output, output
    for name in stages:
        assert f"Stage '{name}' didn't change" in output, output
    assert "Running stage" not in output
