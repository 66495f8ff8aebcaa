"""Reconciled versus base forecasts per level on aus_retail (state × industry) and pbs (ATC).

Usage::

    # both datasets, writes the doc; then one of them; then a small subset, nothing written
    PYTHONPATH=src .venv/bin/python -m benchmarks.hierarchy
    PYTHONPATH=src .venv/bin/python -m benchmarks.hierarchy --datasets pbs
    PYTHONPATH=src .venv/bin/python -m benchmarks.hierarchy --smoke

For each dataset the last 12 months of every series are held out. The bottom series and
every level summed from them are forecast with stockwise's own workflow
(:func:`stockwise.workflows.hierarchy_forecast.forecast_hierarchy`: "auto", fast preset,
3 rolling-origin windows inside the training part), which also chooses the reconciliation
method on those windows. On the holdout, every level is scored with MASE and RMSSE per
series (scaled on the training part, season 12), averaged per level, for the base
forecasts and for every method; the chosen one is marked. The reconciled forecasts are
checked to add up (largest gap between a series and the sum of its bottom series) and
to be non-negative.

Datasets:

* aus_retail: the 20 ABS industry labels mix 15 industries and the 6 groups they form
  (e.g. "Food retailing" = supermarkets + liquor + other specialised food); the bottom
  is state × the 15 industries, the groups are rebuilt as the level ``group`` by
  summing (the hierarchy ``state`` × ``group/industry``). The 4 series that stop before
  December 2018 are left out (counted in the output).
* pbs: ``concession`` × ``type`` × ``atc1/atc2``, scripts; all 336 series.

Both keep their last 20 years (aus_retail from January 1999; pbs is shorter), which
bounds the cost of fitting on a shared machine. Each dataset's result goes to
``benchmarks/results/hierarchy_<dataset>.json`` as it finishes; ``--report-only`` writes
the doc from those files (so the datasets can run as separate processes).

The base forecasts are most of the cost and do not depend on the reconciliation; they
are kept in ``benchmarks/results/hierarchy_<dataset>_base.pkl`` with the commit that
made them, and ``--reuse-base`` reconciles those again instead of forecasting anew (the
doc then names both commits).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
import time
from pathlib import Path

import pandas as pd

from benchmarks.common import (
    DEFAULT_DATA,
    REPO,
    RESULTS,
    load_dataset,
    log,
    machine_info,
    machine_line,
)
from stockwise.hierarchy.reconcile import incoherence
from stockwise.hierarchy.selection import BASE, accuracy_by_level, base_matrix
from stockwise.hierarchy.structure import aggregate
from stockwise.schema import CUTOFF
from stockwise.workflows.hierarchy_forecast import (
    HierarchyBase,
    HierarchyConfig,
    forecast_base,
    reconcile_base,
    reconcile_with,
)

H = 12
SEASON = 12
AUS_GROUPS = {
    "Food retailing": ("Supermarket", "Liquor", "Other specialised food"),
    "Household goods retailing": ("Furniture", "Electrical", "Hardware"),
    "Clothing, footwear and personal accessory retailing": ("Clothing retailing", "Footwear"),
    "Department stores": ("Department stores",),
    "Other retailing": (
        "Newspaper",
        "Other recreational",
        "Pharmaceutical",
        "Other retailing n.e.c.",
    ),
    "Cafes, restaurants and takeaway food services": (
        "Cafes, restaurants and catering",
        "Takeaway",
    ),
}
HIERARCHIES = {
    "aus_retail": ["state", "group/industry"],
    "pbs": ["concession", "type", "atc1/atc2"],
}
DOC = REPO / "docs" / "benchmarks" / "hierarchy.md"


def aus_retail(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """State × the 15 industries with their group; series ending early left out."""
    group = {}
    for name, prefixes in AUS_GROUPS.items():
        for industry in frame["industry"].unique():
            if industry.startswith(prefixes):
                group[industry] = name
    bottom = frame[frame["industry"].isin(group)].assign(group=lambda f: f["industry"].map(group))
    last = bottom.groupby("unique_id")["ds"].transform("max")
    ended = bottom.loc[last < bottom["ds"].max(), "unique_id"].nunique()
    kept = bottom[last == bottom["ds"].max()]
    note = (
        f"{kept['unique_id'].nunique()} bottom series (state × {len(group)} industries); "
        f"{frame['unique_id'].nunique() - bottom['unique_id'].nunique()} group series "
        f"left to the summing, {ended} series ending before the last month left out"
    )
    return kept, note


YEARS = 20


def prepare(name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    frame = frame[frame["ds"] > frame["ds"].max() - pd.DateOffset(years=YEARS)]
    if name == "aus_retail":
        return aus_retail(frame)
    return frame, f"{frame['unique_id'].nunique()} bottom series"


def base_forecasts(
    name: str, train: pd.DataFrame, config: HierarchyConfig, reuse: Path | None
) -> tuple[HierarchyBase, dict]:
    """The base forecasts of every level: from ``reuse`` when it holds them for the same
    config, else made (and kept there when ``reuse`` is given)."""
    if reuse is not None and reuse.exists():
        saved = pickle.loads(reuse.read_bytes())
        if saved["config"] == repr(config):
            log(f"{name}: base forecasts of commit {saved['facts']['commit']} from {reuse}")
            return saved["base"], saved["facts"]
        log(f"{name}: {reuse} was made with another config; forecasting anew")
    start, cpu = time.perf_counter(), time.process_time()
    made = forecast_base(train, HIERARCHIES[name], config)
    facts = {
        "seconds": round(time.perf_counter() - start, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "commit": machine_info()["commit"],
    }
    if reuse is not None:
        light = dataclasses.replace(made, base=dataclasses.replace(made.base, models={}))
        reuse.parent.mkdir(parents=True, exist_ok=True)
        reuse.write_bytes(pickle.dumps({"config": repr(config), "base": light, "facts": facts}))
    return made, facts


def run_dataset(
    name: str, frame: pd.DataFrame, config: HierarchyConfig, reuse: Path | None = None
) -> dict:
    bottom, note = prepare(name, frame)
    cutoff = bottom["ds"].max() - pd.DateOffset(months=H)
    train = bottom[bottom["ds"] <= cutoff]
    log(f"{name}: {note}; training to {cutoff:%Y-%m}")
    made, facts = base_forecasts(name, train, config, reuse)
    start = time.perf_counter()
    run = reconcile_base(made, config)
    seconds = facts["seconds"] + time.perf_counter() - start
    log(
        f"{name}: {len(run.structure.ids)} series forecast and reconciled in {seconds:.0f}s; "
        f"chosen {run.method}"
    )
    actual = aggregate(bottom[["unique_id", "ds", "y"]], run.structure)
    actual = actual[actual["ds"] > cutoff]
    methods = [m for m in run.choice.scores.index if m != BASE]
    holdout = run.forecasts[["unique_id", "ds", "base_forecast"]].rename(
        columns={"base_forecast": BASE}
    )
    gaps, lowest = {}, {}
    for method in methods:
        out = reconcile_with(run, method)
        matrix = base_matrix(out, run.structure)
        assert matrix is not None
        gaps[method] = incoherence(matrix[0], run.structure)
        lowest[method] = float(out["forecast"].min())
        holdout = holdout.merge(
            out[["unique_id", "ds", "forecast"]].rename(columns={"forecast": method}),
            on=["unique_id", "ds"],
        )
    holdout = holdout.merge(actual[["unique_id", "ds", "y"]], on=["unique_id", "ds"])
    holdout[CUTOFF] = cutoff
    table = accuracy_by_level(holdout, run.history, run.structure, [BASE, *methods], SEASON)
    return {
        "dataset": name,
        "note": note,
        "series": len(run.structure.ids),
        "bottom": run.structure.n_bottom,
        "seconds": round(seconds, 1),
        "base_cpu_seconds": facts["cpu_seconds"],
        "base_commit": facts["commit"],
        "chosen": run.method,
        "backtest_scores": run.choice.scores.round(4).to_dict(),
        "backtest_criteria": run.choice.criteria.round(4).to_dict("index"),
        "skipped": run.choice.skipped,
        "max_gap": gaps,
        "min_forecast": lowest,
        "hierarchy": HIERARCHIES[name],
        "holdout": table.to_dict("records"),
        "models": config.models
        if isinstance(config.models, str)
        else ",".join(map(str, config.models)),
    }


def markdown(results: list[dict], info: dict, command: str) -> str:
    lines = [
        "# Hierarchies: reconciled versus base forecasts per level",
        "",
        "Made by `benchmarks/hierarchy.py` (its docstring says how): last 12 months "
        "held out, base forecasts by stockwise's own forecast workflow on every series "
        'of every level (the models per dataset below; "auto" is the fast preset), '
        "reconciliation chosen on 3 rolling-origin windows of the training part. Mean "
        "MASE per level (scaled on the training part, season 12); **bold** is the "
        "method the backtest chose. Every reconciled forecast is non-negative and adds "
        "up (the gap is measured below).",
        "",
        "Reading the tables: the two top-down methods keep the total's base forecast "
        "by construction, so at the top they can only tie the base; the projections "
        "(ols, wls, mint) move every level, the total included, towards what the "
        "other levels say.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine_line(info)}",
        "",
    ]
    for result in results:
        table = pd.DataFrame(result["holdout"])
        models = list(dict.fromkeys(table["model"]))
        lines += [
            f"## {result['dataset']}: {' × '.join(result['hierarchy'])}",
            "",
            f"{result['note']}; {result['series']} series on all levels; base models: "
            f"{result.get('models', 'auto')}; {result['seconds']:.0f} s for "
            f"forecasting and reconciling"
            + (
                f" ({result['base_cpu_seconds']:.0f} s of CPU for the base forecasts)"
                if "base_cpu_seconds" in result
                else ""
            )
            + "; stockwise commit "
            f"`{result.get('commit', info['commit'])}`"
            + (
                f" (base forecasts made at `{result['base_commit']}`, kept and reconciled again)"
                if result.get("base_commit", result.get("commit")) != result.get("commit")
                else ""
            )
            + ".",
            "",
        ]
        header = ["level", "series", *[f"**{m}**" if m == result["chosen"] else m for m in models]]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for level, rows in table.groupby("level", sort=False):
            mase = rows.set_index("model")["mase"]
            cells = [f"{mase[m]:.3f}" for m in models]
            lines.append(
                f"| {level} | {int(rows['n_series'].iloc[0])} | " + " | ".join(cells) + " |"
            )
        chosen = result["chosen"]
        worst_gap = max(result["max_gap"].values())
        criteria = result.get("backtest_criteria")
        said = (
            "backtest MASE top / bottom / mean over levels, † no worse than base at the "
            "bottom: "
            + ", ".join(
                f"{m} {c['top_mase']:.3f} / {c['bottom_mase']:.3f} / "
                f"{c['mean_level_mase']:.3f}{' †' if c['bottom_not_worse'] and m != BASE else ''}"
                for m, c in criteria.items()
            )
            if criteria
            else "backtest mean-over-levels MASE: "
            + ", ".join(f"{m} {v:.3f}" for m, v in result["backtest_scores"].items())
        )
        lines += [
            "",
            f"Chosen by backtest: **{chosen}** ({said}).",
            "",
            "Largest gap between a reconciled series and the sum of its bottom series, "
            f"over all methods: {worst_gap:.2e}; lowest reconciled forecast: "
            f"{min(result['min_forecast'].values()):.3g}.",
            "",
        ]
        if result["skipped"]:
            lines += [f"Not scored: {result['skipped']}.", ""]
        lines += [*verdict(table, chosen), ""]
    return "\n".join(lines)


def verdict(table: pd.DataFrame, chosen: str) -> list[str]:
    """The acceptance read off the table: bottom at least as good, top better."""
    levels = list(dict.fromkeys(table["level"]))
    mase = table.set_index(["level", "model"])["mase"]
    top, bottom = levels[0], levels[-1]
    says = []
    for level, rule in ((bottom, "at least as accurate"), (top, "more accurate")):
        base, ours = mase[(level, BASE)], mase[(level, chosen)]
        tie = 1e-9 * abs(base)  # the same forecast, up to rounding, is not "better"
        held = ours <= base + tie if level == bottom else ours < base - tie
        says.append(
            f"- {level}: {chosen} {ours:.3f} vs base {base:.3f} — {rule}: {'yes' if held else 'NO'}"
        )
    return says


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="aus_retail,pbs")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="2 states of aus_retail, two simple models; writes nothing",
    )
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument(
        "--models",
        default="auto",
        help="base models: auto (the fast preset) or names, e.g. HoltWinters,SES,SeasonalNaive",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the doc from the saved results of --datasets",
    )
    parser.add_argument(
        "--reuse-base",
        action="store_true",
        help="reconcile the base forecasts kept by an earlier run with the same config",
    )
    args = parser.parse_args(argv)
    names = args.datasets.split(",")
    command = "python -m benchmarks.hierarchy " + " ".join(argv or sys.argv[1:])
    if args.report_only:
        saved = [json.loads((RESULTS / f"hierarchy_{n}.json").read_text()) for n in names]
        commands = [s["command"] for s in saved] + [command.strip()]
        results = [{**s["result"], "commit": s["machine"]["commit"]} for s in saved]
        write_doc(results, saved[0]["machine"], " ; ".join(commands), args.doc)
        return 0
    for name in names:
        frame, _ = load_dataset(args.data, name)
        models = "auto" if args.models == "auto" else tuple(args.models.split(","))
        config = HierarchyConfig(h=H, freq="M", season_length=SEASON, n_windows=3, models=models)
        if args.smoke:
            frame = (
                frame[frame["state"].isin(sorted(frame["state"].unique())[:2])]
                if name == "aus_retail"
                else frame[frame["concession"] == "General"]
            )
            config = HierarchyConfig(
                h=H, freq="M", season_length=SEASON, n_windows=3, models=("SeasonalNaive", "Naive")
            )
        reuse = None if args.smoke else RESULTS / f"hierarchy_{name}_base.pkl"
        if reuse is not None and not args.reuse_base and reuse.exists():
            reuse.unlink()
        result = run_dataset(name, frame, config, reuse)
        for line in verdict(pd.DataFrame(result["holdout"]), result["chosen"]):
            log(f"{name} {line[2:]}")
        if not args.smoke:
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"hierarchy_{name}.json").write_text(
                json.dumps(
                    {"machine": machine_info(), "command": command.strip(), "result": result},
                    indent=1,
                    default=str,
                )
            )
    return 0


KEPT = "<!-- written by hand below this line; the harness keeps it -->"


def write_doc(results: list[dict], info: dict, command: str, doc: Path) -> None:
    """The tables, then whatever the doc holds below :data:`KEPT` (the analysis)."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    old = doc.read_text() if doc.exists() else ""
    kept = old[old.index(KEPT) :] if KEPT in old else ""
    doc.write_text(markdown(results, info, command) + ("\n" + kept if kept else ""))
    log(f"wrote {doc}")


if __name__ == "__main__":
    raise SystemExit(main())
