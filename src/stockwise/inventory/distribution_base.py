"""What every demand distribution answers, and the normal-curve helpers the shapes share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

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
