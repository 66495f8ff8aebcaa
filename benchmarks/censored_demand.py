"""Bias of mean demand estimated from censored sales, raw vs ``uncensor_demand``.

Usage::

    .venv/bin/python -m benchmarks.censored_demand --products 1000 --days 730

The simulator stocks out on about 3 % of product-days, too few to stress the correction,
so this script imposes extra stockouts on top of ``generate(...)``: per series, runs of
1-7 consecutive days (uniform) separated by clean gaps of geometric length (mean chosen
so that about ``--share`` of the days fall in a run). On the first day of a run the shelf
still holds a random small stock (uniform integer from 0 to the series' mean daily
demand), so sales = min(sales, that stock); later days of the run sell nothing. Every
imposed day gets ``on_hand = 0``, then :func:`stockwise.data.flag_stockouts` flags it as
the pipeline would. The truth's ``demand`` column is the true unconstrained demand.

For each sector and overall it reports the stockout share and the bias of the estimated
mean demand, ``(mean estimate - mean true demand) / mean true demand``, over all days and
over stockout days only, for raw sales taken as demand and for ``uncensor_demand``. The
JSON block adds diagnostics: the same biases measured against the truth's
``expected_demand`` (the rate demand was drawn from, free of the draw's noise), how far
realised demand on stockout days was from that rate, and the corrected bias on the
simulator's own (organic) stockout days vs the imposed ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.prepare import flag_stockouts
from stockwise.inventory.censoring import uncensor_demand
from stockwise.synthetic import DEMAND, EXPECTED_DEMAND, generate


def impose_stockouts(
    sales: pd.DataFrame, truth: pd.DataFrame, share: float, max_run: int, seed: int
) -> pd.DataFrame:
    """Sales with extra stockout runs; adds ``imposed`` (bool) and zeroes ``on_hand`` there."""
    rng = np.random.default_rng(seed)
    frame = sales.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
    demand = frame[[S.UNIQUE_ID, S.DS]].merge(
        truth[[S.UNIQUE_ID, S.DS, DEMAND]], on=[S.UNIQUE_ID, S.DS], how="left"
    )[DEMAND]
    codes, uniques = pd.factorize(frame[S.UNIQUE_ID], sort=False)
    pos = frame.groupby(codes, sort=False).cumcount().to_numpy()
    n_series, n_days = len(uniques), int(pos.max()) + 1

    mean_run = (1 + max_run) / 2
    mean_gap = mean_run * (1 - share) / share
    cycles = int(np.ceil(n_days / (mean_gap + mean_run) * 3)) + 10
    gaps = rng.geometric(1 / mean_gap, size=(n_series, cycles))
    runs = rng.integers(1, max_run + 1, size=(n_series, cycles))
    offset = np.cumsum(gaps + runs, axis=1) - runs  # run start = end of each gap
    end = offset + runs
    if (offset[:, -1] < n_days).any():
        raise RuntimeError("not enough stockout cycles drawn to cover the calendar")
    marks = np.zeros((n_series, n_days + 1), dtype=np.int64)
    rows = np.repeat(np.arange(n_series), cycles)
    np.add.at(marks, (rows, np.minimum(offset, n_days).ravel()), 1)
    np.add.at(marks, (rows, np.minimum(end, n_days).ravel()), -1)
    in_run = np.cumsum(marks, axis=1)[:, :n_days] > 0
    first_day = np.zeros((n_series, n_days), dtype=bool)
    starts = offset[offset < n_days]
    first_day[np.repeat(np.arange(n_series), (offset < n_days).sum(axis=1)), starts] = True

    imposed = in_run[codes, pos]
    opening = first_day[codes, pos]
    mean_demand = demand.groupby(codes, sort=False).mean().to_numpy()
    left = np.floor(rng.random(len(frame)) * (np.round(mean_demand[codes]) + 1))
    y = frame[S.Y].to_numpy(dtype=float)
    frame[S.Y] = np.where(imposed, np.where(opening, np.minimum(y, left), 0.0), y)
    frame[S.ON_HAND] = np.where(imposed, 0.0, frame[S.ON_HAND].to_numpy(dtype=float))
    frame["imposed"] = imposed
    return frame


def bias(estimate: pd.Series, truth: pd.Series) -> float:
    return float((estimate.sum() - truth.sum()) / truth.sum())


def report(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per sector and one for all: stockout share and biases (fractions)."""
    rows = []
    groups = [*frame.groupby(S.SECTOR, sort=True), ("all", frame)]
    for name, part in groups:
        out = part[part[S.STOCKOUT]]
        rows.append(
            {
                "sector": name,
                "series": part[S.UNIQUE_ID].nunique(),
                "rows": len(part),
                "stockout_share": float(part[S.STOCKOUT].mean()),
                "raw_bias_all": bias(part["y_observed"], part[DEMAND]),
                "corrected_bias_all": bias(part[S.Y], part[DEMAND]),
                "raw_bias_stockout": bias(out["y_observed"], out[DEMAND]),
                "corrected_bias_stockout": bias(out[S.Y], out[DEMAND]),
                "corrected_vs_rate_all": bias(part[S.Y], part[EXPECTED_DEMAND]),
                "corrected_vs_rate_stockout": bias(out[S.Y], out[EXPECTED_DEMAND]),
                "demand_vs_rate_stockout": bias(out[DEMAND], out[EXPECTED_DEMAND]),
                "corrected_bias_organic": bias(
                    out.loc[~out["imposed"], S.Y], out.loc[~out["imposed"], DEMAND]
                ),
                "corrected_bias_imposed": bias(
                    out.loc[out["imposed"], S.Y], out.loc[out["imposed"], DEMAND]
                ),
            }
        )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    head = (
        "| sector | series | rows | stockout share | raw sales: bias all days | "
        "corrected: bias all days | raw sales: bias stockout days | "
        "corrected: bias stockout days |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        lines.append(
            f"| {r.sector} | {r.series:,} | {r.rows:,} | {r.stockout_share:.1%} | "
            f"{r.raw_bias_all:+.1%} | {r.corrected_bias_all:+.2%} | "
            f"{r.raw_bias_stockout:+.1%} | {r.corrected_bias_stockout:+.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--share", type=float, default=0.25, help="share of days to put in imposed stockout runs"
    )
    parser.add_argument("--max-run", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the correction")
    parser.add_argument("--sectors", nargs="+", default=["retail", "pharmacy", "luxury"])
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the run's facts and diagnostics here"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a few seconds: 9 products, 120 days, one timed run"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.products, args.days, args.repeat = 9, 120, 1

    data = generate(
        sectors=tuple(args.sectors), n_products=args.products, n_days=args.days, seed=args.seed
    )
    sales = flag_stockouts(
        impose_stockouts(data.sales, data.truth, args.share, args.max_run, args.seed)
    )
    timings = []
    for _ in range(max(args.repeat, 1)):
        started = time.perf_counter()
        corrected = uncensor_demand(sales)
        timings.append(time.perf_counter() - started)
    truth = data.truth[[S.UNIQUE_ID, S.DS, DEMAND, EXPECTED_DEMAND]]
    frame = corrected.merge(truth, on=[S.UNIQUE_ID, S.DS], how="left", validate="one_to_one")
    table = report(frame)
    notes = corrected.loc[corrected["correction_note"] != "", "correction_note"]
    print(markdown(table))
    print()
    facts = {
        "date": dt.date.today().isoformat(),
        "products": args.products,
        "days": args.days,
        "seed": args.seed,
        "imposed_share": round(float(sales["imposed"].mean()), 4),
        "uncensor_demand_s": [round(t, 3) for t in timings],
        "rows": len(sales),
        "corrected_rows": int(corrected["demand_corrected"].sum()),
        "notes": {k: int(v) for k, v in notes.value_counts().items()},
        "diagnostics": table[
            [
                "sector",
                "corrected_vs_rate_all",
                "corrected_vs_rate_stockout",
                "demand_vs_rate_stockout",
                "corrected_bias_organic",
                "corrected_bias_imposed",
            ]
        ]
        .round(4)
        .to_dict(orient="records"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    print(json.dumps(facts, indent=2))
    if args.json:
        args.json.write_text(
            json.dumps(
                {**facts, "table": table.round(4).to_dict(orient="records")}, indent=2, default=str
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
