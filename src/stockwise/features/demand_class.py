"""Syntetos–Boylan classification of demand patterns, and the models worth trying on each.

Two numbers describe how a demand series behaves:

``adi``
    Average inter-demand interval: the number of periods divided by the number of periods
    with demand (``y > 0``), ``adi = n_span / n_nonzero``. ``n_span`` counts the periods
    from the **first period with demand** to the end of the series, inclusive: leading zeros
    are left out because they usually mean the product was not yet listed (a launch in the
    middle of the history), not that its demand is intermittent. Trailing zeros are kept:
    a product that stopped selling is exactly what ADI should see. ``adi = 1`` means demand
    in every period; ``adi = 4`` one period in four on average.
``cv2``
    Squared coefficient of variation of the demand sizes, the non-zero values only:
    ``cv2 = (std / mean)²`` with the population standard deviation (``ddof = 0``).
    ``cv2 = 0`` when the series has a single period with demand.

The cut-offs of Syntetos, Boylan & Croston (2005), ``ADI = 1.32`` and ``CV² = 0.49``, split
the plane in four classes:

=============== ============== ==================
                ``cv2 < 0.49`` ``cv2 >= 0.49``
=============== ============== ==================
``adi < 1.32``  smooth         erratic
``adi >= 1.32`` intermittent   lumpy
=============== ============== ==================

and a series without any period of demand is ``"no_demand"`` (``adi`` and ``cv2`` NaN).

The frame is a long ``unique_id, ds, y`` frame on a regular calendar with the zero-sales
periods present (as the prepare step leaves it): each row is one period. Rows whose ``y``
is NaN are not periods of the series (they count neither in ``n_periods`` nor in the
span). A negative ``y`` (net returns) is not demand: it counts as a period without demand.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import MissingColumnsError
from stockwise.model_catalogue import STANDARD, candidates_by_class

SMOOTH = "smooth"
ERRATIC = "erratic"
INTERMITTENT = "intermittent"
LUMPY = "lumpy"
NO_DEMAND = "no_demand"

DEMAND_CLASSES: tuple[str, ...] = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NO_DEMAND)
"""Every value ``demand_class`` can take."""

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

CANDIDATES_BY_CLASS: dict[str, tuple[str, ...]] = candidates_by_class(STANDARD, DEMAND_CLASSES)
"""Model names worth trying for each demand class, most promising first (the catalogue
:func:`candidate_models` reads; each model's ``candidate_for`` in
:mod:`stockwise.model_catalogue` says where it serves)."""

FAST_CANDIDATES_BY_CLASS: dict[str, tuple[str, ...]] = candidates_by_class("fast", DEMAND_CLASSES)
"""The candidates of the default ``quality="fast"`` preset: the panel-wide smoothing models
(:mod:`stockwise.models.smoothing`) where ETS-type models win, AutoARIMA nowhere (seconds
per series), and the models fitted series by series (AutoETS, AutoTheta, the optimised
Croston, ADIDA, IMAPA) only where series are short enough for them to be cheap (weekly and
monthly data; their entries are ``slow_on_daily``), and the day-of-month Holt-Winters on
daily data only (``daily_only``)."""

BEST_CANDIDATES_BY_CLASS: dict[str, tuple[str, ...]] = candidates_by_class("best", DEMAND_CLASSES)
"""The candidates of the ``quality="best"`` preset: the fast ones, and on every class with
demand the three standard statistical models and their median (hard to beat on business
data; :mod:`stockwise.models.combination`), so that selection per series can only choose
one of them where its backtest beats the combination."""

BEST_EXTRAS: tuple[str, ...] = tuple(
    name
    for name in BEST_CANDIDATES_BY_CLASS[SMOOTH]
    if not all(name in FAST_CANDIDATES_BY_CLASS[c] for c in (SMOOTH, ERRATIC, INTERMITTENT, LUMPY))
    and all(name in BEST_CANDIDATES_BY_CLASS[c] for c in (SMOOTH, ERRATIC, INTERMITTENT, LUMPY))
)
"""What the ``quality="best"`` preset adds to every demand class's fast candidates."""

COLUMNS: tuple[str, ...] = ("adi", "cv2", "n_nonzero", "n_periods", "demand_class")
"""Columns of the frame :func:`classify_demand` returns."""


