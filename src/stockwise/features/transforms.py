"""Target transforms that invert themselves: log1p, per-series scaling, differences.

A global model learns one function for series of very different sizes (a store selling
20,000 EUR a day next to one selling 3,000; an item selling 0.1 a day next to one
selling 5): ``scale`` divides each series by its own mean so they look alike, ``log1p``
turns multiplicative effects (a promotion lifts sales by 30 %) into additive ones, and
``diff_k`` removes a level or a season a tree cannot extrapolate. They run in the given
order before training; :meth:`TargetTransforms.inverse` undoes them in reverse order
on the forecasts, per series, from the little state kept at fit time (each series'
scale and the last k values before a difference) — never from the training data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _diff_lag(name: str) -> int:
    _, _, lag = name.partition("_")
    return int(lag) if lag else 1


class TargetTransforms:
    """An ordered chain of target transforms with the per-series state to invert it."""

    def __init__(self, names: tuple[str, ...] | list[str] = ()) -> None:
        self.names = tuple(names)
        self.scale_: np.ndarray | None = None
        self.tails_: dict[str, np.ndarray] = {}

    @property
    def keeps_sign(self) -> bool:
        """True when a non-negative target stays non-negative (needed by Poisson/Tweedie)."""
        return not any(n.startswith("diff") for n in self.names)

    def fit_transform(
        self, y: np.ndarray, codes: np.ndarray, starts: np.ndarray, n_series: int
    ) -> np.ndarray:
        """Transform a sorted panel's target (``codes``: series number of each row)."""
        x = np.asarray(y, dtype=float).copy()
        ends = (
            np.r_[np.flatnonzero(codes[1:] != codes[:-1]), len(codes) - 1]
            if len(codes)
            else np.zeros(0, dtype=np.int64)
        )
        first = starts[ends] if len(ends) else ends
        for name in self.names:
            if name == "log1p":
                if (x[np.isfinite(x)] < 0).any():
                    raise ValueError("the log1p target transform needs y >= 0")
                x = np.log1p(x)
            elif name == "scale":
                finite = np.isfinite(x)
                total = np.bincount(codes, np.where(finite, np.abs(x), 0.0), n_series)
                count = np.bincount(codes, finite.astype(float), n_series)
                with np.errstate(invalid="ignore", divide="ignore"):
                    scale = total / count
                self.scale_ = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
                x = x / self.scale_[codes]
            else:
                lag = _diff_lag(name)
                tail = np.full((len(ends), lag), np.nan)
                for j in range(lag):
                    pos = ends - (lag - 1 - j)
                    ok = pos >= first
                    tail[ok, j] = x[pos[ok]]
                self.tails_[name] = tail
                index = np.arange(len(x))
                before = index - lag
                previous = np.where(before >= starts, x[np.clip(before, 0, None)], np.nan)
                x = x - previous
        return x

    def inverse(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Forecasts (series, h) in transformed units back to units; ``rows`` = series numbers."""
        out = np.asarray(z, dtype=float).copy()
        for name in reversed(self.names):
            if name == "log1p":
                out = np.expm1(out)
            elif name == "scale":
                assert self.scale_ is not None
                out = out * self.scale_[rows][:, None]
            else:
                tail = self.tails_[name][rows]
                lag = tail.shape[1]
                extended = np.concatenate([tail, np.zeros_like(out)], axis=1)
                for j in range(out.shape[1]):
                    extended[:, lag + j] = out[:, j] + extended[:, j]
                out = extended[:, lag:]
        return out

    # -- state as a table (saved as Parquet) ---------------------------------------------
    def state_frame(self) -> pd.DataFrame:
        columns: dict[str, np.ndarray] = {}
        if self.scale_ is not None:
            columns["scale"] = self.scale_
        for name, tail in self.tails_.items():
            for j in range(tail.shape[1]):
                columns[f"{name}_tail_{j}"] = tail[:, j]
        return pd.DataFrame(columns)

    @classmethod
    def from_state(
        cls, names: tuple[str, ...] | list[str], state: pd.DataFrame
    ) -> TargetTransforms:
        chain = cls(names)
        if "scale" in state.columns:
            chain.scale_ = state["scale"].to_numpy(dtype=float)
        for name in chain.names:
            if name.startswith("diff"):
                cols = [f"{name}_tail_{j}" for j in range(_diff_lag(name))]
                chain.tails_[name] = state[cols].to_numpy(dtype=float)
        return chain
