"""Simulated launches: new series forecast from their peers vs from their own few periods.

Usage::

    .venv/bin/python benchmarks/cold_start.py                 # both datasets, k = 7, 14, 28
    .venv/bin/python benchmarks/cold_start.py --smoke         # a few series, k = 14

For each launch, the new series' first ``k`` days are known and the next ``--horizon``
(56: eight weeks) are forecast twice:

* **own history**: ``stockwise.forecast(first k days, h, models="auto", cold_start=False)``,
  the path a young series took before cold start (all the launches of one run in one call);
* **peers**: :func:`stockwise.models.cold_start.peer_forecast` on a panel holding the
  newcomer's k days and every other series up to the newcomer's last known day — no peer
  data after it (what ``stockwise.forecast`` does for a young series with "auto").

Launches:

* **rossmann** (stores, daily) has no launches: every store sells from the first day. A
  launch is simulated by hiding a sampled store's history before a launch date (a Monday;
  stores with the 2014 gap are left out) and the store's later history too. Its peers are
  the other stores, mature: their curve is their sales on the newcomer's dates, then the
  mean of their last four weeks per weekday (the module's rule when peers' launches are
  not in the data). So this measures "a new store scaled to its first weeks against its
  store_type × assortment peers", not a launch ramp-up, which the data cannot show.
  Closed days (``open == 0``) are left out of the metrics.
* **m5_hobbies2_ca3** (items, daily) has real launches: 86 items first sell months or
  years after the data begins. Each item first sold after ``M5_FIRST_LAUNCH`` is a
  launch at its first sale; its peers are the other items (one dept, so the whole panel),
  and those whose own first sale is in the data give their launch curves by age. An item
  whose first sale came a week after the data began by chance is taken as a launch too
  (the module cannot tell), so some "launch curves" are slow movers' curves after a sale.

Metric: MASE per launch over the forecast days, scaled by the series' seasonal-naive
(lag 7) mean absolute error over its whole history in the data from its first sale
(hidden from both forecasts; it only weights the series, the same for both), then the
mean over launches; also the share of launches where peers did better, the pooled MAE
ratio (peers / own) and the coverage of the 80 % and 95 % bands. A yardstick that is no
stockwise path is scored too: the flat mean of the known days (open days for Rossmann),
which says how much of the gain is only in not extrapolating the first days.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import stockwise
from benchmarks.common import DEFAULT_DATA, load_dataset, log, machine_info, machine_line
from stockwise.models.cold_start import ColdStart, peer_forecast

LEVELS = (80, 95)
SEASON = 7
ROSSMANN_LAUNCHES = ("2013-09-02", "2014-03-03", "2015-03-02")
"""Simulated launch dates (Mondays), away from the 2014 gap of 180 stores."""
ROSSMANN_PEERS = ("store_type", "assortment")
M5_FIRST_LAUNCH = "2012-01-01"
"""m5 items first sold from this date on are the launches (earlier ones have few peers
launched before them)."""
M5_PEERS = ("dept_id",)
Launches = tuple[int, pd.DataFrame, pd.DataFrame, pd.DataFrame]
"""k and the per-launch scores of the own-history, peer and flat-mean forecasts."""


def own_history(young: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The current path on the same short histories: "auto", cold start off."""
    return stockwise.forecast(young, h=horizon, freq="D", levels=LEVELS, cold_start=False)


def flat_mean(young: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """A yardstick, not a stockwise path: each series' mean over its known (open) days,
    flat."""
    ends = young.groupby("unique_id").agg(end=("ds", "max"))
    sold = young[young["open"] == 1] if "open" in young else young
    ends["level"] = sold.groupby("unique_id")["y"].mean().reindex(ends.index).fillna(0.0)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "forecast": row.level,
                    "ds": pd.date_range(row.end + pd.Timedelta(days=1), periods=horizon, freq="D"),
                }
            )
            for uid, row in ends.iterrows()
        ],
        ignore_index=True,
    )


def peers(
    panel: pd.DataFrame, groups: pd.DataFrame, young_ids: Sequence[str], horizon: int
) -> pd.DataFrame:
    """Peer forecasts of ``young_ids`` from ``panel`` (which holds nothing after their
    last day)."""
    ends = panel[panel["unique_id"].isin(young_ids)].groupby("unique_id")["ds"].max()
    future = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": pd.date_range(end + pd.Timedelta(days=1), periods=horizon, freq="D"),
                }
            )
            for uid, end in ends.items()
        ]
    )
    threshold = ColdStart().threshold("D", SEASON)
    result = peer_forecast(
        panel[["unique_id", "ds", "y"]], future, groups, LEVELS, SEASON, threshold
    )
    for uid, why in result.without_peers.items():
        log(f"  {uid}: no peer forecast ({why})")
    return result.forecasts


