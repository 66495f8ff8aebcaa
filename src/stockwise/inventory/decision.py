"""One product's order decision from its demand paths: levels, quantity, date, reason.

The protection interval of a periodic review is the lead time plus the review period:
an order placed today must cover demand until the order after it arrives. Sampling the
lead time per path and summing each path's demand over it gives the lead-time demand
distribution *with* lead-time variability, from the forecast's own quantiles. Levels:

- ``RS`` (periodic review, order-up-to): S = the service quantile of demand over L + R;
  at each review order S − position.
- ``sS``: s = that same quantile, S = s + EOQ; order S − position when position ≤ s.
- ``sQ``: s as above; order whole multiples of the EOQ to bring the position above s.

With a fill-rate target, S is the smallest level whose expected fill rate
1 − E[(D − S)⁺] / E[demand per review period] reaches it. With a cost target, the cycle
service level is the critical ratio of shortage and holding costs (see
:meth:`ProductParameters.cost_based_service_level`). Every decision reports both the
expected cycle service level P(D ≤ S) and the expected fill rate.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from stockwise.errors import OptionError
from stockwise.inventory.parameters import ProductParameters
from stockwise.inventory.paths import lead_time_samples, running_demand
from stockwise.inventory.policies import eoq, round_order

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Decision:
    """The numbers behind one product's line of the plan."""

    reorder_point: float
    order_up_to: float
    safety_stock: float
    demand_protection_mean: float
    cycle_service_level: float
    fill_rate: float
    position: float
    order_day: int | None
    """Day index (0 = today) on which to place the order; None: none within the horizon."""
    raw_quantity: float
    order_quantity: float
    reason: str
    service_level: float
    """The cycle service level aimed at (the profile's, the product's, or from costs)."""


def decide(
    params: ProductParameters,
    paths: np.ndarray,
    rng: np.random.Generator,
    target: str = "cycle_service_level",
    expiry_cap: float | None = None,
    expected_waste: np.ndarray | None = None,
) -> Decision:
    """Compute levels and the order for one product (``paths``: n_paths × days, daily).

    ``expected_waste`` (units expiring per day, from the projection) is taken off the
    expected position: stock that will expire before it sells does not protect anyone.
    """
    n_paths, days = paths.shape
    review = params.review_period_days
    lead = lead_time_samples(params.lead_time_days, params.lead_time_std_days, n_paths, rng)
    # demand over lead time + review and over the review alone, from today: both from
    # one set of running totals (the total over the first 0 days is exactly 0)
    running = running_demand(paths, max(int((lead + review).max()), review) if n_paths else 0)
    protection = running.ravel()[(lead + review) * n_paths + np.arange(n_paths)]
    per_review = running[review].copy()
    mean_daily = float(paths.mean()) if days else 0.0

    service_level = params.cost_based_service_level() if target == "cost" else params.service_level
    level = _service_quantile(protection, per_review, service_level, target)
    q_eoq = _eoq(params, mean_daily)
    if params.policy == "RS":
        reorder_point, order_up_to = level, level
    elif params.policy == "sS":
        reorder_point, order_up_to = level, level + q_eoq
    else:  # sQ
        reorder_point, order_up_to = level, level + q_eoq
    position = params.on_hand + params.on_order
    expected_position = position - np.concatenate([[0.0], np.cumsum(paths.mean(axis=0))])
    if expected_waste is not None and len(expected_waste) == days and days:
        # Units expiring within the protection interval protect nobody: count them out
        # as soon as they fall inside it, not on the day they expire.
        ahead = round(params.lead_time_days) + review
        wasted = np.cumsum(expected_waste)
        expected_position -= wasted[np.minimum(np.arange(days + 1) + ahead, days - 1)]
    if params.policy == "RS":
        due = np.flatnonzero(expected_position[:days:review] < order_up_to)
        order_day = int(due[0] * review) if len(due) else None
    else:
        due = np.flatnonzero(expected_position[:days] <= reorder_point)
        order_day = int(due[0]) if len(due) else None

    raw = 0.0
    if order_day is not None:
        at_order = float(expected_position[order_day])
        if params.policy == "sQ" and q_eoq > 0:
            raw = q_eoq * max(np.ceil((reorder_point - at_order) / q_eoq + 1e-9), 1.0)
        else:
            raw = max(order_up_to - at_order, 0.0)
    cap = _cap(params, position, expiry_cap)
    quantity = float(round_order(raw, params.moq, params.pack_size, cap))
    csl = float(np.mean(protection <= order_up_to))
    fill = _fill_rate(protection, per_review, order_up_to)
    reason = _reason(
        params,
        _Proposal(
            position,
            reorder_point,
            order_up_to,
            protection,
            order_day,
            raw,
            quantity,
            cap,
            q_eoq,
            service_level,
        ),
    )
    return Decision(
        reorder_point,
        order_up_to,
        reorder_point - float(protection.mean()),
        float(protection.mean()),
        csl,
        fill,
        position,
        order_day,
        raw,
        quantity,
        reason,
        service_level,
    )


