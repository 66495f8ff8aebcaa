"""Accuracy of the machine-learning forecasters with sales drivers, against statistical ones.

Usage::

    .venv/bin/python -m benchmarks.ml_accuracy                           # both datasets
    .venv/bin/python -m benchmarks.ml_accuracy --datasets rossmann --models LightGBM,LSTM
    .venv/bin/python -m benchmarks.ml_accuracy --rossmann-series 40      # quick check

Datasets (``../shared/data``):

* ``m5_hobbies2_ca3``: all 149 items; test = the 28 M5 validation days; known-ahead
  inputs ``sell_price``, ``event_name_1/2``, ``event_type_1/2``, ``snap``; MASE/RMSSE scales
  start at each item's first sale (the M5 rule).
* ``rossmann``: the first ``--rossmann-series`` stores (default 150) of a seeded
  permutation of the 935 stores without the 2014 gap (the permutation of
  ``benchmarks/accuracy.py``, so its 80-store subset is a prefix of this one); test = the
  last 48 days; known-ahead inputs ``open``, ``promo``, ``state_holiday``,
  ``school_holiday``; closed days (``open == 0``) are left out of every metric.

Models are given by registry name (``--models``; any registered model works, e.g. "LSTM"
once registered) plus "auto" (``stockwise.forecast(models="auto")`` with the inputs) and
the ablation ``<GBM>-nodrivers``: the better of LightGBM / XGBoost (by test RMSSE, the one
look at the test set, used only to pick which model the ablation repeats) without prices,
promotions, events and holidays (rossmann keeps ``open``, which is not a demand driver but
says whether the store can sell at all; m5 keeps no input).

Single models run inside their stockwise fallback chain: ``fit`` then ``predict(h, X_df,
levels=(80, 95))``; "fit s" and "predict s" time them (predict includes the conformal
refits of the global models). "auto" is timed as one ``run_forecast`` call. Global models
are also saved with ``save_model``, reloaded and asked again: the artifact size and
whether the reload predicts identically are reported.

Metrics per dataset and model: mean over series of RMSSE and MASE (scaled by the in-sample
seasonal-naive errors, season 7, as in ``benchmarks/accuracy.py``), pooled WAPE, pooled
coverage of the 80 % and 95 % intervals. Results: ``benchmarks/results/ml_accuracy_*.csv``
and ``ml_accuracy.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

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
from stockwise.evaluation.metrics import mase, rmsse
from stockwise.features.spec import direct_steps
from stockwise.models.boosting import LightGBM, XGBoost
from stockwise.models.persistence import artifact_size, load_model, save_model
from stockwise.models.registry import make_model, with_fallback
from stockwise.workflows.forecast import run_forecast

SEED = 20261125
LEVELS = (80, 95)
SEASON = 7
DRIVERS = {
    "m5_hobbies2_ca3": [
        "sell_price",
        "event_name_1",
        "event_type_1",
        "event_name_2",
        "event_type_2",
        "snap",
    ],
    "rossmann": ["open", "promo", "state_holiday", "school_holiday"],
}
KEEP_IN_ABLATION = {"m5_hobbies2_ca3": [], "rossmann": ["open"]}
DEFAULT_MODELS = "SeasonalNaive,AutoETS,LightGBM,XGBoost,auto,ablation"


class Data:
    """Train (with inputs), future inputs and test of one dataset."""

    def __init__(self, name: str, data_dir: Path, n_rossmann: int) -> None:
        frame, meta = load_dataset(data_dir, name)
        self.name, self.h = name, int(meta["recommended_h"])
        self.drivers = DRIVERS[name]
        frame["closed"] = False
        if name == "rossmann":
            days = frame.groupby("unique_id")["ds"].agg(["min", "max", "size"])
            gappy = days.index[((days["max"] - days["min"]).dt.days + 1 != days["size"])]
            frame = frame[~frame["unique_id"].isin(gappy)]
            ids = np.array(sorted(frame["unique_id"].unique()))
            keep = ids[np.random.default_rng(SEED).permutation(len(ids))][:n_rossmann]
            frame = frame[frame["unique_id"].isin(keep)].copy()
            frame["closed"] = frame["open"].eq(0)
            frame["state_holiday"] = frame["state_holiday"].astype(str)
            is_test = frame.groupby("unique_id").cumcount(ascending=False).to_numpy() < self.h
        else:
            frame = frame[frame["split"].isin(["train", "validation"])].copy()
            is_test = frame["split"].eq("validation").to_numpy()
        frame = frame.reset_index(drop=True)
        cols = ["unique_id", "ds", "y", *self.drivers]
        self.train = frame.loc[~is_test, cols].reset_index(drop=True)
        self.future = frame.loc[is_test, ["unique_id", "ds", *self.drivers]].reset_index(drop=True)
        test = frame.loc[is_test, ["unique_id", "ds", "y", "closed"]].reset_index(drop=True)
        test["y_scored"] = test["y"].where(~test["closed"])
        self.test = test
        self.scale = in_sample(self.train, name)


def in_sample(train: pd.DataFrame, name: str) -> dict[str, np.ndarray]:
    """Each series' training values that scale its MASE / RMSSE (m5: from the first sale)."""
    scale = {}
    for uid, y in train.groupby("unique_id", sort=False)["y"]:
        values = y.to_numpy(dtype=float)
        if name == "m5_hobbies2_ca3":
            sold = np.flatnonzero(values > 0)
            values = values[sold[0] :] if sold.size else values
        scale[uid] = values
    return scale


