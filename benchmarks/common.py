"""Helpers shared by the benchmark scripts: data location, loading, machine facts, logging."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "benchmarks" / "results"

_START = time.perf_counter()


def log(message: str) -> None:
    """Print ``[HH:MM:SS +elapsed] message`` and flush (the runs go to a log file)."""
    now = dt.datetime.now().strftime("%H:%M:%S")
    elapsed = time.perf_counter() - _START
    print(f"[{now} +{elapsed:7.1f}s] {message}", flush=True)


def load_dataset(data_dir: Path, name: str) -> tuple[pd.DataFrame, dict]:
    """The dataset's frame (``ds`` as datetime64) and its metadata.json."""
    folder = Path(data_dir) / name
    meta = json.loads((folder / "metadata.json").read_text())
    frame = pd.read_parquet(folder / f"{name}.parquet")
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame["unique_id"] = frame["unique_id"].astype(str)
    return frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True), meta


FORECAST_CODE = ("src/stockwise/workflows/forecast.py", "src/stockwise/models",
                 "src/stockwise/evaluation", "src/stockwise/features", "src/stockwise/data")
"""The code the forecasting benchmarks exercise."""


def git_commit() -> str:
    """Short HEAD commit, with ``+dirty`` when the forecasting code has local changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", *FORECAST_CODE)
    return f"{commit}+dirty" if dirty else commit


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def machine_info() -> dict[str, object]:
    """What the run's numbers depend on: cores, CPU, memory, versions, commit, date."""
    versions = {}
    for package in ("numpy", "pandas", "statsforecast", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return {
        "date": dt.date.today().isoformat(),
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": round(memory_gib(), 1),
        "python": sys.version.split()[0],
        "commit": git_commit(),
        **versions,
    }


def machine_line(info: dict[str, object]) -> str:
    return (f"{info['nproc']} cores (`nproc`), {info['cpu']}, {info['memory_gib']} GiB RAM, "
            f"Python {info['python']}, numpy {info['numpy']}, pandas {info['pandas']}, "
            f"statsforecast {info['statsforecast']}; stockwise commit "
            f"`{info['commit']}`; run on {info['date']}")
