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


FORECAST_CODE = (
    "src/stockwise/workflows/forecast.py",
    "src/stockwise/models",
    "src/stockwise/evaluation",
    "src/stockwise/features",
    "src/stockwise/data",
)
"""The code the forecasting benchmarks exercise."""


def git_commit() -> str:
    """Short HEAD commit, with ``+dirty`` when the forecasting code has local changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

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
    return (
        f"{info['nproc']} cores (`nproc`), {info['cpu']}, {info['memory_gib']} GiB RAM, "
        f"Python {info['python']}, numpy {info['numpy']}, pandas {info['pandas']}, "
        f"statsforecast {info['statsforecast']}; stockwise commit "
        f"`{info['commit']}`; run on {info['date']}"
    )


def smoke_frame(
    n_series: int = 6, periods: int = 48, freq: str = "MS", season: int = 12, seed: int = 0
) -> pd.DataFrame:
    """A tiny seasonal panel (``unique_id, ds, y``) for the harnesses' ``--smoke`` runs:
    Poisson counts around a per-series level with a sine season, no shared data needed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    dates = pd.date_range("2020-01-01", periods=periods, freq=freq)
    t = np.arange(periods)
    frames = []
    for i in range(n_series):
        level = rng.uniform(5, 50)
        mean = level * (1 + 0.3 * np.sin(2 * np.pi * (t + i) / season))
        frames.append(
            pd.DataFrame(
                {"unique_id": f"S{i:03d}", "ds": dates, "y": rng.poisson(mean).astype(float)}
            )
        )
    return pd.concat(frames, ignore_index=True)


def write_dataset(
    data_dir: Path, name: str, frame: pd.DataFrame, h: int, freq: str, season: int
) -> Path:
    """Write ``frame`` as ``data_dir/name`` in the layout of ``../shared/data`` (a Parquet
    file and a ``metadata.json``), so that :func:`load_dataset` reads it."""
    folder = Path(data_dir) / name
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "metadata.json").write_text(
        json.dumps({"recommended_h": h, "frequency": freq, "season_length": season})
    )
    return Path(data_dir)


def run_module(module: str, *args: str, **kwargs: object) -> subprocess.CompletedProcess:
    """Run ``python -m module args`` in a fresh process from the repository root (with
    ``src`` and the root on its path), capturing its output: how a harness measures one
    case in a process of its own."""
    path = os.pathsep.join(
        p for p in (str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH", "")) if p
    )
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        **kwargs,
    )  # type: ignore[call-overload]