def score(data: Data, out: pd.DataFrame, column: str) -> dict[str, float]:
    joined = data.test.merge(out, on=["unique_id", "ds"], how="left")
    if joined[column].isna().any():
        raise RuntimeError(f"{int(joined[column].isna().sum())} test points without forecast")
    rows = []
    for uid, part in joined.groupby("unique_id", sort=True):
        y = part["y_scored"].to_numpy(dtype=float)
        f = part[column].to_numpy(dtype=float)
        keep = ~np.isnan(y)
        row = {
            "mase": mase(y, f, data.scale[uid], SEASON),
            "rmsse": rmsse(y, f, data.scale[uid], SEASON),
            "abs_err": float(np.abs(f - y)[keep].sum()),
            "abs_y": float(np.abs(y[keep]).sum()),
            "n": int(keep.sum()),
        }
        for level in LEVELS:
            if f"{column}-lo-{level}" not in part:  # a points-only run: no coverage
                row[f"in{level}"] = np.nan
                continue
            lo = part[f"{column}-lo-{level}"].to_numpy(dtype=float)
            hi = part[f"{column}-hi-{level}"].to_numpy(dtype=float)
            row[f"in{level}"] = int(((lo <= y) & (y <= hi))[keep].sum())
        rows.append(row)
    table = pd.DataFrame(rows)
    finite = np.isfinite(table["rmsse"])
    return {
        "rmsse": table.loc[finite, "rmsse"].mean(),
        "mase": table.loc[np.isfinite(table["mase"]), "mase"].mean(),
        "wape": table["abs_err"].sum() / table["abs_y"].sum(),
        "cov80": table["in80"].sum(min_count=1) / table["n"].sum(),
        "cov95": table["in95"].sum(min_count=1) / table["n"].sum(),
        "n_series": len(table),
        "n_scored": int(finite.sum()),
    }


def run_single(data: Data, label: str, model) -> dict[str, object]:
    chain = with_fallback(model, SEASON, "D")
    started = time.perf_counter()
    chain.fit(data.train)
    fitted = time.perf_counter()
    out = chain.predict(data.h, X_df=data.future, levels=LEVELS)
    done = time.perf_counter()
    result: dict[str, object] = {
        "model": label,
        **score(data, out, chain.name),
        "fit_s": fitted - started,
        "predict_s": done - fitted,
        "served_by_fallback": sum(v != chain.name for v in chain.used_.values()),
    }
    primary = chain.stages_[0][0] if chain.stages_[0] else None
    if primary is not None and hasattr(primary, "save"):
        with tempfile.TemporaryDirectory() as tmp:
            folder = save_model(primary, Path(tmp) / "model")
            result["artifact_bytes"] = artifact_size(folder)
            again = load_model(folder).predict(data.h, X_df=data.future, levels=LEVELS)
            before = primary.predict(data.h, X_df=data.future, levels=LEVELS)
            result["reload_identical"] = bool(before.equals(again))
    return result


def run_auto(data: Data, metric: str = "mase") -> dict[str, object]:
    """ "auto" choosing each series' model by ``metric`` on its backtest windows
    ("auto-rmsse": by RMSSE, the metric this table ranks on)."""
    started = time.perf_counter()
    run = run_forecast(
        data.train,
        h=data.h,
        freq="D",
        season_length=SEASON,
        models="auto",
        levels=LEVELS,
        exog=data.drivers,
        X_df=data.future,
        metric=metric,
    )
    wall = time.perf_counter() - started
    counts = run.selection["model"].value_counts()
    label = "auto" if metric == "mase" else f"auto-{metric}"
    return {
        "model": label,
        **score(data, run.forecasts, "forecast"),
        "fit_s": wall,
        "predict_s": float("nan"),
        "chosen": "; ".join(f"{k} {v}" for k, v in counts.items()),
    }


def build(name: str, dataset: str, h: int, ablation_of: str | None = None):
    """The model as the workflows build it for horizon ``h`` (a direct GBM learns
    ``direct_steps(h)`` steps, as ``with_fallback(..., h)`` asks for)."""
    steps = direct_steps(h, "D")
    if ablation_of:
        cls = LightGBM if ablation_of == "LightGBM" else XGBoost
        return cls(
            season_length=SEASON,
            exog=KEEP_IN_ABLATION[dataset],
            alias=f"{ablation_of}-nodrivers",
            direct_horizon=steps,
        )
    return make_model(name, season_length=SEASON, freq="D", direct_horizon=steps)


