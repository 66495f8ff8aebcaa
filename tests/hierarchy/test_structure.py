"""Declaring levels, the summing matrix and every level's series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.errors import FrameError, OptionError
from stockwise.hierarchy import HierarchySpec, aggregate, bottom_attributes, build_structure
from stockwise.hierarchy.structure import LEVEL

from .helpers import chain_sales

DECLARED = ["category/product", "store"]


def structure_of(sales: pd.DataFrame, declared=DECLARED):
    spec = HierarchySpec.parse(declared)
    return build_structure(bottom_attributes(sales, spec), spec)


def test_levels_cross_every_depth_of_each_dimension() -> None:
    spec = HierarchySpec.parse(DECLARED)
    names = [level.name for level in spec.levels()]
    assert names[0] == "total" and names[-1] == "product*store"
    assert set(names) == {
        "total",
        "category",
        "store",
        "product",
        "category*store",
        "product*store",
    }
    assert [level.name for level in spec.chain()] == [
        "total",
        "category",
        "product",
        "product*store",
    ]


def test_summing_matrix_shape_and_rows() -> None:
    sales = chain_sales(periods=24, products=(2, 3), stores=2)
    structure = structure_of(sales)
    dense = structure.dense()
    # total 1 + categories 2 + stores 2 + products 5 + category*store 4 + bottom 10
    assert dense.shape == (24, 10)
    assert (dense[0] == 1).all()
    np.testing.assert_array_equal(dense[structure.bottom_rows], np.eye(10))
    sizes = dict(zip(structure.ids, dense.sum(axis=1), strict=True))
    assert sizes["category:cat1"] == 6 and sizes["store:s0"] == 5
    assert sizes["category*store:cat0|s1"] == 2 and sizes["product:cat1/c1p2"] == 2
    # every level partitions the bottom: each column has one 1 per level
    np.testing.assert_array_equal(dense.sum(axis=0), np.full(10, 6))


def test_every_level_is_the_sum_of_its_series() -> None:
    sales = chain_sales(periods=24)
    structure = structure_of(sales)
    levels = aggregate(sales, structure)
    by_category = sales.groupby(["category", "ds"])["y"].sum()
    rows = levels[levels[LEVEL] == "category"]
    for uid, ds, y in rows[["unique_id", "ds", "y"]].itertuples(index=False):
        assert y == by_category[(uid.split(":")[1], ds)]
    total = levels[levels["unique_id"] == "total"].set_index("ds")["y"]
    pd.testing.assert_series_equal(total, sales.groupby("ds")["y"].sum(), check_names=False)
    bottom = levels[levels[LEVEL] == "product*store"]
    assert len(bottom) == len(sales)


def test_a_series_starting_late_adds_from_its_start_only() -> None:
    sales = chain_sales(periods=24)
    late = sales["unique_id"].eq("c0p0-s0") & (sales["ds"] < "2016-01-01")
    sales = sales[~late]
    levels = aggregate(sales, structure_of(sales))
    product = levels[levels["unique_id"] == "product:cat0/c0p0"].set_index("ds")["y"]
    early = sales[(sales["product"] == "c0p0") & (sales["ds"] < "2016-01-01")]
    np.testing.assert_allclose(product[product.index < "2016-01-01"], early.set_index("ds")["y"])
    assert len(product) == 24


@pytest.mark.parametrize(
    ("declared", "words"),
    [
        (["category//product"], "empty column"),
        (["category/product", "category"], "more than once"),
        (["unique_id"], "series key"),
        ([], "at least one"),
    ],
)
def test_bad_declarations_are_refused(declared, words) -> None:
    with pytest.raises(OptionError, match=words):
        HierarchySpec.parse(declared)


def test_a_missing_column_is_named() -> None:
    sales = chain_sales(periods=12).drop(columns="store")
    with pytest.raises(FrameError, match="'store'"):
        structure_of(sales)


def test_a_series_in_two_places_is_refused() -> None:
    sales = chain_sales(periods=12)
    sales.loc[sales.index[3], "category"] = "cat1"
    with pytest.raises(FrameError, match=r"c0p0-s0.*more than one place"):
        structure_of(sales)


def test_several_series_in_a_cell_get_a_series_level_below() -> None:
    sales = chain_sales(periods=12, products=(2, 2), stores=2)
    structure = structure_of(sales, ["store"])
    assert structure.level_names == ["total", "store", "series"]
    assert structure.chain == ("total", "store", "series")
    assert structure.dense().shape == (1 + 2 + 8, 8)
    levels = aggregate(sales, structure)
    store = levels[levels["unique_id"] == "store:s1"].set_index("ds")["y"]
    expected = sales[sales["store"] == "s1"].groupby("ds")["y"].sum()
    pd.testing.assert_series_equal(store, expected, check_names=False)


def test_an_empty_attribute_names_its_row() -> None:
    sales = chain_sales(periods=12)
    sales.loc[5, "store"] = None
    with pytest.raises(FrameError, match=r"row 5 .*'store'"):
        structure_of(sales)
