"""The forecasts as a plan reads them: daily, per product, with the stock batches and the
calibrated service level each product orders at.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.inventory.parameters import ProductParameters
from stockwise.inventory.paths import (
    knot_columns,
    knot_values,
    to_daily,
)
from stockwise.inventory.plan_options import PlanOptions
from stockwise.inventory.projection import Projection
from stockwise.inventory.service_calibration import backtest_outcomes, plan_levels

DAYS_PER_PERIOD = calendar_facts.DAYS_PER_PERIOD


class _ProductForecasts:
    """The daily forecast table read once: per product its rows (by date), as arrays.

    Every product's paths need its dates and quantile knots; taking them from one sorted
    table by position costs the same for ten products or ten thousand, where selecting
    each product's rows from a DataFrame costs pandas' overhead per product.
    """

    def __init__(self, daily: pd.DataFrame) -> None:
        self.frame = daily
        codes, ids = pd.factorize(daily[S.UNIQUE_ID])  # (a missing id: -1, left out)
        dates = pd.DatetimeIndex(daily[S.DS])
        order = np.lexsort((dates.asi8, codes))  # by product, then date; stable
        order = order[codes[order] >= 0]
        codes = codes[order]
        starts = np.flatnonzero(np.diff(codes, prepend=-1))
        ends = np.r_[starts[1:], len(codes)]
        self._spans = {
            ids[code]: (int(lo), int(hi))
            for code, lo, hi in zip(codes[starts], starts, ends, strict=True)
        }
        # each product's first row in the table's own order (where its sector is read)
        first = np.minimum.reduceat(order, starts) if len(starts) else order
        self._first_row = dict(zip(starts.tolist(), first.tolist(), strict=True))
        self.dates = dates[order]
        self.probs, names = knot_columns(daily.columns)
        self.knots = knot_values(daily, names)[order]

    def span(self, uid: str) -> tuple[int, int] | None:
        """Positions of the product's rows in the sorted table; None without any."""
        return self._spans.get(uid)

    def first_sector(self, span: tuple[int, int]) -> object:
        """The sector of the product's first row as the forecast table lists it."""
        if S.SECTOR not in self.frame.columns:
            return "all"
        return self.frame[S.SECTOR].iloc[self._first_row[span[0]]]

    def forecast(self, span: tuple[int, int]) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
        """(dates, quantile probabilities, knots (days, k)) of one product."""
        lo, hi = span
        return self.dates[lo:hi], self.probs, self.knots[lo:hi]

    def projection_frame(
        self,
        planned_products: list[tuple[str, tuple[int, int] | None]],
        projections: list[Projection],
    ) -> pd.DataFrame:
        """The products' projections as one table (:meth:`Projection.to_frame` + id);
        ``planned_products``: (id, forecast span or None) of each, in the same order."""
        if not projections:
            return pd.DataFrame()
        spans = [span for _, span in planned_products if span is not None]
        if len(spans) == len(planned_products):
            dates = self.dates[np.concatenate([np.arange(lo, hi) for lo, hi in spans])]
        else:  # a product planned without a forecast has its own dates
            dates = pd.DatetimeIndex(np.concatenate([p.dates.to_numpy() for p in projections]))
        frame = pd.DataFrame(
            {
                "ds": dates,
                **{
                    name: np.concatenate([getattr(p, field) for p in projections])
                    for name, field in Projection.COLUMNS
                },
            }
        )
        frame[S.UNIQUE_ID] = np.repeat(
            np.array([uid for uid, _ in planned_products], dtype=object),
            [len(p.dates) for p in projections],
        )
        return frame


def _batches_by_product(
    batches: pd.DataFrame | None, today: pd.Timestamp
) -> dict[object, list[tuple[float, int]]]:
    """Per product its batches as (quantity, days from today to expiry), by expiry."""
    if batches is None or batches.empty:
        return {}
    rows = batches.sort_values(S.EXPIRY_DATE, kind="stable")
    days = [(pd.Timestamp(expiry) - today).days for expiry in rows[S.EXPIRY_DATE]]
    out: dict[object, list[tuple[float, int]]] = {}
    for uid, quantity, day in zip(
        rows[S.UNIQUE_ID].tolist(), rows[S.QUANTITY].tolist(), days, strict=True
    ):
        out.setdefault(uid, []).append((quantity, day))
    return out


def _calibrated_levels(
    params: list[ProductParameters],
    backtest: pd.DataFrame | None,
    groups: Mapping[str, str] | None,
    options: PlanOptions,
) -> dict[str, tuple[float, int]]:
    """Per product (level to order at, past intervals behind it); empty = no calibration."""
    freq, target = options.freq, options.target
    if backtest is None or backtest.empty or target not in ("cycle_service_level", "fill_rate"):
        return {}
    protection: dict[str, tuple[int, int] | tuple[float, float, int]] = {}
    for p in params:
        period = _freq_of(freq, p.sector)
        if period == "D":  # the lead time drawn as the decision draws it
            protection[p.unique_id] = (p.lead_time_days, p.lead_time_std_days, p.review_period_days)
            continue
        lead = max(round(p.lead_time_days), 1)
        per = DAYS_PER_PERIOD.get(period, 1)
        periods = max(math.ceil((lead + p.review_period_days) / per), 1)
        # the review part in whole periods (at least one); the periods before it are lead
        protection[p.unique_id] = (
            periods,
            max(periods - max(round(p.review_period_days / per), 1), 0),
        )
    outcomes = backtest_outcomes(
        backtest,
        protection,
        {p.unique_id: (p.moq, p.pack_size) for p in params},
        n_paths=options.n_paths,
        correlation=options.correlation,
        seed=options.seed,
    )
    return plan_levels(
        outcomes,
        {p.unique_id: p.service_level for p in params},
        groups or {},
        pools={p.unique_id: str(p.sector) for p in params},
        target=target,
    )


def _freq_of(freq: str | Mapping[str, str], sector: str | None) -> str:
    """The stockwise code of the forecasts' frequency (for ``sector``, when per sector)."""
    return calendar_facts.code_of(freq if isinstance(freq, str) else freq.get(str(sector), "D"))


def _daily_forecasts(forecasts: pd.DataFrame, freq: str | Mapping[str, str]) -> pd.DataFrame:
    if isinstance(freq, str):
        return to_daily(forecasts, freq)
    parts = [
        to_daily(rows, freq.get(str(sector), "D"))
        for sector, rows in forecasts.groupby(S.SECTOR, sort=False)
    ]
    return pd.concat(parts, ignore_index=True)
