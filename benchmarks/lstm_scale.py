"""LSTM benchmarks: training time at scale, and accuracy on M5 against SeasonalNaive.

Usage::

    .venv/bin/python -m benchmarks.lstm_scale scale                 # 1,000 series x 2 years
    .venv/bin/python -m benchmarks.lstm_scale scale --threads 1
    .venv/bin/python -m benchmarks.lstm_scale m5                    # accuracy, 28-day test
    .venv/bin/python -m benchmarks.lstm_scale m5 --set hidden_size=64 --set max_epochs=30

``scale``: 1,000 daily series x 730 days from ``stockwise.synthetic.generate`` (retail,
pharmacy and luxury products; price and promotion as known-ahead inputs), one
``LSTMForecaster`` with its default settings fitted on all of them with
``torch.set_num_threads(--threads)``; reports the wall and CPU time of ``fit`` and of a
28-day ``predict`` with intervals, the peak resident memory of the process, and the
machine load (``uptime``) before and after, since the machine may be shared. As a sanity
check it also scores that forecast of the 28 held-out days against SeasonalNaive (same
metrics as ``m5``).

``m5``: ``../shared/data/m5_hobbies2_ca3`` (149 items), train = the M5 training days,
test = the 28 validation days. Known-ahead inputs: the weekly shelf price (carried
backwards over the weeks before an item's first price, forwards over gaps), an event flag
(any M5 event that day) and the SNAP flag. Scores per series as
``benchmarks/accuracy.py`` does: MASE and RMSSE scaled by the in-sample seasonal-naive
(season 7) errors from each item's first sale on (M5 rule), averaged over series; WAPE
pooled; coverage of the 80 % and 95 % bands over all test points. SeasonalNaive (with its
conformal intervals) is scored on the same split. Results go to
``benchmarks/results/lstm_*.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import DEFAULT_DATA, RESULTS, load_dataset, log, machine_info
from stockwise.evaluation.metrics import coverage, mase, rmsse
from stockwise.models import SeasonalNaive
from stockwise.models.lstm import LSTMForecaster

LEVELS = (80, 95)
M5_EXOG = ("price", "event", "snap")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_settings(pairs: list[str]) -> dict[str, object]:
    settings: dict[str, object] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        try:
            settings[key] = json.loads(raw)
        except json.JSONDecodeError:
            settings[key] = raw
    return settings


# -- scale ----------------------------------------------------------------------------------
def run_scale(args: argparse.Namespace) -> dict[str, object]:
    import torch

    from stockwise.synthetic import generate

    torch.set_num_threads(args.threads)
    log(f"generating {args.series} series x {args.days} days")
    sales = generate(n_products=args.series, n_days=args.days, seed=7).sales
    frame = sales[["unique_id", "ds", "y", "price", "promo"]]
    cut = frame["ds"].max() - pd.Timedelta(days=28)
    train, future = frame[frame["ds"] <= cut], frame[frame["ds"] > cut]
    settings = parse_settings(args.set)
    model = LSTMForecaster(**settings)
    before = uptime()
    rss_before = peak_rss_mib()
    log(f"fit starts; {before}")
    started, cpu = time.perf_counter(), time.process_time()
    model.fit(train)
    fit_wall, fit_cpu = time.perf_counter() - started, time.process_time() - cpu
    log(f"fit done in {fit_wall:.1f} s; {model.training_}")
    started = time.perf_counter()
    out = model.predict(28, X_df=future.drop(columns="y"), levels=LEVELS)
    predict_wall = time.perf_counter() - started
    after = uptime()
    accuracy = {"LSTM": score(model.name, train, future, out)}
    naive = SeasonalNaive(season_length=7).fit(train)
    accuracy["SeasonalNaive"] = score(naive.name, train, future, naive.predict(28, levels=LEVELS))
    log(f"accuracy on the 28 held-out days: {accuracy}")
    report = model.training_
    result = {
        "part": "scale",
        "series": int(train["unique_id"].nunique()),
        "rows": len(train),
        "days": args.days,
        "threads": args.threads,
        "settings": settings,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
        "params": {k: v for k, v in model.get_params().items() if k != "exog"},
        "fit_seconds": round(fit_wall, 1),
        "fit_cpu_seconds": round(fit_cpu, 1),
        "train_seconds": round(report.seconds, 1),
        "epochs_run": report.epochs_run,
        "best_epoch": report.best_epoch,
        "train_windows": report.n_train,
        "val_windows": report.n_val,
        "val_loss": [round(v, 4) for v in report.val_loss],
        "predict_seconds": round(predict_wall, 2),
        "forecast_rows": len(out),
        "peak_rss_mib_before_fit": round(rss_before, 0),
        "peak_rss_mib": round(peak_rss_mib(), 0),
        "uptime_before": before,
        "uptime_after": after,
        "accuracy": accuracy,
        "machine": machine_info(),
    }
    return result


# -- m5 -------------------------------------------------------------------------------------
def m5_frames(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame, _ = load_dataset(data_dir, "m5_hobbies2_ca3")
    frame = frame[frame["split"].isin(["train", "validation"])].copy()
    price = frame.groupby("unique_id")["sell_price"]
    frame["price"] = price.ffill()
    frame["price"] = frame.groupby("unique_id")["price"].bfill()
    frame["event"] = frame["event_name_1"].notna().astype(int)
    frame["snap"] = frame["snap"].astype(int)
    keep = ["unique_id", "ds", "y", *M5_EXOG]
    train = frame.loc[frame["split"].eq("train"), keep].reset_index(drop=True)
    test = frame.loc[frame["split"].eq("validation"), keep].reset_index(drop=True)
    return train, test


def score(
    name: str, train: pd.DataFrame, test: pd.DataFrame, out: pd.DataFrame
) -> dict[str, float]:
    joined = test.merge(out, on=["unique_id", "ds"], how="left")
    if joined[name].isna().any():
        raise RuntimeError(f"{name}: {int(joined[name].isna().sum())} test points lack a forecast")
    rows = []
    history = dict(tuple(train.groupby("unique_id")["y"]))
    for uid, part in joined.groupby("unique_id", sort=True):
        y_train = history[uid].to_numpy(dtype=float)
        sold = np.flatnonzero(y_train > 0)
        y_train = y_train[sold[0] :] if sold.size else y_train
        y, f = part["y"].to_numpy(dtype=float), part[name].to_numpy(dtype=float)
        rows.append({"mase": mase(y, f, y_train, 7), "rmsse": rmsse(y, f, y_train, 7)})
    per_series = pd.DataFrame(rows)
    result = {
        "n_series": len(per_series),
        "mase": float(per_series["mase"].mean()),
        "rmsse": float(per_series["rmsse"].mean()),
        "wape": float(np.abs(joined[name] - joined["y"]).sum() / joined["y"].abs().sum()),
    }
    for level in LEVELS:
        result[f"cov{level}"] = coverage(
            joined["y"], joined[f"{name}-lo-{level}"], joined[f"{name}-hi-{level}"]
        )
    return result


def run_m5(args: argparse.Namespace) -> dict[str, object]:
    import torch

    torch.set_num_threads(args.threads)
    train, test = m5_frames(Path(args.data))
    future = test.drop(columns="y")
    rows = {}
    settings = parse_settings(args.set)
    for name, model in (
        ("SeasonalNaive", SeasonalNaive(season_length=7)),
        ("LSTM", LSTMForecaster(exog=M5_EXOG, **settings)),
    ):
        if name in args.skip:
            continue
        started = time.perf_counter()
        model.fit(train)
        fitted = time.perf_counter()
        out = model.predict(28, X_df=future, levels=LEVELS)
        done = time.perf_counter()
        rows[name] = {
            **score(model.name, train, test, out),
            "fit_seconds": round(fitted - started, 1),
            "predict_seconds": round(done - fitted, 1),
            "failures": len(model.failures_),
        }
        if name == "LSTM":
            report = model.training_
            rows[name].update(
                epochs_run=report.epochs_run,
                best_epoch=report.best_epoch,
                train_windows=report.n_train,
                val_loss=[round(v, 4) for v in report.val_loss],
            )
        log(f"{name}: {rows[name]}")
    return {
        "part": "m5",
        "settings": settings,
        "threads": args.threads,
        "rows": rows,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
        "uptime": uptime(),
        "machine": machine_info(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=("scale", "m5"), nargs="?", default="scale")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="LSTMForecaster setting, e.g. --set hidden_size=64",
    )
    parser.add_argument("--skip", action="append", default=[], help="model to leave out")
    parser.add_argument("--tag", default="", help="suffix of the results file")
    parser.add_argument(
        "--omp-passive",
        action="store_true",
        help="OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of "
        "spinning (much faster when other processes share the cores)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder of the JSON result")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds: the scale part on 6 series x 120 days, a tiny "
        "network, 2 epochs, one thread",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.part, args.series, args.days, args.threads = "scale", 6, 120, 1
        args.set = [
            *args.set,
            "hidden_size=8",
            "max_epochs=2",
            "windows_per_epoch=200",
            "batch_size=64",
        ]
    if args.omp_passive:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"  # read when torch loads, below
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    result = run_scale(args) if args.part == "scale" else run_m5(args)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"lstm_{args.part}{'_' + args.tag if args.tag else ''}.json"
    target.write_text(json.dumps(result, indent=2, default=str))
    log(f"wrote {target}")
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
