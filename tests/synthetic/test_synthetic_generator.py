"""The synthetic generator: contract, determinism, and the demand patterns it promises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.synthetic import DEMAND, EXPECTED_DEMAND, SyntheticData, generate

SALES_COLUMNS = [
    S.UNIQUE_ID,
    S.DS,
    S.Y,
    S.SECTOR,
    S.PRODUCT,
    S.STORE,
    S.CATEGORY,
    S.PRICE,
    S.PROMO,
    S.ON_HAND,
]
TRUTH_COLUMNS = [S.UNIQUE_ID, S.DS, DEMAND, EXPECTED_DEMAND, S.STOCKOUT]


@pytest.fixture(scope="module")
def data() -> SyntheticData:
    return generate(n_products=30, n_days=400, seed=7)


@pytest.fixture(scope="module")
def merged(data: SyntheticData) -> pd.DataFrame:
    return data.sales.merge(data.truth, on=[S.UNIQUE_ID, S.DS], validate="one_to_one")


def test_same_arguments_give_identical_frames(data: SyntheticData) -> None:
    again = generate(n_products=30, n_days=400, seed=7)
    for name, frame in data.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name], obj=name)


def test_different_seed_gives_different_data(data: SyntheticData) -> None:
    other = generate(n_products=30, n_days=400, seed=8)
    assert len(other.sales) != len(data.sales) or not np.array_equal(
        other.sales[S.Y].to_numpy(), data.sales[S.Y].to_numpy()
    )
    assert not np.allclose(other.inventory[S.UNIT_COST], data.inventory[S.UNIT_COST])


def test_products_split_evenly_in_sector_order() -> None:
    data = generate(sectors=("luxury", "retail", "pharmacy"), n_products=11, n_days=30, seed=1)
    ids = data.inventory[S.UNIQUE_ID].tolist()
    assert [i[:3] for i in ids] == ["LUX"] * 4 + ["RET"] * 4 + ["PHA"] * 3
    assert ids[:2] == ["LUX-00001", "LUX-00002"]
    sectors = data.sales.drop_duplicates(S.UNIQUE_ID)[S.SECTOR].tolist()
    assert sectors == ["luxury"] * 4 + ["retail"] * 4 + ["pharmacy"] * 3


def test_single_sector_string_and_tiny_sizes() -> None:
    data = generate(sectors="pharmacy", n_products=1, n_days=1, seed=3)
    assert data.sales[S.UNIQUE_ID].tolist() == ["PHA-00001"]
    assert len(data.truth) == 1


def test_unknown_sector_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid sectors: retail, pharmacy, luxury"):
        generate(sectors=("retail", "bakery"), n_products=4, n_days=10)


def test_bad_sizes_and_country_are_rejected() -> None:
    with pytest.raises(ValueError, match="n_products"):
        generate(n_products=0, n_days=10)
    with pytest.raises(ValueError, match="n_days"):
        generate(n_products=3, n_days=0)
    with pytest.raises(ValueError, match="country"):
        generate(n_products=3, n_days=10, country="XX")


def test_sales_columns_dtypes_and_values(data: SyntheticData) -> None:
    sales = data.sales
    assert list(sales.columns) == SALES_COLUMNS
    assert list(data.truth.columns) == TRUTH_COLUMNS
    assert sales[S.DS].dtype == "datetime64[ns]"
    for column in (S.Y, S.PRICE, S.ON_HAND):
        assert sales[column].dtype == np.float64
    assert sales[S.PROMO].dtype == np.int64
    assert data.truth[S.STOCKOUT].dtype == bool
    assert (sales[S.Y] >= 0).all() and (sales[S.ON_HAND] >= 0).all()
    assert (sales[S.Y] == np.round(sales[S.Y])).all()
    assert set(sales[S.PROMO].unique()) <= {0, 1}
    assert (sales[S.PRICE] > 0).all()
    assert sales[S.UNIQUE_ID].str.fullmatch(r"(RET|PHA|LUX)-\d{5}").all()
    assert not sales[[S.UNIQUE_ID, S.DS]].duplicated().any()
    steps = sales.groupby(S.UNIQUE_ID, sort=False)[S.DS].diff().dropna()
    assert (steps == pd.Timedelta(days=1)).all()
    last = sales.groupby(S.UNIQUE_ID)[S.DS].max()
    assert (last == pd.Timestamp("2024-01-01") + pd.Timedelta(days=399)).all()


def test_categories_belong_to_their_sector(data: SyntheticData) -> None:
    expected = {
        "retail": {"grocery", "household", "apparel"},
        "pharmacy": {"chronic", "cold_flu", "allergy", "otc_slow"},
        "luxury": {"fragrance", "skincare", "jewellery", "leather"},
    }
    for sector, group in data.sales.groupby(S.SECTOR):
        assert set(group[S.CATEGORY]) <= expected[sector]


def test_retail_weekend_above_weekday(merged: pd.DataFrame) -> None:
    retail = merged[merged[S.SECTOR] == "retail"]
    weekend = retail[S.DS].dt.dayofweek >= 5
    by_product = retail.groupby([S.UNIQUE_ID, weekend])[EXPECTED_DEMAND].mean().unstack()
    assert (by_product[True] > by_product[False]).mean() >= 0.9
    expected = retail[EXPECTED_DEMAND]
    assert expected[weekend].mean() > expected[~weekend].mean()


def test_retail_promotions_lift_demand_and_cut_price(merged: pd.DataFrame) -> None:
    retail = merged[merged[S.SECTOR] == "retail"]
    share = retail.groupby(S.UNIQUE_ID)[S.PROMO].mean()
    assert share.between(0.03, 0.2).all()
    means = retail.groupby([S.UNIQUE_ID, S.PROMO])[EXPECTED_DEMAND].mean().unstack()
    assert (means[1] > means[0]).all()
    # price on a promo day is below the previous day's price when that day was not a promo
    prev_price = retail.groupby(S.UNIQUE_ID)[S.PRICE].shift()
    prev_promo = retail.groupby(S.UNIQUE_ID)[S.PROMO].shift()
    starts = (retail[S.PROMO] == 1) & (prev_promo == 0)
    assert (retail.loc[starts, S.PRICE] < prev_price[starts]).mean() > 0.9


def test_retail_public_holidays_depress_demand(merged: pd.DataFrame) -> None:
    retail = merged[(merged[S.SECTOR] == "retail") & (merged[S.PROMO] == 0)]
    may = retail[retail[S.DS].between("2024-05-01", "2024-05-31")]
    dow = may[S.DS].dt.dayofweek
    holiday_days = pd.to_datetime(["2024-05-01", "2024-05-08"])  # both Wednesdays
    on_holiday = may[S.DS].isin(holiday_days)
    other_wednesdays = (dow == 2) & ~on_holiday
    expected = may[EXPECTED_DEMAND]
    assert expected[on_holiday].mean() < 0.8 * expected[other_wednesdays].mean()


def test_pharmacy_flu_products_peak_in_winter(merged: pd.DataFrame) -> None:
    flu = merged[merged[S.CATEGORY] == "cold_flu"]
    assert flu[S.UNIQUE_ID].nunique() >= 1
    month = flu[S.DS].dt.month
    winter = flu[month.isin([12, 1, 2])].groupby(S.UNIQUE_ID)[EXPECTED_DEMAND].mean()
    summer = flu[month.isin([6, 7, 8])].groupby(S.UNIQUE_ID)[EXPECTED_DEMAND].mean()
    assert (winter > 1.2 * summer).all()


def test_pharmacy_sunday_is_low(merged: pd.DataFrame) -> None:
    pharmacy = merged[merged[S.SECTOR] == "pharmacy"]
    sunday = pharmacy[S.DS].dt.dayofweek == 6
    expected = pharmacy[EXPECTED_DEMAND]
    assert expected[sunday].mean() < 0.5 * expected[~sunday].mean()
    assert (pharmacy[S.PROMO] == 0).all()


def test_luxury_is_intermittent_and_peaks_in_q4(merged: pd.DataFrame) -> None:
    luxury = merged[merged[S.SECTOR] == "luxury"]
    assert (luxury[S.Y] == 0).mean() > 0.5
    assert (luxury[DEMAND] == 0).mean() > 0.5
    q4 = luxury[S.DS].dt.month.isin([11, 12])
    assert luxury.loc[q4, EXPECTED_DEMAND].mean() > 1.2 * luxury.loc[~q4, EXPECTED_DEMAND].mean()
    assert luxury.loc[q4, DEMAND].mean() > luxury.loc[~q4, DEMAND].mean()


def test_luxury_launches_start_mid_history_with_a_spike() -> None:
    data = generate(sectors="luxury", n_products=60, n_days=300, seed=11)
    first = data.sales.groupby(S.UNIQUE_ID)[S.DS].min()
    launched = first[first > pd.Timestamp("2024-01-01")]
    assert 2 <= len(launched) <= 20  # ~15 % of 60
    truth_first = data.truth.groupby(S.UNIQUE_ID)[S.DS].min()
    pd.testing.assert_series_equal(truth_first, first)
    truth = data.truth.set_index(S.UNIQUE_ID)
    for uid, day in launched.items():
        rows = truth.loc[uid]
        early = rows[rows[S.DS] < day + pd.Timedelta(days=14)][EXPECTED_DEMAND].mean()
        late = rows[rows[S.DS] >= day + pd.Timedelta(days=120)][EXPECTED_DEMAND].mean()
        assert np.isnan(late) or early > late


def test_truth_expected_demand_matches_realised_demand(merged: pd.DataFrame) -> None:
    by_sector = merged.groupby(S.SECTOR)[[DEMAND, EXPECTED_DEMAND]].sum()
    ratio = by_sector[DEMAND] / by_sector[EXPECTED_DEMAND]
    assert ratio.between(0.85, 1.15).all(), ratio
