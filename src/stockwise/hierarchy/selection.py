"""Choosing the reconciliation method by backtest, and accuracy per level.

The base forecasts' rolling-origin windows (each series' chosen model, refit at every
cutoff on the data up to it) are reconciled window by window with every method, and each
method is scored per series with MASE/RMSSE (:func:`stockwise.evaluation.metrics.evaluate`,
scaled on the data up to the window's cutoff). Nothing from after a cutoff reaches its
window: the covariance of ``wls_var`` and ``mint_shrink`` comes only from earlier windows
whose periods all lie at or before the cutoff, and the historical shares of
``top_down_history`` only from periods up to it. So the first window, with no earlier
residuals, cannot score those two; every method is compared on the same windows.

The choice (:func:`choose`) asks two things of a method, in this order: no worse than
the base forecasts at the bottom level (the forecasts a plan orders from must not lose
accuracy to make the totals add up), then the most accurate total among those (the
figure a budget is read from). Ties at the top, such as the top-down methods that all
keep the total's base forecast, go to the lowest mean over the levels of the level's
mean MASE, each level counting once so the hundreds of bottom series do not drown the
rest. ``bottom_up`` equals the base at the bottom, so some method always qualifies when
it is tried; when none does, the lowest mean over levels wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import OptionError
from stockwise.evaluation.metrics import evaluate
from stockwise.hierarchy.reconcile import (
    NEEDS_HISTORY,
    NEEDS_RESIDUALS,
    non_negative,
    reconcile,
)
from stockwise.hierarchy.structure import LEVEL, Structure
from stockwise.schema import CUTOFF, FORECAST, MODEL

BASE = "base"
"""The unreconciled base forecasts, scored beside the methods."""
MIN_RESIDUAL_ROWS = 3


@dataclass(frozen=True)
class Inputs:
    """What a reconciliation needs besides the base forecasts, from one point in time."""

    residuals: np.ndarray | None
    history: np.ndarray | None


@dataclass
class MethodBacktest:
    """Each method's reconciled backtest, its accuracy per level, and the choice."""

    forecasts: pd.DataFrame
    """``unique_id, level, ds, cutoff, y, base`` and one column per method scored."""
    accuracy: pd.DataFrame
    """``level, model, n_series, mase, rmsse, wape`` (mean over the level's series)."""
    chosen: str
    scores: pd.Series
    """Per method: the mean over levels of the level's mean MASE (lower is better)."""
    skipped: dict[str, str]
    """Methods not scored and why."""
    criteria: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per model (``base`` and each method): ``top_mase``, ``bottom_mase``,
    ``mean_level_mase``, ``bottom_not_worse``, ``chosen`` (:func:`choose`)."""


def base_matrix(
    rows: pd.DataFrame, structure: Structure, value: str = FORECAST
) -> tuple[np.ndarray, np.ndarray] | None:
    """Series × periods values of ``rows`` (one window), in the order of
    ``structure.ids``; None when a series lacks a period the others have."""
    wide = rows.pivot(index=S.UNIQUE_ID, columns=S.DS, values=value)
    wide = wide.reindex(index=structure.ids)
    if wide.isna().any().any():
        return None
    return wide.to_numpy(dtype=float), wide.columns.to_numpy()


def residual_matrix(backtest: pd.DataFrame, structure: Structure) -> pd.DataFrame:
    """One row per (cutoff, ds) of the backtest, one column per series: forecast − y."""
    errors = backtest.assign(_e=backtest[FORECAST] - backtest[S.Y])
    wide = errors.set_index([CUTOFF, S.DS, S.UNIQUE_ID])["_e"].unstack(S.UNIQUE_ID)
    return wide.reindex(columns=structure.ids).sort_index()


def bottom_history(history: pd.DataFrame, structure: Structure) -> pd.DataFrame:
    """Periods × bottom series of ``history`` (``unique_id, ds, y``)."""
    bottom = history[history[S.UNIQUE_ID].isin(set(structure.bottom_ids))]
    wide = bottom.pivot(index=S.DS, columns=S.UNIQUE_ID, values=S.Y)
    return wide.reindex(columns=structure.bottom_ids).sort_index()


def inputs_at(
    cutoff: pd.Timestamp, residuals: pd.DataFrame, history: pd.DataFrame, window: int
) -> Inputs:
    """Residuals of earlier windows whose periods all lie at or before ``cutoff``, and
    the last ``window`` periods of bottom history up to it."""
    cutoffs = residuals.index.get_level_values(CUTOFF)
    dates = residuals.index.get_level_values(S.DS)
    done = pd.Series(dates, index=cutoffs).groupby(level=0).max()
    earlier = done.index[(done.index < cutoff) & (done.to_numpy() <= cutoff)]
    usable = residuals[cutoffs.isin(earlier)].to_numpy(dtype=float)
    past = history[history.index <= cutoff].tail(window).to_numpy(dtype=float)
    return Inputs(usable if len(usable) else None, past if len(past) else None)


def can_run(method: str, inputs: Inputs) -> bool:
    if method in NEEDS_RESIDUALS:
        rows = inputs.residuals
        return rows is not None and int(np.isfinite(rows).all(axis=1).sum()) >= (MIN_RESIDUAL_ROWS)
    if method in NEEDS_HISTORY:
        return inputs.history is not None
    return True


def reconciled(base: np.ndarray, structure: Structure, method: str, inputs: Inputs) -> np.ndarray:
    """:func:`reconcile`, then :func:`non_negative`: what the user gets."""
    values = reconcile(base, structure, method, residuals=inputs.residuals, history=inputs.history)
    return non_negative(values, structure)


def backtest_methods(
    backtest: pd.DataFrame,
    history: pd.DataFrame,
    structure: Structure,
    methods: Sequence[str],
    season_length: int,
    window: int,
) -> MethodBacktest:
    """Reconcile every window of ``backtest`` (``unique_id, ds, cutoff, y, forecast`` for
    every series of every level) with each of ``methods``; score and choose.

    ``history``: every level's series (``unique_id, ds, y``), for the MASE scales and the
    historical shares (``window`` periods).
    """
    residuals = residual_matrix(backtest, structure)
    past = bottom_history(history, structure)
    windows: list[tuple[pd.Timestamp, np.ndarray, np.ndarray, Inputs]] = []
    for cutoff, rows in backtest.groupby(CUTOFF, sort=True):
        matrix = base_matrix(rows, structure)
        if matrix is not None:
            windows.append((cutoff, *matrix, inputs_at(cutoff, residuals, past, window)))
    if not windows:
        raise OptionError(
            "no backtest window has a forecast for every series of every "
            "level, so no reconciliation method can be scored",
            hint="Check that every series covers the backtest windows "
            "(shorter windows: fewer --windows or a shorter horizon).",
        )
    skipped = {
        m: "needs residuals from an earlier window (use 3 windows or more)"
        for m in methods
        if not any(can_run(m, w[3]) for w in windows)
    }
    tried = [m for m in methods if m not in skipped]
    scored = [w for w in windows if all(can_run(m, w[3]) for m in tried)]
    parts = []
    for cutoff, base, dates, inputs in scored:
        values: dict[str, np.ndarray] = {BASE: base}
        values.update({m: reconciled(base, structure, m, inputs) for m in tried})
        part = pd.DataFrame(
            {
                S.UNIQUE_ID: np.repeat(structure.ids, len(dates)),
                LEVEL: np.repeat(structure.levels, len(dates)),
                S.DS: np.tile(dates, len(structure.ids)),
                CUTOFF: cutoff,
            }
        )
        for name, values_of in values.items():
            part[name] = values_of.ravel()
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    actual = backtest[[S.UNIQUE_ID, S.DS, CUTOFF, S.Y]]
    table = table.merge(actual, on=[S.UNIQUE_ID, S.DS, CUTOFF], how="left")
    train = history[[S.UNIQUE_ID, S.DS, S.Y]]
    accuracy = accuracy_by_level(table, train, structure, [BASE, *tried], season_length)
    criteria = choose(accuracy, structure)
    chosen = str(criteria.index[criteria["chosen"]][0])
    scores = criteria["mean_level_mase"]
    return MethodBacktest(table, accuracy, chosen, scores, skipped, criteria)


TIE = 1e-9
"""Relative gap under which two backtest MASEs are the same (the same forecasts scored
in a different order of additions)."""


def choose(accuracy: pd.DataFrame, structure: Structure) -> pd.DataFrame:
    """Per model of ``accuracy`` (``level, model, mase``; ``base`` among them): the
    top and bottom level's MASE, the mean over levels, whether the bottom is no worse
    than the base's, and the chosen method: among those no worse at the bottom, the
    lowest top-level MASE, ties to the lowest mean over levels; when no method is
    no worse at the bottom, the lowest mean over levels."""
    by_level = accuracy.pivot(index=MODEL, columns=LEVEL, values="mase")
    models = list(dict.fromkeys(accuracy[MODEL]))
    top, bottom = structure.level_names[0], structure.level_names[-1]
    table = pd.DataFrame(
        {
            "top_mase": by_level[top],
            "bottom_mase": by_level[bottom],
            "mean_level_mase": by_level.mean(axis=1),
        }
    ).reindex(models)
    base_bottom = float(table.loc[BASE, "bottom_mase"])
    table["bottom_not_worse"] = table["bottom_mase"] <= base_bottom * (1 + TIE)
    methods = table.drop(BASE)
    qualified = methods[methods["bottom_not_worse"]]
    if qualified.empty:
        best = methods["mean_level_mase"].sort_values(kind="stable").index[0]
    else:
        top_scores = qualified["top_mase"].fillna(np.inf)
        tied = qualified[top_scores <= top_scores.min() * (1 + TIE)]
        best = tied["mean_level_mase"].sort_values(kind="stable").index[0]
    table["chosen"] = table.index == best
    return table.rename_axis(MODEL)


def accuracy_by_level(
    cv: pd.DataFrame,
    train: pd.DataFrame,
    structure: Structure,
    models: Sequence[str],
    season_length: int,
) -> pd.DataFrame:
    """Mean MASE, RMSSE and WAPE per level and model over the series of ``cv``."""
    metrics = evaluate(
        cv, train, list(models), season_length=season_length, metrics=("mase", "rmsse", "wape")
    )
    level_of = dict(zip(structure.ids, structure.levels, strict=True))
    metrics[LEVEL] = metrics[S.UNIQUE_ID].map(level_of)
    grouped = metrics.groupby([LEVEL, MODEL], sort=False)
    table = grouped.agg(
        n_series=(S.UNIQUE_ID, "nunique"),
        mase=("mase", "mean"),
        rmsse=("rmsse", "mean"),
        wape=("wape", "mean"),
    ).reset_index()
    order = {name: i for i, name in enumerate(structure.level_names)}
    rank = {m: i for i, m in enumerate(models)}
    return table.sort_values(
        [LEVEL, MODEL], key=lambda c: c.map(order if c.name == LEVEL else rank), kind="stable"
    ).reset_index(drop=True)
