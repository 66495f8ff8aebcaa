"""The median of a few strong statistical models, as one forecaster.

Simple combinations of standard models (the median of AutoETS, AutoTheta and AutoCES by
default) are hard to beat on business data: each member errs in its own way, and the
median drops the one that strays furthest at each step without trusting any one model.
:class:`MedianCombo` fits every member (each inside its fallback chain, so a member
failing on a series hands it to a simpler model rather than leaving a gap) and takes, per
series and step, the median of the members' points and of each band bound. The median of
bounds is a quantile average: it keeps the members' shared view of spread, and the
workflow's band calibration (:mod:`stockwise.evaluation.calibration`) corrects what it
gets wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.models.base import Forecaster, interval_columns

DEFAULT_MEMBERS: tuple[str, ...] = ("AutoETS", "AutoTheta", "AutoCES")
"""The combination known to be hard to beat on business data."""


class MedianCombo(Forecaster):
    """Per step, the median of the members' forecasts (points and each band bound)."""

    native_intervals = True  # the members bring theirs
    min_history = 3

    def __init__(
        self,
        members: Sequence[str] = DEFAULT_MEMBERS,
        season_length: int = 1,
        alias: str | None = None,
        freq: str | None = None,
    ) -> None:
        self.members = members
        self.season_length = season_length
        self.alias = alias
        self.freq = freq

    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        from stockwise.models.registry import with_fallback  # the registry imports this

        if len(self.members) < 2:
            raise ValueError(f"{self.name} combines at least two models, got {list(self.members)}")
        self.fits_ = [
            with_fallback(name, self.season_length, self.freq_).fit(df) for name in self.members
        ]

    def _predict(self, h: int, X_df: pd.DataFrame | None, levels: tuple[int, ...]) -> pd.DataFrame:
        targets = [self.name, *interval_columns(self.name, levels)]
        parts = []
        for model in self.fits_:
            out = model.predict(h, levels=levels)
            columns = [model.name, *interval_columns(model.name, levels)]
            parts.append(
                out[[S.UNIQUE_ID, S.DS, *columns]].set_axis([S.UNIQUE_ID, S.DS, *targets], axis=1)
            )
        stacked = pd.concat(parts, ignore_index=True)
        out = stacked.groupby([S.UNIQUE_ID, S.DS], as_index=False, sort=True)[targets].median()
        out[targets] = np.maximum(out[targets].to_numpy(dtype=float), 0.0)
        return out


def median_of_members(
    frame: pd.DataFrame, members: Sequence[str], name: str, levels: tuple[int, ...] = ()
) -> pd.DataFrame:
    """``frame`` with columns ``name`` (and its bands) set to the row-wise median of the
    members' columns: the forecasts a :class:`MedianCombo` of those members would make,
    from forecasts already made (a backtest that ran the members as candidates need not
    fit them a second time)."""
    out = frame.copy()
    suffixes = ["", *(c[len(name) :] for c in interval_columns(name, levels))]
    for suffix in suffixes:
        values = out[[m + suffix for m in members]].to_numpy(dtype=float)
        complete = ~np.isnan(values).any(axis=1)
        column = np.full(len(out), np.nan)
        column[complete] = np.maximum(np.median(values[complete], axis=1), 0.0)
        out[name + suffix] = column
    return out
