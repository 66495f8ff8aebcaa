"""Inventory policy mathematics: textbook oracles, exact cross-checks and properties."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from stockwise.inventory.distributions import (
    EmpiricalDemand,
    NormalDemand,
    PoissonDemand,
    QuantileDemand,
)
from stockwise.inventory.policies import (
    InventoryPolicy,
    MinMaxPolicy,
    NewsvendorPolicy,
    PeriodicReviewPolicy,
    ReorderPointPolicy,
    base_stock_level,
    critical_ratio,
    cycle_service_level,
    eoq,
    eoq_cost,
    fill_rate,
    lead_time_demand,
    newsvendor,
    newsvendor_cost,
    optimal_ss,
    optimal_ss_poisson,
    order_up_to_for_fill_rate,
    reorder_point,
    reorder_point_for_fill_rate,
    reorder_point_from_distribution,
    round_order,
    safety_stock_from_distribution,
    safety_stock_normal,
    service_level_from_costs,
    ss_cost,
)

FAST = settings(max_examples=50, deadline=None)
LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)

# ------------------------------------------------------------- textbook oracles


def test_eoq_oracle() -> None:
    assert eoq(8, 0.225, 1300) == pytest.approx(304.0467800264368, abs=1e-7)
    q = eoq(8, 0.225, 1300)
    assert eoq_cost(q, 8, 0.225, 1300) == pytest.approx(np.sqrt(2 * 8 * 0.225 * 1300))


def test_newsvendor_oracle() -> None:
    s_star = newsvendor(NormalDemand(50, 8), h=0.18, p=0.70)
    assert s_star == pytest.approx(56.60395592743389, abs=1e-7)


def test_ss_oracle() -> None:
    s, S, cost = optimal_ss_poisson(h=1, p=4, K=5, mean=6)
    assert (s, S) == (4, 10)
    assert cost == pytest.approx(8.034111561471642, abs=1e-7)
    assert ss_cost(4, 10, 1, 4, 5, PoissonDemand(6)) == pytest.approx(cost, abs=1e-12)


# ---------------------------------------------------------------------- EOQ


@FAST
@given(K=st.floats(0.1, 1e3), h=st.floats(0.01, 10), D=st.floats(1, 1e5))
def test_eoq_cost_is_convex_and_minimised_at_eoq(K: float, h: float, D: float) -> None:
    q_star = eoq(K, h, D)
    grid = np.linspace(0.2 * q_star, 5 * q_star, 401)
    cost = eoq_cost(grid, K, h, D)
    second = cost[2:] - 2 * cost[1:-1] + cost[:-2]
    assert np.all(second >= -1e-9 * cost.max())
    best = eoq_cost(q_star, K, h, D)
    assert np.all(cost >= best * (1 - 1e-12))
    for factor in (0.99, 1.01):
        assert eoq_cost(q_star * factor, K, h, D) > best


def test_eoq_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        eoq(8, 0, 1300)
    with pytest.raises(ValueError):
        eoq_cost(0, 8, 0.2, 1300)


# --------------------------------------------------------------- newsvendor


def _dist_strategy() -> st.SearchStrategy:
    normal = st.builds(NormalDemand, st.floats(10, 500), st.floats(0.5, 100))
    poisson = st.builds(PoissonDemand, st.floats(0.5, 200))
    empirical = st.builds(EmpiricalDemand, st.lists(st.floats(0, 1e3), min_size=2, max_size=50))
    quantile = st.builds(
        lambda v: QuantileDemand(LEVELS, np.sort(v)),
        st.lists(st.floats(0, 1e3), min_size=5, max_size=5),
    )
    return st.one_of(normal, poisson, empirical, quantile)


@FAST
@given(
    dist=_dist_strategy(), h=st.floats(0.01, 10), p=st.floats(0.01, 50), delta=st.floats(1e-3, 50)
)
def test_newsvendor_cost_is_minimised_at_the_critical_fractile(dist, h, p, delta) -> None:
    s_star = newsvendor(dist, h, p)
    best = newsvendor_cost(s_star, dist, h, p)
    tol = 1e-9 * max(1.0, best)
    assert newsvendor_cost(s_star + delta, dist, h, p) >= best - tol
    assert newsvendor_cost(s_star - delta, dist, h, p) >= best - tol


def test_newsvendor_on_discrete_demand_is_an_integer() -> None:
    d = PoissonDemand(6)
    s_star = newsvendor(d, h=1, p=4)
    assert s_star == 8.0 and d.cdf(8) >= 0.8 > d.cdf(7)
    assert base_stock_level(d, 1, 4) == s_star
    costs = newsvendor_cost(np.arange(0, 20), d, 1, 4)
    assert int(np.argmin(costs)) == 8


def test_critical_ratio() -> None:
    assert critical_ratio(0.18, 0.70) == pytest.approx(0.70 / 0.88)
    assert service_level_from_costs(1.0, 19.0) == pytest.approx(0.95)
    with pytest.raises(ValueError):
        critical_ratio(-1, 2)


# --------------------------------------------------------------------- (s,S)


def _brute_force_ss(h, p, K, dist, s_range, S_max):
    best = None
    for s in s_range:
        for S in range(s + 1, S_max + 1):
            c = ss_cost(s, S, h, p, K, dist)
            if best is None or c < best[2] - 1e-12:
                best = (s, S, c)
    return best


def _markov_ss_cost(s, S, h, p, K, dist, tail=200):
    """Independent check: stationary distribution of the position after ordering."""
    states = np.arange(s + 1, S + 1)
    n = states.size
    pmf = np.asarray(dist.pmf(np.arange(S - s + tail)))
    P = np.zeros((n, n))
    order_prob = np.zeros(n)
    for i, y in enumerate(states):
        for d in range(0, y - s):  # next position y − d stays above s: no order
            P[i, y - d - (s + 1)] += pmf[d]
        order_prob[i] = 1.0 - pmf[: y - s].sum()  # position falls to ≤ s: order up to S
        P[i, n - 1] += order_prob[i]
    A = np.vstack([P.T - np.eye(n), np.ones(n)])
    pi = np.linalg.lstsq(A, np.r_[np.zeros(n), 1.0], rcond=None)[0]
    G = newsvendor_cost(states.astype(float), dist, h, p)
    return float(pi @ G + K * (pi @ order_prob))


def test_ss_cost_matches_an_independent_markov_chain() -> None:
    d = PoissonDemand(6)
    for s, S in [(4, 10), (2, 15), (-1, 3), (7, 8)]:
        assert ss_cost(s, S, 1, 4, 5, d) == pytest.approx(
            _markov_ss_cost(s, S, 1, 4, 5, d), abs=1e-10
        )


@pytest.mark.slow
def test_optimal_ss_matches_brute_force() -> None:
    for h, p, K, lam in [(1, 4, 5, 6), (1, 9, 64, 3), (0.5, 20, 1, 12), (2, 3, 30, 1.5)]:
        d = PoissonDemand(lam)
        found = optimal_ss(h, p, K, d)
        s, S, c = _brute_force_ss(h, p, K, d, range(-5, 30), 45)
        assert (found.s, found.S) == (s, S)
        assert found.cost == pytest.approx(c, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(h=st.floats(0.1, 3), p=st.floats(0.5, 20), K=st.floats(0, 40), lam=st.floats(0.3, 6))
def test_optimal_ss_is_no_worse_than_any_nearby_policy(h, p, K, lam) -> None:
    d = PoissonDemand(lam)
    s0, S0, c0 = optimal_ss(h, p, K, d)
    assert ss_cost(s0, S0, h, p, K, d) == pytest.approx(c0, abs=1e-12)
    for s in range(s0 - 4, s0 + 4):
        for S in range(max(s + 1, S0 - 5), S0 + 6):
            assert ss_cost(s, S, h, p, K, d) >= c0 - 1e-10


@FAST
@given(h=st.floats(0.05, 10), p=st.floats(0.05, 50), lam=st.floats(0.2, 80))
def test_ss_with_no_fixed_cost_is_base_stock(h, p, lam) -> None:
    d = PoissonDemand(lam)
    s, level, cost = optimal_ss(h, p, 0.0, d)
    assert level == base_stock_level(d, h, p)
    assert s == level - 1
    assert cost == pytest.approx(float(newsvendor_cost(level, d, h, p)), rel=1e-12, abs=1e-12)


def test_ss_works_on_empirical_integer_demand() -> None:
    rng = np.random.default_rng(3)
    d = EmpiricalDemand(rng.poisson(4.0, size=400))
    found = optimal_ss(1, 4, 5, d)
    s, S, c = _brute_force_ss(1, 4, 5, d, range(-3, 15), 25)
    assert (found.s, found.S) == (s, S) and found.cost == pytest.approx(c)


def test_ss_input_checks_and_max_level() -> None:
    with pytest.raises(TypeError):
        ss_cost(4, 10, 1, 4, 5, NormalDemand(6, 2))
    with pytest.raises(ValueError):
        ss_cost(10, 10, 1, 4, 5, PoissonDemand(6))
    with pytest.raises(ValueError):
        ss_cost(4.5, 10, 1, 4, 5, PoissonDemand(6))
    with pytest.raises(ValueError):
        optimal_ss_poisson(1, 4, 5, 0.0)  # no demand at all
    with pytest.raises(ValueError):
        optimal_ss_poisson(1, 4, 5, 6, max_level=5)  # below y* = 8
    capped = optimal_ss_poisson(1, 4, 5, 6, max_level=9)
    assert capped.S <= 9 and capped.cost >= 8.034111561471642


# ------------------------------------------------------ safety stock, reorder point


def test_safety_stock_formula() -> None:
    sigma = np.sqrt((4 + 7) * 20.0**2 + 100.0**2 * 1.0**2)
    z = stats.norm.ppf(0.95)
    assert safety_stock_normal(0.95, 100, 20, 4, 1, 7) == pytest.approx(z * sigma, abs=1e-9)
    assert reorder_point(0.95, 100, 20, 4, 1, 7) == pytest.approx(1100 + z * sigma, abs=1e-9)
    assert safety_stock_normal(0.5, 100, 20, 4) == pytest.approx(0.0, abs=1e-12)
    assert safety_stock_normal(0.3, 100, 20, 4) < 0  # not clipped, documented
    ltd = lead_time_demand(100, 20, 4, 1, 7)
    assert reorder_point_from_distribution(ltd, 0.95) == pytest.approx(
        reorder_point(0.95, 100, 20, 4, 1, 7), abs=1e-9
    )
    out = safety_stock_normal(np.array([0.9, 0.95, 0.99]), 10, 3, np.array([2, 5, 9]))
    assert isinstance(out, np.ndarray) and out.shape == (3,)
    for bad in (0.0, 1.0, 1.2):
        with pytest.raises(ValueError):
            safety_stock_normal(bad, 100, 20, 4)
    with pytest.raises(ValueError):
        safety_stock_normal(0.9, 100, -1, 4)


@FAST
@given(
    a=st.floats(0.01, 0.99),
    b=st.floats(0.01, 0.99),
    mu=st.floats(0, 1e3),
    sd=st.floats(0, 1e3),
    L=st.floats(0, 60),
    sL=st.floats(0, 10),
    R=st.floats(0, 30),
)
def test_higher_service_never_lowers_normal_safety_stock(a, b, mu, sd, L, sL, R) -> None:
    lo, hi = sorted((a, b))
    assert safety_stock_normal(hi, mu, sd, L, sL, R) >= safety_stock_normal(lo, mu, sd, L, sL, R)
    assert reorder_point(hi, mu, sd, L, sL, R) >= reorder_point(lo, mu, sd, L, sL, R)


@FAST
@given(
    a=st.floats(0.01, 0.99),
    b=st.floats(0.01, 0.99),
    samples=st.lists(st.floats(0, 1e4), min_size=1, max_size=80),
    values=st.lists(st.floats(0, 1e4), min_size=5, max_size=5),
)
def test_higher_service_never_lowers_distribution_reorder_point(a, b, samples, values) -> None:
    lo, hi = sorted((a, b))
    for dist in (
        EmpiricalDemand(samples),
        QuantileDemand(LEVELS, np.sort(values)),
        PoissonDemand(float(np.mean(samples))),
    ):
        assert reorder_point_from_distribution(dist, hi) >= reorder_point_from_distribution(
            dist, lo
        )
        assert safety_stock_from_distribution(dist, hi) >= safety_stock_from_distribution(dist, lo)


def test_reorder_point_from_forecast_quantiles() -> None:
    d = QuantileDemand(LEVELS, [30, 40, 55, 75, 90])
    assert reorder_point_from_distribution(d, 0.9) == 75.0
    assert reorder_point_from_distribution(d, 0.95) == pytest.approx(75 + 15 * (0.05 / 0.075))
    assert safety_stock_from_distribution(d, 0.9) == pytest.approx(75.0 - d.mean)


# ---------------------------------------------------- cycle service vs fill rate


def test_fill_rate_and_csl_textbook_values() -> None:
    d = NormalDemand(100, 20)
    # standard normal loss L(0) = 0.3989422804014327
    assert fill_rate(100, 200, d) == pytest.approx(1 - 20 * 0.3989422804014327 / 200, abs=1e-12)
    assert cycle_service_level(100, d) == pytest.approx(0.5)
    assert fill_rate(0, 10, d) == 0.0  # clipped, documented
    r = np.array([80.0, 100.0, 140.0])
    assert fill_rate(r, 200, d).shape == (3,)


@FAST
@given(
    dist=_dist_strategy(),
    r1=st.floats(-50, 1500),
    r2=st.floats(-50, 1500),
    q1=st.floats(0.1, 1e3),
    q2=st.floats(0.1, 1e3),
)
def test_fill_rate_and_csl_increase_with_r_and_q(dist, r1, r2, q1, q2) -> None:
    r_lo, r_hi = sorted((r1, r2))
    q_lo, q_hi = sorted((q1, q2))
    eps = 1e-12
    assert fill_rate(r_hi, q_lo, dist) >= fill_rate(r_lo, q_lo, dist) - eps
    assert fill_rate(r_lo, q_hi, dist) >= fill_rate(r_lo, q_lo, dist) - eps
    assert cycle_service_level(r_hi, dist) >= cycle_service_level(r_lo, dist)
    assert 0.0 <= fill_rate(r_lo, q_lo, dist) <= 1.0


@FAST
@given(dist=_dist_strategy(), target=st.floats(0.5, 0.999), q=st.floats(1, 500))
def test_reorder_point_for_fill_rate_is_the_smallest(dist, target, q) -> None:
    assume(dist.std > 0)
    r = reorder_point_for_fill_rate(target, q, dist)
    assert fill_rate(r, q, dist) >= target - 1e-12
    if dist.integer_valued:
        assert r == int(r) and fill_rate(r - 1, q, dist) < target
    else:
        step = 1e-6 * max(1.0, abs(r))
        assert fill_rate(r - step, q, dist) < target


def test_fill_rate_targets_on_known_cases() -> None:
    d = NormalDemand(100, 20)
    r = reorder_point_for_fill_rate(0.98, 200, d)
    assert fill_rate(r, 200, d) == pytest.approx(0.98, abs=1e-10)
    # L(z) = 0.02 · 200 / 20 = 0.2 → z ≈ 0.4928 (table of the standard loss function)
    assert (r - 100) / 20 == pytest.approx(0.4928, abs=1e-3)
    pois = PoissonDemand(6)
    r = reorder_point_for_fill_rate(0.95, 10, pois)
    assert fill_rate(r, 10, pois) >= 0.95 > fill_rate(r - 1, 10, pois)
    # (R,S): protection demand over L+R, period demand μ·R
    protection = lead_time_demand(10, 3, lead_time=5, review_period=7)
    S = order_up_to_for_fill_rate(0.99, protection, period_demand=70)
    assert fill_rate(S, 70, protection) == pytest.approx(0.99, abs=1e-10)
    with pytest.raises(ValueError):
        reorder_point_for_fill_rate(1.0, 10, d)


# ------------------------------------------------------------------ rounding


def test_round_order_examples() -> None:
    assert round_order(0) == 0.0 and round_order(-3, moq=10) == 0.0
    assert round_order(1e-12, moq=10) == 0.0  # float noise is not an order
    assert round_order(7, moq=10, pack_size=6) == 12.0
    assert round_order(13, pack_size=6) == 18.0
    assert round_order(12, pack_size=6) == 12.0
    assert round_order(0.7, pack_size=0.1) == pytest.approx(0.7)  # no extra pack from noise
    assert round_order(50, pack_size=6, max_qty=40) == 36.0
    assert round_order(5, moq=30, pack_size=6, max_qty=28) == 0.0  # cap below MOQ: no order
    assert round_order(5, pack_size=6, max_qty=5) == 0.0  # not even one pack fits
    assert round_order(5, pack_size=6, max_qty=-3) == 0.0
    out = round_order(
        np.array([-1.0, 3.0, 25.0, np.nan]),
        moq=5,
        pack_size=4,
        max_qty=np.array([np.nan, np.nan, 20.0, 8.0]),
    )
    assert np.array_equal(out[:3], [0.0, 8.0, 20.0]) and np.isnan(out[3])
    assert isinstance(round_order(3.0, pack_size=2), float)
    with pytest.raises(ValueError):
        round_order(5, pack_size=0)


@FAST
@given(
    qty=st.floats(-100, 1e5),
    moq=st.floats(0, 1e4),
    pack=st.one_of(st.integers(1, 500).map(float), st.floats(0.01, 100)),
    cap=st.one_of(st.none(), st.floats(0, 1e5)),
)
def test_round_order_properties(qty, moq, pack, cap) -> None:
    out = round_order(qty, moq=moq, pack_size=pack, max_qty=cap)
    rel = 1e-8
    assert out >= 0
    if out == 0:
        fewest = max(np.ceil(moq / pack - 1e-9), 1.0)  # MOQ in whole packs
        assert qty <= 1e-9 * pack or (cap is not None and cap / pack < fewest - 1e-9)
    else:
        packs = out / pack
        assert packs == pytest.approx(round(packs), abs=rel * max(1.0, packs))
        assert out >= moq * (1 - rel)
        if cap is None:
            assert out >= qty * (1 - rel)
            assert out - pack < max(qty, moq) * (1 + rel)  # rounded up by less than a pack
        else:
            assert out <= cap * (1 + rel)
    assert round_order(out, moq=moq, pack_size=pack, max_qty=cap) == out  # idempotent


# ------------------------------------------------------------------ policies


def test_reorder_point_policy() -> None:
    pol = ReorderPointPolicy(s=40, Q=100)
    assert pol.order_quantity(41) == 0.0
    assert pol.order_quantity(40) == 100.0
    assert pol.order_quantity(-60) == 200.0  # −60 + 100 = 40 is not above s
    assert pol.order_quantity(-59) == 100.0
    assert np.array_equal(pol.order_quantity(np.array([50, 40, -100])), [0, 100, 200])
    text = pol.describe(35)
    assert "s=40" in text and "Q=100" in text and "order 100" in text
    assert "no order" in pol.describe(90)
    with pytest.raises(ValueError):
        ReorderPointPolicy(s=1, Q=0)


def test_min_max_policy() -> None:
    pol = MinMaxPolicy(s=4, S=10)
    assert pol.order_quantity(5) == 0.0
    assert pol.order_quantity(4) == 6.0
    assert pol.order_quantity(-2) == 12.0
    assert "S=10" in pol.describe() and "order 6" in pol.describe(4)
    with pytest.raises(ValueError):
        MinMaxPolicy(s=10, S=4)
    s, S, _ = optimal_ss_poisson(1, 4, 5, 6)
    assert MinMaxPolicy(s, S).order_quantity(3) == 7.0


def test_periodic_review_and_newsvendor_policies() -> None:
    pol = PeriodicReviewPolicy(S=120, review_period=7)
    assert pol.order_quantity(80) == 40.0
    assert pol.order_quantity(80, is_review=False) == 0.0
    assert pol.order_quantity(130) == 0.0
    assert pol.order_quantity(80, unique_id="A", anything_else=1) == 40.0  # context ignored
    assert "R=7" in pol.describe() and "not a review day" in pol.describe(80, is_review=False)
    nv = NewsvendorPolicy(S=newsvendor(NormalDemand(50, 8), 0.18, 0.70))
    assert nv.order_quantity(10) == pytest.approx(46.60395592743389)
    assert nv.order_quantity(60) == 0.0
    assert "56.604" in nv.describe()
    with pytest.raises(ValueError):
        PeriodicReviewPolicy(S=10, review_period=0)


def test_policies_are_frozen_and_share_the_protocol() -> None:
    policies = [
        ReorderPointPolicy(1, 2),
        MinMaxPolicy(1, 2),
        PeriodicReviewPolicy(2, 1),
        NewsvendorPolicy(2),
    ]
    for pol in policies:
        assert isinstance(pol, InventoryPolicy)
        assert pol.order_quantity(0.0) >= 0
        with pytest.raises(dataclasses.FrozenInstanceError):
            pol.S = 5  # type: ignore[misc]
