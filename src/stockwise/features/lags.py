"""Lags, rolling and expanding statistics of the target: over a panel, and one step ahead.

Two functions compute the *same* numbers in two situations:

- :func:`history_features` over a long, sorted panel for training: the features of row
  t of a series use that series' values at t-1, t-2, ... only (never t itself, never
  another series), so a model trained on them never sees what it must predict;
- :func:`step_features` from a buffer of the last values of each series, for the next
  period of a recursive forecast: the buffer's newest values are the model's own
  forecasts, so every step sees exactly what training saw, with no future input.

Missing values (the first rows of a series, the NaNs a difference transform leaves) are
skipped: a rolling mean is over the values available in its window (NaN when none), a
lag beyond the series' start is NaN.
"""

from __future__ import annotations

import numpy as np

from stockwise.features.spec import FeatureSpec


def series_starts(codes: np.ndarray) -> np.ndarray:
    """Per row, the position of its series' first row (``codes`` sorted, contiguous)."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.r_[True, codes[1:] != codes[:-1]]
    first = np.flatnonzero(new)
    return first[np.cumsum(new) - 1]


def window_stats(
    values: np.ndarray, starts: np.ndarray, window: int | None, include_current: bool = False
) -> dict[str, np.ndarray]:
    """Count, mean, std, share of zeros, min, max over each row's window in its series.

    The window of row i is ``[i - window, i - 1]`` (``[i - window + 1, i]`` with
    ``include_current``), clipped at the series' start; ``window=None`` means the whole
    history. NaN values are skipped. Sums come from cumulative sums (O(n)); min and max
    from a loop over the window offsets (O(n·window)), computed only when asked for.
    """
    n = len(values)
    finite = np.isfinite(values)
    clean = np.where(finite, values, 0.0)
    csum = np.r_[0.0, np.cumsum(clean)]
    csq = np.r_[0.0, np.cumsum(clean * clean)]
    ccount = np.r_[0, np.cumsum(finite)]
    czero = np.r_[0, np.cumsum(finite & (values == 0))]
    index = np.arange(n)
    hi = index + 1 if include_current else index
    lo = starts if window is None else np.maximum(hi - window, starts)
    lo = np.minimum(lo, hi)
    count = ccount[hi] - ccount[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)
        meansq = np.where(count > 0, (csq[hi] - csq[lo]) / np.maximum(count, 1), np.nan)
        zeros = np.where(count > 0, (czero[hi] - czero[lo]) / np.maximum(count, 1), np.nan)
    std = np.sqrt(np.maximum(meansq - mean * mean, 0.0))
    return {
        "count": count,
        "mean": mean,
        "std": np.where(count > 0, std, np.nan),
        "zeros": zeros,
        "lo": lo,
        "hi": hi,
    }


def _window_extreme(
    values: np.ndarray, lo: np.ndarray, hi: np.ndarray, window: int, how: str
) -> np.ndarray:
    fill = np.inf if how == "min" else -np.inf
    out = np.full(len(values), fill)
    padded = np.where(np.isfinite(values), values, fill)
    for offset in range(1, window + 1):
        pos = hi - offset
        ok = pos >= lo
        candidate = np.where(ok, padded[np.clip(pos, 0, None)], fill)
        out = np.minimum(out, candidate) if how == "min" else np.maximum(out, candidate)
    return np.where(np.isfinite(out), out, np.nan)


def _shift(values: np.ndarray, starts: np.ndarray, by: int) -> np.ndarray:
    """``values`` of row i - by of the same series (NaN before the series' start)."""
    if by == 0:
        return values
    index = np.arange(len(values)) - by
    return np.where(index >= starts, values[np.clip(index, 0, None)], np.nan)


def history_features(
    values: np.ndarray, starts: np.ndarray, spec: FeatureSpec
) -> dict[str, np.ndarray]:
    """Target features of every row of a sorted panel from its series' past values."""
    out: dict[str, np.ndarray] = {}
    index = np.arange(len(values))
    gap = spec.history_offset - 1  # statistics end at t - offset instead of t - 1
    for k in spec.lags:
        pos = index - k
        out[f"lag_{k}"] = np.where(pos >= starts, values[np.clip(pos, 0, None)], np.nan)
    for w in spec.rolling_windows:
        stats = window_stats(values, starts, w)
        for stat in spec.rolling_stats:
            if stat in ("min", "max"):
                column = _window_extreme(values, stats["lo"], stats["hi"], w, stat)
            else:
                column = stats[stat]
            out[f"rolling_{stat}_{w}"] = _shift(column, starts, gap)
    if spec.expanding_stats:
        stats = window_stats(values, starts, None)
        for stat in spec.expanding_stats:
            out[f"expanding_{stat}"] = _shift(stats[stat], starts, gap)
    if spec.recency_cap:
        shifted = _shift(since_nonzero(values, starts, spec.recency_cap), starts, gap)
        out["periods_since_nonzero"] = np.where(np.isnan(shifted), spec.recency_cap, shifted)
    return out


def since_nonzero(values: np.ndarray, starts: np.ndarray, cap: int) -> np.ndarray:
    """Per row i, periods from the series' last non-zero value before i to i (1 when it is
    at i - 1), capped at ``cap``; ``cap`` too when there is none (NaN counts as none)."""
    index = np.arange(len(values))
    nonzero = np.isfinite(values) & (values != 0)
    last = np.maximum.accumulate(np.where(nonzero, index, -1)) if len(values) else index
    previous = np.r_[-1, last[:-1]]  # the last non-zero strictly before row i
    ago = np.where(previous >= starts, index - previous, cap)
    return np.minimum(ago, cap).astype(float)


def step_features(
    buffer: np.ndarray, expanding_sum: np.ndarray, expanding_count: np.ndarray, spec: FeatureSpec
) -> dict[str, np.ndarray]:
    """The same features for the period right after ``buffer`` (one row per series).

    ``buffer`` is (series, L) with the newest value last and NaN where a series has
    fewer than L values; ``expanding_sum`` / ``expanding_count`` cover the whole history.
    """
    length = buffer.shape[1]
    gap = spec.history_offset - 1
    out: dict[str, np.ndarray] = {}
    for k in spec.lags:
        out[f"lag_{k}"] = buffer[:, length - k] if k <= length else np.full(len(buffer), np.nan)
    if gap:  # the level up to t - offset: take the newest gap values out again
        recent = buffer[:, length - gap :]
        finite_recent = np.isfinite(recent)
        expanding_sum = expanding_sum - np.where(finite_recent, recent, 0.0).sum(axis=1)
        expanding_count = expanding_count - finite_recent.sum(axis=1)
    for w in spec.rolling_windows:
        part = buffer[:, max(length - gap - w, 0) : length - gap]
        finite = np.isfinite(part)
        count = finite.sum(axis=1)
        clean = np.where(finite, part, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, clean.sum(axis=1) / np.maximum(count, 1), np.nan)
            meansq = np.where(count > 0, (clean * clean).sum(axis=1) / np.maximum(count, 1), np.nan)
            zeros = np.where(
                count > 0, (finite & (part == 0)).sum(axis=1) / np.maximum(count, 1), np.nan
            )
        stats = {
            "mean": mean,
            "zeros": zeros,
            "std": np.where(count > 0, np.sqrt(np.maximum(meansq - mean * mean, 0.0)), np.nan),
        }
        for stat in spec.rolling_stats:
            if stat in ("min", "max"):
                fill = np.inf if stat == "min" else -np.inf
                reduced = (np.min if stat == "min" else np.max)(
                    np.where(finite, part, fill), axis=1
                )
                out[f"rolling_{stat}_{w}"] = np.where(count > 0, reduced, np.nan)
            else:
                out[f"rolling_{stat}_{w}"] = stats[stat]
    for stat in spec.expanding_stats:  # only "mean" exists
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"expanding_{stat}"] = np.where(
                expanding_count > 0, expanding_sum / np.maximum(expanding_count, 1), np.nan
            )
    if spec.recency_cap:
        seen = buffer[:, : length - gap]
        nonzero = np.isfinite(seen) & (seen != 0)
        newest = np.where(
            nonzero.any(axis=1), seen.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1), -1
        )
        ago = np.where(newest >= 0, seen.shape[1] - newest, spec.recency_cap)
        out["periods_since_nonzero"] = np.minimum(ago, spec.recency_cap).astype(float)
    return out
