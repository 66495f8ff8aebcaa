"""Policies chosen by cost: EOQ, the newsvendor and the (s,S) policy that minimises holding,
shortage and ordering costs, with the critical ratio that turns costs into a service
level. Conventions (h, p, K, D) are those of :mod:`.policies`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from stockwise.inventory.distributions import DemandDistribution, PoissonDemand


def _out(value: Any) -> Any:
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


def _positive(name: str, value: Any, allow_zero: bool = False) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    ok = (arr >= 0) if allow_zero else (arr > 0)
    if not np.all(ok & np.isfinite(arr)):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return arr


def _probability(name: str, value: Any) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all((arr > 0) & (arr < 1)):
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return arr


def critical_ratio(h: Any, p: Any) -> Any:
    """p / (p + h): the cost-optimal probability of not running short in a period."""
    h = _positive("h", h, allow_zero=True)
    p = _positive("p", p, allow_zero=True)
    if np.any(h + p <= 0):
        raise ValueError("h + p must be > 0")
    return _out(p / (p + h))


def service_level_from_costs(holding_cost: Any, shortage_cost: Any) -> Any:
    """Cycle service level that balances holding against shortage: p / (p + h).

    ``holding_cost`` is per unit left over per period (e.g. holding rate × unit cost ÷
    periods per year), ``shortage_cost`` per unit short per period (lost margin, penalty).
    It is the newsvendor / base-stock critical ratio, to use as a CSL target.
    """
    return critical_ratio(holding_cost, shortage_cost)


def eoq(K: Any, h: Any, D: Any) -> Any:
    """Economic order quantity Q* = sqrt(2·K·D / h) (vectorised)."""
    K = _positive("K", K, allow_zero=True)
    h = _positive("h", h)
    D = _positive("D", D, allow_zero=True)
    return _out(np.sqrt(2.0 * K * D / h))


def eoq_cost(Q: Any, K: Any, h: Any, D: Any) -> Any:
    """Ordering + holding cost per unit time of ordering Q: K·D/Q + h·Q/2 (vectorised)."""
    Q = _positive("Q", Q)
    K = _positive("K", K, allow_zero=True)
    h = _positive("h", h, allow_zero=True)
    D = _positive("D", D, allow_zero=True)
    return _out(K * D / Q + h * Q / 2.0)


def newsvendor_cost(S: Any, dist: DemandDistribution, h: float, p: float) -> Any:
    """Expected one-period cost h·E[(S − D)+] + p·E[(D − S)+] (vectorised over S)."""
    _positive("h", h, allow_zero=True)
    _positive("p", p, allow_zero=True)
    S = np.asarray(S, dtype=float)
    return _out(
        h * np.asarray(dist.expected_leftover(S)) + p * np.asarray(dist.expected_shortage(S))
    )


def newsvendor(dist: DemandDistribution, h: float, p: float) -> float:
    """Optimal order-up-to level S* = F⁻¹(p / (p + h)) (smallest such S when discrete)."""
    _positive("h", h)
    _positive("p", p)
    return float(dist.ppf(critical_ratio(h, p)))


def base_stock_level(dist: DemandDistribution, h: float, p: float) -> float:
    """Optimal base-stock level: the newsvendor level for the demand over the protection
    interval (one period with zero lead time; lead time + 1 periods otherwise)."""
    return newsvendor(dist, h, p)


class SSSolution(NamedTuple):
    """An (s,S) policy and its long-run expected cost per period."""

    s: int
    S: int
    cost: float


class _SSEvaluator:
    """Exact renewal-reward evaluation of (s,S) policies (zero lead time, backorders).

    With p_k = P(D = k), the renewal masses m(0) = 1/(1 − p_0) and
    m(j) = Σ_{l=1..j} p_l·m(j − l) / (1 − p_0) count the expected periods a cycle spends at
    each distance j below S; M(n) = Σ_{j<n} m(j) is the expected cycle length when S − s = n,
    and C(s,S) = [K + Σ_{j=0}^{S−s−1} m(j)·G(S − j)] / M(S − s).
    """

    def __init__(self, h: float, p: float, K: float, dist: DemandDistribution) -> None:
        _positive("h", h)
        _positive("p", p)
        _positive("K", K, allow_zero=True)
        if not getattr(dist, "integer_valued", False):
            raise TypeError(
                "(s,S) evaluation needs an integer-valued demand distribution "
                "(e.g. PoissonDemand, EmpiricalDemand of integer counts)"
            )
        self.h, self.p, self.K, self.dist = float(h), float(p), float(K), dist
        self._p0 = float(dist.pmf(0))
        if self._p0 >= 1.0:
            raise ValueError("demand is zero with probability 1: no (s,S) policy is needed")
        self._m = np.empty(0)
        self._M = np.zeros(1)

    def G(self, y: Any) -> Any:
        return newsvendor_cost(y, self.dist, self.h, self.p)

    def _ensure(self, n: int) -> None:
        done = self._m.size
        if n <= done:
            return
        size = max(n, 2 * done, 64)
        pmf = np.asarray(self.dist.pmf(np.arange(size)), dtype=float)
        m = np.concatenate([self._m, np.empty(size - done)])
        scale = 1.0 - self._p0
        for j in range(done, size):
            m[j] = 1.0 / scale if j == 0 else float(np.dot(pmf[1 : j + 1], m[j - 1 :: -1])) / scale
        self._m = m
        self._M = np.concatenate([[0.0], np.cumsum(m)])

    def cost(self, s: int, S: int) -> float:
        n = S - s
        if n < 1:
            raise ValueError(f"(s,S) needs s < S, got s={s}, S={S}")
        self._ensure(n)
        g = np.asarray(self.G(S - np.arange(n, dtype=float)))
        return float((self.K + np.dot(self._m[:n], g)) / self._M[n])

    def myopic_minimum(self) -> int:
        """y* = argmin G over the integers (smallest minimiser)."""
        y = int(newsvendor(self.dist, self.h, self.p))
        while self.G(y - 1) <= self.G(y):
            y -= 1
        while self.G(y + 1) < self.G(y):
            y += 1
        return y


def ss_cost(s: int, S: int, h: float, p: float, K: float, dist: DemandDistribution) -> float:
    """Exact long-run expected cost per period of the (s,S) policy.

    Periodic review, zero lead time, full backordering, i.i.d. integer demand per period
    (``dist.integer_valued``): order up to S whenever the inventory position is ≤ s;
    costs per period are K per order plus G(y) = h·E[(y − D)+] + p·E[(D − y)+] for the
    position y after ordering. Renewal-reward formula:
    C(s,S) = [K + Σ_{j=0}^{S−s−1} m(j)·G(S − j)] / M(S − s) (see ``_SSEvaluator``).
    """
    s_int, S_int = int(s), int(S)
    if s_int != s or S_int != S:
        raise ValueError(f"s and S must be integers, got s={s}, S={S}")
    return _SSEvaluator(h, p, K, dist).cost(s_int, S_int)


def optimal_ss(
    h: float, p: float, K: float, dist: DemandDistribution, max_level: int | None = None
) -> SSSolution:
    """Optimal (s,S) policy by the Zheng–Federgruen (1991) algorithm, evaluated exactly.

    Same model and convention as :func:`ss_cost` (order when position ≤ s). The search
    starts at y* = argmin G, lowers s until adding a state no longer pays, then raises S
    while G(S) ≤ the best cost, re-optimising s each time S improves; ties keep the
    smaller S. ``max_level`` caps the search for S (S ≤ max_level; it must be ≥ y*);
    without it the search ends by itself because G grows linearly.
    """
    ev = _SSEvaluator(h, p, K, dist)
    y_star = ev.myopic_minimum()
    if max_level is not None and max_level < y_star:
        raise ValueError(f"max_level={max_level} is below the myopic optimum y*={y_star}")
    s = y_star - 1
    while ev.cost(s, y_star) > ev.G(s):
        s -= 1
    best_S = y_star
    best = ev.cost(s, best_S)
    level = best_S + 1
    while (max_level is None or level <= max_level) and ev.G(level) <= best:
        if ev.cost(s, level) < best:
            best_S = level
            while ev.cost(s, best_S) <= ev.G(s + 1):
                s += 1
            best = ev.cost(s, best_S)
        level += 1
    return SSSolution(int(s), int(best_S), float(best))


def optimal_ss_poisson(
    h: float, p: float, K: float, mean: float, max_level: int | None = None
) -> SSSolution:
    """Optimal (s,S) for i.i.d. Poisson(mean) demand per period (see :func:`optimal_ss`)."""
    return optimal_ss(h, p, K, PoissonDemand(mean), max_level=max_level)
