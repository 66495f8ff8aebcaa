"""Time stockwise's AutoETS against raw statsforecast on the same 1,000 monthly series.

Usage::

    .venv/bin/python -m benchmarks.overhead

The panel: all 767 ``hospital`` series plus the first 233 ``pbs`` series (sorted by
``unique_id``) with at least 48 non-zero months, 1,000 real monthly series (84 to 204
months). Three ways to forecast 12 months with 80 % and 95 % intervals, in one process:

(a) raw statsforecast: ``StatsForecast(models=[AutoETS(season_length=12)], freq="MS",
    n_jobs=1).fit(df).predict(h=12, level=[80, 95])``;
(b) the stockwise model: ``stockwise.models.AutoETS(season_length=12).fit(df)
    .predict(12, levels=(80, 95))``;
(c) the public API: ``stockwise.forecast(df, h=12, freq="M", models="AutoETS",
    levels=(80, 95))`` (frame checks, calendar regularisation, the fallback chain).

Each is run ``--repeats`` times (default 3) in alternating order (a b c, c b a, a b c, ...)
after one untimed warm-up of each on 20 series; wall and CPU (process) time are reported
as min and median, with the ratios b/a and c/a. The forecasts of (a), clipped at zero like
stockwise's, must equal those of (b) (and of (c)) within 1e-6.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import stockwise
from benchmarks.common import (
    DEFAULT_DATA,
    RESULTS,
    load_dataset,
    log,
    machine_info,
    machine_line,
    smoke_frame,
)
from stockwise.models import AutoETS as SwAutoETS

H = 12
LEVELS = (80, 95)
TOLERANCE = 1e-6


def panel(data_dir: Path) -> pd.DataFrame:
    hospital, _ = load_dataset(data_dir, "hospital")
    pbs, _ = load_dataset(data_dir, "pbs")
    nonzero = pbs[pbs["y"] > 0].groupby("unique_id").size()
    chosen = sorted(nonzero[nonzero >= 48].index)[:233]
    frame = pd.concat(
        [
            hospital[["unique_id", "ds", "y"]],
            pbs.loc[pbs["unique_id"].isin(chosen), ["unique_id", "ds", "y"]],
        ],
        ignore_index=True,
    )
    assert frame["unique_id"].nunique() == 1000
    return frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


def raw_statsforecast(df: pd.DataFrame) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (
            StatsForecast(models=[AutoETS(season_length=12)], freq="MS", n_jobs=1)
            .fit(df)
            .predict(h=H, level=list(LEVELS))
        )


def stockwise_model(df: pd.DataFrame) -> pd.DataFrame:
    return SwAutoETS(season_length=12).fit(df).predict(H, levels=LEVELS)


def stockwise_forecast(df: pd.DataFrame) -> pd.DataFrame:
    return stockwise.forecast(df, h=H, freq="M", models="AutoETS", levels=LEVELS)


WAYS: dict[str, tuple[str, Callable[[pd.DataFrame], pd.DataFrame]]] = {
    "a": ("raw statsforecast AutoETS", raw_statsforecast),
    "b": ("stockwise.models.AutoETS", stockwise_model),
    "c": ('stockwise.forecast(models="AutoETS")', stockwise_forecast),
}


def timed(
    function: Callable[[pd.DataFrame], pd.DataFrame], df: pd.DataFrame
) -> tuple[float, float, pd.DataFrame]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = function(df)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def as_common(frame: pd.DataFrame, name: str, clip: bool) -> pd.DataFrame:
    """``unique_id, ds, point, lo-80, hi-80, lo-95, hi-95`` from any of the three outputs."""
    frame = frame.reset_index() if "unique_id" not in frame.columns else frame
    columns = {
        name: "point",
        **{
            f"{name}-{side}-{level}": f"{side}-{level}" for level in LEVELS for side in ("lo", "hi")
        },
    }
    out = frame[["unique_id", "ds", *columns]].rename(columns=columns)
    out["unique_id"] = out["unique_id"].astype(str)
    out["ds"] = pd.to_datetime(out["ds"])
    if clip:
        values = list(columns.values())
        out[values] = out[values].clip(lower=0.0)
    return out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


def max_difference(left: pd.DataFrame, right: pd.DataFrame) -> dict[str, float]:
    merged = left.merge(
        right, on=["unique_id", "ds"], how="outer", suffixes=("_l", "_r"), indicator=True
    )
    unmatched = int((merged["_merge"] != "both").sum())
    out: dict[str, float] = {"unmatched_rows": unmatched}
    for column in ["point", *[f"{s}-{lv}" for lv in LEVELS for s in ("lo", "hi")]]:
        diff = (merged[f"{column}_l"] - merged[f"{column}_r"]).abs()
        out[column] = float(diff.max())
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds: 8 generated monthly series, one repeat, "
        "results in a temporary folder unless --out is given",
    )
    args = parser.parse_args(argv)
    if args.smoke and args.out == RESULTS:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            return main(["--smoke", "--repeats", "1", "--out", folder])
    info = machine_info()
    log(f"machine: {machine_line(info)}")
    if args.smoke:
        args.repeats = 1
        df = smoke_frame(n_series=8, periods=48)
    else:
        df = panel(args.data)
    lengths = df.groupby("unique_id").size()
    log(
        f"panel: {df['unique_id'].nunique()} series, {len(df)} rows, "
        f"{lengths.min()}-{lengths.max()} months"
    )
    warm = df[df["unique_id"].isin(sorted(df["unique_id"].unique())[:20])]
    for key, (label, function) in WAYS.items():
        log(f"warm-up ({key}) {label} on 20 series")
        function(warm)
    times: dict[str, list[tuple[float, float]]] = {key: [] for key in WAYS}
    outputs: dict[str, pd.DataFrame] = {}
    for repeat in range(args.repeats):
        order = "abc" if repeat % 2 == 0 else "cba"
        for key in order:
            wall, cpu, out = timed(WAYS[key][1], df)
            times[key].append((wall, cpu))
            outputs.setdefault(key, out)
            log(
                f"repeat {repeat + 1} ({order}) {key}: {WAYS[key][0]}: wall {wall:.2f} s, "
                f"cpu {cpu:.2f} s"
            )
    raw = as_common(outputs["a"], "AutoETS", clip=True)
    model = as_common(outputs["b"], "AutoETS", clip=False)
    public = as_common(outputs["c"], "forecast", clip=False)
    served = outputs["c"].drop_duplicates("unique_id")["model"].value_counts().to_dict()
    checks = {"a_vs_b": max_difference(raw, model), "a_vs_c": max_difference(raw, public)}
    result = {
        "machine": info,
        "series": int(df["unique_id"].nunique()),
        "rows": len(df),
        "repeats": args.repeats,
        "served_by_c": served,
        "checks": checks,
        "times": {},
    }
    for key, values in times.items():
        walls = [w for w, _ in values]
        cpus = [c for _, c in values]
        result["times"][key] = {
            "label": WAYS[key][0],
            "wall": walls,
            "cpu": cpus,
            "wall_min": min(walls),
            "wall_median": statistics.median(walls),
            "cpu_min": min(cpus),
            "cpu_median": statistics.median(cpus),
        }
    t = result["times"]
    for stat in ("wall_min", "wall_median", "cpu_min", "cpu_median"):
        result[f"b/a_{stat}"] = t["b"][stat] / t["a"][stat]
        result[f"c/a_{stat}"] = t["c"][stat] / t["a"][stat]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "overhead.json").write_text(json.dumps(result, indent=2, default=float))
    print(markdown(result))
    equal = all(abs(v) <= TOLERANCE for k, v in checks["a_vs_b"].items() if k != "unmatched_rows")
    return 0 if equal and checks["a_vs_b"]["unmatched_rows"] == 0 else 1


def markdown(result: dict) -> str:
    t = result["times"]
    lines = [
        "| way | wall min (s) | wall median (s) | CPU min (s) | CPU median (s) | wall runs (s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key in "abc":
        row = t[key]
        runs = ", ".join(f"{w:.2f}" for w in row["wall"])
        lines.append(
            f"| ({key}) {row['label']} | {row['wall_min']:.2f} | "
            f"{row['wall_median']:.2f} | {row['cpu_min']:.2f} | "
            f"{row['cpu_median']:.2f} | {runs} |"
        )
    lines += [
        "",
        "| ratio | wall min | wall median | CPU min | CPU median |",
        "|---|---:|---:|---:|---:|",
    ]
    for ratio in ("b/a", "c/a"):
        lines.append(
            f"| {ratio} | "
            + " | ".join(
                f"{result[f'{ratio}_{s}']:.3f}"
                for s in ("wall_min", "wall_median", "cpu_min", "cpu_median")
            )
            + " |"
        )
    lines.append("")
    for pair, diff in result["checks"].items():
        values = ", ".join(f"{k} {v:.2e}" for k, v in diff.items() if k != "unmatched_rows")
        lines.append(
            f"- {pair}: max |difference| {values}; unmatched rows {int(diff['unmatched_rows'])}"
        )
    lines.append(f"- (c) served by: {result['served_by_c']}")
    return "\n".join(lines)


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
