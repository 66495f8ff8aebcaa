"""Stock levels for a service target: lead-time demand, safety stock, reorder points for a
cycle service level or a fill rate, and order quantities rounded to whole packs, so a
level can be recomputed from the numbers the plan shows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtri

from stockwise.inventory.distributions import DemandDistribution, NormalDemand
from stockwise.inventory.policy_costs import _out, _positive, _probability

_PACK_TOL = 1e-9  # quantities within 1e-9 packs of a whole number of packs are that number


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
