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

Prints one markdown table per dataset (mean MASE per level, as the harness's).
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


def table(name: str) -> str:
    saved = pickle.loads((RESULTS / f"hierarchy_{name}_base.pkl").read_bytes())
    made: HierarchyBase = saved["base"]
    frame, _ = load_dataset(DEFAULT_DATA, name)
    bottom, _ = prepare(name, frame)
    cutoff = bottom["ds"].max() - pd.DateOffset(months=H)
    actual = aggregate(bottom[["unique_id", "ds", "y"]], made.structure)
    actual = actual[actual["ds"] > cutoff]
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
    args = parser.parse_args(argv)
    for name in args.datasets.split(","):
        print(f"\n### {name}\n\n{table(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
