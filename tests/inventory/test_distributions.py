"""Demand distributions: exact values against independent computations, and properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from stockwise.inventory.distributions import (
    DemandDistribution,
    EmpiricalDemand,
    NormalDemand,
    PoissonDemand,
    QuantileDemand,
    normal_from_quantiles,
)

FAST = settings(max_examples=50, deadline=None)
LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)


def _numeric_shortage(dist: DemandDistribution, x: float, upper: float) -> float:
    """E[(D − x)+] = ∫_x^∞ (1 − F(t)) dt for D ≥ 0 (x ≥ 0), by adaptive quadrature
    split at the quantile knots (where the integrand has kinks)."""
    knots = [v for v in getattr(dist, "values", ()) if x < v < upper]
    edges = [x, *sorted(set(knots)), upper]
    return sum(
        integrate.quad(lambda t: 1.0 - dist.cdf(t), a, b, limit=200, epsabs=1e-12, epsrel=1e-12)[0]
        for a, b in itertools.pairwise(edges)
    )


def _numeric_leftover(dist: DemandDistribution, x: float) -> float:
    """E[(x − D)+] = ∫_0^x F(t) dt for D ≥ 0 (x ≥ 0), split at the knots."""
    knots = [v for v in getattr(dist, "values", ()) if 0 < v < x]
    edges = [0.0, *sorted(set(knots)), x]
    return sum(
        integrate.quad(dist.cdf, a, b, limit=200, epsabs=1e-12, epsrel=1e-12)[0]
        for a, b in itertools.pairwise(edges)
    )


# ------------------------------------------------------------------------- normal


def test_normal_matches_scipy_and_the_loss_integrals() -> None:
    d = NormalDemand(50.0, 8.0)
    ref = stats.norm(50.0, 8.0)
    x = np.array([20.0, 45.0, 50.0, 56.6, 90.0])
    assert np.allclose(d.cdf(x), ref.cdf(x), atol=1e-15)
    assert np.allclose(d.ppf([0.01, 0.5, 0.95]), ref.ppf([0.01, 0.5, 0.95]), atol=1e-12)
    for xi in x:
        short = integrate.quad(lambda t, xi=xi: (t - xi) * ref.pdf(t), xi, np.inf)[0]
        left = integrate.quad(lambda t, xi=xi: (xi - t) * ref.pdf(t), -np.inf, xi)[0]
        assert d.expected_shortage(xi) == pytest.approx(short, abs=1e-9)
        assert d.expected_leftover(xi) == pytest.approx(left, abs=1e-9)
    # standard normal loss at 0 is φ(0) = 1/sqrt(2π)
    assert NormalDemand(0.0, 1.0).expected_shortage(0.0) == pytest.approx(
        0.3989422804014327, abs=1e-15
    )
    assert (d.mean, d.std) == (50.0, 8.0)


def test_normal_is_not_truncated_at_zero() -> None:
    d = NormalDemand(1.0, 2.0)
    assert d.cdf(0.0) == pytest.approx(stats.norm.cdf(-0.5))  # mass below zero, documented
    assert d.ppf(0.05) < 0
    assert d.expected_leftover(0.0) > 0


def test_normal_point_mass() -> None:
    d = NormalDemand(10.0, 0.0)
    assert d.cdf(9.99) == 0.0 and d.cdf(10.0) == 1.0
    assert d.ppf(0.3) == 10.0
    assert d.expected_shortage(7.0) == 3.0 and d.expected_leftover(12.0) == 2.0


def test_scalars_give_floats_and_arrays_give_arrays() -> None:
    d = NormalDemand(5.0, 1.0)
    assert isinstance(d.cdf(3.0), float)
    assert isinstance(d.expected_shortage(3.0), float)
    out = d.expected_shortage(np.zeros((2, 3)))
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)


@pytest.mark.parametrize("bad", [{"mean": 1.0, "std": -1.0}, {"mean": np.nan, "std": 1.0}])
def test_normal_rejects_bad_parameters(bad: dict) -> None:
    with pytest.raises(ValueError):
        NormalDemand(**bad)


# ------------------------------------------------------------------------ poisson


def test_poisson_losses_equal_finite_sums() -> None:
    lam = 6.0
    d = PoissonDemand(lam)
    k = np.arange(0, 200)
    pk = stats.poisson.pmf(k, lam)
    for x in [-3.0, 0.0, 0.5, 4.0, 6.0, 7.25, 10.0, 30.0]:
        short = float(np.sum(np.maximum(k - x, 0) * pk))
        left = float(np.sum(np.maximum(x - k, 0) * pk))
        assert d.expected_shortage(x) == pytest.approx(short, abs=1e-13)
        assert d.expected_leftover(x) == pytest.approx(left, abs=1e-13)
    assert np.allclose(d.pmf(k[:30]), pk[:30], rtol=1e-12, atol=0)
    assert d.pmf(2.5) == 0.0 and d.pmf(-1) == 0.0
    assert d.cdf(7.9) == pytest.approx(stats.poisson.cdf(7, lam), abs=1e-15)
    assert d.std == pytest.approx(np.sqrt(lam))
    assert d.integer_valued


def test_poisson_ppf_is_the_smallest_integer_reaching_q() -> None:
    d = PoissonDemand(6.0)
    for k in range(0, 20):
        q = float(d.cdf(k))
        assert d.ppf(q) == k  # exactly F(k): k itself, not k + 1
        assert d.ppf(min(q + 1e-9, 1.0)) == k + 1 or d.cdf(k) >= q + 1e-9
    assert d.ppf(0.0) == 0.0
    assert d.ppf(1.0) == np.inf


def test_poisson_with_zero_mean() -> None:
    d = PoissonDemand(0.0)
    assert d.cdf(0) == 1.0 and d.pmf(0) == 1.0 and d.ppf(0.9) == 0.0
    assert d.expected_shortage(0.0) == 0.0 and d.expected_leftover(3.0) == 3.0


# ---------------------------------------------------------------------- empirical


def test_empirical_is_exact_on_its_samples() -> None:
    rng = np.random.default_rng(7)
    samples = rng.gamma(2.0, 10.0, size=501)
    d = EmpiricalDemand(samples)
    x = np.array([-1.0, 0.0, 3.0, 17.5, 40.0, 500.0])
    assert np.allclose(
        d.expected_shortage(x), [np.mean(np.maximum(samples - xi, 0)) for xi in x], atol=1e-11
    )
    assert np.allclose(
        d.expected_leftover(x), [np.mean(np.maximum(xi - samples, 0)) for xi in x], atol=1e-11
    )
    assert np.allclose(d.cdf(x), [np.mean(samples <= xi) for xi in x])
    assert d.mean == pytest.approx(samples.mean()) and d.std == pytest.approx(samples.std())
    srt = np.sort(samples)
    for q in [0.0, 0.001, 0.25, 0.5, 300 / 501, 0.95, 1.0]:
        v = d.ppf(q)
        assert d.cdf(v) >= q
        below = srt[srt < v]
        assert below.size == 0 or d.cdf(below[-1]) < q  # smallest such sample
    assert not d.integer_valued


def test_empirical_integer_samples_have_a_pmf() -> None:
    d = EmpiricalDemand([0, 1, 1, 3, 3, 3, 10, 2, 2, 5])
    assert d.integer_valued
    assert d.pmf(3) == pytest.approx(0.3) and d.pmf(4) == 0.0
    assert d.ppf(0.3) == 1.0  # F(1) = 0.3 exactly
    assert float(np.sum(d.pmf(np.arange(11)))) == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [[], [1.0, -2.0], [1.0, np.nan]])
def test_empirical_rejects_bad_samples(bad: list) -> None:
    with pytest.raises(ValueError):
        EmpiricalDemand(bad)


def test_only_integer_distributions_have_a_pmf() -> None:
    with pytest.raises(TypeError):
        NormalDemand(5, 1).pmf(3)
    with pytest.raises(TypeError):
        EmpiricalDemand([0.5, 1.5]).pmf(1)


# ---------------------------------------------------------------------- quantiles


def _normal_quantiles(mu: float, sigma: float) -> QuantileDemand:
    return QuantileDemand(LEVELS, stats.norm.ppf(LEVELS, mu, sigma))


def test_quantile_demand_interpolates_between_knots() -> None:
    d = QuantileDemand([0.1, 0.5, 0.9], [10.0, 20.0, 40.0])
    assert d.cdf(15.0) == pytest.approx(0.3)
    assert d.cdf(30.0) == pytest.approx(0.7)
    assert d.ppf(0.7) == pytest.approx(30.0)
    assert np.array_equal(d.ppf([0.1, 0.5, 0.9]), [10.0, 20.0, 40.0])
    # normal tails fitted through the outer pairs: continuous at the knots
    assert d.cdf(10.0) == pytest.approx(0.1) and d.cdf(40.0) == pytest.approx(0.9)
    sigma_hi = 20.0 / stats.norm.ppf(0.9)  # (40 − 20) / (z_0.9 − z_0.5)
    assert d.ppf(0.99) == pytest.approx(20.0 + sigma_hi * stats.norm.ppf(0.99))


def test_quantile_demand_moments_and_losses_match_quadrature() -> None:
    d = QuantileDemand([0.05, 0.2, 0.5, 0.8, 0.95], [0.5, 4.0, 9.0, 15.0, 30.0])
    upper = 400.0
    assert d.mean == pytest.approx(_numeric_shortage(d, 0.0, upper), abs=1e-8)
    second = integrate.quad(lambda t: 2 * t * (1 - d.cdf(t)), 0, upper, limit=500)[0]
    assert d.std == pytest.approx(np.sqrt(second - d.mean**2), rel=1e-8)
    for x in [0.0, 0.3, 2.0, 9.0, 12.0, 30.0, 45.0]:
        assert d.expected_shortage(x) == pytest.approx(_numeric_shortage(d, x, upper), abs=1e-8)
        left = _numeric_leftover(d, x)
        assert d.expected_leftover(x) == pytest.approx(left, abs=1e-8)
    assert d.expected_shortage(-2.0) == pytest.approx(d.mean + 2.0)
    assert d.cdf(-1e-9) == 0.0 and d.cdf(0.0) > 0.0  # lower tail clipped: an atom at 0


def test_quantile_demand_with_zeros_and_flat_quantiles() -> None:
    # intermittent demand: the lower quantiles are all zero
    d = QuantileDemand(LEVELS, [0.0, 0.0, 0.0, 2.0, 3.0])
    assert d.cdf(0.0) == pytest.approx(0.5)
    assert d.ppf(0.3) == 0.0 and d.ppf(0.01) == 0.0
    assert d.expected_leftover(0.0) == 0.0
    assert d.mean == pytest.approx(_numeric_shortage(d, 0.0, 100.0), abs=1e-9)
    # equal outer values: the whole upper tail sits at that value
    flat = QuantileDemand([0.2, 0.5, 0.8], [1.0, 5.0, 5.0])
    assert flat.cdf(5.0) == pytest.approx(1.0) and flat.ppf(0.99) == 5.0
    assert flat.cdf(4.999) < 0.8


@pytest.mark.parametrize(
    "levels, values",
    [
        ([0.5], [1.0]),
        ([0.1, 0.1], [1.0, 2.0]),
        ([0.0, 0.5], [1.0, 2.0]),
        ([0.1, 0.9], [3.0, 2.0]),
        ([0.1, 0.9], [-1.0, 2.0]),
    ],
)
def test_quantile_demand_rejects_bad_input(levels: list, values: list) -> None:
    with pytest.raises(ValueError):
        QuantileDemand(levels, values)


@FAST
@given(mu=st.floats(20, 1000), cv=st.floats(0.02, 0.3))
def test_quantile_demand_from_a_normal(mu: float, cv: float) -> None:
    sigma = mu * cv
    values = stats.norm.ppf(LEVELS, mu, sigma)
    d = QuantileDemand(LEVELS, values)
    assert np.array_equal(d.ppf(LEVELS), values)  # exactly, at the given levels
    assert d.mean == pytest.approx(mu, rel=0.02)
    # linear pieces between wide-apart quantiles spread the middle a little (~6 %)
    assert d.std == pytest.approx(sigma, rel=0.08)
    # the tails are the normal's own (fitted through the two outer quantiles)
    assert d.ppf(0.999) == pytest.approx(stats.norm.ppf(0.999, mu, sigma), rel=1e-9)


def test_normal_from_quantiles_recovers_the_normal() -> None:
    fit = normal_from_quantiles(LEVELS, stats.norm.ppf(LEVELS, 120.0, 15.0))
    assert fit.mean == pytest.approx(120.0, abs=1e-9)
    assert fit.std == pytest.approx(15.0, abs=1e-9)
    with pytest.raises(ValueError):
        normal_from_quantiles([0.5, 0.5], [1.0, 2.0])


# ---------------------------------------------------------------- shared properties


def _any_distribution() -> st.SearchStrategy[DemandDistribution]:
    # std 0 (a point mass) or not so small that mean + std·z drowns in float rounding
    std = st.one_of(st.just(0.0), st.floats(1e-3, 100))
    normal = st.builds(NormalDemand, st.floats(0, 500), std)
    poisson = st.builds(PoissonDemand, st.floats(0, 300))
    empirical = st.builds(EmpiricalDemand, st.lists(st.floats(0, 1e4), min_size=1, max_size=60))
    quantile = st.builds(
        lambda vals: QuantileDemand(LEVELS, np.sort(vals)),
        st.lists(st.floats(0, 1e3), min_size=len(LEVELS), max_size=len(LEVELS)),
    )
    return st.one_of(normal, poisson, empirical, quantile)


@FAST
@given(dist=_any_distribution(), x=st.floats(-100, 2000))
def test_leftover_minus_shortage_is_x_minus_mean(dist: DemandDistribution, x: float) -> None:
    gap = dist.expected_leftover(x) - dist.expected_shortage(x)
    scale = max(1.0, abs(x), abs(dist.mean), dist.std)
    assert gap == pytest.approx(x - dist.mean, abs=1e-9 * scale)
    assert dist.expected_shortage(x) >= 0 and dist.expected_leftover(x) >= 0


@FAST
@given(dist=_any_distribution(), q1=st.floats(0.001, 0.999), q2=st.floats(0.001, 0.999))
def test_ppf_and_cdf_are_monotone_and_consistent(
    dist: DemandDistribution, q1: float, q2: float
) -> None:
    lo, hi = sorted((q1, q2))
    assert dist.ppf(lo) <= dist.ppf(hi)
    scale = max(1.0, abs(dist.ppf(lo)))
    assert dist.cdf(dist.ppf(lo)) >= lo - 1e-9  # ppf(q) reaches q …
    assert dist.cdf(dist.ppf(lo) - 1e-6 * scale) <= lo + 1e-9  # … and nothing much below
