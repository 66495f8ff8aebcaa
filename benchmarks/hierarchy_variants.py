"""Other ways to reconcile the kept base forecasts of ``benchmarks.hierarchy``, scored on
its holdout: what was tried to make the total more accurate than its base forecast.

Usage (after ``python -m benchmarks.hierarchy --datasets NAME``, which keeps the base
forecasts in ``benchmarks/results/hierarchy_<NAME>_base.pkl``)::

    PYTHONPATH=src .venv/bin/python -m benchmarks.hierarchy_variants --datasets aus_retail

Each variant reconciles the same final base forecasts (trained up to the holdout) and is
scored on the same 12 held-out months as the harness's table, so a variant's row reads
against the ``base`` row there. The variants are chosen here by hand and scored with
the holdout in view: a variant that fails to beat the base total even so cannot be
made to beat it by a choice on the backtest. Variants:

* ``mint_shrink`` / ``wls_var`` with in-sample one-step residuals (the usual MinT
  setting) over the last 3 or 10 years. The base models ("auto": mostly median
  ensembles with gradient-boosted members) have no in-sample fit, so the residuals are
  those of AutoETS fitted to every series of every level up to the holdout;
* ``mint_shrink`` on the backtest errors with the shrinkage intensity λ fixed rather
  than estimated (0.3, 0.6, 0.9);
* the best method per level with hindsight (a different method for every level, not a
  coherent forecast): the most any of the harness's methods did at each level.

Prints one markdown table per dataset (mean MASE per level, as the harness's). With
``--totals`` (no refit, seconds) it prints instead, for the total: each held-out month's
error of its base forecast and of the bottom-up sum (% of the actual), their
correlation, the best weighted mix of the two with the weight picked with hindsight,
and each backtest window's mean absolute error (%) of the base and every method.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pickle
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from benchmarks.common import DEFAULT_DATA, RESULTS, load_dataset
from benchmarks.hierarchy import SEASON, H, prepare
from stockwise.hierarchy.selection import (
    BASE,
    Inputs,
    accuracy_by_level,
    base_matrix,
    bottom_history,
    reconciled,
    residual_matrix,
)
from stockwise.hierarchy.structure import aggregate
from stockwise.schema import CUTOFF
from stockwise.workflows.hierarchy_forecast import HierarchyBase

YEARS = (3, 10)
LAMBDAS = (0.3, 0.6, 0.9)


def ets_residuals(made: HierarchyBase) -> pd.DataFrame:
    """Periods × series: AutoETS's in-sample one-step fit minus the actual."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    frame = made.history[["unique_id", "ds", "y"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = StatsForecast(models=[AutoETS(season_length=SEASON)], freq="MS", n_jobs=1)
        sf.forecast(df=frame, h=1, fitted=True)
        fitted = sf.forecast_fitted_values()
    fitted["e"] = fitted["AutoETS"] - fitted["y"]
    wide = fitted.pivot(index="ds", columns="unique_id", values="e")
    return wide.reindex(columns=made.structure.ids).sort_index()


def fixed_shrinkage(lam: float) -> Callable[[np.ndarray], tuple[np.ndarray, float]]:
    """The shrunk covariance of :mod:`stockwise.hierarchy.reconcile` with λ given."""
    module = importlib.import_module("stockwise.hierarchy.reconcile")
    estimated = module._shrinkage

    def shrink(residuals: np.ndarray) -> tuple[np.ndarray, float]:
        cov, own = estimated(residuals)
        sd = np.sqrt(np.diag(cov))
        raw = cov / np.outer(sd, sd) / (1 - own) if own < 1 else cov / np.outer(sd, sd)
        np.fill_diagonal(raw, 1.0)
        shrunk = raw * (1 - lam)
        np.fill_diagonal(shrunk, 1.0)
        return shrunk * np.outer(sd, sd), lam

    return shrink


def variants(made: HierarchyBase, window: int) -> dict[str, np.ndarray]:
    """Coherent final forecasts (series × horizon) per variant."""
    final = base_matrix(made.base.forecasts, made.structure)
    assert final is not None
    values = final[0]
    history = bottom_history(made.history, made.structure).tail(window).to_numpy(float)
    out = {}
    residuals = ets_residuals(made)
    for years in YEARS:
        rows = residuals.tail(SEASON * years).to_numpy(float)
        for method in ("mint_shrink", "wls_var"):
            inputs = Inputs(rows, history)
            out[f"{method}, AutoETS in-sample, {years} y"] = reconciled(
                values, made.structure, method, inputs
            )
    backtest = residual_matrix(made.base.backtest, made.structure).to_numpy(float)
    module = importlib.import_module("stockwise.hierarchy.reconcile")
    estimated = module._shrinkage
    try:
        for lam in LAMBDAS:
            module._shrinkage = fixed_shrinkage(lam)
            out[f"mint_shrink, backtest errors, λ = {lam}"] = reconciled(
                values, made.structure, "mint_shrink", Inputs(backtest, history)
            )
    finally:
        module._shrinkage = estimated
    return out


