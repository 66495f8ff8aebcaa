"""Reconciliation: turn base forecasts of every level into coherent ones.

Every method here finds bottom forecasts ``b`` and returns ``S @ b``, so the levels add
up by construction, whatever the base forecasts were:

- ``bottom_up``: ``b`` = the bottom base forecasts; the upper ones are ignored.
- ``top_down_history``: the total's base forecast split by each bottom series' share of
  the total over the last periods of history (proportions of the historical sums).
- ``top_down_forecast``: the total split down the tree level by level, each node by its
  base forecast's share among its siblings' (Athanasopoulos, Ahmed and Hyndman, 2009);
  shares vary by horizon.
- ``ols``, ``wls_struct``, ``wls_var``, ``mint_shrink``: the MinT family (Wickramasuriya,
  Athanasopoulos and Hyndman, 2019), ``b = (S' W⁻¹ S)⁻¹ S' W⁻¹ ŷ`` with ``W`` the
  identity, the number of bottom series under each series, the residual variances, or
  the residual covariance shrunk towards its diagonal (:func:`shrunk_covariance`). The
  generalised least squares projection uses every level's forecast, weighting the more
  reliable ones (lower error variance) more.

The projection can make a bottom forecast negative (a series near zero whose parent was
forecast lower than its siblings' sum). Demand is never negative, so
:func:`non_negative` sets those bottom values to 0 and adds the bottom up again: the
result stays coherent exactly, and the upper levels move up only by what was cut.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from stockwise.errors import OptionError
from stockwise.hierarchy.structure import Structure

METHODS = (
    "bottom_up",
    "top_down_history",
    "top_down_forecast",
    "ols",
    "wls_struct",
    "wls_var",
    "mint_shrink",
)
NEEDS_RESIDUALS = frozenset({"wls_var", "mint_shrink"})
NEEDS_HISTORY = frozenset({"top_down_history"})
MAX_DENSE = 6000
"""Most series the projection methods handle: they solve with an n × n covariance (an
n of 6,000 is a 288 MB matrix); larger hierarchies use bottom-up or a structural method
per branch."""


def reconcile(
    base: np.ndarray,
    structure: Structure,
    method: str,
    *,
    residuals: np.ndarray | None = None,
    history: np.ndarray | None = None,
) -> np.ndarray:
    """Coherent forecasts (rows: ``structure.ids``, columns: horizons) from ``base``.

    ``residuals`` (periods × series, NaN where missing) feed ``wls_var`` and
    ``mint_shrink``; ``history`` (periods × bottom series, the latest last, NaN where
    absent) feeds ``top_down_history``.
    """
    base = np.asarray(base, dtype=float)
    if base.ndim != 2 or base.shape[0] != len(structure.ids):
        raise OptionError(
            f"base forecasts must be {len(structure.ids)} rows (one per series "
            f"of the hierarchy), not {base.shape}"
        )
    if not np.isfinite(base).all():
        raise OptionError(
            "base forecasts have missing values; every series of every level "
            "needs a forecast for every period"
        )
    if method not in METHODS:
        raise OptionError(
            f"reconciliation method must be one of {', '.join(METHODS)}, not {method!r}"
        )
    summing = structure.summing
    if method == "bottom_up":
        bottom = base[structure.bottom_rows]
    elif method == "top_down_history":
        if history is None:
            raise OptionError("top_down_history needs the bottom series' history")
        bottom = historical_shares(history)[:, None] * _total(base, structure)
    elif method == "top_down_forecast":
        bottom = forecast_shares(base, structure) * _total(base, structure)
    else:
        bottom = project(base, structure, weights(structure, method, residuals))
    return np.asarray(summing @ bottom)


def _total(base: np.ndarray, structure: Structure) -> np.ndarray:
    total = structure.rows_of(structure.level_names[0])
    return base[total[0]][None, :]


def historical_shares(history: np.ndarray) -> np.ndarray:
    """Each bottom series' share of the sum of all over the history given (equal shares
    when nothing sold)."""
    sums = np.nansum(np.clip(history, 0, None), axis=0)
    total = sums.sum()
    return sums / total if total > 0 else np.full(len(sums), 1 / len(sums))


def forecast_shares(base: np.ndarray, structure: Structure) -> np.ndarray:
    """Bottom × horizon shares of the total, split down ``structure.chain``:
    at each step a node's share of its parent is its base forecast over its siblings'
    (negative forecasts count as 0; siblings forecast all 0 share equally)."""
    positive = np.clip(base, 0, None)
    shares = np.ones((structure.n_bottom, base.shape[1]))
    for parent_level, child_level in itertools.pairwise(structure.chain):
        parent = structure.node_of_bottom[parent_level]
        child = structure.node_of_bottom[child_level]
        children, first = np.unique(child, return_index=True)
        child_parent = parent[first]
        sums = np.zeros((len(structure.ids), base.shape[1]))
        np.add.at(sums, child_parent, positive[children])
        counts = np.bincount(child_parent, minlength=len(structure.ids))
        denominator = sums[parent]
        equal = 1.0 / counts[parent][:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(denominator > 0, positive[child] / denominator, equal)
        shares *= ratio
    return shares


def weights(structure: Structure, method: str, residuals: np.ndarray | None) -> np.ndarray:
    """The ``W`` of a projection method (n × n, or a vector for a diagonal one)."""
    n = len(structure.ids)
    if method == "ols":
        return np.ones(n)
    if method == "wls_struct":
        return np.asarray(structure.summing.sum(axis=1)).ravel()
    if residuals is None or residuals.shape[1] != n:
        raise OptionError(f"{method} needs residuals of every series ({n} columns)")
    if method == "wls_var":
        return _positive(np.nanmean(residuals**2, axis=0))
    return shrunk_covariance(residuals)


def _positive(variances: np.ndarray) -> np.ndarray:
    """Variances with zeros (a series forecast exactly) raised to a small share of the
    typical one, so the projection never divides by 0."""
    floor = (
        max(float(np.nanmedian(variances)) * 1e-6, 1e-12) if np.isfinite(variances).any() else 1.0
    )
    return np.where(np.isfinite(variances) & (variances > floor), variances, floor)


def shrunk_covariance(residuals: np.ndarray) -> np.ndarray:
    """The residuals' second moments with their correlations shrunk towards 0 (Schäfer
    and Strimmer, 2005): the sample covariance of n series from T ≪ n periods is
    singular, and the shrinkage intensity is estimated from the data so that the noisier
    the correlations, the closer ``W`` comes to its diagonal.

    Moments are taken about 0, not the mean: a model's bias is part of the error the
    reconciliation should weigh, as it is of the accuracy it is judged by. Periods with a
    missing residual for any series are left out (a covariance needs the same periods
    for every pair).
    """
    return _shrinkage(residuals)[0]


def shrinkage_intensity(residuals: np.ndarray) -> float:
    """λ of :func:`shrunk_covariance` (0: the sample correlations kept; 1: all dropped)."""
    return _shrinkage(residuals)[1]


def _shrinkage(residuals: np.ndarray) -> tuple[np.ndarray, float]:
    rows = residuals[np.isfinite(residuals).all(axis=1)]
    t, n = rows.shape
    if t < 3:
        raise OptionError(
            f"mint_shrink needs at least 3 periods with a residual for every series, not {t}",
            hint="Use more backtest windows, or bottom_up / wls_struct.",
        )
    sd = np.sqrt(_positive((rows**2).mean(axis=0)))
    scaled = rows / sd
    products = scaled.T @ scaled
    correlation = products / t
    # the variance of each correlation, a mean of T products, from their spread
    squares = (scaled**2).T @ (scaled**2)
    var_r = (squares - products**2 / t) / (t * (t - 1))
    off = ~np.eye(n, dtype=bool)
    denominator = float((correlation[off] ** 2).sum())
    lam = 1.0 if denominator <= 0 else float(np.clip(var_r[off].sum() / denominator, 0, 1))
    shrunk = correlation * (1 - lam)
    np.fill_diagonal(shrunk, 1.0)
    return shrunk * np.outer(sd, sd), lam


def project(base: np.ndarray, structure: Structure, w: np.ndarray) -> np.ndarray:
    """Bottom forecasts ``(S' W⁻¹ S)⁻¹ S' W⁻¹ ŷ`` (``w``: a diagonal as a vector, or the
    full n × n matrix)."""
    n = len(structure.ids)
    if n > MAX_DENSE and np.ndim(w) == 2:
        raise OptionError(
            f"a hierarchy of {n} series is too large for mint_shrink (at most {MAX_DENSE})",
            hint="Use bottom_up or wls_struct, or reconcile each branch.",
        )
    summing = structure.summing
    if np.ndim(w) == 1:
        inverse_s = summing.multiply(1.0 / np.asarray(w)[:, None]).tocsr()
        gram = np.asarray((summing.T @ inverse_s).todense())
        right = np.asarray(inverse_s.T @ base)
    else:
        dense = structure.dense()
        inverse_s = np.linalg.solve(w, dense)
        gram = dense.T @ inverse_s
        right = inverse_s.T @ base
    try:
        return np.linalg.solve(gram, right)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(gram, right, rcond=None)[0]


def non_negative(reconciled: np.ndarray, structure: Structure) -> np.ndarray:
    """Bottom forecasts below 0 set to 0, and every level added up again from the bottom
    (coherent exactly; the upper levels rise by what was cut)."""
    bottom = np.clip(reconciled[structure.bottom_rows], 0, None)
    return np.asarray(structure.summing @ bottom)


def incoherence(values: np.ndarray, structure: Structure) -> float:
    """Largest gap between a series and the sum of its bottom series (0 when coherent)."""
    return float(
        np.max(np.abs(values - structure.summing @ values[structure.bottom_rows]), initial=0.0)
    )


def methods(names: Sequence[str] | None = None) -> tuple[str, ...]:
    """The methods to try ("all" or None: every one), checked."""
    if names is None or list(names) == ["all"]:
        return METHODS
    unknown = sorted(set(names) - set(METHODS))
    if unknown:
        raise OptionError(
            f"unknown reconciliation method(s) {unknown}; known: {', '.join(METHODS)}"
        )
    return tuple(names)
