"""Closed-loop inventory replays: realised vs target service, stock and waste vs the baseline.

Usage (results and tables in docs/benchmarks/closed_loop.md)::

    .venv/bin/python -m benchmarks.closed_loop --out /tmp/closed_loop
    .venv/bin/python -m benchmarks.closed_loop --datasets m5,carparts --out /tmp/closed_loop
    .venv/bin/python -m benchmarks.closed_loop --resume --out /tmp/closed_loop  # add configs
    .venv/bin/python -m benchmarks.closed_loop --diagnose --out /tmp/closed_loop
    .venv/bin/python -m benchmarks.closed_loop --tables-only --out /tmp/closed_loop
    .venv/bin/python -m benchmarks.closed_loop --datasets synthetic_luxury --synthetic-days 1095 \
        --train-window 730 --strong weekly:SeasonalNaive --out /tmp/luxury_weekly

The review forecasts of a source are made once per dataset and shared by every policy,
service level and path correlation of the run (they do not depend on the policy); each run
makes them afresh. ``--smoke`` replays 3 generated retail products for a few seconds.

For every dataset, :func:`stockwise.replay.simulation.replay_policies` replays the last
part of the history day by day (see each loader for the subset, lead time and review
period):

- stockwise's RS policy (order-up-to from the forecast quantiles' sample paths) at target
  cycle service levels 90/95/98 %, with the path correlation of :mod:`.paths` at 0, 0.25
  and 0.5 (0 is stockwise's default), for two forecast sources: SeasonalNaive and a stronger one
  (AutoETS on smooth daily data, ``"auto"`` model selection on intermittent data);
- the baseline (seasonal naive mean + normal safety stock from 8 weeks of demand) at 16
  service levels from 50 % to z = 5.2, so its stock can be interpolated at any fill rate.

Equal-fill-rate comparison: for each stockwise run, the baseline's (fill rate, average
stock value) points are interpolated linearly at the stockwise run's realised fill rate
(the mean over products of served ÷ demand); saving = 1 − stockwise stock ÷ baseline
stock there. Above the baseline's range a lower bound is given instead (see
:func:`stockwise.replay.metrics.equal_fill_rate`); no extrapolation.
``--diagnose`` compares, at the first replay day, the point forecasts, the paths' mean
and true demand over the protection interval.

Writes ``<dataset>_summary.csv``, ``<dataset>_equal_fill.csv`` and ``<dataset>_products.csv``
under ``--out`` and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise.replay.loop import product_settings
from stockwise.replay.metrics import equal_fill_rate
from stockwise.replay.review_forecasts import RefitSchedule, ReviewForecasts
from stockwise.replay.simulation import horizon_for, replay_policies

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TARGETS = (0.90, 0.95, 0.98)
CORRELATIONS = (0.0, 0.25, 0.5)
INTERMITTENT_PATHS = "quantiles"
CALIBRATE_SERVICE = True
STRONG_REFIT: int | None = None
"""--strong-refit: refit the strong source every N reviews (None: the dataset's own)."""
SYNTHETIC_DAYS = 730
"""--synthetic-days: days of generated history (luxury: 1095 lets the warm-up reviews'
forecasts see one December peak before the replay's year)."""
SYNTHETIC_SEED = 42
"""--synthetic-seed: the generator's seed (another seed = another set of products)."""
TRAIN_WINDOW: int | None = None
"""--train-window: days each review's model learns from (None: the dataset's own)."""
STRONG_SOURCE: str | None = None
"""--strong: the stronger forecast source (None: the dataset's own)."""
USE_DRIVERS = False
"""--drivers: the strong source sees the dataset's known-ahead columns (promo, price)."""
TARGET = "cycle_service_level"
"""--target: what stockwise's 90/95/98 % aim at, cycle service level or fill rate."""
BASELINE_GRID = (
    0.5,
    0.7,
    0.8,
    0.85,
    0.9,
    0.93,
    0.95,
    0.97,
    0.98,
    0.99,
    0.995,
    0.999,
    0.9999,
    0.99999,
    0.999999,
    0.9999999,
)
"""Baseline service levels: up to z = 5.2, so its fill rate reaches stockwise's."""


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_parquet(DATA / name / f"{name}.parquet")
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


def _last(frame: pd.DataFrame, periods: int) -> pd.Timestamp:
    dates = np.sort(frame["ds"].unique())
    return pd.Timestamp(dates[-periods])


def m5() -> dict:
    """149 HOBBIES_2 items of store CA_3; unit cost = the item's mean shelf price."""
    raw = _read("m5_hobbies2_ca3")
    history = raw[["unique_id", "ds", "y"]]
    cost = raw.groupby("unique_id")["sell_price"].mean().fillna(raw["sell_price"].mean())
    inventory = cost.rename("unit_cost").reset_index()
    return {
        "history": history,
        "start": _last(history, 180),
        "inventory": inventory,
        "strong": ("auto", 2),
        "common": {
            "lead_time_days": 7.0,
            "lead_time_std_days": 1.0,
            "review_period_days": 7,
            "train_window": 365,
        },
        "note": "149 series, all; L = 7 ± 1 d, R = 7 d; train window 365 d",
    }


def rossmann(n_stores: int = 100, seed: int = 0) -> dict:
    """A seeded subset of complete stores (no 2014 gap); closed days are zero demand."""
    raw = _read("rossmann")[["unique_id", "ds", "y"]]
    counts = raw.groupby("unique_id").size()
    complete = sorted(counts[counts == counts.max()].index)
    pick = np.random.default_rng(seed).choice(complete, n_stores, replace=False)
    history = raw[raw["unique_id"].isin(pick)]
    return {
        "history": history,
        "start": _last(history, 180),
        "inventory": None,
        "strong": ("AutoETS", 4),
        "common": {
            "lead_time_days": 3.0,
            "lead_time_std_days": 1.0,
            "review_period_days": 7,
            "train_window": 365,
        },
        "note": f"{n_stores} of {len(complete)} complete stores (seed {seed}); "
        "y = daily turnover (EUR) taken as units, unit cost 1; L = 3 ± 1 d, R = 7 d",
    }


def carparts(n_series: int = 300, seed: int = 0) -> dict:
    """Monthly slow movers simulated at monthly granularity: R = 1 month, L = 1 month."""
    raw = _read("carparts")
    complete = sorted(raw.loc[raw["complete_51m"], "unique_id"].unique())
    pick = np.random.default_rng(seed).choice(complete, n_series, replace=False)
    history = raw.loc[raw["unique_id"].isin(pick), ["unique_id", "ds", "y"]]
    return {
        "history": history,
        "start": _last(history, 24),
        "inventory": None,
        "strong": ("auto", 1),
        "common": {
            "lead_time_days": 1.0,
            "review_period_days": 1,
            "season_length": 12,
            "baseline_window": 24,
        },
        "note": f"{n_series} of {len(complete)} complete series (seed {seed}); monthly "
        "periods: R = 1, L = 1 month, season 12, baseline σ over 24 months; "
        "last 24 months replayed",
    }


def synthetic(
    sector: str,
    n_products: int = 30,
    seed: int | None = None,
    n_days: int | None = None,
    replay_days: int | None = None,
) -> dict:
    """Generated data (true demand from ``truth.demand``) with its own inventory table."""
    from stockwise.sectors import load_profile
    from stockwise.synthetic import generate

    seed = SYNTHETIC_SEED if seed is None else seed
    n_days = SYNTHETIC_DAYS if n_days is None else n_days
    data = generate(sectors=(sector,), n_products=n_products, n_days=n_days, seed=seed)
    history = data.truth[["unique_id", "ds", "demand"]].rename(columns={"demand": "y"})
    # the planned promotions and prices (known ahead), for a source that uses drivers
    history = history.merge(
        data.sales[["unique_id", "ds", "promo", "price"]], on=["unique_id", "ds"], how="left"
    )
    profile = load_profile(sector)
    replay = replay_days or (365 if sector == "luxury" else 180)
    strong = ("auto", 1) if sector == "luxury" else ("AutoETS", 4 if sector == "retail" else 28)
    return {
        "history": history,
        "start": _last(history, replay),
        "inventory": data.inventory,
        "strong": strong,
        "drivers": ("promo", "price"),
        "common": {
            "review_period_days": profile.review_period_days,
            "train_window": 365,
            # luxury's replay starts on 31 December: the starting stock at
            # the December gifting-peak rate would last for years
            **({"initial_cover_window": 365} if sector == "luxury" else {}),
        },
        "note": f"{n_products} {sector} products, seed {seed}, {n_days} days; per-product lead "
        f"time ± spread, unit cost, MOQ, pack, shelf life from the generated "
        f"inventory; R = {profile.review_period_days} d (profile); last {replay} "
        "days replayed"
        + ("; starting stock at the last 365 days' mean rate" if sector == "luxury" else ""),
    }


LOADERS = {
    "m5": m5,
    "rossmann": rossmann,
    "carparts": carparts,
    "synthetic_retail": lambda: synthetic("retail"),
    "synthetic_pharmacy": lambda: synthetic("pharmacy"),
    "synthetic_luxury": lambda: synthetic("luxury"),
    "smoke": lambda: synthetic("retail", n_products=3, n_days=300, replay_days=42),
}


def _load(name: str) -> dict:
    """The dataset's replay spec, with ``--train-window`` applied when given."""
    spec = LOADERS[name]()
    if TRAIN_WINDOW:
        spec["common"] = {**spec["common"], "train_window": TRAIN_WINDOW}
        spec["note"] += f"; models learn from the last {TRAIN_WINDOW} days"
    return spec


def _key(config: dict) -> tuple:
    if config.get("policy") == "baseline":
        return ("baseline", round(float(config["service_level"]), 9))
    return (
        str(config["forecast"]),
        round(float(config["service_level"]), 9),
        round(float(config["correlation"]), 9),
        str(config.get("intermittent_paths") or "quantiles"),
        _flag(config.get("calibrate_service")),
        _target(config),
    )


def _target(config: dict) -> str:
    """The config's target (files written before ``--target`` hold cycle-service runs)."""
    value = config.get("target")
    return value if isinstance(value, str) else "cycle_service_level"


def _flag(value: object) -> bool:
    """A yes/no read back from a CSV (NaN or absent in files written before the option)."""
    return bool(value) and not (isinstance(value, float) and np.isnan(value))


def run(name: str, out: Path, n_paths: int, resume: bool = False) -> dict:
    spec = _load(name)
    strong, refit, _ = _strong(spec)
    configs = [
        {
            "forecast": source,
            "refit_every": r,
            "service_level": level,
            "correlation": rho,
            "intermittent_paths": INTERMITTENT_PATHS,
            "calibrate_service": CALIBRATE_SERVICE,
            "target": TARGET,
        }
        for source, r in (("SeasonalNaive", 1), (strong, refit))
        for level in TARGETS
        for rho in CORRELATIONS
    ]
    configs += [{"policy": "baseline", "service_level": level} for level in BASELINE_GRID]
    files = {part: out / f"{name}_{part}.csv" for part in ("summary", "equal_fill", "products")}
    old_summary = old_products = None
    if resume and files["summary"].exists():  # keep finished configurations, run the rest
        old_summary = pd.read_csv(files["summary"])
        old_products = pd.read_csv(files["products"])
        done = {_key(row) for row in old_summary.to_dict("records")}
        configs = [c for c in configs if _key(c) not in done]
    started = time.perf_counter()
    sources = _sources(name, spec)
    runnable = [
        {**c, "forecast": sources[(c["forecast"], c["refit_every"])]}
        if c.get("policy") != "baseline"
        else c
        for c in configs
    ]
    results = (
        replay_policies(
            spec["history"],
            runnable,
            start=spec["start"],
            baseline_levels=(),
            inventory=spec["inventory"],
            n_paths=n_paths,
            seed=0,
            **spec["common"],
        )
        if configs
        else []
    )
    seconds = time.perf_counter() - started
    summary = pd.DataFrame([r.summary for r in results])
    summary.insert(0, "dataset", name)
    products = pd.concat(
        [r.products.assign(label=r.summary["label"]) for r in results] or [pd.DataFrame()],
        ignore_index=True,
    )
    if old_summary is not None:
        summary = pd.concat([old_summary, summary], ignore_index=True)
        products = pd.concat([old_products, products], ignore_index=True)
    equal = equal_fill_rate(summary)
    equal.insert(0, "dataset", name)
    out.mkdir(parents=True, exist_ok=True)
    summary.to_csv(files["summary"], index=False)
    equal.to_csv(files["equal_fill"], index=False)
    products.to_csv(files["products"], index=False)
    history = spec["history"]
    return {
        "dataset": name,
        "note": spec["note"],
        "series": int(history["unique_id"].nunique()),
        "start": str(spec["start"].date()),
        "end": str(history["ds"].max().date()),
        "configurations_run": len(configs),
        "seconds": round(seconds, 1),
    }


def _strong(spec: dict) -> tuple[str, int, tuple[str, ...]]:
    """The stronger source, its refit interval and drivers, with the command-line choices."""
    source, refit = spec["strong"]
    drivers = tuple(spec.get("drivers", ())) if USE_DRIVERS else ()
    return STRONG_SOURCE or source, STRONG_REFIT or refit, drivers


def _source(name: str):
    """A model name, or ``weekly:<model>``: the model forecasts weekly totals (season 52)
    of the daily history, spread evenly over the days as the plan does for a weekly
    sector (``paths.to_daily``)."""
    if not name.startswith("weekly:"):
        return name
    model = name.split(":", 1)[1]

    def source(train: pd.DataFrame, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
        from stockwise.inventory.paths import to_daily
        from stockwise.workflows.forecast import forecast

        first_day = train["ds"].max() + pd.Timedelta(days=1)
        # weeks end the day before the forecast starts, so the last one is complete
        # (stockwise.data.prepare.aggregate makes Monday weeks, which would leave a
        # partial last week on a review that falls mid-week)
        offset = (first_day - train["ds"]).dt.days
        week = (offset - 1) // 7
        weekly = (
            train.assign(week=week)
            .groupby(["unique_id", "week"])
            .agg(y=("y", "sum"), days=("y", "size"))
            .reset_index()
        )
        weekly = weekly[weekly["days"] == 7]
        weekly["ds"] = first_day - pd.to_timedelta(7 * (weekly["week"] + 1), unit="D")
        weeks = -(-h // 7)
        out = forecast(
            weekly[["unique_id", "ds", "y"]], weeks, season_length=52, models=model, levels=levels
        )
        daily = to_daily(out, "W")
        return daily[(daily["ds"] >= first_day) & (daily["ds"] < first_day + pd.Timedelta(days=h))]

    source.__name__ = f"weekly-{model}"
    return source


def _sources(name: str, spec: dict) -> dict[tuple[str, int], ReviewForecasts]:
    """The review forecasts of both sources, shared by every configuration of the run
    (forecasts depend on the data and the source only, not on the policy)."""
    common = spec["common"]
    review = common.get("review_period_days", 7)
    ids = sorted(spec["history"]["unique_id"].astype(str).unique())
    settings = product_settings(
        ids,
        spec["inventory"],
        **{
            k: common.get(k, v)
            for k, v in {
                "lead_time_days": 7.0,
                "lead_time_std_days": 0.0,
                "unit_cost": 1.0,
                "moq": 0,
                "pack_size": 1,
                "shelf_life_days": None,
                "service_level": 0.95,
            }.items()
        },
    )
    sources = {}
    strong, strong_refit, drivers = _strong(spec)
    for source, refit, known in (("SeasonalNaive", 1, ()), (strong, strong_refit, drivers)):
        forecasts = ReviewForecasts(
            spec["history"],
            _source(source),
            horizon=horizon_for(settings, review),
            season_length=common.get("season_length", 7),
            schedule=RefitSchedule(refit, review, common.get("train_window")),
            exog=known,
        )
        sources[(source, refit)] = forecasts
    return sources


def diagnose(name: str) -> list[dict]:
    """One-origin check of the paths behind the decision, independent of the replay.

    At the first replay day, for each forecast source and correlation: the total over the
    protection interval (mean lead time + R, rounded up) of the point forecasts, of the
    sample paths' mean and of the true demand, and how often the true total falls at or
    below the paths' 90/95/98 % quantiles (what a calibrated S would cover).
    """
    from stockwise.inventory.paths import sample_paths
    from stockwise.replay.review_forecasts import LEVELS

    spec = _load(name)
    history, start, common = spec["history"], spec["start"], spec["common"]
    review = common.get("review_period_days", 7)
    lead = common.get("lead_time_days", 7.0)
    if spec["inventory"] is not None and "lead_time_days" in spec["inventory"]:
        leads = spec["inventory"].set_index("unique_id")["lead_time_days"]
    else:
        leads = pd.Series(dtype=float)
    dates = np.sort(history["ds"].unique())
    rows = []
    for source, _ in (("SeasonalNaive", 1), spec["strong"]):
        forecasts = ReviewForecasts(
            history,
            source,
            horizon=int(max(leads.max() if len(leads) else lead, lead)) + 2 * review,
            levels=LEVELS,
            season_length=common.get("season_length", 7),
            schedule=RefitSchedule(
                review_period_days=review, train_window=common.get("train_window")
            ),
        )
        by_id = forecasts.at(start, start)
        for rho in CORRELATIONS:
            point = paths_mean = actual = 0.0
            hits = {q: [] for q in TARGETS}
            for uid, part in by_id.items():
                days = int(np.ceil(leads.get(uid, lead))) + review
                part = part.iloc[:days]
                after = history[(history["unique_id"] == uid) & (history["ds"] >= start)]
                truth = after.set_index("ds")["y"].reindex(dates[dates >= start][:days]).fillna(0)
                if len(truth) < days:
                    continue
                paths = sample_paths(part, 2000, rho, np.random.default_rng(0)).sum(axis=1)
                point += float(part["forecast"].sum())
                paths_mean += float(paths.mean())
                actual += float(truth.sum())
                for q in TARGETS:
                    hits[q].append(truth.sum() <= np.quantile(paths, q))
            rows.append(
                {
                    "dataset": name,
                    "source": forecasts.name,
                    "correlation": rho,
                    "sum_point": point,
                    "sum_path_mean": paths_mean,
                    "sum_actual": actual,
                    **{f"covered_{q:g}": float(np.mean(hits[q])) for q in TARGETS},
                }
            )
    return rows


def _pct(value: float, digits: int = 1) -> str:
    return "n/a" if pd.isna(value) else f"{100 * value:.{digits}f}"


def _saving(value: float, bound: float) -> str:
    if not pd.isna(value):
        return f"{100 * value:+.0f} %"
    return f"≥ {100 * bound:+.0f} %" if bound > 0 else "n/a"


def tables(out: Path, names: list[str]) -> str:
    """Markdown: calibration, stock vs the baseline at equal fill rate, baseline, paths."""
    summary = pd.concat([pd.read_csv(out / f"{n}_summary.csv") for n in names])
    equal = pd.concat([pd.read_csv(out / f"{n}_equal_fill.csv") for n in names])
    ours = summary[summary["policy"] != "baseline"].merge(
        equal[
            ["dataset", "label", "reference_avg_stock_value", "stock_saving", "stock_saving_bound"]
        ],
        on=["dataset", "label"],
        how="left",
    )
    targets = [_target(row) for row in ours.to_dict("records")]
    ours["variant"] = [
        "/".join(
            filter(
                None,
                [
                    str(p) if isinstance(p, str) and p != "quantiles" else "",
                    "" if _flag(c) else "uncalibrated",
                    "fill-rate target" if t == "fill_rate" else "",
                ],
            )
        )
        or "-"
        for p, c, t in zip(
            ours.get("intermittent_paths", pd.Series("", index=ours.index)),
            ours.get("calibrate_service", pd.Series(False, index=ours.index)),
            targets,
            strict=True,
        )
    ]
    ours["aimed"] = [
        row["fill_rate"] if t == "fill_rate" else row["cycle_service_level"]
        for row, t in zip(ours.to_dict("records"), targets, strict=True)
    ]
    head = " / ".join(f"{t:.0%}" for t in TARGETS)
    lines = [
        f"| dataset | source | ρ | paths / service | realised CSL (fill rate for a "
        f"fill-rate target) at {head} (Δ points) "
        f"| CSL, cycles with demand | fill rate | avg stock value | stock saving vs "
        "baseline at equal fill rate |",
        "|" + "---|" * 9,
    ]
    for (dataset, source, rho, variant), rows in ours.groupby(
        ["dataset", "forecast", "correlation", "variant"], sort=False
    ):
        rows = rows.set_index("service_level").loc[list(TARGETS)]
        savings = " / ".join(
            _saving(v, b)
            for v, b in zip(rows["stock_saving"], rows["stock_saving_bound"], strict=True)
        )
        csl = " / ".join(f"{_pct(c)} ({100 * (c - t):+.1f})" for t, c in rows["aimed"].items())
        lines.append(
            f"| {dataset} | {source} | {rho:g} | {variant} | {csl} "
            f"| {' / '.join(_pct(v) for v in rows['demand_cycle_service_level'])} "
            f"| {' / '.join(_pct(v) for v in rows['fill_rate'])} "
            f"| {' / '.join(f'{v:,.0f}' for v in rows['avg_stock_value'])} "
            f"| {savings} |"
        )
    base = summary[summary["policy"] == "baseline"]
    lines += [
        "",
        "| dataset | target | realised CSL (Δ points) | CSL, cycles with demand "
        "| fill rate | avg stock value |",
        "|" + "---|" * 6,
    ]
    for row in base.itertuples(index=False):
        if round(row.service_level, 6) not in (0.5, 0.9, 0.95, 0.98, 0.9999, 0.9999999):
            continue
        lines.append(
            f"| {row.dataset} | {100 * row.service_level:g} % | {_pct(row.cycle_service_level)} "
            f"({100 * (row.cycle_service_level - row.service_level):+.1f}) "
            f"| {_pct(row.demand_cycle_service_level)} | {_pct(row.fill_rate)} "
            f"| {row.avg_stock_value:,.0f} |"
        )
    diagnosis = out / "diagnose.csv"
    if diagnosis.exists():
        frame = pd.read_csv(diagnosis)
        frame = frame[frame["dataset"].isin(names)]
        lines += [
            "",
            "| dataset | source | ρ | Σ point forecast | Σ path mean | Σ true demand "
            f"| true total ≤ path quantile at {head} |",
            "|" + "---|" * 7,
        ]
        for row in frame.to_dict("records"):
            covered = " / ".join(_pct(row[f"covered_{t:g}"], 0) for t in TARGETS)
            lines.append(
                f"| {row['dataset']} | {row['source']} | {row['correlation']:g} "
                f"| {row['sum_point']:,.0f} | {row['sum_path_mean']:,.0f} "
                f"| {row['sum_actual']:,.0f} | {covered} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    global TARGETS, BASELINE_GRID, CORRELATIONS, INTERMITTENT_PATHS, CALIBRATE_SERVICE, STRONG_REFIT
    global STRONG_SOURCE, USE_DRIVERS, TARGET, SYNTHETIC_DAYS, SYNTHETIC_SEED, TRAIN_WINDOW
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(n for n in LOADERS if n != "smoke"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/closed_loop"))
    parser.add_argument("--paths", type=int, default=500)
    parser.add_argument("--tables-only", action="store_true")
    parser.add_argument(
        "--diagnose", action="store_true", help="only the one-origin check of the demand paths"
    )
    parser.add_argument(
        "--correlations",
        default=",".join(f"{c:g}" for c in CORRELATIONS),
        help="path correlations to try, e.g. 0 or 0,0.25",
    )
    parser.add_argument(
        "--intermittent-paths",
        choices=("quantiles", "bootstrap"),
        default="quantiles",
        help="paths of intermittent products",
    )
    parser.add_argument(
        "--strong", default="", help="the stronger forecast source (default: each dataset's own)"
    )
    parser.add_argument(
        "--drivers",
        action="store_true",
        help="let the strong source use the known-ahead columns the dataset "
        "has (synthetic retail: promo, price)",
    )
    parser.add_argument(
        "--strong-refit",
        type=int,
        default=None,
        help="refit the strong forecast source every N reviews",
    )
    parser.add_argument(
        "--uncalibrated",
        action="store_true",
        help="order at the target quantile itself, without the service "
        "calibration of stockwise.inventory.service_calibration",
    )
    parser.add_argument(
        "--target",
        choices=("cycle_service_level", "fill_rate"),
        default=TARGET,
        help="what stockwise's 90/95/98 %% targets are",
    )
    parser.add_argument(
        "--synthetic-days",
        type=int,
        default=SYNTHETIC_DAYS,
        help="days of history generated for the synthetic sectors",
    )
    parser.add_argument(
        "--synthetic-seed",
        type=int,
        default=SYNTHETIC_SEED,
        help="seed of the generated sectors' products and demand",
    )
    parser.add_argument(
        "--train-window",
        type=int,
        default=None,
        help="days each review's model learns from (default: the dataset's)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the configurations already in --out; run only the others",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds: 3 generated retail products, 6 weeks replayed, "
        "one target, 3 baseline levels, 50 paths",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.datasets, args.paths, args.correlations, args.strong = "smoke", 50, "0", "Naive"
        TARGETS, BASELINE_GRID = (0.9,), (0.5, 0.9, 0.99)
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    CORRELATIONS = tuple(float(c) for c in args.correlations.split(",") if c.strip())
    INTERMITTENT_PATHS = args.intermittent_paths
    CALIBRATE_SERVICE = not args.uncalibrated
    STRONG_REFIT = args.strong_refit
    STRONG_SOURCE = args.strong or None
    USE_DRIVERS = args.drivers
    TARGET = args.target
    SYNTHETIC_DAYS, SYNTHETIC_SEED = args.synthetic_days, args.synthetic_seed
    TRAIN_WINDOW = args.train_window
    args.out.mkdir(parents=True, exist_ok=True)
    if args.diagnose:
        frame = pd.DataFrame([row for name in names for row in diagnose(name)])
        frame.to_csv(args.out / "diagnose.csv", index=False)
        print(frame.round(3).to_markdown(index=False))
        return
    if not args.tables_only:
        for name in names:
            info = run(name, args.out, args.paths, args.resume)
            print(json.dumps(info), flush=True)
            with (args.out / "runs.jsonl").open("a") as handle:
                handle.write(json.dumps(info) + "\n")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"\n{dt.date.today()} commit {commit} python {platform.python_version()} "
        f"cpus {os.cpu_count()}\n"
    )
    print(tables(args.out, names))


if __name__ == "__main__":
    main()
