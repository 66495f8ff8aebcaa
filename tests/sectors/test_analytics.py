"""Sector sales and stock figures against hand computations.

The frame: two retail products over ten days, Thursday 2024-01-25 to Saturday 2024-02-03,
and one pharmacy product.

* A sells 1, 2, ..., 10 and holds 19, 18, ..., 10 at the end of each day;
* B sells 10 a day and holds 5, 5, 0, 0, 5, 5, 5, 5, 5, 5;
* weeks (starting Monday): Jan 22 holds Jan 25-28 (days 1-4), Jan 29 holds Jan 29-Feb 3
  (days 5-10); months: January holds days 1-7, February days 8-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.errors import MissingColumnsError
from stockwise.sectors import Sector

DAYS = pd.date_range("2024-01-25", periods=10, freq="D")


def make_sales() -> pd.DataFrame:
    a = pd.DataFrame(
        {
            S.UNIQUE_ID: "A",
            S.DS: DAYS,
            S.Y: np.arange(1.0, 11.0),
            S.SECTOR: "retail",
            S.ON_HAND: np.arange(19.0, 9.0, -1.0),
        }
    )
    b = pd.DataFrame(
        {
            S.UNIQUE_ID: "B",
            S.DS: DAYS,
            S.Y: 10.0,
            S.SECTOR: "retail",
            S.ON_HAND: [5.0, 5, 0, 0, 5, 5, 5, 5, 5, 5],
        }
    )
    c = pd.DataFrame(
        {S.UNIQUE_ID: "C", S.DS: DAYS, S.Y: 100.0, S.SECTOR: "pharmacy", S.ON_HAND: 50.0}
    )
    # shuffled on purpose: nothing may rely on the input order
    return pd.concat([b, c, a]).sample(frac=1.0, random_state=0).reset_index(drop=True)


INVENTORY = pd.DataFrame({S.UNIQUE_ID: ["A", "B", "C"], S.ON_HAND: [7.0, 3.0, 40.0]})


@pytest.fixture
def retail() -> Sector:
    return Sector("retail", make_sales())


def test_rows_and_products(retail):
    assert list(retail.products) == ["A", "B"]
    assert len(retail.rows) == 20
    assert set(retail.rows[S.SECTOR]) == {"retail"}
    # sorted by unique_id, then date, whatever the input order
    assert list(retail.rows[S.UNIQUE_ID]) == ["A"] * 10 + ["B"] * 10
    assert list(retail.rows[S.DS].iloc[:10]) == list(DAYS)
    assert list(retail.rows[S.Y].iloc[:3]) == [1.0, 2.0, 3.0]


def test_unknown_sector_lists_available():
    with pytest.raises(
        ValueError,
        match=r"unknown sector 'retial'.*'pharmacy', 'retail'"
        r".*Did you mean 'retail'",
    ):
        Sector("retial", make_sales())


def test_missing_sector_column():
    with pytest.raises(MissingColumnsError, match="sector"):
        Sector("retail", make_sales().drop(columns=S.SECTOR))


def test_total_sales(retail):
    assert retail.total_sales() == 155.0
    by_product = retail.total_sales(by="product")
    assert by_product.to_dict() == {"A": 55.0, "B": 100.0}


def test_total_sales_per_week_labels_mondays(retail):
    weekly = retail.total_sales(period="W")
    assert list(weekly.index) == [pd.Timestamp("2024-01-22"), pd.Timestamp("2024-01-29")]
    assert all(day.dayofweek == 0 for day in weekly.index)
    assert list(weekly) == [10 + 40.0, 45 + 60.0]


def test_total_sales_per_month(retail):
    monthly = retail.total_sales(period="M")
    assert list(monthly.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    assert list(monthly) == [28 + 70.0, 27 + 30.0]


def test_total_sales_per_product_and_week(retail):
    table = retail.total_sales(by="product", period="W")
    assert list(table.columns) == [S.UNIQUE_ID, S.DS, S.Y]
    expected = {
        ("A", "2024-01-22"): 10.0,
        ("A", "2024-01-29"): 45.0,
        ("B", "2024-01-22"): 40.0,
        ("B", "2024-01-29"): 60.0,
    }
    got = {(u, f"{d:%Y-%m-%d}"): y for u, d, y in table.itertuples(index=False)}
    assert got == expected


def test_daily_totals(retail):
    daily = retail.total_sales(period="D")
    assert len(daily) == 10
    assert list(daily) == [float(i + 10) for i in range(1, 11)]


def test_average_sales(retail):
    assert retail.average_sales() == 15.5  # 155 units over 10 distinct dates
    assert retail.average_sales(period="D") == 15.5
    assert retail.average_sales(period="W") == (50 + 105) / 2
    assert retail.average_sales(period="M") == (98 + 57) / 2
    assert retail.average_sales(by="product").to_dict() == {"A": 5.5, "B": 10.0}
    assert retail.average_sales(by="product", period="W").to_dict() == {"A": 27.5, "B": 50.0}


def test_missing_days_count_as_zero():
    sales = make_sales()
    # A has no row on 2024-01-27 (the day it sold 3 units)
    sales = sales.loc[~((sales[S.UNIQUE_ID] == "A") & (sales[S.DS] == "2024-01-27"))]
    sector = Sector("retail", sales)
    assert sector.total_sales(by="product")["A"] == 52.0
    assert sector.average_sales(by="product", period="D")["A"] == 52.0 / 10
    daily = sector.total_sales(by="product", period="D")
    a_rows = daily.loc[daily[S.UNIQUE_ID] == "A"]
    assert len(a_rows) == 10
    assert a_rows.loc[a_rows[S.DS] == "2024-01-27", S.Y].item() == 0.0


def test_product_span_is_its_own():
    sales = make_sales()
    # B starts selling on 2024-01-29 (a Monday): its weekly average uses one week only
    sales = sales.loc[~((sales[S.UNIQUE_ID] == "B") & (sales[S.DS] < "2024-01-29"))]
    sector = Sector("retail", sales)
    assert sector.average_sales(by="product", period="W").to_dict() == {"A": 27.5, "B": 60.0}
    # the sector average still spans both weeks
    assert sector.average_sales(period="W") == (10 + 105) / 2


def test_stock_from_sales(retail):
    assert retail.total_stock() == 10 + 5.0  # last on_hand of A and B
    assert retail.total_stock(by="product").to_dict() == {"A": 10.0, "B": 5.0}
    assert retail.total_stock(at="2024-01-27") == 17 + 0.0


def test_stock_per_week_is_end_of_week(retail):
    weekly = retail.total_stock(period="W")
    assert list(weekly.index) == [pd.Timestamp("2024-01-22"), pd.Timestamp("2024-01-29")]
    assert list(weekly) == [16 + 0.0, 10 + 5.0]  # A and B on Jan 28, then on Feb 3
    table = retail.total_stock(by="product", period="W")
    assert list(table.columns) == [S.UNIQUE_ID, S.DS, S.ON_HAND]
    assert list(table[S.ON_HAND]) == [16.0, 10.0, 0.0, 5.0]


def test_stock_from_inventory_when_given():
    sector = Sector("retail", make_sales(), inventory=INVENTORY)
    assert sector.inventory is not None and list(sector.inventory[S.UNIQUE_ID]) == ["A", "B"]
    assert sector.total_stock() == 7 + 3.0  # current stock: the inventory table
    assert sector.total_stock(by="product").to_dict() == {"A": 7.0, "B": 3.0}
    # per period or at a date the history in the sales rows is used
    assert sector.total_stock(at="2024-02-03") == 15.0
    assert list(sector.total_stock(period="W")) == [16.0, 15.0]


def test_stock_errors():
    no_stock = make_sales().drop(columns=S.ON_HAND)
    with pytest.raises(ValueError, match="no stock data"):
        Sector("retail", no_stock).total_stock()
    with pytest.raises(ValueError, match="no stock data"):
        Sector("retail", no_stock, inventory=INVENTORY.drop(columns=S.ON_HAND)).total_stock()
    with_inventory = Sector("retail", no_stock, inventory=INVENTORY)
    assert with_inventory.total_stock() == 10.0
    with pytest.raises(ValueError, match="only holds the current stock"):
        with_inventory.total_stock(period="W")


def test_bad_arguments(retail):
    with pytest.raises(ValueError, match="period"):
        retail.total_sales(period="Q")
    with pytest.raises(ValueError, match="by"):
        retail.average_sales(by="store")


def test_summary(retail):
    summary = retail.summary()
    assert summary == {
        "sector": "retail",
        "n_products": 2,
        "start": "2024-01-25",
        "end": "2024-02-03",
        "total_sales": 155.0,
        "average_daily_sales": 15.5,
        "total_stock": 15.0,
        "stockout_share": 2 / 20,
    }


def test_summary_without_stock():
    summary = Sector("pharmacy", make_sales().drop(columns=S.ON_HAND)).summary()
    assert summary["total_stock"] is None
    assert summary["stockout_share"] is None
    assert summary["total_sales"] == 1000.0


def test_string_dates_are_parsed():
    sales = make_sales()
    sales[S.DS] = sales[S.DS].dt.strftime("%Y-%m-%d")
    assert list(Sector("retail", sales).total_sales(period="W")) == [50.0, 105.0]
