"""One-dimensional demand distributions for the inventory policies.

A policy needs only a handful of things from the demand over a period or a lead time:

- ``cdf(x)`` = P(D ≤ x) and ``ppf(q)`` = the smallest x with P(D ≤ x) ≥ q;
- ``mean`` and ``std``;
- ``expected_shortage(x)`` = E[(D − x)+], the first-order loss function (units short when
  x is on hand), and ``expected_leftover(x)`` = E[(x − D)+] (units left over). The two are
  tied by ``expected_leftover(x) − expected_shortage(x) = x − mean`` for every x.

All of them are vectorised: ``x`` / ``q`` may be a scalar (a float comes back) or an array
(an array of the same shape comes back).

Implementations:

- :class:`NormalDemand` — the textbook normal. It puts mass below zero when the
  coefficient of variation is large (P(D < 0) = Φ(−mean/std)); it is *not* truncated, so
  its formulas stay the exact textbook ones. Use another distribution when that matters.
- :class:`PoissonDemand` — integer demand, exact sums (slow movers, the (s,S) oracle).
- :class:`EmpiricalDemand` — the empirical distribution of samples (simulated lead-time
  demand, sample paths); every quantity is an exact sample average.
- :class:`QuantileDemand` — from a forecast's quantiles: piecewise-linear cdf between the
  given quantiles, normal tails fitted to the two outermost quantiles on each side,
  clipped at zero (see the class).

Integer-valued distributions (``integer_valued`` is True) also have ``pmf(k)``, which the
(s,S) policy evaluation needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gammaln, ndtr, ndtri, pdtr, pdtrc
from scipy.stats import poisson

from stockwise.inventory.distribution_base import DemandDistribution, _check_q, _out, _phi
from stockwise.inventory.quantile_demand import QuantileDemand


@dataclass(frozen=True)
class NormalDemand(DemandDistribution):
    """Normal demand N(mean, std²); ``std = 0`` is a point mass at ``mean``.

    The losses are the exact normal ones: E[(D − x)+] = σ·(φ(z) − z·(1 − Φ(z))) and
    E[(x − D)+] = σ·(φ(z) + z·Φ(z)) with z = (x − μ)/σ. The distribution is not truncated
    at zero: with a large std/mean it gives negative demand some probability, which
    inflates ``expected_leftover`` at small x and lowers low quantiles (possibly below 0).
    """

    mean: float
    std: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.mean) and np.isfinite(self.std)) or self.std < 0:
            raise ValueError(
                f"NormalDemand needs a finite mean and std ≥ 0, got "
                f"mean={self.mean}, std={self.std}"
            )

    def _z(self, x: Any) -> np.ndarray:
        return (np.asarray(x, dtype=float) - self.mean) / self.std

    def cdf(self, x: Any) -> Any:
        if self.std == 0:
            return _out(np.asarray(x, dtype=float) >= self.mean)
        return _out(ndtr(self._z(x)))

    def ppf(self, q: Any) -> Any:
        q = _check_q(q)
        if self.std == 0:
            return _out(np.full_like(q, self.mean))
        return _out(self.mean + self.std * ndtri(q))

    def expected_shortage(self, x: Any) -> Any:
        if self.std == 0:
            return _out(np.maximum(self.mean - np.asarray(x, dtype=float), 0.0))
        z = self._z(x)
        return _out(np.maximum(self.std * (_phi(z) - z * ndtr(-z)), 0.0))

    def expected_leftover(self, x: Any) -> Any:
        if self.std == 0:
            return _out(np.maximum(np.asarray(x, dtype=float) - self.mean, 0.0))
        z = self._z(x)
        return _out(np.maximum(self.std * (_phi(z) + z * ndtr(z)), 0.0))


@dataclass(frozen=True)
class PoissonDemand(DemandDistribution):
    """Poisson demand with rate ``mean`` (≥ 0) — integer-valued.

    Exact closed forms: with n = ⌊x⌋, E[(D − x)+] = λ·P(D ≥ n) − x·P(D > n) (from
    E[D·1{D > n}] = λ·P(D ≥ n)), and E[(x − D)+] = x·P(D ≤ n) − λ·P(D ≤ n − 1); both hold
    for every real x (negative x included).
    """

    mean: float
    integer_valued = True

    def __post_init__(self) -> None:
        if not np.isfinite(self.mean) or self.mean < 0:
            raise ValueError(f"PoissonDemand needs a finite mean ≥ 0, got {self.mean}")

    @property
    def std(self) -> float:
        return float(np.sqrt(self.mean))

    def _cdf_int(self, n: np.ndarray) -> np.ndarray:
        """P(D ≤ n) for integer-valued float n (0 for n < 0)."""
        n = np.asarray(n, dtype=float)
        if self.mean == 0:
            return np.where(n >= 0, 1.0, 0.0)
        return np.where(n >= 0, pdtr(np.maximum(n, 0.0), self.mean), 0.0)

    def _sf_int(self, n: np.ndarray) -> np.ndarray:
        """P(D > n) for integer-valued float n (1 for n < 0), accurate in the tail."""
        n = np.asarray(n, dtype=float)
        if self.mean == 0:
            return np.where(n >= 0, 0.0, 1.0)
        return np.where(n >= 0, pdtrc(np.maximum(n, 0.0), self.mean), 1.0)

    def cdf(self, x: Any) -> Any:
        return _out(self._cdf_int(np.floor(np.asarray(x, dtype=float))))

    def pmf(self, k: Any) -> Any:
        k = np.asarray(k, dtype=float)
        is_int = (k >= 0) & (k == np.floor(k))
        kk = np.where(is_int, k, 0.0)
        if self.mean == 0:
            return _out(np.where(is_int & (kk == 0), 1.0, 0.0))
        logp = kk * np.log(self.mean) - self.mean - gammaln(kk + 1)
        return _out(np.where(is_int, np.exp(logp), 0.0))

    def ppf(self, q: Any) -> Any:
        q = _check_q(q)
        if self.mean == 0:
            return _out(np.zeros_like(q))
        k = np.asarray(poisson.ppf(q, self.mean), dtype=float)
        k = np.where(np.isfinite(k), np.maximum(k, 0.0), k)
        finite = np.isfinite(k)
        kf = np.where(finite, k, 0.0)
        # Guard against rounding in scipy's inversion: smallest k ≥ 0 with F(k) ≥ q.
        for _ in range(3):
            up = finite & (self._cdf_int(kf) < q)
            kf = np.where(up, kf + 1, kf)
            down = finite & (kf > 0) & (self._cdf_int(kf - 1) >= q)
            kf = np.where(down, kf - 1, kf)
        return _out(np.where(finite, kf, k))

    def expected_shortage(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        n = np.floor(x)
        value = self.mean * self._sf_int(n - 1) - x * self._sf_int(n)
        return _out(np.maximum(value, 0.0))

    def expected_leftover(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        n = np.floor(x)
        value = x * self._cdf_int(n) - self.mean * self._cdf_int(n - 1)
        return _out(np.maximum(value, 0.0))


class EmpiricalDemand(DemandDistribution):
    """The empirical distribution of demand samples (each sample has weight 1/n).

    Use it for simulated lead-time demand or totals of sample paths. ``cdf(x)`` is the
    share of samples ≤ x, ``ppf(q)`` the smallest sample whose cdf is ≥ q, and the losses
    are exact sample averages of (D − x)+ and (x − D)+ (computed from sorted samples and
    cumulative sums, so they are vectorised and O(log n) per point). ``std`` is the
    population standard deviation (ddof = 0) — the std of this distribution. Samples
    must be finite and non-negative; the distribution is integer-valued when every sample
    is an integer.
    """

    std: float

    def __init__(self, samples: Any) -> None:
        values = np.sort(np.asarray(samples, dtype=float).ravel())
        if values.size == 0:
            raise ValueError("EmpiricalDemand needs at least one sample")
        if not np.all(np.isfinite(values)) or values[0] < 0:
            raise ValueError("EmpiricalDemand samples must be finite and non-negative")
        values.setflags(write=False)
        self.samples = values
        self._n = values.size
        self._cum = np.concatenate([[0.0], np.cumsum(values)])
        self._levels = np.arange(1, self._n + 1) / self._n
        self.mean = float(self._cum[-1] / self._n)
        self.std = float(np.std(values))
        self.integer_valued = bool(np.all(values == np.floor(values)))

    def __repr__(self) -> str:
        return f"EmpiricalDemand(n={self._n}, mean={self.mean:.6g}, std={self.std:.6g})"

    def cdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return _out(np.searchsorted(self.samples, x, side="right") / self._n)

    def ppf(self, q: Any) -> Any:
        q = _check_q(q)
        index = np.clip(np.searchsorted(self._levels, q, side="left"), 0, self._n - 1)
        return _out(self.samples[index])

    def pmf(self, k: Any) -> Any:
        if not self.integer_valued:
            raise TypeError("EmpiricalDemand has a pmf only when every sample is an integer")
        k = np.asarray(k, dtype=float)
        count = np.searchsorted(self.samples, k, side="right") - np.searchsorted(
            self.samples, k, side="left"
        )
        return _out(count / self._n)

    def expected_shortage(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        below = np.searchsorted(self.samples, x, side="right")  # samples ≤ x
        above_sum = self._cum[-1] - self._cum[below]
        value = (above_sum - x * (self._n - below)) / self._n
        return _out(np.maximum(value, 0.0))

    def expected_leftover(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        below = np.searchsorted(self.samples, x, side="right")
        value = (x * below - self._cum[below]) / self._n
        return _out(np.maximum(value, 0.0))


def normal_from_quantiles(levels: Any, values: Any) -> NormalDemand:
    """The normal whose quantiles best fit (least squares) the given ones.

    Regresses the values on z = Φ⁻¹(level): σ is the slope and μ the intercept, so the
    quantiles of a normal give that normal back exactly. Needs at least two distinct
    levels in (0, 1); a negative fitted slope (crossing quantiles) is an error.
    """
    lv = np.asarray(levels, dtype=float).ravel()
    vv = np.asarray(values, dtype=float).ravel()
    if lv.size != vv.size or np.unique(lv).size < 2:
        raise ValueError("normal_from_quantiles needs at least two distinct levels")
    if not np.all((lv > 0) & (lv < 1)) or not np.all(np.isfinite(vv)):
        raise ValueError("levels must lie inside (0, 1) and values be finite")
    z = ndtri(lv)
    zc = z - z.mean()
    sigma = float(np.dot(zc, vv - vv.mean()) / np.dot(zc, zc))
    if sigma < 0:
        raise ValueError("quantile values decrease with the level: cannot fit a normal")
    return NormalDemand(float(vv.mean() - sigma * z.mean()), sigma)


__all__ = [
    "DemandDistribution",
    "EmpiricalDemand",
    "NormalDemand",
    "PoissonDemand",
    "QuantileDemand",
    "normal_from_quantiles",
]
