"""The accuracy metrics on arrays: one actual and one forecast array in, one float out.
Definitions and the treatment of missing values are those of :mod:`.metrics`, which
applies these to cross-validation frames.
"""

from __future__ import annotations

import numpy as np


def _as_1d(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).ravel()


def _kept(y: object, *others: object) -> tuple[np.ndarray, ...]:
    """Float arrays of equal length, restricted to the points where ``y`` is not NaN."""
    y_arr = _as_1d(y)
    arrays = [_as_1d(o) for o in others]
    for array in arrays:
        if array.shape != y_arr.shape:
            raise ValueError(
                f"arrays must have the same length: got {y_arr.shape[0]} and {array.shape[0]}"
            )
    keep = ~np.isnan(y_arr)
    return (y_arr[keep], *(a[keep] for a in arrays))


def _mean(values: np.ndarray) -> float:
    """Mean that is NaN (without a warning) on an empty array and NaN-propagating."""
    if values.size == 0:
        return float("nan")
    return float(np.mean(values))


def mae(y: object, f: object) -> float:
    """Mean absolute error ``mean(|f − y|)``; NaN actuals ignored."""
    y_k, f_k = _kept(y, f)
    return _mean(np.abs(f_k - y_k))


def rmse(y: object, f: object) -> float:
    """Root mean squared error ``sqrt(mean((f − y)²))``; NaN actuals ignored."""
    y_k, f_k = _kept(y, f)
    return float(np.sqrt(_mean((f_k - y_k) ** 2)))


def bias(y: object, f: object) -> float:
    """Mean error ``mean(f − y)``: positive = over-forecast; NaN actuals ignored."""
    y_k, f_k = _kept(y, f)
    return _mean(f_k - y_k)


def wape(y: object, f: object) -> float:
    """``sum(|f − y|) / sum(|y|)`` (a ratio); NaN when ``sum(|y|) == 0``."""
    y_k, f_k = _kept(y, f)
    denominator = float(np.sum(np.abs(y_k)))
    if y_k.size == 0 or denominator == 0.0:
        return float("nan")
    return float(np.sum(np.abs(f_k - y_k))) / denominator


def _smape_terms(y: np.ndarray, f: np.ndarray) -> np.ndarray:
    numerator = 2.0 * np.abs(f - y)
    denominator = np.abs(y) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = numerator / denominator
    # 0/0 (y == f == 0) is a perfect forecast; a NaN forecast stays NaN.
    return np.where((denominator == 0.0) & (numerator == 0.0), 0.0, terms)


def smape(y: object, f: object) -> float:
    """``mean(2|f − y| / (|y| + |f|))``, 0/0 counted as 0; range 0..2 (not in percent)."""
    y_k, f_k = _kept(y, f)
    return _mean(_smape_terms(y_k, f_k))


def _seasonal_differences(y_train: object, season_length: int) -> np.ndarray:
    if season_length < 1:
        raise ValueError(f"season_length must be >= 1, got {season_length}")
    history = _as_1d(y_train)
    if history.size <= season_length:
        return np.empty(0)
    differences = history[season_length:] - history[:-season_length]
    return differences[~np.isnan(differences)]


def _scale(values: np.ndarray) -> float:
    """Mean of non-negative scale terms; NaN when empty or zero."""
    if values.size == 0:
        return float("nan")
    value = float(np.mean(values))
    return value if value > 0.0 else float("nan")


def mase(y: object, f: object, y_train: object, season_length: int = 1) -> float:
    """``MAE / mean(|y_train[t] − y_train[t − m]|)``; NaN when the scale is 0 or undefined."""
    scale = _scale(np.abs(_seasonal_differences(y_train, season_length)))
    return mae(y, f) / scale


def rmsse(y: object, f: object, y_train: object, season_length: int = 1) -> float:
    """``sqrt(MSE / mean((y_train[t] − y_train[t − m])²))``; NaN when the scale is 0."""
    scale = _scale(_seasonal_differences(y_train, season_length) ** 2)
    y_k, f_k = _kept(y, f)
    return float(np.sqrt(_mean((f_k - y_k) ** 2) / scale))


def _check_quantile(quantile: float) -> None:
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be strictly between 0 and 1, got {quantile}")


def _pinball_terms(y: np.ndarray, q: np.ndarray, quantile: float) -> np.ndarray:
    diff = y - q
    return np.maximum(quantile * diff, (quantile - 1.0) * diff)


def pinball(y: object, q_forecast: object, quantile: float) -> float:
    """Pinball loss ``mean(max(τ(y − q), (τ − 1)(y − q)))`` of a quantile-``τ`` forecast."""
    _check_quantile(quantile)
    y_k, q_k = _kept(y, q_forecast)
    return _mean(_pinball_terms(y_k, q_k, quantile))


def _coverage_terms(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    inside = ((lo <= y) & (y <= hi)).astype(np.float64)
    return np.where(np.isnan(lo) | np.isnan(hi), np.nan, inside)


def coverage(y: object, lo: object, hi: object) -> float:
    """Share of points with ``lo <= y <= hi`` (bounds count as covered)."""
    y_k, lo_k, hi_k = _kept(y, lo, hi)
    return _mean(_coverage_terms(y_k, lo_k, hi_k))


def level_to_quantiles(level: float) -> tuple[float, float]:
    """Quantiles bounding a central interval of ``level`` percent: 80 → (0.1, 0.9)."""
    if not 0.0 < level < 100.0:
        raise ValueError(f"level must be strictly between 0 and 100 (percent), got {level}")
    return (100.0 - level) / 200.0, (100.0 + level) / 200.0
