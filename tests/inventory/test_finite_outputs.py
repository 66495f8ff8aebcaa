"""No number of a plan is NaN or infinite, whatever plausible data it is given.

A property test: tiny panels with values drawn from the extremes validation lets through
(zeros, all-zero series, one-row series, values at the plausible bounds of
:mod:`stockwise.data.bounds`) are planned end to end, and every numeric cell of the plan,
its alerts, its projection and the forecasts behind it must be a finite number. Dates
may be empty (no stockout, no order); numbers may not.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from stockwise.data.bounds import DEFAULT_LIMITS
from stockwise.inventory.decision import DAYS_OF_COVER_CAP
from stockwise.workflows.plan import plan_inventory

QTY_MAX = DEFAULT_LIMITS["y"].max
MONEY_MAX = DEFAULT_LIMITS["unit_cost"].max


def _top(column: str) -> float:
    return float(DEFAULT_LIMITS[column].max)


sales_values = st.sampled_from([0.0, 0.0, 1e-3, 1.0, 3.0, 7.5, 40.0, 1e6, QTY_MAX])
series = st.one_of(
    st.lists(sales_values, min_size=1, max_size=40),  # random, extreme
    st.integers(1, 40).map(lambda n: [0.0] * n),  # all zero
    st.sampled_from([0.0, 1.0, QTY_MAX]).map(lambda v: [v]),  # one row
    st.tuples(st.sampled_from([1.0, QTY_MAX]), st.integers(2, 40)).map(  # constant
        lambda t: [t[0]] * t[1]
    ),
)
stock_row = st.fixed_dictionaries(
    {
        "on_hand": st.sampled_from([0.0, 1.0, 12.5, _top("on_hand")]),
        "on_order": st.sampled_from([0.0, 5.0, _top("on_order")]),
        "lead_time_days": st.sampled_from([0.01, 1.0, 7.0, 45.0, _top("lead_time_days")]),
        "lead_time_std_days": st.sampled_from([0.0, 2.0, _top("lead_time_std_days")]),
        "unit_cost": st.sampled_from([0.0, 0.01, 9.99, MONEY_MAX]),
        "moq": st.sampled_from([0.0, 10.0, _top("moq")]),
        "pack_size": st.sampled_from([1.0, 6.0, _top("pack_size")]),
        "shelf_life_days": st.sampled_from([np.nan, 1.0, 30.0, _top("shelf_life_days")]),
        "review_period_days": st.sampled_from([1.0, 7.0, _top("review_period_days")]),
    }
)
panels = st.lists(st.tuples(series, stock_row), min_size=1, max_size=3)


def _panel(drawn: list[tuple[list[float], dict]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    sales, stock = [], []
    for number, (values, row) in enumerate(drawn):
        uid = f"P{number}"
        days = pd.date_range("2024-03-01", periods=len(values), freq="D")
        sales.append(pd.DataFrame({"unique_id": uid, "ds": days, "y": values}))
        stock.append({"unique_id": uid, **row})
    return pd.concat(sales, ignore_index=True), pd.DataFrame(stock)


def _not_finite(frame: pd.DataFrame) -> list[str]:
    """Numeric columns (and numbers held in object columns) with NaN or infinity."""
    bad = []
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            if not np.isfinite(values.to_numpy(dtype=float)).all():
                bad.append(column)
        elif any(isinstance(v, float) and not np.isfinite(v) for v in values):
            bad.append(column)  # a number among dates or text (NaN for a missing date)
    return bad


def _check_finite(run) -> None:
    plan = run.plan
    for name, frame in (
        ("plan", plan.plan),
        ("alerts", plan.alerts),
        ("projection", plan.projection),
        ("forecasts", run.forecasts.forecasts),
    ):
        if name == "plan":  # empty dates are None there, never a float NaN
            assert not _not_finite(frame), (name, _not_finite(frame), frame.T)
        else:
            assert not _not_finite(frame), (name, _not_finite(frame))
    assert (plan.plan["days_of_cover"] <= DAYS_OF_COVER_CAP).all()
    assert (plan.plan["order_qty"] >= 0).all()


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is shown as drawn: no shrink
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(panels)
@pytest.mark.slow
def test_every_number_of_the_plan_is_finite(drawn) -> None:
    sales, stock = _panel(drawn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way either
        run = plan_inventory(sales, stock, models="auto", n_windows=1)
    _check_finite(run)


def test_every_input_at_its_plausible_maximum_plans_finitely() -> None:
    values = [QTY_MAX] * 30
    row = {
        "on_hand": _top("on_hand"),
        "on_order": _top("on_order"),
        "lead_time_days": _top("lead_time_days"),
        "lead_time_std_days": _top("lead_time_std_days"),
        "unit_cost": MONEY_MAX,
        "moq": _top("moq"),
        "pack_size": _top("pack_size"),
        "shelf_life_days": _top("shelf_life_days"),
        "review_period_days": _top("review_period_days"),
    }
    sales, stock = _panel([(values, row), ([0.0] * 30, {**row, "on_hand": 0.0})])
    run = plan_inventory(sales, stock, models="auto", n_windows=1)
    _check_finite(run)
    cover = run.plan.plan.set_index("unique_id")["days_of_cover"]
    assert cover["P1"] == 0.0  # no stock: no cover, not 0/0
