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

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln, ndtr, ndtri, pdtr, pdtrc
from scipy.stats import poisson

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _out(value: np.ndarray) -> Any:
    """A float for 0-d results, the array otherwise."""
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


def _check_q(q: Any) -> np.ndarray:
    q = np.asarray(q, dtype=float)
    if np.any(~((q >= 0) & (q <= 1))):
        raise ValueError("probabilities must lie in [0, 1]")
    return q


def _phi(z: npt.ArrayLike) -> np.ndarray:
    """Standard normal density (0 at ±inf)."""
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        out = _INV_SQRT_2PI * np.exp(-0.5 * z * z)
    return np.where(np.isfinite(z), out, 0.0)


def _z_phi(z: npt.ArrayLike) -> np.ndarray:
    """z·φ(z), with the limit 0 at ±inf."""
    z = np.asarray(z, dtype=float)
    with np.errstate(invalid="ignore"):
        out = z * _phi(z)
    return np.where(np.isfinite(z), out, 0.0)


class DemandDistribution(ABC):
    """A non-negative (or, for :class:`NormalDemand`, nearly so) demand distribution.

    Subclasses set ``mean`` and ``std`` (attributes or properties) and implement
    ``cdf``, ``ppf`` and ``expected_shortage``; ``expected_leftover`` defaults to the
    identity ``x − mean + expected_shortage(x)`` but every class here computes it
    directly, so the identity is a real check in the tests.
    """

    mean: float
    integer_valued: bool = False

    if TYPE_CHECKING:
        # Read-only to callers, so a subclass may make it a field, an attribute or a
        # property (PoissonDemand derives it from the mean).
        @property
        def std(self) -> float: ...

    @abstractmethod
    def cdf(self, x: Any) -> Any:
        """P(D ≤ x)."""

    @abstractmethod
    def ppf(self, q: Any) -> Any:
        """The smallest x with P(D ≤ x) ≥ q (q in [0, 1])."""

    @abstractmethod
    def expected_shortage(self, x: Any) -> Any:
        """E[(D − x)+]: expected units short when x units are available."""

    def expected_leftover(self, x: Any) -> Any:
        """E[(x − D)+]: expected units left over when x units are available."""
        x = np.asarray(x, dtype=float)
        return _out(x - self.mean + np.asarray(self.expected_shortage(x)))

    def pmf(self, k: Any) -> Any:
        """P(D = k) for integer k; only for integer-valued distributions."""
        if not self.integer_valued:
            raise TypeError(f"{type(self).__name__} is not integer-valued: it has no pmf")
        k = np.asarray(k, dtype=float)
        return _out(np.asarray(self.cdf(k)) - np.asarray(self.cdf(k - 1)))


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


