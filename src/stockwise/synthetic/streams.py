"""Per-product random streams: the reason chunked output equals in-memory output.

Every product owns a generator seeded by ``SeedSequence(seed, spawn_key=(sector, j))``
(the same child ``SeedSequence(seed).spawn`` would give), so its numbers depend on the
seed, its sector and its index in that sector only — never on which chunk it falls in,
nor on the other sectors requested. ``RET-00001`` is the same series whether it is
generated alone or next to 99,999 others.

The Python loop here runs once per *product* (a handful of generator calls each); the
per-day work is done afterwards on ``(n_products, n_days)`` matrices. Sector models take
their scalar parameters from :class:`Draws`, which hands out pre-drawn uniform and normal
columns in a fixed order, so vectorised transforms stay row-wise and chunk-invariant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class Draws:
    """Pre-drawn per-product scalars, consumed column by column in a fixed order."""

    def __init__(self, uniforms: np.ndarray, normals: np.ndarray) -> None:
        self._u = uniforms
        self._z = normals
        self._iu = 0
        self._iz = 0

    @property
    def n(self) -> int:
        return self._u.shape[0]

    def _take_u(self, k: int) -> np.ndarray:
        if self._iu + k > self._u.shape[1]:
            raise RuntimeError("synthetic generator ran out of pre-drawn uniforms")
        block = self._u[:, self._iu : self._iu + k]
        self._iu += k
        return block

    def uniform(self, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        return low + (high - low) * self._take_u(1)[:, 0]

    def uniform_block(self, k: int) -> np.ndarray:
        """``k`` uniforms per product, shape ``(n, k)`` (e.g. one per promotion run)."""
        return self._take_u(k)

    def loguniform(self, low: float, high: float) -> np.ndarray:
        return np.exp(self.uniform(np.log(low), np.log(high)))

    def integers(self, low: int, high: int) -> np.ndarray:
        """Integers in ``[low, high)``."""
        return np.minimum(low + np.floor(self.uniform() * (high - low)), high - 1).astype(np.int64)

    def choice(self, weights: Sequence[float]) -> np.ndarray:
        """Index of an option drawn with the given (unnormalised) weights."""
        cum = np.cumsum(np.asarray(weights, dtype=np.float64))
        picked = np.searchsorted(cum / cum[-1], self.uniform(), side="right")
        return np.minimum(picked, len(cum) - 1)

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> np.ndarray:
        if self._iz >= self._z.shape[1]:
            raise RuntimeError("synthetic generator ran out of pre-drawn normals")
        column = self._z[:, self._iz]
        self._iz += 1
        return mean + sd * column


@dataclass
class ProductStreams:
    """Generators and pre-drawn randomness for a contiguous block of one sector's products."""

    rngs: list[np.random.Generator]
    draws: Draws
    rows: dict[str, np.ndarray]  # per-day float32 matrices (n, n_days)
    index: np.ndarray  # index of each product within its sector (0-based)


def open_streams(
    seed: int,
    sector_code: int,
    first: int,
    count: int,
    n_days: int,
    n_uniform: int,
    n_normal: int,
    rows: Sequence[tuple[str, str]] = (),
) -> ProductStreams:
    """Seed products ``first .. first+count-1`` of a sector and pre-draw their randomness.

    ``rows`` lists per-day matrices to draw, as ``(name, "uniform" | "normal")``.
    """
    uniforms = np.empty((count, n_uniform), dtype=np.float64)
    normals = np.empty((count, n_normal), dtype=np.float64)
    mats = {name: np.empty((count, n_days), dtype=np.float32) for name, _ in rows}
    rngs: list[np.random.Generator] = []
    for r in range(count):
        seq = np.random.SeedSequence(seed, spawn_key=(sector_code, first + r))
        rng = np.random.Generator(np.random.PCG64(seq))
        rng.random(out=uniforms[r])
        rng.standard_normal(out=normals[r])
        for name, kind in rows:
            if kind == "uniform":
                rng.random(dtype=np.float32, out=mats[name][r])
            else:
                rng.standard_normal(dtype=np.float32, out=mats[name][r])
        rngs.append(rng)
    return ProductStreams(rngs, Draws(uniforms, normals), mats, np.arange(first, first + count))


def negative_binomial(
    rngs: list[np.random.Generator], mean: np.ndarray, shape: np.ndarray
) -> np.ndarray:
    """Poisson counts with a gamma-mixed rate: negative binomial with the given mean.

    ``shape`` (one per product) sets over-dispersion: variance = mean + mean**2 / shape,
    so a large shape gives near-Poisson steady lines and a small one gives bursty sales.
    """
    out = np.empty(mean.shape, dtype=np.float64)
    for r, rng in enumerate(rngs):
        k = float(shape[r])
        rate = rng.standard_gamma(k, size=mean.shape[1]) * (mean[r].astype(np.float64) / k)
        out[r] = rng.poisson(rate)
    return out
