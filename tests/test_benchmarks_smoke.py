"""``benchmarks/nightly.py --smoke`` runs end to end, and its job is the CLI's plan.

No timing is asserted: the machine is shared. What is checked is that every stage and the
total are reported, and that the benchmark's stage-by-stage job gives the same order list
as :func:`stockwise.workflows.plan.plan_files` on the same files (so the numbers it prints
are those of the real nightly job, not of a look-alike).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "nightly.py"


def _nightly():
    spec = importlib.util.spec_from_file_location("nightly_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_smoke_prints_every_stage_and_total(tmp_path: Path) -> None:
    report = tmp_path / "nightly.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--workdir", str(tmp_path), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    first_words = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    for stage in ("read", "validate", "prepare", "censoring", "forecast", "plan", "write", "total"):
        assert stage in first_words, f"no '{stage}' line in:\n{done.stdout}"
    assert "per series:" in done.stdout
    result = json.loads(report.read_text())
    run = result["runs"][0]
    assert [s["stage"] for s in run["stages"]] == [
        "read",
        "validate",
        "prepare",
        "censoring",
        "forecast",
        "plan",
        "write",
    ]
    assert run["total"]["wall_s"] > 0 and run["total"]["peak_rss_mib"] > 0


@pytest.mark.slow
def test_job_gives_the_plan_of_plan_files(tmp_path: Path) -> None:
    from stockwise.workflows.plan import plan_files

    nightly = _nightly()
    models = tuple(nightly.SMOKE["models"].split(","))
    paths, _ = nightly.generated(
        tmp_path, 24, nightly.SMOKE["days"], 7, ("retail", "pharmacy", "luxury"), "parquet"
    )
    job = nightly.Job(paths, nightly.JobOptions(out_dir=tmp_path / "bench", models=models))
    results = nightly.run_job(paths, job.options, job=job)
    assert [r.stage for r in results] == list(nightly.STAGES)
    run, _ = plan_files(
        paths["sales"],
        paths["inventory"],
        tmp_path / "cli",
        batches=paths["batches"],
        models=models,
    )
    pd.testing.assert_frame_equal(job.plan.plan, run.plan.plan)
    pd.testing.assert_frame_equal(job.plan.alerts, run.plan.alerts)
    assert sorted(p.name for p in job.files.values()) == sorted(p.name for p in run.files.values())


@pytest.mark.slow
def test_engine_mode_runs_the_clis_chunked_job(tmp_path: Path) -> None:
    """``--engine``: the job ``stockwise plan --engine`` runs, with its own stages, the
    workers' CPU per sector, and a plan equal to the stage-by-stage job's."""
    report = tmp_path / "nightly.json"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--smoke",
            "--engine",
            "local",
            "--chunk-size",
            "5",
            "--workdir",
            str(tmp_path),
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(report.read_text())["runs"][0]
    assert [s["stage"] for s in run["stages"]] == ["validate", "chunks", "write", "engine"]
    assert len(run["chunks"]) == 6 and sum(c["series"] for c in run["chunks"]) == 24
    assert "per sector, CPU seconds in the workers" in done.stdout
    chunked = pd.read_csv(tmp_path / "out-24s" / "plan.csv")
    assert len(chunked) == 24 and chunked["unique_id"].is_unique
