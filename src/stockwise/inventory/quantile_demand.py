"""Demand known only by a forecast's quantiles: a distribution interpolated between them, with
tails that keep the quantiles the forecast gave.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from stockwise.inventory.distribution_base import DemandDistribution, _check_q, _out, _phi, _z_phi


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
