"""A newcomer's forecast from its peers' curves: the peers closest in shape to its start,
each rescaled to its level (see :mod:`stockwise.models.cold_start`).
"""

from __future__ import annotations

import numpy as np

NEAREST = 0.5
"""Share of the peers' curves kept: those closest in shape to the newcomer's start."""


def nearest_curves(observed: np.ndarray, curves: np.ndarray, k: int) -> np.ndarray:
    """The curves whose shape over the observed ages is closest to the newcomer's (the
    :data:`NEAREST` share of them, ties kept): a store open on Sundays follows the peers
    open on Sundays, not the average of a group mostly closed then. Only for a start that
    sold in most of its periods: the shape of an intermittent start is noise."""
    if NEAREST >= 1 or k < 2 or np.mean(observed[:k] > 0) < 0.5:
        return curves
    mine = observed[:k] / max(float(np.mean(observed[:k])), 1e-12)
    theirs = curves[:, :k] / curves[:, :k].mean(axis=1, keepdims=True)
    distance = np.mean((theirs - mine) ** 2, axis=1)
    return curves[distance <= np.quantile(distance, NEAREST)]


def scaled_curves(observed: np.ndarray, curves: np.ndarray, k: int) -> np.ndarray:
    """Peers' curves ahead (peers × h), each rescaled from its own level over the observed
    ages to the newcomer's level, shrunk toward the peers' median level."""
    levels = curves[:, :k].mean(axis=1)
    centre = float(np.median(levels))
    weight = _own_weight(curves, levels, centre, k)
    level = weight * float(np.mean(observed[:k])) + (1.0 - weight) * centre
    return level * curves[:, k:] / levels[:, None]


def _own_weight(curves: np.ndarray, levels: np.ndarray, centre: float, k: int) -> float:
    """Empirical-Bayes weight of the newcomer's own mean: how much peers' levels differ
    (relative spread²) against how noisy a mean of ``k`` periods is (peers' relative
    per-period deviation² from the common shape, over the observed ages; over the whole
    curve when one age leaves nothing to measure it on)."""
    width = k if k >= 2 else curves.shape[1]
    window = curves[:, :width]
    shapes = window / window.mean(axis=1, keepdims=True)
    noise = float(np.median(np.mean((shapes - np.median(shapes, axis=0)) ** 2, axis=1)))
    spread = (1.4826 * float(np.median(np.abs(levels - centre))) / centre) ** 2
    if spread + noise <= 0:
        return 1.0
    return spread / (spread + noise / k)