def protection_quantile(protection: np.ndarray, level: float | np.ndarray) -> np.ndarray:
    """The ``level`` quantile of the protection totals, extended past both ends.

    Levels from 0 to 1 are quantiles (method "higher": a total that occurred). Outside
    that range only a calibrated level goes (:mod:`.service_calibration`): above 1, when
    past cycles needed more than any sampled path, (level − 1) × the upper half-range
    (largest − median) is added to the largest total, a linear extension of the upper
    tail; below 0 (down to −1), when even the smallest sampled total served more cycles
    than the target asks — forecasts far too high, as a seasonal naive forecast of a
    lumpy luxury item can be — the stock is (1 + level) × the smallest total, down to
    nothing at −1.

    ``protection`` may hold one set of totals per row (the last axis): the result then
    has one row of levels per row, each the same as for that row alone.
    """
    levels = np.asarray(level, dtype=float)
    totals = np.asarray(protection, dtype=float)
    n = totals.shape[-1] if totals.ndim else 0
    if n == 0 or levels.ndim > 1 or np.isnan(totals).any():  # numpy's own rules
        if totals.ndim <= 1:
            return _protection_quantile_1d(totals, levels)
        rows = [_protection_quantile_1d(row, levels) for row in totals.reshape(-1, n)]
        return np.reshape(rows, totals.shape[:-1] + levels.shape)
    # One sort, then the order statistic np.quantile(method="higher") takes for a level.
    ranked = np.sort(totals, axis=-1)
    inside = ranked[..., _higher_rank(n, np.clip(levels, 0.0, 1.0))]
    if not ((levels > 1) | (levels < 0)).any():
        return inside
    shape = totals.shape[:-1] + (1,) * levels.ndim
    top = ranked[..., -1].reshape(shape)
    bottom = ranked[..., 0].reshape(shape)
    half_range = top - ranked[..., _higher_rank(n, np.array(0.5))].reshape(shape)
    above = top + (levels - 1) * half_range
    below = (1 + np.maximum(levels, -1.0)) * bottom
    return np.where(levels > 1, above, np.where(levels < 0, below, inside))


def _higher_rank(n: int, levels: np.ndarray) -> npt.NDArray[np.intp]:
    """Index in n sorted values of each level's quantile, method "higher".

    Asked of numpy itself (the quantile of 0, 1, …, n − 1 is the index it takes), so the
    rule stays numpy's whatever its version; a plan asks the same few questions again.
    """
    return _higher_ranks(n, levels.tobytes()).reshape(levels.shape)


@functools.lru_cache(maxsize=512)
def _higher_ranks(n: int, levels: bytes) -> npt.NDArray[np.intp]:
    ranks = np.quantile(np.arange(n, dtype=float), np.frombuffer(levels), method="higher")
    ranks = ranks.astype(np.intp)
    ranks.flags.writeable = False
    return ranks


def _protection_quantile_1d(protection: np.ndarray, levels: np.ndarray) -> np.ndarray:
    inside = np.quantile(protection, np.clip(levels, 0.0, 1.0), method="higher")
    if not ((levels > 1) | (levels < 0)).any():
        return inside
    top, bottom = float(np.max(protection)), float(np.min(protection))
    half_range = top - float(np.quantile(protection, 0.5, method="higher"))
    above = top + (levels - 1) * half_range
    below = (1 + np.maximum(levels, -1.0)) * bottom
    return np.where(levels > 1, above, np.where(levels < 0, below, inside))


def describe_level(level: float) -> str:
    """A quantile level in words, including the extensions of :func:`protection_quantile`."""
    if level > 1:
        return f"the largest sampled total + {level - 1:.1f} × its distance to the median"
    if level < 0:
        return f"{1 + level:.0%} of the smallest sampled total"
    return f"the {level:.1%} quantile"


