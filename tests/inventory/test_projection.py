"""Stock projection and FEFO expiry on hand-computed examples; sample paths from quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.inventory.paths import demand_over, quantile_knots, sample_paths, to_daily
from stockwise.inventory.projection import NEVER, Lot, lots_from_batches, project

DATES = pd.date_range("2025-01-01", periods=6, freq="D")


def test_projection_of_a_known_path() -> None:
    # on hand 10, demand 3/day, 6 units arrive on day 2 (index 2):
    # day0: 10-3=7  day1: 4  day2: 4+6-3=7  day3: 4  day4: 1  day5: 1-3 -> 0, 2 lost
    paths = np.full((1, 6), 3.0)
    proj = project(paths, DATES, [Lot(10.0)], receipts=[(2, 6.0)])
    assert proj.expected_on_hand.tolist() == [7, 4, 7, 4, 1, 0]
    assert proj.expected_lost.tolist() == [0, 0, 0, 0, 0, 2]
    assert proj.stockout_probability.tolist() == [0, 0, 0, 0, 0, 1]
    assert proj.stockout_date() == DATES[5]


def test_fefo_consumes_the_earliest_expiry_first_and_writes_off_the_rest() -> None:
    # lots: 4 units expiring end of day 1, 10 units expiring end of day 3, 5 never.
    # demand 3/day: day0 takes 3 from lot A (1 left); day1 takes 1 A + 2 B -> A empty,
    # B=8; day2: B=5; day3: B=2, then B expires with 2 units -> waste 2 on day 3;
    # day4: 5-3=2 (never-expiring), day5: 0 with 1 lost.
    paths = np.full((1, 6), 3.0)
    lots = [Lot(10.0, 3), Lot(4.0, 1), Lot(5.0, NEVER)]
    proj = project(paths, DATES, sorted(lots, key=lambda lot: lot.expiry))
    assert proj.expected_waste.tolist() == [0, 0, 0, 2, 0, 0]
    assert proj.expected_on_hand.tolist() == [16, 13, 10, 5, 2, 0]
    assert proj.expected_lost.tolist() == [0, 0, 0, 0, 0, 1]


def test_received_units_expire_after_the_shelf_life() -> None:
    paths = np.full((1, 6), 1.0)
    proj = project(paths, DATES, [], receipts=[(0, 5.0)], shelf_life_days=2)
    # 5 arrive day 0 expiring end of day 2: sells 1 on days 0,1,2 -> 2 wasted on day 2
    assert proj.expected_waste.tolist() == [0, 0, 2, 0, 0, 0]
    assert proj.expected_lost.tolist() == [0, 0, 0, 1, 1, 1]


def test_probabilities_average_over_paths() -> None:
    paths = np.array([[1.0, 1, 1], [5.0, 5, 5]])
    proj = project(paths, DATES[:3], [Lot(4.0)])
    assert proj.stockout_probability.tolist() == [0.5, 0.5, 0.5]
    assert proj.stockout_by.tolist() == [0.5, 0.5, 0.5]
    assert proj.stockout_date(0.5) == DATES[0] and proj.stockout_date(0.9) is None


def test_lots_from_batches_trims_to_the_stock_count_and_skips_expired() -> None:
    today = pd.Timestamp("2025-01-01")
    batches = pd.DataFrame(
        {
            "quantity": [5.0, 8.0, 3.0],
            "expiry_date": pd.to_datetime(["2025-01-10", "2025-03-01", "2024-12-31"]),
        }
    )
    lots = lots_from_batches(10.0, batches, today)
    assert [(lot.quantity, lot.expiry) for lot in lots] == [(5.0, 9), (5.0, 59)]
    lots = lots_from_batches(20.0, batches, today)
    assert lots[-1] == Lot(7.0, NEVER)


def _forecast_rows(days: int = 5) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": "A",
            "ds": pd.date_range("2025-01-01", periods=days),
            "forecast": 10.0,
            "forecast-lo-80": 6.0,
            "forecast-hi-80": 14.0,
            "forecast-lo-95": 4.0,
            "forecast-hi-95": 17.0,
        }
    )


def test_quantile_knots_are_sorted_probabilities() -> None:
    probs, knots = quantile_knots(_forecast_rows())
    assert probs.tolist() == pytest.approx([0.025, 0.1, 0.5, 0.9, 0.975])
    assert knots[0].tolist() == [4, 6, 10, 14, 17]


def test_sample_paths_reproduce_the_forecast_quantiles() -> None:
    paths = sample_paths(_forecast_rows(), n_paths=20000, rng=np.random.default_rng(1))
    day = paths[:, 0]
    assert np.quantile(day, 0.5) == pytest.approx(10, abs=0.15)
    assert np.quantile(day, 0.1) == pytest.approx(6, abs=0.2)
    assert np.quantile(day, 0.975) == pytest.approx(17, abs=0.3)
    assert (paths >= 0).all()


def test_correlation_widens_the_spread_of_totals() -> None:
    rows = _forecast_rows(20)
    rng = np.random.default_rng(2)
    independent = sample_paths(rows, 5000, correlation=0.0, rng=rng).sum(axis=1).std()
    correlated = sample_paths(rows, 5000, correlation=0.8, rng=rng).sum(axis=1).std()
    assert correlated > 2 * independent


def test_demand_over_a_random_lead_time_extends_short_paths() -> None:
    paths = np.array([[1.0, 2, 3], [1.0, 1, 1]])
    assert demand_over(paths, 0, np.array([2, 3])).tolist() == [3.0, 3.0]
    # 5 days asked of a 3-day path: the last days' mean (2 and 1) repeats
    assert demand_over(paths, 0, 5).tolist() == [10.0, 5.0]


def test_weekly_forecasts_are_spread_over_their_days() -> None:
    weekly = pd.DataFrame(
        {
            "unique_id": "A",
            "ds": pd.to_datetime(["2025-01-06"]),
            "forecast": [14.0],
            "forecast-hi-80": [21.0],
        }
    )
    daily = to_daily(weekly, "W")
    assert len(daily) == 7 and daily["forecast"].tolist() == [2.0] * 7
    assert daily["forecast-hi-80"].sum() == pytest.approx(21.0)
    assert daily["ds"].iloc[-1] == pd.Timestamp("2025-01-12")


def test_monthly_forecasts_of_many_products_are_spread_over_their_days() -> None:
    months = pd.to_datetime(["2025-02-01", "2025-01-01", "2025-03-01"])
    monthly = pd.DataFrame(
        {
            "unique_id": ["B", "A", "A"],
            "ds": months,
            "forecast": [28.0, 31.0, 62.0],
            "sector": "luxury",
        }
    )
    daily = to_daily(monthly, "M")
    assert daily["unique_id"].tolist() == ["A"] * 62 + ["B"] * 28
    assert daily.groupby("unique_id")["ds"].apply(lambda d: d.is_monotonic_increasing).all()
    assert daily["forecast"].tolist() == [1.0] * 31 + [2.0] * 31 + [1.0] * 28
    assert daily["ds"].iloc[-1] == pd.Timestamp("2025-02-28")
    assert (daily["sector"] == "luxury").all()


def _intermittent_rows(days: int = 14) -> pd.DataFrame:
    """A slow mover: mean 0.3 a day, bands clipped at zero, a long upper tail."""
    return pd.DataFrame(
        {
            "unique_id": "A",
            "ds": pd.date_range("2025-01-01", periods=days),
            "forecast": 0.3,
            "forecast-lo-80": 0.0,
            "forecast-hi-80": 1.7,
            "forecast-lo-95": 0.0,
            "forecast-hi-95": 3.0,
        }
    )


def test_paths_keep_the_point_as_mean_where_bands_reach_zero() -> None:
    rows = _intermittent_rows()
    rng = np.random.default_rng(3)
    as_median = sample_paths(rows, 4000, rng=rng)
    as_mean = sample_paths(rows, 4000, rng=np.random.default_rng(3), point_is_mean=True)
    # Taking 0.3 as the median of a 0..3 spread inflates the mean well above the forecast
    assert as_median.mean() > 2 * 0.3
    assert as_mean.mean(axis=0) == pytest.approx(np.full(14, 0.3))
    assert (as_mean >= 0).all()
    # Rescaling keeps rank order: the same draws are the largest in both
    assert np.array_equal(np.argsort(as_median[:, 0]), np.argsort(as_mean[:, 0]))


def test_paths_of_unclipped_bands_keep_the_point_as_median() -> None:
    rows = _forecast_rows()
    a = sample_paths(rows, 2000, rng=np.random.default_rng(4), point_is_mean=True)
    b = sample_paths(rows, 2000, rng=np.random.default_rng(4))
    assert np.array_equal(a, b)


def test_intermittence_is_read_from_the_first_sale_on() -> None:
    from stockwise.inventory.paths import is_intermittent

    assert is_intermittent(np.array([0, 0, 1, 0, 0, 2, 0, 0, 1.0]))  # ADI 7 / 3
    assert not is_intermittent(np.array([0, 0, 0, 0, 3, 2, 1, 4.0]))  # launched late
    assert not is_intermittent(np.zeros(10))
    assert not is_intermittent(np.array([np.nan, np.nan, 1, 2, 3, 0, 3.0]))  # ADI 5 / 4


def test_bootstrap_paths_keep_the_clusters_and_take_the_level() -> None:
    from stockwise.inventory.paths import bootstrap_paths

    # demand comes in bursts: 3 busy days every 14 days
    history = np.tile(np.r_[np.full(3, 4.0), np.zeros(11)], 26)
    rng = np.random.default_rng(0)
    paths = bootstrap_paths(history, days=21, n_paths=4000, rng=rng, block=7)
    assert paths.shape == (4000, 21) and (paths >= 0).all()
    assert set(np.unique(paths)) <= {0.0, 4.0}  # only values seen in history
    # a 7-day block holds either a whole burst, part of one or none: never two
    weekly = paths[:, :7].sum(axis=1)
    assert weekly.max() <= 12.0
    independent = rng.choice(history, size=(4000, 21))
    assert paths.sum(axis=1).std() > 1.2 * independent.sum(axis=1).std()
    scaled = bootstrap_paths(history, 21, 4000, np.random.default_rng(0), level=1.0, block=7)
    assert scaled.mean() == pytest.approx(1.0, rel=0.05)
    assert bootstrap_paths(np.zeros(30), 7, 10, rng) is None
    assert bootstrap_paths(np.ones(5), 7, 10, rng) is None


# -- the vectorised forms give what the plain loops give, to the last bit ---------------------
def _interp_day_by_day(u: np.ndarray, probs: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """The quantile function one day at a time: np.interp inside, the outer slopes beyond."""
    out = np.empty_like(u)
    for day, values in enumerate(knots):
        x = u[:, day]
        inside = np.interp(x, probs, values)
        low = (values[1] - values[0]) / (probs[1] - probs[0])
        high = (values[-1] - values[-2]) / (probs[-1] - probs[-2])
        inside[x < probs[0]] = values[0] - (probs[0] - x[x < probs[0]]) * low
        inside[x > probs[-1]] = values[-1] + (x[x > probs[-1]] - probs[-1]) * high
        out[:, day] = inside
    return out


def test_paths_of_all_days_at_once_equal_np_interp_day_by_day() -> None:
    from scipy.stats import norm

    from stockwise.inventory.paths import _inverse_cdf

    rng = np.random.default_rng(5)
    probs = np.array([0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975])
    knots = np.maximum.accumulate(rng.gamma(1.0, 3.0, (40, len(probs))) - 2, axis=1)
    u = norm.cdf(rng.standard_normal((500, 40)))
    u[:7, 0] = probs  # draws exactly on a knot take the knot's value
    u[7, :] = [0.0, 1.0] * 20
    assert np.array_equal(_inverse_cdf(u.copy(), probs, knots), _interp_day_by_day(u, probs, knots))


def test_paths_for_the_first_days_only_draw_as_for_all_days() -> None:
    from stockwise.inventory.paths import paths_from_knots

    probs, knots = quantile_knots(_forecast_rows(12))
    first, rng_first = np.random.default_rng(6), np.random.default_rng(6)
    full = paths_from_knots(probs, knots, 300, rng=first)
    part = paths_from_knots(probs, knots, 300, rng=rng_first, days=5)
    assert np.array_equal(part, full[:, :5])
    assert first.random() == rng_first.random()  # the generator moved on alike


def test_running_totals_are_the_running_sums_of_each_path() -> None:
    from stockwise.inventory.paths import running_demand

    paths = np.random.default_rng(7).gamma(0.5, 3.0, (50, 30))
    totals = running_demand(paths, 30)
    assert np.array_equal(totals[1:].T, np.cumsum(paths, axis=1)) and not totals[0].any()
    assert np.array_equal(running_demand(paths, 12), totals[:13])


def _random_stock(rng: np.random.Generator) -> tuple[list[Lot], list[tuple[int, float]]]:
    lots = [
        Lot(
            float(rng.choice([0.0, rng.gamma(2.0, 20.0), np.floor(rng.gamma(2.0, 8.0))])),
            int(rng.integers(-2, 40)) if rng.random() < 0.7 else NEVER,
        )
        for _ in range(int(rng.integers(0, 5)))
    ]
    receipts = [
        (int(rng.integers(-2, 35)), float(rng.choice([0.0, 5.0, rng.gamma(2.0, 10.0)])))
        for _ in range(int(rng.integers(0, 3)))
    ]
    return lots, receipts


@pytest.mark.parametrize("seed", range(4))
def test_projection_lot_by_lot_equals_the_day_by_day_simulation(seed: int) -> None:
    from stockwise.inventory.projection import _project_by_day

    rng = np.random.default_rng(seed)
    fields = (
        "expected_on_hand",
        "stockout_probability",
        "stockout_by",
        "expected_lost",
        "expected_waste",
    )
    for case in range(150):
        days, n_paths = int(rng.integers(1, 40)), int(rng.integers(1, 200))
        paths = rng.gamma(0.7, 3.0, (n_paths, days)) * (rng.random((n_paths, days)) > 0.3)
        if case % 5 == 0:
            paths = np.floor(paths)
        lots, receipts = _random_stock(rng)
        if case % 3:
            lots.sort(key=lambda lot: lot.expiry)
        shelf = [None, 0, 3, 10.7, 100][case % 5]
        arrivals: dict[int, float] = {}
        for day, units in receipts:
            if 0 <= day < days and units > 0:
                arrivals[day] = arrivals.get(day, 0.0) + units
        fast = project(paths, pd.RangeIndex(days), lots, receipts, shelf)
        slow = _project_by_day(paths, pd.RangeIndex(days), lots, arrivals, shelf)
        for field in fields:
            assert np.array_equal(getattr(fast, field), getattr(slow, field)), (case, field)
