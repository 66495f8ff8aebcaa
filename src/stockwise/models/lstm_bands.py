"""The LSTM's bands: the quantiles its network learns, read at any level, and their
conformal correction on the validation tail (used by :mod:`stockwise.models.lstm`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from stockwise.models.lstm_network import Arrays

INTERVAL_GRID = (20, 40, 60, 80, 90, 95, 98, 99)
"""Levels whose quantiles the network learns; other levels are interpolated between."""
QUANTILES = tuple(
    sorted({0.5, *(round(0.5 + s * lv / 200, 4) for lv in INTERVAL_GRID for s in (-1, 1))})
)


def band_shifts(network: object, val_set: Arrays) -> dict[int, float]:
    """Per level of the grid, the conformal correction of the learnt band (scaled units).

    The score of a validation point is how far it fell outside the band (negative when
    inside); the correction is its finite-sample conformal quantile, so adding it to
    both ends makes the band hold ``level`` % of the validation points. A negative
    correction (the band was wider than needed there) is not applied: the validation tail
    also chose the epoch, so it flatters the model.
    """
    from stockwise.models.conformal import conformal_quantile
    from stockwise.models.lstm_network import forward_numpy

    _, quant = forward_numpy(network, val_set.past, val_set.future)  # type: ignore[arg-type]
    target = val_set.target
    shifts = {}
    for level in INTERVAL_GRID:
        lo = _quantile_at(quant, 0.5 - level / 200)
        hi = _quantile_at(quant, 0.5 + level / 200)
        scores = np.maximum(lo - target, target - hi).reshape(-1)
        shifts[level] = max(conformal_quantile(scores, level), 0.0)
    return shifts


def _quantile_at(quantiles: np.ndarray, q: float) -> np.ndarray:
    """Linear interpolation between the learnt quantiles (the extremes beyond them)."""
    grid = np.asarray(QUANTILES)
    q = float(np.clip(q, grid[0], grid[-1]))
    upper = int(np.searchsorted(grid, q))
    if grid[min(upper, len(grid) - 1)] == q:
        return quantiles[..., min(upper, len(grid) - 1)]
    lower = upper - 1
    weight = (q - grid[lower]) / (grid[upper] - grid[lower])
    return quantiles[..., lower] * (1 - weight) + quantiles[..., upper] * weight