class QuantileDemand(DemandDistribution):
    """A distribution through a forecast's quantiles: ``ppf(levels[i]) == values[i]``.

    - Between consecutive given quantiles the cdf is linear (demand uniform on that
      interval, with the probability between the two levels); equal consecutive values
      make an atom there (so do values closer than 1e-12 × the largest value).
    - Tails: below the lowest and above the highest given quantile, a normal tail fitted
      exactly through the two outermost quantiles on that side (σ = Δvalue / Δz,
      z = Φ⁻¹(level)), so the cdf is continuous at the outer knots and a set of normal
      quantiles gives back the normal's tails exactly. Equal outer values give a zero
      σ: the tail's whole probability sits at the outer value.
    - The lower tail is clipped at zero: the normal tail's mass below 0 becomes an atom
      at 0 (demand is never negative).

    The losses and moments are exact integrals of this piecewise distribution (uniform
    pieces, atoms and truncated-normal pieces, each in closed form), not a numerical
    quadrature.

    ``levels`` must be strictly increasing in (0, 1), at least two of them, and ``values``
    finite, non-negative and non-decreasing (crossing quantiles from a forecaster should
    be sorted — the monotone rearrangement — before building this).
    """

    std: float

    def __init__(self, levels: Any, values: Any) -> None:
        lv = np.asarray(levels, dtype=float).ravel()
        vv = np.asarray(values, dtype=float).ravel()
        if lv.size != vv.size or lv.size < 2:
            raise ValueError("QuantileDemand needs at least two (level, value) pairs")
        if not np.all((lv > 0) & (lv < 1)) or np.any(np.diff(lv) <= 0):
            raise ValueError("quantile levels must be strictly increasing inside (0, 1)")
        if not np.all(np.isfinite(vv)) or np.any(vv < 0) or np.any(np.diff(vv) < 0):
            raise ValueError(
                "quantile values must be finite, non-negative and "
                "non-decreasing (sort crossing quantiles first)"
            )
        lv.setflags(write=False)
        vv.setflags(write=False)
        self.levels = lv
        self.values = vv
        z = ndtri(lv)
        # Gaps below this are float noise: treated as equal values (an atom), which keeps
        # the closed forms clear of overflow from dividing by a vanishing width.
        tol = 1e-12 * max(1.0, float(vv[-1]))
        gaps = np.diff(vv) > tol
        self._lo = self._tail(vv[0], vv[1], z[0], z[1], z[0]) if gaps[0] else (vv[0], 0.0)
        self._hi = self._tail(vv[-2], vv[-1], z[-2], z[-1], z[-1]) if gaps[-1] else (vv[-1], 0.0)

        atoms: list[tuple[float, float]] = []  # (value, mass)
        normals: list[tuple[float, float, float, float]] = []  # (mu, sigma, z_from, z_to)
        mu, sigma = self._lo
        if sigma == 0:
            atoms.append((vv[0], lv[0]))
        else:
            z_zero = -mu / sigma  # where the tail crosses 0; ≤ z[0] because values ≥ 0
            atoms.append((0.0, float(ndtr(z_zero))))
            normals.append((mu, sigma, z_zero, z[0]))
        mu, sigma = self._hi
        if sigma == 0:
            atoms.append((vv[-1], 1.0 - lv[-1]))
        else:
            normals.append((mu, sigma, z[-1], np.inf))
        self._collapsed = ~gaps
        masses = np.diff(lv)
        atoms.extend(
            (float(v), float(m)) for v, m in zip(vv[1:][~gaps], masses[~gaps], strict=True)
        )
        self._atoms = np.array(atoms, dtype=float).reshape(-1, 2)
        self._normals = normals
        self._seg_a = vv[:-1][gaps]
        self._seg_b = vv[1:][gaps]
        self._seg_w = masses[gaps]

        self.mean = float(self.expected_shortage(0.0))
        second = float(np.sum(self._atoms[:, 1] * self._atoms[:, 0] ** 2))
        a, b = self._seg_a, self._seg_b
        second += float(np.sum(self._seg_w * (a * a + a * b + b * b) / 3.0))
        for mu, sigma, za, zb in normals:
            p = ndtr(zb) - ndtr(za)
            m1 = _phi(za) - _phi(zb)
            m2 = p + _z_phi(za) - _z_phi(zb)
            second += float(mu * mu * p + 2 * mu * sigma * m1 + sigma * sigma * m2)
        self.std = float(np.sqrt(max(second - self.mean**2, 0.0)))

    @staticmethod
    def _tail(v0: float, v1: float, z0: float, z1: float, z_at: float) -> tuple[float, float]:
        sigma = float((v1 - v0) / (z1 - z0))
        value_at = v0 if z_at == z0 else v1
        return float(value_at - sigma * z_at), sigma

    def __repr__(self) -> str:
        pairs = ", ".join(f"{lv:g}:{v:.6g}" for lv, v in zip(self.levels, self.values, strict=True))
        return f"QuantileDemand({pairs})"

    def cdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        total = np.zeros_like(x)
        for value, mass in self._atoms:
            total = total + mass * (x >= value)
        for a, b, w in zip(self._seg_a, self._seg_b, self._seg_w, strict=True):
            total = total + w * np.clip((x - a) / (b - a), 0.0, 1.0)
        for mu, sigma, za, zb in self._normals:
            t = np.clip((x - mu) / sigma, za, zb)
            total = total + (ndtr(t) - ndtr(za))
        return _out(np.clip(total, 0.0, 1.0))

    def ppf(self, q: Any) -> Any:
        q = _check_q(q)
        out = np.interp(q, self.levels, self.values)
        # inside a collapsed (atom) segment l_i < q ≤ l_{i+1}, the atom's value v_{i+1}
        index = np.clip(np.searchsorted(self.levels, q, side="left"), 1, self.levels.size - 1)
        out = np.where(self._collapsed[index - 1] & (q > self.levels[0]), self.values[index], out)
        mu, sigma = self._lo
        with np.errstate(invalid="ignore"):
            lower = np.maximum(mu + sigma * ndtri(q), 0.0) if sigma > 0 else self.values[0]
            mu, sigma = self._hi
            upper = mu + sigma * ndtri(q) if sigma > 0 else self.values[-1]
        out = np.where(q < self.levels[0], lower, out)
        out = np.where(q > self.levels[-1], upper, out)
        return _out(out)

    def expected_shortage(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        total = np.zeros_like(x)
        for value, mass in self._atoms:
            total = total + mass * np.maximum(value - x, 0.0)
        for a, b, w in zip(self._seg_a, self._seg_b, self._seg_w, strict=True):
            inside = np.clip(x, a, b)
            # E[(U − x)+] for U uniform on [a, b]: ∫_x^b (1 − F) = (b − x')²/(2(b − a))
            # with x' = clip(x, a, b), plus (a − x) for x below a.
            total = total + w * ((b - inside) ** 2 / (2 * (b - a)) + np.maximum(a - x, 0.0))
        for mu, sigma, za, zb in self._normals:
            t = (x - mu) / sigma
            lo = np.clip(t, za, zb)
            p = ndtr(zb) - ndtr(lo)
            m1 = _phi(lo) - _phi(zb)
            total = total + sigma * (m1 - t * p)
        return _out(np.maximum(total, 0.0))

    def expected_leftover(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        total = np.zeros_like(x)
        for value, mass in self._atoms:
            total = total + mass * np.maximum(x - value, 0.0)
        for a, b, w in zip(self._seg_a, self._seg_b, self._seg_w, strict=True):
            inside = np.clip(x, a, b)
            total = total + w * ((inside - a) ** 2 / (2 * (b - a)) + np.maximum(x - b, 0.0))
        for mu, sigma, za, zb in self._normals:
            t = (x - mu) / sigma
            hi = np.clip(t, za, zb)
            p = ndtr(hi) - ndtr(za)
            m1 = _phi(za) - _phi(hi)
            total = total + sigma * (t * p - m1)
        return _out(np.maximum(total, 0.0))


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