def scale(full: pd.DataFrame) -> pd.Series:
    """Per series: mean |y_t - y_{t-7}| over its history from its first sale."""
    frame = full.sort_values(["unique_id", "ds"])
    sold = frame.groupby("unique_id")["y"].transform(lambda y: (y > 0).cummax())
    frame = frame[sold.astype(bool)]
    diff = frame.groupby("unique_id")["y"].diff(SEASON).abs()
    return diff.groupby(frame["unique_id"]).mean()


def score(forecasts: pd.DataFrame, truth: pd.DataFrame, scales: pd.Series) -> pd.DataFrame:
    """Per launch: MASE, MAE and band hits over the scored days of ``truth``."""
    rows = truth.merge(forecasts, on=["unique_id", "ds"], how="left")
    if rows["forecast"].isna().any():
        missing = rows.loc[rows["forecast"].isna(), "unique_id"].unique()
        raise RuntimeError(f"no forecast for some scored days of {list(missing)[:5]}")
    err = (rows["forecast"] - rows["y"]).abs()
    out = rows.assign(err=err)
    for level in LEVELS:
        if f"forecast-lo-{level}" not in rows:
            out[f"in{level}"] = np.nan
            continue
        out[f"in{level}"] = (rows["y"] >= rows[f"forecast-lo-{level}"] - 1e-9) & (
            rows["y"] <= rows[f"forecast-hi-{level}"] + 1e-9
        )
    per = out.groupby("unique_id").agg(
        mae=("err", "mean"), n=("err", "size"), **{f"in{lv}": (f"in{lv}", "mean") for lv in LEVELS}
    )
    per["mase"] = per["mae"] / per.index.map(scales)
    return per


def rossmann(data: Path, ks: Sequence[int], horizon: int, n: int, seed: int) -> list[Launches]:
    df, _ = load_dataset(data, "rossmann")
    gap = df[(df["ds"] >= "2014-07-01") & (df["ds"] <= "2014-12-31")].groupby("unique_id").size()
    complete = sorted(
        set(df["unique_id"])
        - set(gap[gap < 150].index)
        - set(df["unique_id"][~df["unique_id"].isin(gap.index)])
    )
    df = df[df["unique_id"].isin(complete)]
    groups = df.drop_duplicates("unique_id").set_index("unique_id")[list(ROSSMANN_PEERS)]
    rng = np.random.default_rng(seed)
    results = []
    for launch in map(pd.Timestamp, ROSSMANN_LAUNCHES):
        sample = sorted(rng.choice(complete, size=min(n, len(complete)), replace=False))
        scales = scale(df[df["unique_id"].isin(sample) & (df["open"] == 1)])
        for k in ks:
            cutoff = launch + pd.Timedelta(days=k - 1)
            end = cutoff + pd.Timedelta(days=horizon)
            mine = df["unique_id"].isin(sample)
            young = df[mine & (df["ds"] >= launch) & (df["ds"] <= cutoff)]
            others = df[~mine & (df["ds"] <= cutoff)]
            truth = df[mine & (df["ds"] > cutoff) & (df["ds"] <= end) & (df["open"] == 1)]
            log(
                f"rossmann launch {launch.date()} k={k}: {len(sample)} stores, "
                f"{others['unique_id'].nunique()} peers"
            )
            panel = pd.concat([others, young], ignore_index=True)
            forecasts = (
                own_history(young[["unique_id", "ds", "y", "store"]], horizon),
                peers(panel, groups, sample, horizon),
                flat_mean(young, horizon),
            )
            tag = f"@{launch.date()}"  # a store launched on several dates: one row each
            results.append(
                (
                    k,
                    *(
                        score(f, truth[["unique_id", "ds", "y"]], scales).rename(
                            index=lambda uid, t=tag: uid + t
                        )
                        for f in forecasts
                    ),
                )
            )
    return results


