"""The plan's per-product inputs and helpers give what the plain pandas forms give.

Each is computed on whole arrays instead of a pandas ``groupby`` per product; these
tests hold them to the pandas results on tables with the awkward cases (rows out of
order, missing ids and dates, ties on a product's last date, mixed ids).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.inventory.new_products import since_listing
from stockwise.inventory.paths import is_intermittent, to_daily
from stockwise.inventory.policies import round_order
from stockwise.workflows.plan import _last_prices, demand_groups, since_listing_by_product


def _sales(seed: int = 3, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = rng.choice(["b", "a", "c10", "c2", "z"], n)
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    y = np.where(rng.random(n) < 0.6, 0.0, rng.gamma(1.0, 2.3, n))
    frame = pd.DataFrame(
        {S.UNIQUE_ID: ids, S.DS: days, S.Y: y, S.PRICE: np.round(rng.uniform(1, 9, n), 2)}
    )
    frame.loc[frame.index[::37], S.UNIQUE_ID] = None
    frame.loc[frame.index[5::41], S.Y] = np.nan
    frame.loc[frame.index[7::53], S.PRICE] = np.nan
    return frame


def _since_listing_reference(sales: pd.DataFrame) -> dict:
    frame = sales.sort_values([S.UNIQUE_ID, S.DS], kind="stable")
    out = {}
    for uid, part in frame.groupby(S.UNIQUE_ID, sort=False):
        record = since_listing(part[S.Y].to_numpy(dtype=float))
        if record is not None:
            out[str(uid)] = record
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_since_listing_and_demand_groups_match_a_groupby_per_product(seed):
    sales = _sales(seed)
    got = since_listing_by_product(sales)
    want = _since_listing_reference(sales)
    assert got == want and list(got) == list(want)  # same sums to the bit, same order
    recent = sales[sales[S.DS] > sales[S.DS].max() - pd.Timedelta(days=365)]
    groups = {
        str(uid): "intermittent" if is_intermittent(part[S.Y].to_numpy(dtype=float)) else "smooth"
        for uid, part in recent.groupby(S.UNIQUE_ID, sort=False)
    }
    assert demand_groups(sales) == groups and list(demand_groups(sales)) == list(groups)


def test_since_listing_with_missing_dates_and_mixed_ids_still_matches():
    sales = _sales(4)
    sales.loc[sales.index[3::29], S.DS] = pd.NaT
    assert since_listing_by_product(sales) == _since_listing_reference(sales)
    mixed = sales.assign(**{S.UNIQUE_ID: sales[S.UNIQUE_ID].where(sales.index % 2 == 0, 7)})
    assert since_listing_by_product(mixed) == _since_listing_reference(mixed)


def test_last_prices_are_each_products_price_on_its_last_priced_date():
    sales = _sales(5)
    want = sales.dropna(subset=[S.PRICE]).sort_values(S.DS).groupby(S.UNIQUE_ID)[S.PRICE].last()
    pd.testing.assert_series_equal(_last_prices(sales), want, check_exact=True)
    # two rows on a product's last date: whichever pandas puts last, as before
    tied = pd.concat(
        [sales, sales[sales[S.UNIQUE_ID] == "a"].nlargest(1, S.DS).assign(**{S.PRICE: 99.0})],
        ignore_index=True,
    )
    want = tied.dropna(subset=[S.PRICE]).sort_values(S.DS).groupby(S.UNIQUE_ID)[S.PRICE].last()
    pd.testing.assert_series_equal(_last_prices(tied), want, check_exact=True)
    assert _last_prices(sales.drop(columns=S.PRICE)) is None


def test_to_daily_orders_rows_as_a_stable_sort_by_product_and_day():
    rng = np.random.default_rng(1)
    weeks = pd.date_range("2026-01-05", periods=6, freq="W-MON")
    rows = pd.DataFrame(
        {
            S.UNIQUE_ID: rng.permutation(np.repeat(["b", "a", "c"], 6)),
            S.DS: np.tile(weeks, 3),
            "forecast": rng.uniform(0, 14, 18),
            "forecast-lo-80": rng.uniform(0, 3, 18),
        }
    )
    daily = to_daily(rows, "W")
    assert len(daily) == 18 * 7
    assert daily.equals(
        daily.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
    )
    assert np.isclose(daily["forecast"].sum(), rows["forecast"].sum())


@pytest.mark.parametrize(
    ("qty", "moq", "pack", "cap"),
    [
        (0.0, 0.0, 1.0, None),
        (1e-12, 5.0, 1.0, None),
        (3.2, 0.0, 1.0, None),
        (3.0000000001, 0.0, 1.0, None),
        (2.5, 0.0, 1.0, None),
        (3.5, 0.0, 1.0, None),
        (7.0, 10.0, 6.0, None),
        (13.0, 0.0, 6.0, 20.0),
        (13.0, 0.0, 6.0, 5.0),
        (13.0, 12.0, 6.0, 11.9),
        (13.0, 0.0, 6.0, -3.0),
        (40.0, 0.0, 12.0, 36.0000000001),
        (-4.0, 0.0, 1.0, None),
        (1e6 + 0.5, 0.0, 1.0, 2e6),
    ],
)
def test_one_order_rounds_as_the_array_path_does(qty, moq, pack, cap):
    one = round_order(qty, moq, pack, cap)
    as_arrays = round_order(
        np.array([qty]), np.array([moq]), np.array([pack]), None if cap is None else np.array([cap])
    )
    assert isinstance(one, float)
    assert one == as_arrays[0] and np.signbit(one) == np.signbit(as_arrays[0])


def test_one_order_with_invalid_limits_still_raises():
    with pytest.raises(ValueError):
        round_order(3.0, -1.0, 1.0)
    with pytest.raises(ValueError):
        round_order(3.0, 0.0, 0.0)
    assert np.isnan(round_order(float("nan"), 0.0, 1.0))