def _service_quantile(
    protection: np.ndarray, per_review: np.ndarray, level: float, target: str
) -> float:
    if target in ("cycle_service_level", "cost"):
        return float(protection_quantile(protection, level))
    if target != "fill_rate":
        raise OptionError("target must be 'cycle_service_level', 'fill_rate' or 'cost'")
    candidates = np.unique(np.quantile(protection, np.linspace(0, 1, 201), method="higher"))
    shortfall = np.maximum(protection[None, :] - candidates[:, None], 0).mean(axis=1)
    expected = max(float(per_review.mean()), 1e-9)
    ok = np.flatnonzero(1 - shortfall / expected >= level)
    return float(candidates[ok[0]] if len(ok) else candidates[-1])


def _fill_rate(protection: np.ndarray, per_review: np.ndarray, level: float) -> float:
    expected = float(per_review.mean())
    if expected <= 0:
        return 1.0
    return float(max(0.0, 1 - np.maximum(protection - level, 0).mean() / expected))


def _eoq(params: ProductParameters, mean_daily: float) -> float:
    h = params.holding_cost_per_unit_year
    annual = mean_daily * DAYS_PER_YEAR
    if h <= 0 or annual <= 0 or params.ordering_cost <= 0:
        return max(mean_daily * params.review_period_days, 0.0)
    if math.isfinite(h) and math.isfinite(annual) and math.isfinite(params.ordering_cost):
        # eoq's formula on one product's floats (the same IEEE operations, no arrays)
        return math.sqrt(2.0 * params.ordering_cost * annual / h)
    return float(eoq(params.ordering_cost, h, annual))


def _cap(params: ProductParameters, position: float, expiry_cap: float | None) -> float | None:
    caps = []
    if params.max_stock is not None:
        caps.append(max(params.max_stock - position, 0.0))
    if expiry_cap is not None:
        caps.append(max(expiry_cap, 0.0))
    return min(caps) if caps else None


@dataclass(frozen=True)
class _Proposal:
    """What a decision's reason explains: the levels, the demand over the protection
    interval, and the order before and after rounding and caps."""

    position: float
    reorder_point: float
    order_up_to: float
    protection: np.ndarray
    order_day: int | None
    raw: float
    quantity: float
    cap: float | None
    q_eoq: float
    service_level: float


def _reason(params: ProductParameters, proposal: _Proposal) -> str:
    p = proposal
    horizon = f"{params.lead_time_days:g}d lead time + {params.review_period_days}d review"
    quantile = (
        f"{p.service_level:.1%} quantile"
        if p.service_level <= 1
        else f"largest total + {p.service_level - 1:.0%} of its upper half-range"
    )
    numbers = (
        f"demand over {horizon}: mean {p.protection.mean():.1f}, {quantile} {p.reorder_point:.1f}"
    )
    if p.order_day is None:
        return f"no order: position {p.position:.1f} covers the horizon ({numbers})"
    when = "now" if p.order_day == 0 else f"in {p.order_day} days"
    rule = {
        "RS": f"order up to {p.order_up_to:.1f}",
        "sS": f"reorder point {p.reorder_point:.1f}, order up to {p.order_up_to:.1f}",
        "sQ": f"reorder point {p.reorder_point:.1f}, EOQ {p.q_eoq:.1f}",
    }[params.policy]
    text = f"{params.policy} policy, order {when}: position {p.position:.1f}; {rule} ({numbers})"
    if p.quantity != p.raw:
        extras = []
        if params.moq:
            extras.append(f"MOQ {params.moq:g}")
        if params.pack_size > 1:
            extras.append(f"pack {params.pack_size:g}")
        if p.cap is not None:
            extras.append(f"cap {p.cap:.1f}")
        text += f"; {p.raw:.1f} → {p.quantity:g} after {', '.join(extras) or 'rounding'}"
    return text


DAYS_OF_COVER_CAP = 3650.0
"""Ten years: the days of cover shown for stock that lasts longer, or that nothing is
expected to sell. Beyond it no decision changes, and a number (not infinity) keeps every
output column a plain finite number that spreadsheets and databases can hold."""


def days_of_cover(on_hand: float, mean_daily: float) -> float:
    """Days the stock on hand lasts at the forecast's average daily demand, at most
    :data:`DAYS_OF_COVER_CAP` (also when no demand is expected); 0 without stock."""
    if on_hand <= 0:
        return 0.0
    if mean_daily <= 0:
        return DAYS_OF_COVER_CAP
    return min(on_hand / mean_daily, DAYS_OF_COVER_CAP)


def to_date(today: pd.Timestamp, day: int | None) -> pd.Timestamp | None:
    return None if day is None else today + pd.Timedelta(days=int(day))