def m5(data: Path, ks: Sequence[int], horizon: int, n: int) -> list[Launches]:
    df, _ = load_dataset(data, "m5_hobbies2_ca3")
    df = df[df["split"] != "test"] if "split" in df.columns else df
    first = df[df["y"] > 0].groupby("unique_id")["ds"].min()
    last_day = df["ds"].max()
    launched = first[
        (first >= M5_FIRST_LAUNCH) & (first + pd.Timedelta(days=max(ks) + horizon - 1) <= last_day)
    ]
    launched = launched.sort_index().iloc[:n]
    groups = df.drop_duplicates("unique_id").set_index("unique_id")[list(M5_PEERS)]
    scales = scale(df[df["unique_id"].isin(launched.index)])
    results = []
    for k in ks:
        own_rows, peer_rows, truths = [], [], []
        for uid, start in launched.items():
            cutoff = start + pd.Timedelta(days=k - 1)
            mine = df["unique_id"] == uid
            young = df[mine & (df["ds"] >= start) & (df["ds"] <= cutoff)]
            panel = pd.concat([df[~mine & (df["ds"] <= cutoff)], young], ignore_index=True)
            peer_rows.append(peers(panel, groups, [uid], horizon))
            own_rows.append(young[["unique_id", "ds", "y"]])
            truths.append(
                df[mine & (df["ds"] > cutoff) & (df["ds"] <= cutoff + pd.Timedelta(days=horizon))]
            )
        log(f"m5 k={k}: {len(launched)} launched items")
        truth = pd.concat(truths)[["unique_id", "ds", "y"]]
        young = pd.concat(own_rows, ignore_index=True)
        results.append(
            (
                k,
                score(own_history(young, horizon), truth, scales),
                score(pd.concat(peer_rows, ignore_index=True), truth, scales),
                score(flat_mean(young, horizon), truth, scales),
            )
        )
    return results


def table(name: str, results: list[Launches]) -> list[str]:
    """Markdown rows: one per k, launches pooled over launch dates."""
    lines = []
    for k in sorted({k for k, *_ in results}):
        own = pd.concat([o for kk, o, _, _ in results if kk == k])
        peer = pd.concat([p for kk, _, p, _ in results if kk == k])
        flat = pd.concat([f for kk, _, _, f in results if kk == k])
        both = own.join(peer, lsuffix="_own", rsuffix="_peer", how="inner")
        both["mase_flat"] = flat["mase"].reindex(both.index)
        both = both[np.isfinite(both["mase_own"]) & np.isfinite(both["mase_peer"])]
        wins = float((both["mase_peer"] < both["mase_own"]).mean())
        ratio = (both["mae_peer"] * both["n_peer"]).sum() / (both["mae_own"] * both["n_own"]).sum()
        cover = " / ".join(
            f"{both[f'in{lv}_own'].mean():.0%} vs {both[f'in{lv}_peer'].mean():.0%}"
            for lv in LEVELS
        )
        lines.append(
            f"| {name} | {k} | {len(both)} | {both['mase_own'].mean():.3f} | "
            f"{both['mase_peer'].mean():.3f} | {wins:.0%} | {ratio:.3f} | {cover} | "
            f"{both['mase_flat'].mean():.3f} |"
        )
    return lines


HEADER = [
    "| dataset | k (days known) | launches | MASE own history | MASE peers | "
    "peers better | MAE peers / own | coverage 80 / 95 % (own vs peers) | "
    "MASE flat own mean |",
    "|---|---:|---:|---:|---:|---:|---:|---|---:|",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--datasets", default="rossmann,m5_hobbies2_ca3")
    parser.add_argument("--ks", default="7,14,28", help="days known, comma-separated")
    parser.add_argument("--horizon", type=int, default=56)
    parser.add_argument("--stores", type=int, default=60, help="rossmann stores per launch")
    parser.add_argument("--items", type=int, default=200, help="most m5 launches")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="a few series, k=14")
    args = parser.parse_args(argv)
    if args.smoke:
        args.ks, args.stores, args.items = "14", 4, 4
    ks = [int(k) for k in args.ks.split(",")]
    started = time.perf_counter()
    lines = list(HEADER)
    names = args.datasets.split(",")
    if "rossmann" in names:
        launches = rossmann(args.data, ks, args.horizon, args.stores, args.seed)
        lines += table("rossmann", launches[: len(ks)] if args.smoke else launches)
    if "m5_hobbies2_ca3" in names:
        lines += table("m5_hobbies2_ca3", m5(args.data, ks, args.horizon, args.items))
    print("\n".join(lines))
    print(f"\n{machine_line(machine_info())}; {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
