"""Rolling-origin windows over a long frame, with cutoffs per series.

Shared by backtests and conformal intervals: window ``w`` (0 = oldest) holds out the
``h`` periods that end ``(n_windows - 1 - w) * step`` periods before each series' last
observation; the training part is everything up to the cutoff and nothing after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockwise import schema as S

CUTOFF = "cutoff"


@dataclass(frozen=True)
class Window:
    number: int
    train: pd.DataFrame
    test: pd.DataFrame
    cutoffs: pd.Series
    """Last training date per unique_id."""


def rolling_origin(df: pd.DataFrame, h: int, n_windows: int, step: int | None = None
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
