"""Each reconciliation method: coherent, non-negative, right on cases with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.errors import OptionError
from stockwise.hierarchy import HierarchySpec, bottom_attributes, build_structure
from stockwise.hierarchy.reconcile import (
    METHODS,
    forecast_shares,
    incoherence,
    non_negative,
    reconcile,
    shrinkage_intensity,
    shrunk_covariance,
)

from .helpers import chain_sales


def two_series():
    """total = a + b."""
    sales = pd.DataFrame(
        {"unique_id": ["a", "b"], "ds": pd.Timestamp("2020-01-01"), "y": 1.0, "item": ["a", "b"]}
    )
    spec = HierarchySpec.parse("item")
    return build_structure(bottom_attributes(sales, spec), spec)


def chain():
    sales = chain_sales(periods=12, products=(2, 3), stores=3)
    spec = HierarchySpec.parse(["category/product", "store"])
    return build_structure(bottom_attributes(sales, spec), spec)


def inputs(structure, rng):
    n, m = len(structure.ids), structure.n_bottom
    residuals = rng.normal(size=(30, n)) * rng.uniform(1, 5, n)
    history = rng.uniform(0, 50, size=(12, m))
    return residuals, history


@pytest.mark.parametrize("method", METHODS)
def test_every_method_adds_up_and_stays_non_negative(method: str) -> None:
    structure = chain()
    rng = np.random.default_rng(1)
    base = rng.uniform(-5, 100, size=(len(structure.ids), 4))  # incoherent, some < 0
    residuals, history = inputs(structure, rng)
    values = reconcile(base, structure, method, residuals=residuals, history=history)
    assert incoherence(base, structure) > 1  # the input did not add up
    assert incoherence(values, structure) < 1e-6
    fixed = non_negative(values, structure)
    assert incoherence(fixed, structure) < 1e-6
    assert fixed.min() >= 0


def test_bottom_up_is_the_sums_of_the_bottom() -> None:
    structure = chain()
    base = np.random.default_rng(2).uniform(0, 10, size=(len(structure.ids), 3))
    values = reconcile(base, structure, "bottom_up")
    bottom = base[structure.bottom_rows]
    np.testing.assert_allclose(values[structure.bottom_rows], bottom)
    np.testing.assert_allclose(values[0], bottom.sum(axis=0))
    for row in structure.rows_of("store"):
        members = structure.dense()[row].astype(bool)
        np.testing.assert_allclose(values[row], bottom[members].sum(axis=0))


def test_ols_on_a_known_case() -> None:
    # total 10, a 3, b 5: (S'S)^-1 S'y = [11/3, 17/3], total 28/3
    structure = two_series()
    values = reconcile(np.array([[10.0], [3.0], [5.0]]), structure, "ols")
    np.testing.assert_allclose(values.ravel(), [28 / 3, 11 / 3, 17 / 3])


def test_wls_trusts_the_series_with_small_errors() -> None:
    structure = two_series()
    base = np.array([[10.0], [3.0], [5.0]])
    rng = np.random.default_rng(3)
    residuals = rng.normal(size=(200, 3)) * np.array([0.001, 1.0, 1.0])
    for method in ("wls_var", "mint_shrink"):
        values = reconcile(base, structure, method, residuals=residuals)
        assert values[0, 0] == pytest.approx(10.0, abs=0.01)  # the precise total kept
        assert values[1, 0] - 3 == pytest.approx(values[2, 0] - 5, abs=0.15)  # gap shared


def hand_shrinkage(x: np.ndarray) -> np.ndarray:
    """Schäfer–Strimmer's target-D shrinkage written out with loops, on moments about 0:
    r_ij the mean of w_tij = z_ti z_tj, its variance sum((w - mean w)^2) / (T (T - 1)),
    λ = sum of those variances / sum of r_ij^2 (i ≠ j), clipped to [0, 1]."""
    t, n = x.shape
    sd = np.sqrt((x**2).sum(axis=0) / t)
    z = x / sd
    num = den = 0.0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            w = z[:, i] * z[:, j]
            num += ((w - w.mean()) ** 2).sum() / (t * (t - 1))
            den += w.mean() ** 2
    lam = min(1.0, max(0.0, num / den))
    cov = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            r = 1.0 if i == j else (1 - lam) * (z[:, i] * z[:, j]).mean()
            cov[i, j] = r * sd[i] * sd[j]
    return cov


def test_shrunk_covariance_matches_the_formula() -> None:
    rng = np.random.default_rng(4)
    common = rng.normal(size=(8, 1))
    x = common + rng.normal(scale=0.7, size=(8, 4))
    np.testing.assert_allclose(shrunk_covariance(x), hand_shrinkage(x), rtol=1e-10)
    assert 0 < shrinkage_intensity(x) < 1


def test_shrinkage_grows_as_the_correlations_get_noisier() -> None:
    rng = np.random.default_rng(5)
    strong = rng.normal(size=(40, 1)) + rng.normal(scale=0.2, size=(40, 6))
    noise = rng.normal(size=(40, 6))
    assert shrinkage_intensity(strong) < 0.1 < shrinkage_intensity(noise)


def test_mint_with_a_known_covariance_is_the_gls_projection() -> None:
    # independent errors, variances 4 (total), 1, 1: b = (S'W⁻¹S)⁻¹S'W⁻¹ŷ by hand
    structure = two_series()
    s = structure.dense()
    w = np.diag([4.0, 1.0, 1.0])
    y = np.array([[12.0], [3.0], [5.0]])
    expected = s @ np.linalg.solve(s.T @ np.linalg.inv(w) @ s, s.T @ np.linalg.inv(w) @ y)
    rng = np.random.default_rng(6)
    residuals = rng.normal(size=(20000, 3)) * np.sqrt(np.diag(w))
    values = reconcile(y, structure, "mint_shrink", residuals=residuals)
    np.testing.assert_allclose(values, expected, atol=0.05)
    # by hand: total error shares 4:1:1 → total 12 - 4/6*4 = 9.33
    np.testing.assert_allclose(expected[0, 0], 12 - 4 * 4 / 6)


def test_top_down_forecast_splits_the_total_by_the_base_shares() -> None:
    structure = chain()
    base = np.random.default_rng(7).uniform(1, 10, size=(len(structure.ids), 2))
    shares = forecast_shares(base, structure)
    np.testing.assert_allclose(shares.sum(axis=0), 1.0)
    values = reconcile(base, structure, "top_down_forecast")
    np.testing.assert_allclose(values[0], base[0])  # the total is kept
    # one product in two stores: split in the ratio of their base forecasts
    product = structure.node_of_bottom["product"]
    first, second = structure.bottom_rows[np.flatnonzero(product == product[0])[:2]]
    np.testing.assert_allclose(values[first] / values[second], base[first] / base[second])
    # the two categories: in the ratio of theirs
    cats = structure.rows_of("category")
    np.testing.assert_allclose(values[cats[0]] / values[cats[1]], base[cats[0]] / base[cats[1]])


def test_top_down_history_uses_the_historical_shares() -> None:
    structure = two_series()
    history = np.array([[1.0, 3.0], [3.0, 5.0]])  # a sold 4 of 12
    values = reconcile(
        np.array([[30.0], [0.0], [0.0]]), structure, "top_down_history", history=history
    )
    np.testing.assert_allclose(values.ravel(), [30.0, 10.0, 20.0])


def test_non_negative_clips_the_bottom_and_adds_up_again() -> None:
    # total 2, a 0, b 10: OLS gives a = -8/3, b = 22/3
    structure = two_series()
    values = reconcile(np.array([[2.0], [0.0], [10.0]]), structure, "ols")
    assert values[1, 0] == pytest.approx(-8 / 3)
    fixed = non_negative(values, structure)
    np.testing.assert_allclose(fixed.ravel(), [22 / 3, 0.0, 22 / 3])


def test_bad_inputs_are_refused() -> None:
    structure = two_series()
    with pytest.raises(OptionError, match="one of"):
        reconcile(np.ones((3, 1)), structure, "magic")
    with pytest.raises(OptionError, match="3 rows"):
        reconcile(np.ones((2, 1)), structure, "ols")
    with pytest.raises(OptionError, match="missing"):
        reconcile(np.array([[1.0], [np.nan], [1.0]]), structure, "ols")
    with pytest.raises(OptionError, match="residuals"):
        reconcile(np.ones((3, 1)), structure, "mint_shrink")
    with pytest.raises(OptionError, match="at least 3 periods"):
        reconcile(np.ones((3, 1)), structure, "mint_shrink", residuals=np.ones((2, 3)))
