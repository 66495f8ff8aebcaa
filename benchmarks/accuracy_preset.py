"""The "best" preset of "auto" against the median of AutoETS, AutoTheta and AutoCES.

Usage::

    .venv/bin/python benchmarks/accuracy_preset.py                 # every shared dataset
    .venv/bin/python benchmarks/accuracy_preset.py --datasets pbs --max-series 10
    .venv/bin/python benchmarks/accuracy_preset.py --smoke         # 6 pbs series, CI
    .venv/bin/python benchmarks/accuracy_preset.py --full          # the accuracy table's splits
    .venv/bin/python benchmarks/accuracy_preset.py --report-only   # table from saved runs

Splits, metrics and subsets are those of ``benchmarks/accuracy.py`` (its ``Split``: the
last h periods of every series held out; a prefix of one seeded permutation of the series;
the same dataset rules). On each dataset three runs score the same series:
``MedianCombo`` (the combination alone, inside its fallback chain), ``auto`` (the fast
preset) and ``auto-best`` (``quality="best"``), all with bands at 80 and 95 %. The report
gives mean MASE and coverage of each and the CPU seconds per series of the two presets,
and checks the acceptance: best's mean MASE <= the combination's on every dataset, best's
coverage within 3 points of nominal on the smooth monthly sets.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from benchmarks import accuracy
from benchmarks.accuracy import LEVELS, Split, aggregate, fmt, run_model
from benchmarks.common import DEFAULT_DATA, RESULTS, log, machine_info, machine_line

DATASETS = accuracy.DATASETS
RUNS = ("MedianCombo", "auto", "auto-best")
SUBSETS = {
    "pbs": 24,
    "hospital": 30,
    "aus_retail": 24,
    "jewelry": 30,
    "carparts": 50,
    "m5_hobbies2_ca3": 15,
    "rossmann": 15,
}
"""Series per dataset: prefixes of the seeded permutation of ``benchmarks/accuracy.py``
(so inside its subsets), small because the three runs cost 2-3 CPU seconds per monthly
series and several per long daily one; ``--max-series`` changes them."""
SMOOTH_MONTHLY = ("pbs", "hospital", "aus_retail")
COVERAGE_TOLERANCE = 0.03
_WARMED: list[bool] = []


def run_dataset(name: str, n: int, args: argparse.Namespace) -> None:
    """Run the (wanted) runs of one dataset; with ``--resume``, keep the saved others."""
    data, out, resume = args.data, args.out, args.resume
    split = Split(name, data)
    ids = split.subset(n)
    if not _WARMED:  # compiling the models stays out of the first timing
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_model(split, "auto-best", ids[:2])
        _WARMED.append(True)
    path = out / f"preset_{name}_series.csv"
    runs_path = out / f"preset_{name}_runs.csv"
    series = (
        pd.read_csv(path, dtype={"unique_id": str}) if resume and path.exists() else pd.DataFrame()
    )
    runs = pd.read_csv(runs_path) if resume and runs_path.exists() else pd.DataFrame()
    (out / f"preset_{name}_meta.json").write_text(
        json.dumps(
            {
                "dataset": name,
                "h": split.h,
                "freq": split.freq,
                "season": split.season,
                "series": len(split.ids),
                "subset": len(ids),
                "notes": split.notes,
            }
        )
    )
    for model in [m for m in RUNS if m in args.runs.split(",")]:
        if not runs.empty and ((runs["model"] == model) & (runs["n_fit"] == len(ids))).any():
            log(f"{name}: {model} on {len(ids)} series already done (--resume)")
            continue
        log(f"{name}: {model} on {len(ids)} series ...")
        scores, facts = run_model(split, model, ids)
        series = pd.concat(
            [series[series["model"] != model] if not series.empty else series, scores],
            ignore_index=True,
        )
        runs = pd.concat(
            [runs[runs["model"] != model] if not runs.empty else runs, pd.DataFrame([facts])],
            ignore_index=True,
        )
        series.to_csv(path, index=False)
        runs.to_csv(runs_path, index=False)
        own = aggregate(scores)
        log(
            f"{name}: {model} cpu {facts['cpu_seconds']:.1f} s: MASE {own['mase']:.3f} "
            f"cov80 {own['cov80']:.3f} cov95 {own['cov95']:.3f}"
            + (f"; chosen: {facts['chosen']}" if facts["chosen"] else "")
        )


def dataset_row(name: str, out: Path) -> dict | None:
    path = out / f"preset_{name}_series.csv"
    if not path.exists():
        return None
    series = pd.read_csv(path, dtype={"unique_id": str})
    runs = pd.read_csv(out / f"preset_{name}_runs.csv").set_index("model")
    meta = json.loads((out / f"preset_{name}_meta.json").read_text())
    if not {"MedianCombo", "auto-best"} <= set(runs.index):
        return None  # the fast run is optional (not needed for the acceptance)
    nan = {"mase": float("nan"), "cov80": float("nan"), "cov95": float("nan")}
    stats = {m: aggregate(series[series["model"] == m]) if m in runs.index else nan for m in RUNS}
    row = {
        "dataset": name,
        "freq": meta["freq"],
        "subset": meta["subset"],
        "of": meta["series"],
        "commit": runs.loc["auto-best", "commit"],
        "combo_commit": runs.loc["MedianCombo", "commit"],
    }
    for model, key in zip(RUNS, ("combo", "fast", "best"), strict=True):
        row[f"{key}_mase"] = stats[model]["mase"]
        row[f"{key}_cov80"] = stats[model]["cov80"]
        row[f"{key}_cov95"] = stats[model]["cov95"]
        row[f"{key}_cpu"] = (
            runs.loc[model, "cpu_seconds"] / meta["subset"] if model in runs.index else float("nan")
        )
    row["best_chose"] = runs.loc["auto-best", "chosen"]
    row["mase_ok"] = row["best_mase"] <= row["combo_mase"] + 1e-12
    row["coverage_ok"] = (name not in SMOOTH_MONTHLY) or all(
        abs(row[f"best_cov{lv}"] - lv / 100) <= COVERAGE_TOLERANCE + 1e-12 for lv in LEVELS
    )
    return row


def report(out: Path, datasets: Sequence[str]) -> str:
    rows = [r for r in (dataset_row(d, out) for d in datasets) if r]
    info = (
        json.loads((out / "preset_machine.json").read_text())
        if (out / "preset_machine.json").exists()
        else {}
    )
    lines = [
        f"Command: `{info.get('command', '')}`",
        "",
        f"Machine: {machine_line(info) if info else 'unknown'}.",
        "",
        "| dataset | freq | series (of) | best MASE | combo MASE | best / combo "
        "| fast MASE | best cov80 | best cov95 | combo cov80 | combo cov95 "
        "| fast CPU s/series | best CPU s/series | combo CPU s/series | checks |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        checks = ("MASE ok" if r["mase_ok"] else "**MASE worse**") + (
            ""
            if r["dataset"] not in SMOOTH_MONTHLY
            else ", coverage ok"
            if r["coverage_ok"]
            else ", **coverage off**"
        )
        lines.append(
            f"| {r['dataset']} | {r['freq']} | {r['subset']} ({r['of']}) | "
            f"{fmt(r['best_mase'])} | {fmt(r['combo_mase'])} | "
            f"{fmt(r['best_mase'] / r['combo_mase'])} | {fmt(r['fast_mase'])} | "
            f"{fmt(r['best_cov80'])} | {fmt(r['best_cov95'])} | {fmt(r['combo_cov80'])} | "
            f"{fmt(r['combo_cov95'])} | {fmt(r['fast_cpu'], 3)} | {fmt(r['best_cpu'], 3)} | "
            f"{fmt(r['combo_cpu'], 3)} | {checks} |"
        )
    lines.append("")
    for r in rows:
        lines.append(
            f"- {r['dataset']} (best at commit `{r['commit']}`, combination at "
            f"`{r['combo_commit']}`): best chose {r['best_chose']}."
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS / "preset")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--max-series", type=int, default=None)
    parser.add_argument(
        "--full",
        action="store_true",
        help="the whole subsets of benchmarks/accuracy.py (the docs' accuracy table)",
    )
    parser.add_argument("--smoke", action="store_true", help="6 pbs series: runs end to end")
    parser.add_argument(
        "--resume", action="store_true", help="keep saved runs; skip those done on as many series"
    )
    parser.add_argument("--runs", default=",".join(RUNS), help="which of the runs to do")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    datasets = ["pbs"] if args.smoke else [d for d in args.datasets.split(",") if d]
    unknown = [d for d in datasets if d not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s): {unknown}")
    limit = 6 if args.smoke else args.max_series
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        command = "benchmarks/accuracy_preset.py " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        info = {**machine_info(), "command": command.strip()}
        accuracy.COMMIT[0] = str(info["commit"])
        (args.out / "preset_machine.json").write_text(json.dumps(info))
        log(f"machine: {machine_line(info)}")
        for name in datasets:
            n = limit or (accuracy.DEFAULT_SUBSETS[name][0] if args.full else SUBSETS[name])
            run_dataset(name, n, args)
    text = report(args.out, datasets)
    (args.out / "accuracy_preset.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
