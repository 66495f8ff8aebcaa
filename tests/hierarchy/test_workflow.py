"""forecast_hierarchy: every level forecast, reconciled, non-negative, scored per level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockwise.errors import FrameError
from stockwise.hierarchy.reconcile import METHODS
from stockwise.workflows.hierarchy_forecast import (
    HierarchyConfig,
    forecast_hierarchy,
    reconcile_with,
)

from .helpers import chain_sales

FAST = ("SeasonalNaive", "Naive", "HoltWinters")


@pytest.fixture(scope="module")
def run():
    config = HierarchyConfig(h=6, models=FAST, levels=(80,))
    return forecast_hierarchy(chain_sales(periods=48), ["category/product", "store"], config)


def test_every_level_is_forecast_and_adds_up(run) -> None:
    out = run.forecasts
    assert set(out["level"]) == {
        "total",
        "category",
        "store",
        "product",
        "category*store",
        "product*store",
    }
    assert out.groupby("unique_id")["ds"].nunique().eq(6).all()
    bottom = out[out["level"] == "product*store"].groupby("ds")["forecast"].sum()
    total = out[out["unique_id"] == "total"].set_index("ds")["forecast"]
    np.testing.assert_allclose(total, bottom, atol=1e-6)
    stores = out[out["level"] == "store"].set_index(["unique_id", "ds"])["forecast"]
    sales = chain_sales(periods=48)
    store_of = sales.drop_duplicates("unique_id").set_index("unique_id")["store"]
    rows = out[out["level"] == "product*store"]
    summed = rows.groupby([rows["unique_id"].map(store_of).radd("store:"), "ds"])["forecast"]
    np.testing.assert_allclose(stores.sort_index(), summed.sum().sort_index(), atol=1e-6)
    assert (out["forecast"] >= 0).all()
    assert (out["forecast-lo-80"] <= out["forecast"]).all()
    assert (out["forecast"] <= out["forecast-hi-80"]).all()


def test_the_method_is_the_backtest_choice_and_accuracy_is_per_level(run) -> None:
    assert run.method in METHODS
    criteria = run.choice.criteria
    assert criteria.index[criteria["chosen"]].tolist() == [run.method]
    if criteria["bottom_not_worse"].drop("base").any():
        assert criteria.loc[run.method, "bottom_mase"] <= criteria.loc["base", "bottom_mase"] + 1e-9
    assert set(run.accuracy["level"]) == set(run.forecasts["level"])
    assert set(run.accuracy["model"]) == {"base", *METHODS}
    assert (run.forecasts["method"] == run.method).all()
    assert run.accuracy["mase"].notna().all()


def test_any_method_can_be_applied_to_the_run(run) -> None:
    bottom_up = reconcile_with(run, "bottom_up")
    rows = bottom_up[bottom_up["level"] == "product*store"]
    np.testing.assert_allclose(rows["forecast"], rows["base_forecast"].clip(lower=0))


def test_a_series_ending_early_is_named() -> None:
    sales = chain_sales(periods=30)
    sales = sales[~(sales["unique_id"].eq("c1p1-s1") & (sales["ds"] > "2016-12-01"))]
    with pytest.raises(FrameError, match="c1p1-s1"):
        forecast_hierarchy(sales, ["category/product", "store"], HierarchyConfig(h=3, models=FAST))


def test_one_method_asked_is_used_and_still_scored() -> None:
    config = HierarchyConfig(h=4, models=FAST, methods=("mint_shrink",))
    result = forecast_hierarchy(chain_sales(periods=40, seed=3), ["store"], config)
    assert result.method == "mint_shrink"
    assert set(result.accuracy["model"]) == {"base", "mint_shrink"}
    assert isinstance(result.forecasts, pd.DataFrame) and len(result.forecasts) == 4 * (1 + 2 + 8)