def run_dataset(name: str, args: argparse.Namespace) -> list[dict[str, object]]:
    log(f"{name}: loading")
    data = Data(name, args.data, args.rossmann_series)
    log(
        f"{name}: {data.train['unique_id'].nunique()} series, h={data.h}, "
        f"{len(data.train)} training rows, inputs {data.drivers}"
    )
    rows: list[dict[str, object]] = []
    for label in [m for m in args.models.split(",") if m]:
        log(f"{name}: {label} ...")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if label == "auto":
                    row = run_auto(data)
                elif label == "auto-rmsse":
                    row = run_auto(data, "rmsse")
                elif label == "ablation":
                    gbms = [r for r in rows if r["model"] in ("LightGBM", "XGBoost")]
                    best = str(min(gbms, key=lambda r: r["rmsse"])["model"]) if gbms else "LightGBM"
                    row = run_single(data, f"{best}-nodrivers", build(best, name, data.h, best))
                else:
                    row = run_single(data, label, build(label, name, data.h))
        except Exception as exc:  # report and go on with the next model
            log(f"{name}: {label} FAILED: {type(exc).__name__}: {exc}")
            continue
        row["load"] = os.getloadavg()[0]
        rows.append(row)
        log(
            f"{name}: {label}: RMSSE {row['rmsse']:.3f} MASE {row['mase']:.3f} WAPE "
            f"{row['wape']:.3f} cov80 {row['cov80']:.3f} cov95 {row['cov95']:.3f} fit "
            f"{row['fit_s']:.1f}s predict {row['predict_s']:.1f}s load {row['load']:.1f}"
            + (f" bytes {row['artifact_bytes']}" if "artifact_bytes" in row else "")
            + (f" chosen: {row['chosen']}" if "chosen" in row else "")
        )
        pd.DataFrame(rows).to_csv(args.out / f"ml_accuracy_{name}.csv", index=False)
    return rows


def table(name: str, rows: list[dict[str, object]]) -> list[str]:
    lines = [
        f"### {name}",
        "",
        "| model | RMSSE | MASE | WAPE | cov80 | cov95 | fit s | predict s | artifact "
        "bytes | reload identical | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        size = r.get("artifact_bytes")
        lines.append(
            f"| {r['model']} | {r['rmsse']:.3f} | {r['mase']:.3f} | {r['wape']:.3f} | "
            f"{r['cov80']:.3f} | {r['cov95']:.3f} | {r['fit_s']:.1f} | "
            + ("(in fit)" if str(r["model"]).startswith("auto") else f"{r['predict_s']:.1f}")
            + f" | {f'{int(size):,}' if isinstance(size, int | float) and size == size else ''}"
            f" | {r.get('reload_identical', '') if 'reload_identical' in r else ''} | "
            f"{r['load']:.1f} |"
        )
    for r in rows:
        if str(r["model"]).startswith("auto") and r.get("chosen"):
            lines += ["", f"{r['model']} chose (per series): {r['chosen']}."]
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--datasets", default="m5_hobbies2_ca3,rossmann")
    parser.add_argument(
        "--models",
        default=DEFAULT_MODELS,
        help="registry names, 'auto', 'auto-rmsse' (auto choosing by RMSSE) "
        "and 'ablation' (comma separated)",
    )
    parser.add_argument("--rossmann-series", type=int, default=150)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds on 3 generated daily stores (named rossmann) in a "
        "temporary folder; no shared data needed",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        return _smoke(args)
    args.out.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    command = "python -m benchmarks.ml_accuracy " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    log(f"machine: {machine_line(info)}")
    lines = ["Command: `" + command.strip() + "`", "", f"Machine: {machine_line(info)}.", ""]
    results = {}
    for name in [d for d in args.datasets.split(",") if d]:
        rows = run_dataset(name, args)
        results[name] = rows
        lines += table(name, rows)
    (args.out / "ml_accuracy.md").write_text("\n".join(lines) + "\n")
    (args.out / "ml_accuracy.json").write_text(json.dumps(results, default=str, indent=1))
    print("\n".join(lines))
    return 0


def _smoke(args: argparse.Namespace) -> int:
    """The whole harness (split, fits, save and reload, scores, tables) on 3 generated
    daily stores with rossmann's input columns."""
    frame = smoke_frame(n_series=3, periods=160, freq="D", season=7)
    rng = np.random.default_rng(1)
    frame["open"] = (frame["ds"].dt.dayofweek != 6).astype(int)
    frame["promo"] = rng.integers(0, 2, len(frame))
    frame["y"] = frame["y"] * frame["open"] * (1 + 0.3 * frame["promo"])
    frame["state_holiday"] = "0"
    frame["school_holiday"] = 0
    with tempfile.TemporaryDirectory() as folder:
        data = write_dataset(Path(folder) / "data", "rossmann", frame, h=14, freq="D", season=7)
        out = args.out if args.out != RESULTS else Path(folder) / "out"
        return main(
            [
                "--data",
                str(data),
                "--out",
                str(out),
                "--datasets",
                "rossmann",
                "--models",
                "SeasonalNaive,LightGBM",
            ]
        )


if __name__ == "__main__":
    sys.exit(main())
