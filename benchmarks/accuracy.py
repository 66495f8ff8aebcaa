"""Forecast accuracy of every stockwise model and of ``models="auto"`` on the shared datasets.

Usage::

    .venv/bin/python -m benchmarks.accuracy                      # every dataset and model
    .venv/bin/python -m benchmarks.accuracy --datasets pbs,hospital --models auto,AutoETS
    .venv/bin/python -m benchmarks.accuracy --max-series 20      # quick check
    .venv/bin/python -m benchmarks.accuracy --report-only        # tables from saved results

For each dataset (``h``, frequency and season length from its ``metadata.json``) the last
``h`` periods of every series are held out; each model forecasts them from the rest with
``stockwise.forecast(train, h, freq, season_length=..., models=name, levels=(80, 95))`` (so
every model runs inside its stockwise fallback chain), and "auto" with ``models="auto"``
(which backtests its candidates on 2 rolling windows inside the training part).

Metrics, per dataset and model, on the series of the subset (see below):

* MASE and RMSSE per series, scaled by the in-sample seasonal naive errors of the training
  part (season from the metadata), then averaged over the series where they are finite
  (a zero scale makes them undefined; the count left out is reported);
* sMAPE per series (``stockwise.evaluation.metrics.smape``, shown in percent, 0-200),
  averaged over series;
* WAPE pooled over all series: ``sum |f - y| / sum |y|``;
* coverage of the 80 % and 95 % intervals: share of all test points inside the band;
* wall time of the whole ``stockwise.forecast`` call (preparation, fits, fallbacks,
  conformal intervals, and for "auto" its backtests and final refits).

Dataset rules: carparts keeps the 2,509 ``complete_51m`` series; m5_hobbies2_ca3 keeps the
train and validation rows (test = the 28 validation days) and, as in M5, its MASE/RMSSE
scales start at each item's first sale; rossmann drops the 180 stores with the 2014 gap
and leaves closed days (``open == 0``) out of every metric (not out of training).

Cost control: AutoARIMA (and "auto" on monthly data, which backtests AutoARIMA) takes
seconds per series, so each dataset is evaluated on a fixed, seeded random subset (a prefix
of one seeded permutation of its series). ``DEFAULT_SUBSETS`` gives per dataset the size
for every model and a smaller size for AutoARIMA; because the subsets are prefixes of one
permutation, the AutoARIMA subset lies inside the other and every table compares all its
models on exactly the same series. Results go to ``benchmarks/results/`` as each model
finishes (``accuracy_<dataset>.csv`` summary, ``accuracy_<dataset>_series.csv`` per-series
scores, ``accuracy_<dataset>_runs.csv`` timings), and the markdown tables to
``benchmarks/results/accuracy.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import stockwise.models.conformal  # noqa: F401  (imported lazily by stockwise: pin it now)
from benchmarks.common import (
    DEFAULT_DATA,
    RESULTS,
    load_dataset,
    log,
    machine_info,
    machine_line,
    smoke_frame,
    write_dataset,
)
from stockwise.evaluation.metrics import mase, rmsse, smape
from stockwise.workflows.forecast import run_forecast

DATASETS = ("pbs", "hospital", "aus_retail", "jewelry", "carparts", "m5_hobbies2_ca3", "rossmann")
MODELS = (
    "AutoETS",
    "AutoARIMA",
    "AutoTheta",
    "CrostonClassic",
    "CrostonOptimized",
    "CrostonSBA",
    "TSB",
    "ADIDA",
    "IMAPA",
    "Naive",
    "SeasonalNaive",
    "WindowAverage",
    "HistoricAverage",
    "HoltWinters",
    "HoltWintersMonthDay",
    "SES",
    "LightGBM",
    "XGBoost",
    "auto",
    "auto-best",
)
AUTO_PRESETS = {"auto": "fast", "auto-best": "best"}
"""``--models`` names of "auto" and the quality preset each runs."""
RUN_ORDER = (
    "SeasonalNaive",
    "Naive",
    "HistoricAverage",
    "WindowAverage",
    "CrostonClassic",
    "CrostonOptimized",
    "CrostonSBA",
    "TSB",
    "ADIDA",
    "IMAPA",
    "AutoTheta",
    "AutoETS",
    "HoltWinters",
    "HoltWintersMonthDay",
    "SES",
    "LightGBM",
    "XGBoost",
    "auto",
    "auto-best",
    "AutoARIMA",
)
"""Cheap models first, so an interrupted run still has the baselines."""
SLOW = {"AutoARIMA"}
LEVELS = (80, 95)
SEED = 20261125
DEFAULT_SUBSETS: dict[str, tuple[int, int]] = {
    # dataset: (series for every model, series for AutoARIMA); None-like = all
    "pbs": (50, 50),
    "hospital": (120, 120),
    "aus_retail": (80, 80),
    "jewelry": (100, 100),
    "carparts": (500, 150),
    "m5_hobbies2_ca3": (149, 12),
    "rossmann": (80, 12),
}
"""Sized from measured costs (wall seconds per series on the shared 2-core machine: AutoARIMA
~5 pbs, ~7 aus_retail, ~10 m5, ~14 rossmann; "auto" ~5 pbs, ~17 aus_retail) so that the
whole run takes about 37 CPU minutes (about an hour of wall time on the shared 2-core
machine); see docs/benchmarks/accuracy.md. aus_retail takes 80 series: on 20 the choice
between "auto" and the best single model is within sampling noise (and below the 50
series at which "auto" adds the gradient-boosted models); it adds about 30 CPU
minutes."""


# -- data ---------------------------------------------------------------------------------
class Split:
    """Training and test parts of one dataset, with what the metrics need."""

    def __init__(self, name: str, data_dir: Path) -> None:
        frame, meta = load_dataset(data_dir, name)
        self.name = name
        self.h = int(meta["recommended_h"])
        self.freq = str(meta["frequency"])
        self.season = int(meta["season_length"])
        self.notes: list[str] = []
        frame["closed"] = False
        if name == "carparts":
            frame = frame[frame["complete_51m"].astype(bool)]
            self.notes.append("2,509 series with complete_51m == True")
        if name == "rossmann":
            days = frame.groupby("unique_id")["ds"].agg(["min", "max", "size"])
            span = (days["max"] - days["min"]).dt.days + 1
            gappy = days.index[(span != days["size"]).to_numpy()]
            frame = frame[~frame["unique_id"].isin(gappy)]
            frame["closed"] = frame["open"].eq(0)
            self.notes.append(
                f"dropped {len(gappy)} stores with the 2014 gap, kept "
                f"{frame['unique_id'].nunique()}; closed days (open == 0) "
                "are not scored"
            )
        if name == "m5_hobbies2_ca3":
            frame = frame[frame["split"].isin(["train", "validation"])]
            is_test = frame["split"].eq("validation").to_numpy()
            per_series = frame[is_test].groupby("unique_id").size()
            assert (per_series == self.h).all(), "m5: expected 28 validation days per item"
            self.notes.append(
                "train + validation rows; test = the 28 validation days; "
                "MASE/RMSSE scale from each item's first sale (M5 rule)"
            )
        else:
            from_end = frame.groupby("unique_id").cumcount(ascending=False).to_numpy()
            is_test = from_end < self.h
        frame = frame.reset_index(drop=True)
        self.train = frame.loc[~is_test, ["unique_id", "ds", "y"]].reset_index(drop=True)
        test = frame.loc[is_test, ["unique_id", "ds", "y", "closed"]].reset_index(drop=True)
        test["y_scored"] = test["y"].where(~test["closed"])
        self.test = test
        self.ids = np.array(sorted(self.train["unique_id"].unique()))
        order = np.random.default_rng(SEED).permutation(len(self.ids))
        self.permuted = self.ids[order]
        self.scale_history = {
            uid: self._scale_part(series.to_numpy(dtype=float))
            for uid, series in self.train.groupby("unique_id", sort=False)["y"]
        }

    def _scale_part(self, y: np.ndarray) -> np.ndarray:
        if self.name == "m5_hobbies2_ca3":
            sold = np.flatnonzero(y > 0)
            return y[sold[0] :] if sold.size else y
        return y

    def subset(self, n: int) -> np.ndarray:
        return self.permuted[: min(n, len(self.permuted))]


# -- one model on one dataset ----------------------------------------------------------------
def run_model(split: Split, model: str, ids: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """Forecast the test part of ``ids`` with ``model``; per-series scores and run facts."""
    train = split.train[split.train["unique_id"].isin(ids)]
    is_auto = model in AUTO_PRESETS
    spec = "auto" if is_auto else model
    started, cpu_started = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_forecast(
            train,
            h=split.h,
            freq=split.freq,
            season_length=split.season,
            models=spec,
            levels=LEVELS,
            quality=AUTO_PRESETS.get(model, "fast"),
        )
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    out = result.forecasts
    first = out.drop_duplicates("unique_id").set_index("unique_id")
    served = first["model"]
    noted = first["note"].fillna("").astype(str)
    chosen = ""
    if is_auto:
        counts = result.selection["model"].value_counts()
        chosen = "; ".join(f"{name} {count}" for name, count in counts.items())
    # single model: series its chain served with another model; auto: series with a note
    fallback = (noted != "") if is_auto else (served != model)
    fallback_series = int(fallback.sum())
    facts = {
        "model": model,
        "commit": COMMIT[0],
        "n_fit": len(ids),
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "chosen": chosen,
        "fallback_series": fallback_series,
        "served": "; ".join(f"{k} {v}" for k, v in served.value_counts().items()),
    }
    test = split.test[split.test["unique_id"].isin(ids)]
    joined = test.merge(out, on=["unique_id", "ds"], how="left")
    missing = joined["forecast"].isna()
    if missing.any():
        raise RuntimeError(
            f"{model} on {split.name}: {int(missing.sum())} test points without a forecast"
        )
    return score(split, joined, model, served, noted), facts


def score(
    split: Split, joined: pd.DataFrame, model: str, served: pd.Series, noted: pd.Series
) -> pd.DataFrame:
    rows = []
    for uid, part in joined.groupby("unique_id", sort=True):
        y = part["y_scored"].to_numpy(dtype=float)
        f = part["forecast"].to_numpy(dtype=float)
        keep = ~np.isnan(y)
        history = split.scale_history[uid]
        row = {
            "model": model,
            "unique_id": uid,
            "n_points": int(keep.sum()),
            "sum_abs_err": float(np.abs(f - y)[keep].sum()),
            "sum_abs_y": float(np.abs(y[keep]).sum()),
            "mase": mase(y, f, history, split.season),
            "rmsse": rmsse(y, f, history, split.season),
            "smape": smape(y, f),
            "served": served.get(uid, ""),
            "note": noted.get(uid, ""),
        }
        for level in LEVELS:
            lo = part[f"forecast-lo-{level}"].to_numpy(dtype=float)
            hi = part[f"forecast-hi-{level}"].to_numpy(dtype=float)
            row[f"in_{level}"] = int(((lo <= y) & (y <= hi))[keep].sum())
        rows.append(row)
    return pd.DataFrame(rows)


# -- aggregation ----------------------------------------------------------------------------
def aggregate(scores: pd.DataFrame) -> dict[str, float]:
    """Dataset-level numbers of one model over the series in ``scores``."""
    finite = np.isfinite(scores["mase"])
    points = scores["n_points"].sum()
    out = {
        "n_series": len(scores),
        "n_mase": int(finite.sum()),
        "mase": scores.loc[finite, "mase"].mean(),
        "rmsse": scores.loc[np.isfinite(scores["rmsse"]), "rmsse"].mean(),
        "smape_pct": 100 * scores["smape"].mean(),
        "wape": scores["sum_abs_err"].sum() / scores["sum_abs_y"].sum(),
    }
    for level in LEVELS:
        out[f"cov{level}"] = scores[f"in_{level}"].sum() / points if points else math.nan
    return out


def tiers(runs: pd.DataFrame) -> list[tuple[int, list[str]]]:
    """(subset size, models run on at least that many series), largest common set first."""
    sizes = sorted(set(runs["n_fit"]))
    out = []
    for size in sizes:
        models = [m for m in MODELS if m in set(runs.loc[runs["n_fit"] >= size, "model"])]
        out.append((size, models))
    return out


def summarise_dataset(
    series: pd.DataFrame, runs: pd.DataFrame, permuted: Sequence[str]
) -> pd.DataFrame:
    rows = []
    for size, models in tiers(runs):
        ids = set(permuted[:size])
        for model in models:
            part = series[(series["model"] == model) & series["unique_id"].isin(ids)]
            run = runs[runs["model"] == model].iloc[-1]
            rows.append(
                {
                    "subset": size,
                    "model": model,
                    **aggregate(part),
                    "seconds": run["seconds"],
                    "cpu_seconds": run["cpu_seconds"],
                    "n_fit": run["n_fit"],
                    "fallback_series": run["fallback_series"],
                    "chosen": run["chosen"] if isinstance(run["chosen"], str) else "",
                }
            )
    return pd.DataFrame(rows)


# -- running ------------------------------------------------------------------------------
_WARMED: list[bool] = []
COMMIT: list[str] = ["unknown"]
"""The stockwise commit the process imported (set in main before any run)."""


def run_dataset(name: str, args: argparse.Namespace, models: list[str]) -> None:
    log(f"{name}: loading")
    split = Split(name, args.data)
    every, slow = DEFAULT_SUBSETS[name]
    if args.max_series:
        every = slow = args.max_series
    if args.slow_max:
        slow = args.slow_max
    slow = min(slow, every)
    log(
        f"{name}: {len(split.ids)} series, h={split.h}, freq={split.freq}, "
        f"season={split.season}; subset {min(every, len(split.ids))} "
        f"(AutoARIMA {min(slow, len(split.ids))}); {'; '.join(split.notes)}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    series_path = args.out / f"accuracy_{name}_series.csv"
    runs_path = args.out / f"accuracy_{name}_runs.csv"
    series = (
        pd.read_csv(series_path, dtype={"unique_id": str})
        if (args.resume and series_path.exists())
        else pd.DataFrame()
    )
    runs = pd.read_csv(runs_path) if args.resume and runs_path.exists() else pd.DataFrame()
    (args.out / f"accuracy_{name}_meta.json").write_text(
        json.dumps(
            {
                "dataset": name,
                "h": split.h,
                "freq": split.freq,
                "season": split.season,
                "series": len(split.ids),
                "notes": split.notes,
                "seed": SEED,
                "permuted": split.permuted.tolist(),
            }
        )
    )
    if not _WARMED:  # imports and first-call set-up stay out of the first model's time
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_forecast(
                split.train[split.train["unique_id"].isin(split.ids[:2])],
                h=split.h,
                freq=split.freq,
                season_length=split.season,
                models="SeasonalNaive",
                levels=LEVELS,
            )
        _WARMED.append(True)
    for model in [m for m in RUN_ORDER if m in models]:
        ids = split.subset(slow if model in SLOW else every)
        if (
            not runs.empty
            and (
                (runs["model"] == model)
                & (runs["n_fit"] == len(ids))
                & (runs["commit"] == COMMIT[0])
            ).any()
        ):
            log(
                f"{name}: {model} on {len(ids)} series at {COMMIT[0]} already done, skipped "
                "(--resume)"
            )
            continue
        log(f"{name}: {model} on {len(ids)} series ...")
        try:
            scores, facts = run_model(split, model, ids)
        except Exception as exc:  # report and go on with the next model
            log(f"{name}: {model} FAILED: {type(exc).__name__}: {exc}")
            continue
        series = pd.concat(
            [series[series["model"] != model] if not series.empty else series, scores],
            ignore_index=True,
        )
        runs = pd.concat(
            [runs[runs["model"] != model] if not runs.empty else runs, pd.DataFrame([facts])],
            ignore_index=True,
        )
        series.to_csv(series_path, index=False)
        runs.to_csv(runs_path, index=False)
        summary = summarise_dataset(series, runs, split.permuted)
        summary.to_csv(args.out / f"accuracy_{name}.csv", index=False)
        own = aggregate(scores)
        log(
            f"{name}: {model} done in {facts['seconds']:.1f} s (cpu {facts['cpu_seconds']:.1f})"
            f": MASE {own['mase']:.3f} RMSSE {own['rmsse']:.3f} WAPE {own['wape']:.3f} "
            f"cov80 {own['cov80']:.3f} cov95 {own['cov95']:.3f}"
            + (f"; chosen: {facts['chosen']}" if facts["chosen"] else "")
            + (
                f"; fallbacks on {facts['fallback_series']} series"
                if facts["fallback_series"]
                else ""
            )
        )


# -- report ---------------------------------------------------------------------------------
def fmt(value: float, digits: int = 3) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def dataset_tables(name: str, out: Path) -> tuple[list[str], list[dict]]:
    """Markdown tables of one dataset and its summary rows (one per subset)."""
    path = out / f"accuracy_{name}.csv"
    if not path.exists():
        return [], []
    summary = pd.read_csv(path)
    meta = json.loads((out / f"accuracy_{name}_meta.json").read_text())
    notes = "".join(f" {note[0].upper()}{note[1:]}." for note in meta["notes"])
    lines = [
        f"### {name}",
        "",
        f"{meta['series']} series, h = {meta['h']}, freq = {meta['freq']}, season = "
        f"{meta['season']}.{notes}",
        "",
    ]
    runs = pd.read_csv(out / f"accuracy_{name}_runs.csv")
    if "commit" in runs.columns and runs["commit"].nunique() > 1:
        by_commit = runs.groupby("commit", sort=False)["model"].agg(", ".join)
        lines += [
            "Models by the commit they ran at: "
            + "; ".join(f"`{c}`: {m}" for c, m in by_commit.items())
            + ".",
            "",
        ]
    rows = []
    for size, table in summary.groupby("subset", sort=False):
        models = list(table["model"])
        missing_models = [m for m in MODELS if m not in models]
        title = f"Subset of {size} series (seeded random), every model on the same series"
        if missing_models:
            title += f" (without {', '.join(missing_models)}, run on fewer series)"
        lines += [
            f"{title}:",
            "",
            "| model | n series | MASE | RMSSE | sMAPE % | WAPE | cov80 | cov95 "
            "| seconds (series fitted) | CPU s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        undefined = table["n_series"] - table["n_mase"]
        for _, r in table.iterrows():
            lines.append(
                f"| {r['model']} | {r['n_series']} | {fmt(r['mase'])} | {fmt(r['rmsse'])} | "
                f"{fmt(r['smape_pct'], 1)} | {fmt(r['wape'])} | {fmt(r['cov80'])} | "
                f"{fmt(r['cov95'])} | {r['seconds']:.1f} ({r['n_fit']}) | "
                f"{r['cpu_seconds']:.1f} |"
            )
        lines.append("")
        if undefined.max() > 0:
            lines.append(
                f"MASE/RMSSE undefined (zero in-sample seasonal-naive scale) on "
                f"{int(undefined.max())} of {size} series; their means are over the "
                f"other {int(table['n_mase'].min())}."
            )
        auto = table[table["model"] == "auto"]
        if not auto.empty and isinstance(auto["chosen"].iloc[0], str):
            lines.append(f"auto chose (per series): {auto['chosen'].iloc[0]}.")
        fallbacks = table[table["fallback_series"] > 0]
        if not fallbacks.empty:
            lines.append(
                "Series served by a fallback (or with a fallback note, for auto): "
                + ", ".join(
                    f"{r['model']} {int(r['fallback_series'])}" for _, r in fallbacks.iterrows()
                )
                + "."
            )
        lines.append("")
        rows.append(summary_row(name, size, table, missing_models))
    return lines, [r for r in rows if r]


def summary_row(name: str, size: int, table: pd.DataFrame, missing: list[str]) -> dict:
    by_model = table.set_index("model")
    if "auto" not in by_model.index:
        return {}
    singles = by_model.drop(index="auto")
    singles = singles[np.isfinite(singles["mase"])]
    best = singles["mase"].idxmin() if not singles.empty else None
    auto = by_model.loc["auto"]
    naive = by_model["mase"].get("SeasonalNaive", math.nan)
    return {
        "dataset": name,
        "subset": size,
        "without": ", ".join(missing),
        "auto": auto["mase"],
        "best": best,
        "best_mase": singles["mase"].min() if best else math.nan,
        "snaive": naive,
        "auto_vs_snaive": auto["mase"] / naive,
        "auto_vs_best": auto["mase"] / singles["mase"].min() if best else math.nan,
        "cov80": auto["cov80"],
        "cov95": auto["cov95"],
    }


def report(out: Path, datasets: Sequence[str], command: str) -> str:
    info_path = out / "accuracy_machine.json"
    sessions = json.loads(info_path.read_text()) if info_path.exists() else []
    sessions = sessions if isinstance(sessions, list) else [sessions]
    if not sessions:
        sessions = [{**machine_info(), "command": command}]
    lines = [
        "Command(s), in order:",
        "",
        "```bash",
        *[str(s.get("command", command)) for s in sessions],
        "```",
        "",
    ]
    lines += [f"- Machine: {machine_line(s)}." for s in sessions]
    lines.append("")
    summary_rows: list[dict] = []
    for name in datasets:
        tables, rows = dataset_tables(name, out)
        lines += tables
        summary_rows += rows
    if summary_rows:
        lines += summary_tables(summary_rows)
    lines += coverage_misses(out, datasets)
    return "\n".join(lines)


def coverage_misses(out: Path, datasets: Sequence[str], tolerance: float = 0.05) -> list[str]:
    """Models whose monthly 80 %/95 % coverage is off by more than ``tolerance``."""
    lines = [
        "### Interval coverage misses on the monthly datasets (more than "
        f"{100 * tolerance:.0f} points from nominal)",
        "",
        "| dataset | n series | model | cov80 | cov95 | miss |",
        "|---|---:|---|---:|---:|---|",
    ]
    found = False
    for name in datasets:
        path = out / f"accuracy_{name}.csv"
        if not path.exists():
            continue
        meta = json.loads((out / f"accuracy_{name}_meta.json").read_text())
        if meta["freq"] != "M":
            continue
        summary = pd.read_csv(path)
        for _, r in summary.iterrows():
            misses = [
                f"{level}: {100 * (r[f'cov{level}'] - level / 100):+.1f} pts"
                for level in LEVELS
                if abs(r[f"cov{level}"] - level / 100) > tolerance + 1e-12
            ]
            if misses:
                found = True
                lines.append(
                    f"| {name} | {r['subset']} | {r['model']} | {fmt(r['cov80'])} | "
                    f"{fmt(r['cov95'])} | {'; '.join(misses)} |"
                )
    if not found:
        lines.append("| (none) | | | | | |")
    lines.append("")
    return lines


def summary_tables(rows: list[dict]) -> list[str]:
    frame = pd.DataFrame(rows)
    lines = [
        "### Summary",
        "",
        "| dataset | n series | auto MASE | best single model (MASE) | SeasonalNaive MASE "
        "| auto / SeasonalNaive | auto / best | auto cov80 | auto cov95 |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for _, r in frame.iterrows():
        note = f" (without {r['without']})" if r["without"] else ""
        lines.append(
            f"| {r['dataset']} | {r['subset']}{note} | {fmt(r['auto'])} | "
            f"{r['best']} ({fmt(r['best_mase'])}) | {fmt(r['snaive'])} | "
            f"{fmt(r['auto_vs_snaive'])} | {fmt(r['auto_vs_best'])} | "
            f"{fmt(r['cov80'])} | {fmt(r['cov95'])} |"
        )
    lines.append("")
    full = frame[frame["without"] == ""]
    ratios = full["auto_vs_best"].to_numpy(dtype=float)
    ratios = ratios[np.isfinite(ratios)]
    if ratios.size:
        geo = float(np.exp(np.mean(np.log(ratios))))
        lines.append(
            f"Geometric mean over the {ratios.size} datasets (all models on the "
            f"same subset) of auto MASE / best single-model MASE: **{geo:.3f}**."
        )
    largest = frame.sort_values("subset").groupby("dataset", sort=False).tail(1)
    ratios = largest["auto_vs_best"].to_numpy(dtype=float)
    ratios = ratios[np.isfinite(ratios)]
    if ratios.size and len(frame) > len(full):  # some dataset has a larger subset
        geo = float(np.exp(np.mean(np.log(ratios))))
        lines.append(
            f"The same on each dataset's largest subset (where AutoARIMA ran on fewer "
            f"series, the best single model is chosen without it): **{geo:.3f}**."
        )
    worse = frame[frame["auto_vs_snaive"] > 1]
    lines.append(
        "auto worse than SeasonalNaive (MASE): "
        + (
            ", ".join(
                f"{r['dataset']} on {r['subset']} series ({r['auto_vs_snaive']:.3f})"
                for _, r in worse.iterrows()
            )
            or "none"
        )
        + "."
    )
    worse = frame[frame["auto_vs_best"] > 1]
    lines.append(
        "auto worse than the best single model (MASE): "
        + (
            ", ".join(
                f"{r['dataset']} on {r['subset']} series ({r['auto_vs_best']:.3f} vs {r['best']})"
                for _, r in worse.iterrows()
            )
            or "none"
        )
        + "."
    )
    lines.append("")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument(
        "--max-series",
        type=int,
        default=None,
        help="every model on at most N series per dataset (one subset)",
    )
    parser.add_argument(
        "--slow-max",
        type=int,
        default=None,
        help="AutoARIMA on at most N series (a prefix of the other subset)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep saved results and skip the (dataset, model) runs done",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="only rebuild benchmarks/results/accuracy.md from saved results",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds on a tiny generated monthly dataset (named pbs) "
        "in a temporary folder; no shared data needed",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        return _smoke(args)
    datasets = [d for d in args.datasets.split(",") if d]
    models = [m for m in args.models.split(",") if m]
    unknown = [d for d in datasets if d not in DATASETS] + [m for m in models if m not in MODELS]
    if unknown:
        parser.error(f"unknown dataset(s)/model(s): {unknown}")
    command = ".venv/bin/python -m benchmarks.accuracy " + " ".join(
        a for a in (argv if argv is not None else sys.argv[1:]) if a != "--report-only"
    )
    if not args.report_only:
        args.out.mkdir(parents=True, exist_ok=True)
        info = {**machine_info(), "command": command.strip()}
        COMMIT[0] = str(info["commit"])
        info_path = args.out / "accuracy_machine.json"
        sessions = json.loads(info_path.read_text()) if (args.resume and info_path.exists()) else []
        sessions = sessions if isinstance(sessions, list) else [sessions]
        info_path.write_text(json.dumps([*sessions, info]))
        log(f"machine: {machine_line(info)}")
        for name in datasets:
            run_dataset(name, args, models)
    text = report(args.out, datasets, command.strip())
    (args.out / "accuracy.md").write_text(text + "\n")
    print(text)
    return 0


def _smoke(args: argparse.Namespace) -> int:
    """The whole harness (splits, runs, scores, report) on 6 generated monthly series."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        data = write_dataset(Path(folder) / "data", "pbs", smoke_frame(), h=6, freq="M", season=12)
        out = args.out if args.out != RESULTS else Path(folder) / "out"
        return main(
            [
                "--data",
                str(data),
                "--out",
                str(out),
                "--datasets",
                "pbs",
                "--models",
                "SeasonalNaive,HoltWinters,auto",
            ]
        )


if __name__ == "__main__":
    sys.exit(main())
