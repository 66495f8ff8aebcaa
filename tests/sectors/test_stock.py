"""Stock levels, days of cover and the seed-style LSTM preparation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.sectors import Stock

DAYS = pd.date_range("2024-01-25", periods=10, freq="D")


def make_sales() -> pd.DataFrame:
    """A sells 1..10 (stock 19..10), B sells 10 a day (stock 5), C (pharmacy) sells 100."""
    a = pd.DataFrame(
        {
            S.UNIQUE_ID: "A",
            S.DS: DAYS,
            S.Y: np.arange(1.0, 11.0),
            S.SECTOR: "retail",
            S.ON_HAND: np.arange(19.0, 9.0, -1.0),
        }
    )
    b = pd.DataFrame({S.UNIQUE_ID: "B", S.DS: DAYS, S.Y: 10.0, S.SECTOR: "retail", S.ON_HAND: 5.0})
    c = pd.DataFrame(
        {S.UNIQUE_ID: "C", S.DS: DAYS, S.Y: 100.0, S.SECTOR: "pharmacy", S.ON_HAND: 50.0}
    )
    return pd.concat([c, b, a], ignore_index=True)


def test_stock_levels_inventory_then_sales():
    inventory = pd.DataFrame({S.UNIQUE_ID: ["A", "C"], S.ON_HAND: [7.0, 40.0]})
    stock = Stock(make_sales(), inventory)
    assert stock.stock_levels("retail").to_dict() == {"A": 7.0, "B": 5.0}
    assert stock.stock_levels().to_dict() == {"A": 7.0, "B": 5.0, "C": 40.0}
    assert Stock(make_sales()).stock_levels("retail").to_dict() == {"A": 10.0, "B": 5.0}


def test_stock_levels_errors():
    sales = make_sales().drop(columns=S.ON_HAND)
    with pytest.raises(ValueError, match="no stock data"):
        Stock(sales).stock_levels("retail")
    with pytest.raises(ValueError, match="unknown sector 'toys'"):
        Stock(make_sales()).stock_levels("toys")
    duplicated = pd.DataFrame({S.UNIQUE_ID: ["A", "A"], S.ON_HAND: [1.0, 2.0]})
    with pytest.raises(ValueError, match="several rows"):
        Stock(make_sales(), duplicated).stock_levels()


def test_days_of_cover():
    inventory = pd.DataFrame({S.UNIQUE_ID: ["A", "B", "D", "E"], S.ON_HAND: [7.0, 5, 4, 0]})
    stock = Stock(make_sales(), inventory)
    cover = stock.days_of_cover(window=4)
    # last 4 days: A sold 7+8+9+10 = 34 (8.5 a day), B 40 (10 a day), C 400 (100 a day);
    # D and E never sold: infinite cover with stock, zero without
    assert cover.name == "days_of_cover"
    assert cover["A"] == pytest.approx(7 / 8.5)
    assert cover["B"] == 0.5
    assert cover["C"] == 0.5  # stock from the sales rows: 50 / 100
    assert cover["D"] == np.inf
    assert cover["E"] == 0.0
    assert list(stock.days_of_cover("retail", window=4).index) == ["A", "B"]


def test_days_of_cover_gap_days_count_as_zero():
    sales = make_sales()
    sales = sales.loc[~((sales[S.UNIQUE_ID] == "B") & (sales[S.DS] >= "2024-02-02"))]
    cover = Stock(sales).days_of_cover("retail", window=4)
    assert cover["B"] == 5 / (20 / 4)  # two of the four days have no row


def test_days_of_cover_bad_window():
    with pytest.raises(ValueError, match="window"):
        Stock(make_sales()).days_of_cover(window=0)


def test_prepare_data_for_lstm_small():
    X, y = Stock(make_sales()).prepare_data_for_lstm("retail", look_back=3)
    assert X.shape == (14, 3) and y.shape == (14,)  # 10 - 3 = 7 windows per product
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert X[0].tolist() == [1.0, 2.0, 3.0] and y[0] == 4.0
    assert X[6].tolist() == [7.0, 8.0, 9.0] and y[6] == 10.0
    assert X[7].tolist() == [10.0, 10.0, 10.0] and y[7] == 10.0  # B: no window spans A and B
    assert not np.isin(100.0, X)  # the pharmacy product is left out


def test_prepare_data_for_lstm_seed_shapes():
    days = pd.date_range("2023-01-01", periods=40, freq="D")
    sales = pd.DataFrame(
        {
            S.UNIQUE_ID: np.repeat(["P1", "P2"], 40),
            S.DS: np.tile(days, 2),
            S.Y: np.r_[np.arange(40.0), np.arange(1000.0, 1040.0)],
            S.SECTOR: "luxury",
        }
    )
    X, y = Stock(sales).prepare_data_for_lstm("luxury")
    assert X.shape == (20, 30)
    assert y.shape == (20,)
    assert X[0].tolist() == list(np.arange(30.0)) and y[0] == 30.0
    X2, y2 = Stock(sales).prepare_data_for_lstm("luxury", look_back=30, horizon=3)
    assert X2.shape == (16, 30) and y2.shape == (16, 3)
    assert y2[0].tolist() == [30.0, 31.0, 32.0]
    Xo, yo = Stock(sales.assign(units=sales[S.Y] * 2)).prepare_data_for_lstm(
        "luxury", column="units"
    )
    assert yo[0] == 60.0 and Xo.shape == (20, 30)


def test_prepare_data_for_lstm_all_sectors():
    X, y = Stock(make_sales()).prepare_data_for_lstm(None, look_back=5)
    assert X.shape == (15, 5) and y.shape == (15,)
