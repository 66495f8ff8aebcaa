"""Closed days: zeros of a busy daily series are closures, judged from its own past."""

from __future__ import annotations

import numpy as np

from stockwise.features.closed_days import busy, closed_phases


def _shop(weeks: int = 10, seed: int = 0) -> np.ndarray:
    """A shop selling ~100 a day, closed every 7th day (the last column is a Saturday,
    so the next day, phase 0 ahead, is the closed one)."""
    rng = np.random.default_rng(seed)
    y = rng.poisson(100, weeks * 7).astype(float)
    y[6::7] = 0.0  # Sundays, with the history starting on a Monday
    return y[:-1]  # ends on the Saturday


def test_a_busy_shop_is_busy_and_slow_or_fading_items_are_not() -> None:
    rng = np.random.default_rng(1)
    slow = rng.poisson(0.5, 69).astype(float)
    fading = _shop()
    fading[-40:] = 0.0  # stopped selling: its zeros are demand now
    thin = _shop() / 40  # 2.5 a day: a zero is plausible demand
    result = busy(np.vstack([_shop(), slow, fading, thin])[:, -56:])
    assert result.tolist() == [True, False, False, False]


def test_the_day_closed_every_week_is_expected_closed_ahead_and_no_other() -> None:
    phases = closed_phases(_shop()[None, :], 7)
    assert phases.tolist() == [[True, False, False, False, False, False, False]]


def test_one_holiday_does_not_close_a_weekday_and_one_open_sunday_does_not_reopen() -> None:
    y = _shop()  # 69 days from a Monday: Sundays at 6, 13, ..., 62; the last day is 68
    y[61] = 0.0  # a holiday Saturday
    y[55] = 120.0  # one Sunday open (of the last eight)
    assert (y[61::7] == 0).tolist() == [True, False]
    phases = closed_phases(y[None, :], 7)
    assert phases[0].tolist() == [True, False, False, False, False, False, False]


def test_a_slow_item_with_zeros_on_sundays_keeps_them_as_demand() -> None:
    y = _shop() / 40
    assert not closed_phases(y[None, :], 7).any()