def kept(name: str) -> tuple[HierarchyBase, pd.DataFrame, pd.Timestamp]:
    """The kept base forecasts, every level's held-out actuals, and the cutoff."""
    saved = pickle.loads((RESULTS / f"hierarchy_{name}_base.pkl").read_bytes())
    made: HierarchyBase = saved["base"]
    frame, _ = load_dataset(DEFAULT_DATA, name)
    bottom, _ = prepare(name, frame)
    cutoff = bottom["ds"].max() - pd.DateOffset(months=H)
    actual = aggregate(bottom[["unique_id", "ds", "y"]], made.structure)
    return made, actual[actual["ds"] > cutoff], cutoff


def totals(name: str) -> str:
    """The total's errors on the holdout and in the backtest windows (see the module)."""
    made, actual, _ = kept(name)
    final = base_matrix(made.base.forecasts, made.structure)
    assert final is not None
    row = list(made.structure.ids).index("total")
    base = final[0][row]
    summed = final[0][made.structure.bottom_rows].sum(axis=0)
    y = actual[actual["unique_id"] == "total"].sort_values("ds")["y"].to_numpy(float)
    past = made.history[made.history["unique_id"] == "total"].sort_values("ds")["y"].to_numpy()
    scale = float(np.mean(np.abs(past[SEASON:] - past[:-SEASON])))  # the MASE's
    mixes = [
        (float(np.mean(np.abs(w * base + (1 - w) * summed - y))) / scale, w)
        for w in np.linspace(-1, 3, 401)
    ]
    best, weight = min(mixes)
    lines = [
        "base, % of actual: " + " ".join(f"{v:+.1f}" for v in (base - y) / y * 100),
        "bottom-up, % of actual: " + " ".join(f"{v:+.1f}" for v in (summed - y) / y * 100),
        f"correlation {np.corrcoef(base - y, summed - y)[0, 1]:.2f}; MASE base "
        f"{np.mean(np.abs(base - y)) / scale:.4f}, bottom-up "
        f"{np.mean(np.abs(summed - y)) / scale:.4f}, best mix with hindsight {best:.4f} "
        f"(weight {weight:.2f} on the base)",
    ]
    harness = importlib.import_module("benchmarks.hierarchy")
    config = harness.HierarchyConfig(h=H, freq="M", season_length=SEASON, n_windows=3)
    choice = harness.reconcile_base(made, config).choice.forecasts
    top = choice[choice["unique_id"] == "total"]
    models = [c for c in top.columns if c not in ("unique_id", "level", "ds", "cutoff", "y")]
    for cutoff, rows in top.groupby("cutoff"):
        errors = {m: float(np.mean(np.abs(rows[m] - rows["y"]) / rows["y"])) * 100 for m in models}
        lines.append(
            f"backtest from {cutoff:%Y-%m}: " + ", ".join(f"{m} {v:.2f}" for m, v in errors.items())
        )
    return "\n".join(f"- {line}" for line in lines)


def table(name: str) -> str:
    made, actual, cutoff = kept(name)
    window = max(made.base.season_length, H)
    coherent = variants(made, window)
    final = base_matrix(made.base.forecasts, made.structure)
    assert final is not None
    values, dates = final
    n = len(dates)
    holdout = pd.DataFrame(
        {
            "unique_id": np.repeat(made.structure.ids, n),
            "ds": np.tile(dates, len(made.structure.ids)),
            BASE: values.ravel(),
        }
    )
    for label, matrix in coherent.items():
        holdout[label] = matrix.ravel()
    holdout = holdout.merge(actual[["unique_id", "ds", "y"]], on=["unique_id", "ds"])
    holdout[CUTOFF] = cutoff
    models = [BASE, *coherent]
    scores = accuracy_by_level(holdout, made.history, made.structure, models, SEASON)
    wide = scores.pivot(index="model", columns="level", values="mase")
    wide = wide.reindex(index=models, columns=list(made.structure.level_names))
    lines = [
        "| variant | " + " | ".join(wide.columns) + " |",
        "|---|" + "---|" * len(wide.columns),
    ]
    for label, row in wide.iterrows():
        lines.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    harness = RESULTS / f"hierarchy_{name}.json"
    if harness.exists():
        rows = pd.DataFrame(json.loads(harness.read_text())["result"]["holdout"])
        methods = rows[rows["model"] != BASE]
        best = methods.loc[methods.groupby("level")["mase"].idxmin()].set_index("level")
        cells = [f"{best.loc[lv, 'mase']:.3f} ({best.loc[lv, 'model']})" for lv in wide.columns]
        lines.append(
            "| best harness method per level, with hindsight | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="aus_retail,pbs")
    parser.add_argument("--totals", action="store_true", help="the total's errors only")
    args = parser.parse_args(argv)
    for name in args.datasets.split(","):
        print(f"\n### {name}\n\n{totals(name) if args.totals else table(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
