"""Rolling-origin windows over a long frame, with cutoffs per series.

Shared by backtests and conformal intervals: window ``w`` (0 = oldest) holds out the
``h`` periods that end ``(n_windows - 1 - w) * step`` periods before each series' last
observation; the training part is everything up to the cutoff and nothing after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.schema import CUTOFF  # noqa: F401 - also for importers

if TYPE_CHECKING:
    from stockwise.models.base import Forecaster


@dataclass(frozen=True)
class Window:
    number: int
    train: pd.DataFrame
    test: pd.DataFrame
    cutoffs: pd.Series
    """Last training date per unique_id."""


def rolling_origin(
    df: pd.DataFrame, h: int, n_windows: int, step: int | None = None
) -> Iterator[Window]:
    """Yield ``n_windows`` train/test splits; ``df`` must be sorted by unique_id, ds."""
    if h < 1 or n_windows < 1:
        raise ValueError("h and n_windows must be >= 1")
    step = h if step is None else step
    if step < 1:
        raise ValueError("step must be >= 1")
    sizes = df.groupby(S.UNIQUE_ID, sort=False)[S.UNIQUE_ID].transform("size").to_numpy()
    from_end = sizes - 1 - df.groupby(S.UNIQUE_ID, sort=False).cumcount().to_numpy()
    for number in range(n_windows):
        offset = h + (n_windows - 1 - number) * step
        train = df[from_end >= offset]
        in_test = (from_end < offset) & (from_end >= offset - h)
        test = df[in_test & df[S.UNIQUE_ID].isin(train[S.UNIQUE_ID].unique()).to_numpy()]
        cutoffs = train.groupby(S.UNIQUE_ID, sort=True)[S.DS].max()
        yield Window(number, train.reset_index(drop=True), test.reset_index(drop=True), cutoffs)


def horizon_step(test: pd.DataFrame) -> np.ndarray:
    """1-based position of each test row within its series' window."""
    return test.groupby(S.UNIQUE_ID, sort=False).cumcount().to_numpy() + 1


def window_forecast(
    model: Forecaster, window: Window, h: int, levels: Sequence[int] = ()
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Fit fresh clones on ``window.train`` and forecast its test series ``h`` periods.

    Returns the forecast rows of the test series and, for fallback chains, which model
    served each series. Series end on different dates (a product delisted early, a
    partial upload), so their cutoffs differ. A local model only ever sees a series' own
    past, so one fit serves them all. A global model learns across series: fit once on
    the whole training part, it would see, for a series cut early, the rows other series
    have after that cutoff. So a global model is fit once per distinct cutoff, on every
    row up to that date, and forecasts only the series cut there (an aligned panel still
    needs a single fit). Known-ahead inputs for the forecast periods come from the rows
    after each series' last training date, without ``y``.
    """
    if not model.is_global or window.cutoffs.nunique() <= 1:
        return _fit_forecast(model, window.train, window.test, window.test, h, levels)
    rows = pd.concat([window.train, window.test], ignore_index=True)
    parts, used = [], {}
    for cutoff, ids in window.cutoffs.groupby(window.cutoffs, sort=True):
        train = window.train[window.train[S.DS] <= cutoff]
        last = train.groupby(S.UNIQUE_ID)[S.DS].max()
        future = rows[rows[S.DS] > rows[S.UNIQUE_ID].map(last)]
        test = window.test[window.test[S.UNIQUE_ID].isin(ids.index)]
        forecast, served = _fit_forecast(model, train, future, test, h, levels)
        parts.append(forecast)
        used.update(served)
    return pd.concat(parts, ignore_index=True), used


def _fit_forecast(
    model: Forecaster,
    train: pd.DataFrame,
    future: pd.DataFrame,
    test: pd.DataFrame,
    h: int,
    levels: Sequence[int],
) -> tuple[pd.DataFrame, dict[str, str]]:
    fitted = model.clone().fit(train)
    exog = future.drop(columns=[S.Y]) if model.supports_exog else None
    forecast = fitted.predict(h, X_df=exog, levels=tuple(levels))
    forecast = forecast[forecast[S.UNIQUE_ID].isin(test[S.UNIQUE_ID].unique())]
    used = dict(getattr(fitted, "used_", None) or {})
    return forecast, {uid: used[uid] for uid in test[S.UNIQUE_ID].unique() if uid in used}
