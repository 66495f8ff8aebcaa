"""The synthetic stock (an (s, S) shelf per product) and the inventory and batch tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.synthetic import DEMAND, SyntheticData, generate
from stockwise.synthetic.stock import Policy, replenish_and_sell


@pytest.fixture(scope="module")
def data() -> SyntheticData:
    return generate(n_products=90, n_days=365, seed=21)


@pytest.fixture(scope="module")
def merged(data: SyntheticData) -> pd.DataFrame:
    return data.sales.merge(data.truth, on=[S.UNIQUE_ID, S.DS], validate="one_to_one")


def test_policy_day_by_day_on_a_hand_worked_case() -> None:
    # s = 2, S = 10, start with 5, lead time exactly 2 days (no noise), pack 1, MOQ 1.
    demand = np.array([[3.0, 1.0, 4.0, 2.0, 0.0, 6.0]])
    policy = Policy(
        lead_time=np.array([2.0]),
        lead_std=np.array([0.0]),
        reorder_point=np.array([2.0]),
        order_up_to=np.array([10.0]),
        initial=np.array([5.0]),
        pack_size=np.array([1]),
        moq=np.array([1]),
    )
    result = replenish_and_sell(demand, np.array([0]), policy, np.zeros((1, 6), dtype=np.float32))
    # day 0: sell 3 -> 2, position 2 <= s: order 8, due day 2
    # day 1: sell 1 -> 1; day 2: +8 = 9, sell 4 -> 5; day 3: sell 2 -> 3
    # day 4: sell 0 -> 3; day 5: sell 3 of 6 -> 0 (stockout), order 10 due day 7
    np.testing.assert_array_equal(result.sales[0], [3, 1, 4, 2, 0, 3])
    np.testing.assert_array_equal(result.on_hand[0], [2, 1, 5, 3, 3, 0])
    np.testing.assert_array_equal(result.stockout[0], [False] * 5 + [True])
    assert result.on_order[0] == 10 and result.on_order_due[0] == 7


def test_pack_size_and_moq_round_orders_up() -> None:
    demand = np.array([[4.0, 0.0, 0.0, 0.0]])
    policy = Policy(
        lead_time=np.array([1.0]),
        lead_std=np.array([0.0]),
        reorder_point=np.array([1.0]),
        order_up_to=np.array([3.0]),
        initial=np.array([4.0]),
        pack_size=np.array([6]),
        moq=np.array([12]),
    )
    result = replenish_and_sell(demand, np.array([0]), policy, np.zeros((1, 4), dtype=np.float32))
    np.testing.assert_array_equal(result.on_hand[0], [0, 12, 12, 12])


def test_sales_never_exceed_demand_and_equal_it_when_in_stock(merged: pd.DataFrame) -> None:
    assert (merged[S.Y] <= merged[DEMAND]).all()
    in_stock = ~merged[S.STOCKOUT]
    assert (merged.loc[in_stock, S.Y] == merged.loc[in_stock, DEMAND]).all()
    assert (merged[S.STOCKOUT] == (merged[S.ON_HAND] == 0)).all()
    assert merged.loc[merged[S.Y] < merged[DEMAND], S.STOCKOUT].all()


def test_stockouts_happen_at_a_plausible_rate(merged: pd.DataFrame) -> None:
    rate = merged[S.STOCKOUT].mean()
    assert 0.01 <= rate <= 0.12, rate
    assert (merged[S.Y] < merged[DEMAND]).sum() > 0
    per_product = merged.groupby(S.UNIQUE_ID)[S.STOCKOUT].mean()
    assert per_product.max() > 3 * rate  # some products are run much leaner
    assert (per_product < rate).mean() > 0.5


def test_inventory_has_one_row_per_series(data: SyntheticData) -> None:
    inv = data.inventory
    assert inv[S.UNIQUE_ID].is_unique
    assert set(inv[S.UNIQUE_ID]) == set(data.sales[S.UNIQUE_ID])
    for column in (S.ON_HAND, S.ON_ORDER, S.LEAD_TIME_DAYS, S.UNIT_COST):
        assert inv[column].dtype == np.float64
    last = data.sales.groupby(S.UNIQUE_ID).tail(1).set_index(S.UNIQUE_ID)[S.ON_HAND]
    np.testing.assert_array_equal(inv.set_index(S.UNIQUE_ID)[S.ON_HAND], last.loc[inv[S.UNIQUE_ID]])


def test_inventory_fields_follow_sector_rules(data: SyntheticData) -> None:
    inv = data.inventory.set_index(S.SECTOR)
    lead = inv[S.LEAD_TIME_DAYS]
    assert lead.loc["retail"].between(2, 14).all()
    assert lead.loc["pharmacy"].between(1, 3).all()
    assert lead.loc["luxury"].between(42, 84).all()
    assert (inv[S.LEAD_TIME_STD_DAYS] > 0).all()
    cost = inv[S.UNIT_COST]
    assert cost.loc["retail"].between(1, 50).all() and cost.loc["luxury"].between(20, 2000).all()
    assert cost.loc["pharmacy"].between(2, 80).all()
    assert (inv[S.MOQ] % inv[S.PACK_SIZE] == 0).all() and (inv[S.PACK_SIZE] >= 1).all()
    shelf = data.inventory.set_index(S.CATEGORY)[S.SHELF_LIFE_DAYS]
    assert inv.loc["retail", S.SHELF_LIFE_DAYS].isna().all()
    assert inv.loc["pharmacy", S.SHELF_LIFE_DAYS].between(180, 1095).all()
    cosmetics = shelf[shelf.index.isin(["fragrance", "skincare"])]
    assert cosmetics.between(365, 1095).all()
    assert shelf[shelf.index.isin(["jewellery", "leather"])].isna().all()


def test_open_orders_have_due_dates_after_the_history(data: SyntheticData) -> None:
    inv = data.inventory
    last_day = data.sales[S.DS].max()
    open_ = inv[S.ON_ORDER] > 0
    assert open_.any()
    assert inv.loc[open_, S.ON_ORDER_DUE].gt(last_day).all()
    assert inv.loc[~open_, S.ON_ORDER_DUE].isna().all()


def test_batches_sum_to_on_hand_and_expire_after_the_history(data: SyntheticData) -> None:
    inv = data.inventory.set_index(S.UNIQUE_ID)
    batches = data.batches
    assert list(batches.columns) == [S.UNIQUE_ID, S.BATCH_ID, S.QUANTITY, S.EXPIRY_DATE]
    assert batches[S.BATCH_ID].is_unique and (batches[S.QUANTITY] > 0).all()
    with_life = inv[inv[S.SHELF_LIFE_DAYS].notna()]
    sums = batches.groupby(S.UNIQUE_ID)[S.QUANTITY].sum().reindex(with_life.index, fill_value=0.0)
    np.testing.assert_array_equal(sums.to_numpy(), with_life[S.ON_HAND].to_numpy())
    assert set(batches[S.UNIQUE_ID]) <= set(with_life.index)
    assert batches.groupby(S.UNIQUE_ID).size().max() <= 3
    days_left = (batches[S.EXPIRY_DATE] - data.sales[S.DS].max()).dt.days
    assert (days_left >= 1).all()
    assert (days_left <= 30).any()  # some lots are close to expiry
    life = batches[S.UNIQUE_ID].map(inv[S.SHELF_LIFE_DAYS])
    assert (days_left <= life).all()