def classify_demand(
    df: pd.DataFrame, adi_cutoff: float = ADI_CUTOFF, cv2_cutoff: float = CV2_CUTOFF
) -> pd.DataFrame:
    """Classify each series of a long ``unique_id, ds, y`` frame (see the module docstring).

    Returns a frame indexed by ``unique_id`` (sorted) with columns ``adi``, ``cv2``,
    ``n_nonzero`` (periods with ``y > 0``), ``n_periods`` (all periods of the series with a
    non-NaN ``y``, leading zeros included, so ``adi`` is *not* ``n_periods / n_nonzero``
    when the series starts with zeros) and ``demand_class``. A series is below a cut-off
    when its value is strictly smaller (``adi < adi_cutoff``, ``cv2 < cv2_cutoff``).
    """
    missing = [c for c in (S.UNIQUE_ID, S.DS, S.Y) if c not in df.columns]
    if missing:
        raise MissingColumnsError(missing, [str(c) for c in df.columns], table="sales")

    ids = df[S.UNIQUE_ID].drop_duplicates().sort_values()
    frame = df.loc[df[S.Y].notna(), [S.UNIQUE_ID, S.DS, S.Y]].sort_values(
        [S.UNIQUE_ID, S.DS], kind="stable"
    )
    y = frame[S.Y].to_numpy(dtype=np.float64)
    demand = y > 0.0
    by_series = frame[S.UNIQUE_ID]
    position = frame.groupby(S.UNIQUE_ID, sort=False).cumcount().to_numpy()

    n_periods = by_series.value_counts(sort=False)
    n_nonzero = pd.Series(demand, index=frame.index).groupby(by_series).sum()
    first = (
        pd.Series(np.where(demand, position, np.nan), index=frame.index).groupby(by_series).min()
    )
    sizes = pd.Series(y[demand], index=frame.index[demand]).groupby(by_series[demand])
    size_mean = sizes.mean()
    size_std = sizes.std(ddof=0)

    out = pd.DataFrame(index=pd.Index(ids.to_numpy(), name=S.UNIQUE_ID))
    out["n_periods"] = n_periods.reindex(out.index).fillna(0).astype(np.int64)
    out["n_nonzero"] = n_nonzero.reindex(out.index).fillna(0).astype(np.int64)
    span = out["n_periods"] - first.reindex(out.index)  # NaN without demand
    with np.errstate(invalid="ignore", divide="ignore"):
        out["adi"] = (span / out["n_nonzero"].where(out["n_nonzero"] > 0)).astype(np.float64)
        out["cv2"] = ((size_std / size_mean) ** 2).reindex(out.index).astype(np.float64)

    has_demand = out["n_nonzero"].to_numpy() > 0
    regular = out["adi"].to_numpy() < adi_cutoff
    stable = out["cv2"].to_numpy() < cv2_cutoff
    out["demand_class"] = np.select(
        [~has_demand, regular & stable, regular, stable],
        [NO_DEMAND, SMOOTH, ERRATIC, INTERMITTENT],
        default=LUMPY,
    ).astype(object)
    return out[list(COLUMNS)]


def candidate_models(
    classes: pd.Series, available: Iterable[str]
) -> dict[Hashable, tuple[str, ...]]:
    """Per series, the candidate models of its class that are in ``available``.

    ``classes`` maps ``unique_id`` (its index) to a demand class, e.g. the
    ``demand_class`` column of :func:`classify_demand`. The candidates keep the order of
    :data:`CANDIDATES_BY_CLASS`; a series whose candidates are all unavailable gets an empty
    tuple (the caller chooses the fallback). Raises ``ValueError`` on an unknown class.
    """
    unknown = sorted({str(c) for c in pd.unique(classes) if c not in DEMAND_CLASSES})
    if unknown:
        raise ValueError(f"unknown demand class(es) {unknown}; known: {list(DEMAND_CLASSES)}")
    offered = set(available)
    per_class = {
        name: tuple(m for m in models if m in offered)
        for name, models in candidates_by_class(STANDARD, DEMAND_CLASSES).items()
    }
    return {uid: per_class[name] for uid, name in classes.items()}
