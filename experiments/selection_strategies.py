"""Compare model-selection strategies for "auto" on held-out data.

Usage::

    python -m experiments.selection_strategies DATASET MAX_SERIES MODEL[,MODEL...]

DATASET is a folder of ../shared/data. The last h periods are held out; the models are
backtested on the rest (2 windows of h) and every strategy is scored by mean MASE on the
held-out part: each single model, the per-series backtest winner, the per-segment
(demand class) winner, the global winner, per-series scores shrunk toward the segment
mean with prior strength k windows, and a "switch only if 10/20 % better" margin rule.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise.evaluation.metrics import mase
from stockwise.features.demand_class import classify_demand
from stockwise.workflows.forecast import run_forecast

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load(name: str, max_series: int) -> tuple[pd.DataFrame, pd.DataFrame, int, int, str]:
    meta = json.loads((DATA / name / "metadata.json").read_text())
    h, season, freq = meta["recommended_h"], meta["season_length"], meta["frequency"]
    df = pd.read_parquet(DATA / name / f"{name}.parquet")[["unique_id", "ds", "y"]]
    df["ds"] = pd.to_datetime(df["ds"])
    ids = np.random.default_rng(0).permutation(sorted(df["unique_id"].unique()))[:max_series]
    df = df[df["unique_id"].isin(ids)]
    df = df[df.groupby("unique_id")["ds"].transform("size") > 3 * h + season]
    position = df.sort_values("ds").groupby("unique_id").cumcount(ascending=False)
    return df[position >= h], df[position < h], h, season, freq


def main(name: str, max_series: int, models: list[str]) -> dict[str, float]:
    train, test, h, season, freq = load(name, max_series)
    start = time.perf_counter()
    run = run_forecast(
        train, h, freq, season_length=season, models=models, n_windows=2, ensemble_k=3
    )
    print(f"selection run {time.perf_counter() - start:.0f}s", file=sys.stderr)
    point = {
        m: run_forecast(train, h, freq, season_length=season, models=m).forecasts.set_index(
            ["unique_id", "ds"]
        )["forecast"]
        for m in models
    }
    actual = test.set_index(["unique_id", "ds"])["y"]
    history = {u: g["y"].to_numpy() for u, g in train.groupby("unique_id")}

    def score(uid: str, forecast: pd.Series) -> float:
        y = actual.loc[uid]
        return mase(
            y.to_numpy(), forecast.loc[uid].reindex(y.index).to_numpy(), history[uid], season
        )

    ids = sorted(history)
    held = pd.DataFrame({m: {u: score(u, point[m]) for u in ids} for m in models})
    held["Ensemble"] = {
        u: score(
            u,
            pd.concat([point[m] for m in run.ensemble_members.get(u, models[:1])], axis=1).median(
                axis=1
            ),
        )
        for u in ids
    }
    backtest = run.metrics.pivot(index="unique_id", columns="model", values="mase")
    classes = classify_demand(train)["demand_class"]

    def mean_of(choice: dict[str, str] | pd.Series) -> float:
        return float(np.mean([held.loc[u, choice[u]] for u in ids if u in choice]))

    results = {f"single:{m}": float(held[m].mean()) for m in models}
    results["per_series"] = mean_of(backtest.idxmin(axis=1))
    segment_best = backtest.groupby(classes).mean().idxmin(axis=1)
    results["per_segment"] = mean_of({u: segment_best[classes[u]] for u in ids})
    results["global"] = float(held[backtest.mean().idxmin()].mean())
    segment_mean = backtest.groupby(classes).transform("mean")
    for k in (1, 2, 4):
        results[f"shrink_k{k}"] = mean_of(
            ((2 * backtest + k * segment_mean) / (2 + k)).idxmin(axis=1)
        )
    for margin in (0.1, 0.2):
        choice = {}
        for uid in backtest.index:
            own, fallback = backtest.loc[uid].idxmin(), segment_best[classes[uid]]
            better = backtest.loc[uid, own] < (1 - margin) * backtest.loc[uid, fallback]
            choice[uid] = own if better else fallback
        results[f"margin{margin}"] = mean_of(choice)
    results["stockwise_auto"] = mean_of(
        dict(zip(run.selection["unique_id"], run.selection["model"], strict=True))
    )
    return results


if __name__ == "__main__":
    dataset, limit, names = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    print(
        dataset,
        json.dumps({k: round(v, 4) for k, v in main(dataset, limit, names).items()}, indent=0),
    )
