"""Inventory policy mathematics: EOQ, newsvendor, (s,S), safety stock, service levels.

Everything here is pure arithmetic on numbers and :mod:`.distributions` objects — no
dates, no files — so every order the plan proposes can be recomputed and explained.

Conventions (one period = whatever unit the demand is expressed in, e.g. a day):

- ``h``: holding cost per unit left over per period; ``p``: backorder (shortage) cost per
  unit short per period; ``K``: fixed cost per order; ``D``: demand per period (EOQ uses
  the same time unit for ``D`` and ``h``, e.g. both per year).
- Inventory position = on hand + on order − backorders.
- (s,S): review every period; when the inventory position is **≤ s**, order up to S.
  So s is the highest position at which an order is placed, S − s ≥ 1, and the positions
  visited in a replenishment cycle are S, S − 1, …, s + 1.
- Cycle service level (CSL) = P(no stockout in a replenishment cycle) = F(r) for the
  demand over the protection interval; fill rate = share of demand served from stock.
  They differ — report both.

Textbook oracles (Snyder & Shen, *Fundamentals of Supply Chain Theory*) are in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtri

from stockwise.inventory.distributions import DemandDistribution, NormalDemand, PoissonDemand

_PACK_TOL = 1e-9  # quantities within 1e-9 packs of a whole number of packs are that number


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


# ---------------------------------------------------------------- cost-based targets


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


# ---------------------------------------------------------------------- EOQ


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


# ------------------------------------------------------------- newsvendor / base stock


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


# ---------------------------------------------------------------------- (s,S)


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


# ---------------------------------------------------- safety stock and reorder point


def lead_time_demand(
    mean_demand: float,
    std_demand: float,
    lead_time: float,
    lead_time_std: float = 0.0,
    review_period: float = 0.0,
) -> NormalDemand:
    """Normal approximation of the demand over the protection interval L + R.

    Mean μ_d·(L + R); std σ_LTD = sqrt((L + R)·σ_d² + μ_d²·σ_L²) (i.i.d. period demand,
    lead time independent of demand; the review period is not random). All times in
    demand periods.
    """
    mean_d = float(_positive("mean_demand", mean_demand, allow_zero=True))
    sigma = _ltd_std(mean_d, std_demand, lead_time, lead_time_std, review_period)
    return NormalDemand(mean_d * (float(lead_time) + float(review_period)), float(sigma))


def _ltd_std(
    mean_demand: Any, std_demand: Any, lead_time: Any, lead_time_std: Any, review_period: Any
) -> np.ndarray:
    mu = _positive("mean_demand", mean_demand, allow_zero=True)
    sd = _positive("std_demand", std_demand, allow_zero=True)
    L = _positive("lead_time", lead_time, allow_zero=True)
    sL = _positive("lead_time_std", lead_time_std, allow_zero=True)
    R = _positive("review_period", review_period, allow_zero=True)
    return np.sqrt((L + R) * sd**2 + mu**2 * sL**2)


def safety_stock_normal(
    service_level: Any,
    mean_demand: Any,
    std_demand: Any,
    lead_time: Any,
    lead_time_std: Any = 0.0,
    review_period: Any = 0.0,
) -> Any:
    """Safety stock z·σ_LTD for a cycle service level, z = Φ⁻¹(service_level).

    σ_LTD = sqrt((L + R)·σ_d² + μ_d²·σ_L²) with per-period demand mean μ_d and std σ_d,
    lead time L (std σ_L) and review period R, all in demand periods (R = 0 for
    continuous review). Vectorised (arguments broadcast). Not clipped: a service level
    below 50 % gives a negative safety stock.
    """
    z = ndtri(_probability("service_level", service_level))
    return _out(z * _ltd_std(mean_demand, std_demand, lead_time, lead_time_std, review_period))


def reorder_point(
    service_level: Any,
    mean_demand: Any,
    std_demand: Any,
    lead_time: Any,
    lead_time_std: Any = 0.0,
    review_period: Any = 0.0,
) -> Any:
    """Reorder point (or order-up-to level with R > 0): μ_d·(L + R) + safety stock."""
    ss = safety_stock_normal(
        service_level, mean_demand, std_demand, lead_time, lead_time_std, review_period
    )
    mu = np.asarray(mean_demand, dtype=float)
    cover = np.asarray(lead_time, dtype=float) + np.asarray(review_period, dtype=float)
    return _out(mu * cover + ss)


def reorder_point_from_distribution(dist: DemandDistribution, service_level: Any) -> Any:
    """F⁻¹(CSL) for the demand over the lead time (+ review period): quantiles or paths."""
    return dist.ppf(_probability("service_level", service_level))


def safety_stock_from_distribution(dist: DemandDistribution, service_level: Any) -> Any:
    """F⁻¹(CSL) − mean: the stock held above the expected protection-interval demand."""
    return _out(np.asarray(reorder_point_from_distribution(dist, service_level)) - dist.mean)


# ------------------------------------------------------- cycle service vs fill rate


def cycle_service_level(reorder_point: Any, dist: DemandDistribution) -> Any:
    """CSL = F(r): probability that the lead-time demand does not exceed r."""
    return dist.cdf(reorder_point)


def fill_rate(reorder_point: Any, order_qty: Any, dist: DemandDistribution) -> Any:
    """Fill rate of an (r,Q) policy: 1 − E[(D_LT − r)+] / Q (vectorised), clipped at 0.

    The standard approximation: E[(D_LT − r)+] is the expected shortage per cycle, and Q
    the demand per cycle. It ignores the −E[(D_LT − r − Q)+] correction (backorders
    already counted in the previous cycle), so it is slightly pessimistic for small Q
    and can go negative — hence the clip. The same formula with S for r and the expected
    demand per review period for Q is the usual (R,S) fill rate.
    """
    q = _positive("order_qty", order_qty)
    value = 1.0 - np.asarray(dist.expected_shortage(reorder_point)) / q
    return _out(np.maximum(value, 0.0))


def _smallest_level_for_loss(dist: DemandDistribution, goal: float) -> float:
    """Smallest level r with E[(D − r)+] ≤ goal (goal > 0); an integer when the demand is
    integer-valued. E[(D − r)+] is non-increasing, and strictly decreasing where > 0."""

    def loss(r: float) -> float:
        return float(dist.expected_shortage(r))

    # Jensen: E[(D − r)+] ≥ mean − r, so the loss exceeds goal below mean − goal.
    lo = float(dist.mean) - goal - 1.0
    step = max(float(dist.std), 1.0)
    hi = max(float(dist.mean), lo + 1.0)
    while loss(hi) > goal:
        lo = hi
        hi += step
        step *= 2.0
    if getattr(dist, "integer_valued", False):
        lo_i, hi_i = math.floor(lo), math.ceil(hi)  # loss(lo_i) > goal ≥ loss(hi_i)
        while hi_i - lo_i > 1:
            mid = (lo_i + hi_i) // 2
            if loss(mid) <= goal:
                hi_i = mid
            else:
                lo_i = mid
        return float(hi_i)
    tol = 1e-12 * max(1.0, abs(hi))
    r = float(brentq(lambda x: loss(x) - goal, lo, hi, xtol=tol, rtol=4 * np.finfo(float).eps))
    while loss(r) > goal:  # land on the feasible side of the root
        r += tol
    return r


def reorder_point_for_fill_rate(target: float, order_qty: float, dist: DemandDistribution) -> float:
    """Smallest reorder point r whose (r,Q) fill rate (see :func:`fill_rate`) is ≥ target.

    ``dist`` is the lead-time demand; 0 ≤ target < 1. Bracketing + bisection (Brent) on
    the monotone loss function; the smallest integer r for integer-valued demand.
    """
    if not 0 <= target < 1:
        raise ValueError(f"target fill rate must be in [0, 1), got {target}")
    q = float(_positive("order_qty", order_qty))
    return _smallest_level_for_loss(dist, (1.0 - target) * q)


def order_up_to_for_fill_rate(
    target: float, dist: DemandDistribution, period_demand: float
) -> float:
    """Smallest order-up-to level S of an (R,S) policy with fill rate ≥ target.

    ``dist`` is the demand over the protection interval L + R and ``period_demand`` the
    expected demand per review period (μ_d·R). Uses the standard approximation
    fill rate ≈ 1 − E[(D_{L+R} − S)+] / E[D_R], which ignores the shortage already present
    before the order arrives (−E[(D_L − S)+]); it errs on the side of more stock.
    """
    if not 0 <= target < 1:
        raise ValueError(f"target fill rate must be in [0, 1), got {target}")
    d = float(_positive("period_demand", period_demand))
    return _smallest_level_for_loss(dist, (1.0 - target) * d)


# ------------------------------------------------------------------ order rounding


def _whole_packs(packs: np.ndarray, up: bool) -> np.ndarray:
    """Round a number of packs up (or down), treating values within 1e-9 of an integer
    as that integer (so float noise never adds or drops a pack)."""
    near = np.round(packs)
    close = np.abs(packs - near) <= _PACK_TOL * np.maximum(1.0, np.abs(near))
    return np.where(close, near, np.ceil(packs) if up else np.floor(packs))


def round_order(qty: Any, moq: Any = 0.0, pack_size: Any = 1.0, max_qty: Any = None) -> Any:
    """Turn a raw order quantity into one the supplier accepts (vectorised).

    - ``qty ≤ 0`` → 0 (no order; so is a noise-level qty ≤ 1e-9 packs, even with a MOQ);
    - otherwise max(qty, moq) rounded **up** to a whole number of ``pack_size``;
    - with ``max_qty`` (shelf space, expiry-aware cap, budget …; NaN = no cap): capped at
      the largest whole number of packs ≤ max_qty; when that cap is below the MOQ (or
      below one pack), the order cannot be placed within both limits and the result is 0 —
      callers should flag such products. A negative cap counts as 0 (no room left).

    Quantities within 1e-9 of a whole number of packs count as that number (float
    noise), so the result may undershoot qty / moq by that relative amount. NaN quantities
    give NaN. Arguments broadcast; a float comes back for scalar input.
    """
    if (
        _finite_numbers(qty, moq, pack_size)
        and moq >= 0
        and pack_size > 0
        and (max_qty is None or _finite_numbers(max_qty))
    ):
        return _round_order_scalar(
            float(qty), float(moq), float(pack_size), None if max_qty is None else float(max_qty)
        )
    q = np.asarray(qty, dtype=float)
    moq_a = _positive("moq", moq, allow_zero=True)
    pack = _positive("pack_size", pack_size)
    q, moq_a, pack = np.broadcast_arrays(q, moq_a, pack)
    n = _whole_packs(np.maximum(q, moq_a) / pack, up=True)
    if max_qty is not None:
        cap = np.asarray(max_qty, dtype=float)
        with np.errstate(invalid="ignore"):
            cap = np.where(cap < 0, 0.0, cap)  # no room left: nothing can be ordered
            cap_n = np.where(np.isnan(cap), np.inf, _whole_packs(cap / pack, up=False))
        n_min = np.maximum(_whole_packs(moq_a / pack, up=True), 1.0)
        n = np.where(cap_n < n_min, 0.0, np.minimum(n, cap_n))
    result = np.where(q > _PACK_TOL * pack, n * pack, 0.0)
    return _out(np.where(np.isnan(q), np.nan, result))


def _finite_numbers(*values: Any) -> bool:
    """True when every value is one finite real number (not an array)."""
    return all(
        isinstance(v, int | float | np.integer | np.floating) and math.isfinite(v) for v in values
    )


def _round_order_scalar(q: float, moq: float, pack: float, cap: float | None) -> float:
    """:func:`round_order` of one finite order with valid limits, in Python floats.

    A plan rounds one order per product; the same IEEE arithmetic on floats gives the
    same result as the array path without its per-call array set-up.
    """
    n = _whole_packs_scalar(max(q, moq) / pack, up=True)
    if cap is not None:
        cap_n = _whole_packs_scalar(max(cap, 0.0) / pack, up=False)
        n_min = max(_whole_packs_scalar(moq / pack, up=True), 1.0)
        n = 0.0 if cap_n < n_min else min(n, cap_n)
    return n * pack if q > _PACK_TOL * pack else 0.0


def _whole_packs_scalar(packs: float, up: bool) -> float:
    """:func:`_whole_packs` of one finite number (round half to even, as numpy)."""
    near = float(round(packs))
    if abs(packs - near) <= _PACK_TOL * max(1.0, abs(near)):
        return near
    return float(math.ceil(packs) if up else math.floor(packs))


# ------------------------------------------------------------------ policy objects


def _fmt(x: float) -> str:
    return f"{x:.6g}"


@runtime_checkable
class InventoryPolicy(Protocol):
    """A replenishment rule: the raw order quantity for an inventory position."""

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any: ...

    def describe(self, inventory_position: float | None = None) -> str: ...


def _explain(
    policy: InventoryPolicy, rule: str, inventory_position: float | None, **context: Any
) -> str:
    if inventory_position is None:
        return rule
    qty = float(policy.order_quantity(inventory_position, **context))
    verdict = f"order {_fmt(qty)}" if qty > 0 else "no order"
    return f"{rule}; position {_fmt(inventory_position)} → {verdict}"


@dataclass(frozen=True)
class ReorderPointPolicy:
    """(s,Q): when the position is ≤ s, order the fewest multiples of Q that lift it
    above s (one Q in normal operation)."""

    s: float
    Q: float

    def __post_init__(self) -> None:
        _positive("Q", self.Q)
        if not np.isfinite(self.s):
            raise ValueError(f"s must be finite, got {self.s}")

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        n = np.floor((self.s - x) / self.Q) + 1.0
        return _out(np.where(x <= self.s, n * self.Q, 0.0))

    def describe(self, inventory_position: float | None = None) -> str:
        rule = (
            f"(s,Q) reorder point: when inventory position ≤ s={_fmt(self.s)}, "
            f"order multiples of Q={_fmt(self.Q)} until above s"
        )
        return _explain(self, rule, inventory_position)


@dataclass(frozen=True)
class MinMaxPolicy:
    """(s,S) min–max: when the position is ≤ s, order S − position."""

    s: float
    S: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.s) and np.isfinite(self.S)) or self.s > self.S:
            raise ValueError(f"(s,S) needs finite s ≤ S, got s={self.s}, S={self.S}")

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        return _out(np.where(x <= self.s, np.maximum(self.S - x, 0.0), 0.0))

    def describe(self, inventory_position: float | None = None) -> str:
        rule = (
            f"(s,S) min-max: when inventory position ≤ s={_fmt(self.s)}, "
            f"order up to S={_fmt(self.S)}"
        )
        return _explain(self, rule, inventory_position)


@dataclass(frozen=True)
class PeriodicReviewPolicy:
    """(R,S) order-up-to: every ``review_period`` periods, order S − position.

    ``order_quantity`` takes ``is_review`` (default True) in its context: off a review
    day nothing is ordered.
    """

    S: float
    review_period: float

    def __post_init__(self) -> None:
        _positive("review_period", self.review_period)
        if not np.isfinite(self.S):
            raise ValueError(f"S must be finite, got {self.S}")

    def order_quantity(
        self, inventory_position: Any, *, is_review: bool = True, **context: Any
    ) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        qty = np.maximum(self.S - x, 0.0) if is_review else np.zeros_like(x)
        return _out(qty)

    def describe(self, inventory_position: float | None = None, *, is_review: bool = True) -> str:
        rule = (
            f"(R,S) periodic review: every R={_fmt(self.review_period)} periods, "
            f"order up to S={_fmt(self.S)}"
        )
        if inventory_position is not None and not is_review:
            return f"{rule}; not a review day → no order"
        return _explain(self, rule, inventory_position)


@dataclass(frozen=True)
class NewsvendorPolicy:
    """Single period: order S − position (S = F⁻¹(p/(p+h)))."""

    S: float

    def __post_init__(self) -> None:
        if not np.isfinite(self.S):
            raise ValueError(f"S must be finite, got {self.S}")

    def order_quantity(self, inventory_position: Any, **context: Any) -> Any:
        x = np.asarray(inventory_position, dtype=float)
        return _out(np.maximum(self.S - x, 0.0))

    def describe(self, inventory_position: float | None = None) -> str:
        rule = f"newsvendor (single period): order up to S={_fmt(self.S)}"
        return _explain(self, rule, inventory_position)
