"""Closed days: the zero-sales days of a busy daily series are closures, not demand.

A shop closed on Sundays and public holidays sells nothing on those days, whatever its
demand. Scored as demand, those zeros mislead three things: the band of every open day
(a fifth of the errors are "zero forecast, zero sold", and zeros that common open the
lower band down to 0), the choice of model (a holiday's miss is not a model's fault), and
the band calibration (closed days count as covered points, so the open days' bands come
out too narrow). The rules here tell closures from demand using only a series' own past:

``busy``
    a series whose positive days over its last :data:`RECENT_PERIODS` periods number at
    least half of them (and :data:`MIN_OPEN_DAYS`), with a 10th percentile of at least
    :data:`MIN_OPEN_SALE`. For such a series a zero is not a quiet day: with a daily mean
    of 5 units or more even Poisson demand is zero less than 1 % of the time, so a zero is
    a closure (or a stockout). Slow and intermittent items are never busy, so their zeros
    stay demand.
``closed phase``
    a day of the season (a weekday, with a season of 7) on which a busy series sold
    nothing on at least :data:`CLOSED_SHARE` of its last :data:`RECENT_SEASONS` seasons:
    it is expected closed on that day ahead, forecast 0 with a band of zero width.

Both are measured at a cutoff from the data up to it, so a backtest window learns nothing
from its future. Only daily data has closed days in this sense: a week or a month without
a sale on a busy series is rare and is kept as demand.
"""

from __future__ import annotations

import numpy as np

RECENT_PERIODS = 56
"""Periods (eight weeks of days) whose sales say whether a series is busy."""
MIN_OPEN_SALE = 5.0
"""Lowest 10th percentile of a busy series' positive days (units a day)."""
MIN_OPEN_DAYS = 14
"""Fewest positive days in the recent periods for a series to be called busy."""
RECENT_SEASONS = 8
CLOSED_SHARE = 7 / 8
"""Share of the last :data:`RECENT_SEASONS` seasons a phase must have been at zero on
(seven of eight weeks) to be expected closed ahead: one opening Sunday before Christmas
does not reopen the shop every Sunday, nor does one holiday Monday close every Monday."""


def busy(recent: np.ndarray) -> np.ndarray:
    """Per row of ``recent`` (series × periods, NaN where not observed): whether the series
    is busy (module docstring), so that a zero on it is a closure."""
    observed = (~np.isnan(recent)).sum(axis=1)
    positive = recent > 0
    n_positive = positive.sum(axis=1)
    return (
        (n_positive >= MIN_OPEN_DAYS)
        & (2 * n_positive >= observed)
        & (_low_positive(recent, positive, n_positive) >= MIN_OPEN_SALE)
    )


def _low_positive(recent: np.ndarray, positive: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Per row, the 10th percentile (linear, as numpy's) of the positive values; 0 without
    any. One sort for the whole panel: ``np.nanpercentile`` loops over rows."""
    if recent.shape[1] == 0:
        return np.zeros(len(recent))
    ordered = np.sort(np.where(positive, recent, np.inf), axis=1)
    rank = 0.1 * np.maximum(count - 1, 0)
    below = np.floor(rank).astype(int)
    above = np.minimum(below + 1, np.maximum(count - 1, 0))
    rows = np.arange(len(recent))
    low, high = ordered[rows, below], ordered[rows, above]
    with np.errstate(invalid="ignore"):
        value = low + (rank - below) * (high - low)
    return np.where(count > 0, np.nan_to_num(value, posinf=0.0), 0.0)


def closed_phases(values: np.ndarray, season_length: int) -> np.ndarray:
    """(series × season) mask of the phases expected closed after the last column of
    ``values`` (history up to the cutoff); phase ``k`` is the ``k+1``-th period ahead,
    modulo the season."""
    m = max(int(season_length), 1)
    n_series, n_periods = values.shape
    if m < 2 or n_periods < m:
        return np.zeros((n_series, m), dtype=bool)
    seasons = min(RECENT_SEASONS, n_periods // m)
    recent = values[:, n_periods - seasons * m :].reshape(n_series, seasons, m)
    zeros = (recent <= 0).sum(axis=1)  # NaN compares False: a missing day is no zero
    observed = (~np.isnan(recent)).sum(axis=1)
    expected = (observed >= 2) & (zeros >= CLOSED_SHARE * observed)
    return expected & busy(values[:, -RECENT_PERIODS:])[:, None]
