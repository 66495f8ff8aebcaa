"""A budget caps the whole order list of a chunked run, never a chunk's alone; the
currency option reaches every line; bad money options are refused when the config is
built."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.errors import OptionError
from stockwise.inventory.budget import apply_budget
from stockwise.synthetic import generate
from stockwise.workflows.chunked_plan import plan_in_chunks
from stockwise.workflows.plan import plan_inventory
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_outputs import ChunkCollector, PlanWriter

CHEAP = ("SeasonalNaive", "CrostonSBA")


@pytest.fixture(scope="module")
def data():
    """Two sectors, 8 series of 90 days; the inventory names two suppliers."""
    made = generate(n_products=8, n_days=90, seed=3)
    inventory = made.inventory.assign(
        supplier=["North", "South"] * (len(made.inventory) // 2)
        + ["North"] * (len(made.inventory) % 2)
    )
    sales = made.sales[made.sales["sector"].isin(["pharmacy", "retail"])]
    return sales, inventory


@pytest.mark.slow
def test_the_budget_caps_the_joined_order_list_not_each_chunk(data) -> None:
    sales, inventory = data
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=2, currency="usd")
    free = ChunkCollector()
    plan_in_chunks(sales, inventory, config, free)
    whole = free.plan
    assert set(whole["currency"]) == {"USD"} and set(whole["supplier"]) <= {"North", "South"}
    bill = float(whole.loc[whole["order_qty"] > 0, "order_value"].sum())
    assert bill > 0
    budget = bill / 3
    capped = ChunkCollector(budget=budget, inventory=inventory)
    plan_in_chunks(
        sales,
        inventory,
        PlanConfig(models=CHEAP, n_windows=1, chunk_size=2, currency="USD", budget=budget),
        capped,
    )
    expected = apply_budget(whole, budget, inventory).plan
    pd.testing.assert_frame_equal(capped.plan, expected)
    spent = float(capped.plan["order_value"].sum())
    assert 0 < spent <= budget and capped.budgeted().spent == pytest.approx(spent)
    assert (capped.plan["budget_cut_units"] > 0).any()


@pytest.mark.slow
def test_the_writer_writes_suppliers_and_the_library_takes_a_budget(data, tmp_path: Path) -> None:
    sales, inventory = data
    writer = PlanWriter(tmp_path, n_series=8, budget=1.0, inventory=inventory)
    plan_in_chunks(sales, inventory, PlanConfig(models=CHEAP, n_windows=1), writer)
    files = writer.finish()
    grouped = pd.read_csv(files["orders_by_supplier"])
    assert set(grouped["supplier"]) <= {"North", "South"}
    plan = pd.read_csv(files["plan"])
    assert plan["order_value"].sum() <= 1.0
    assert plan["reason"].str.contains("budget 1.00 EUR").any()
    run = plan_inventory(
        sales[sales["sector"] == "retail"], inventory, models=CHEAP, n_windows=1, budget=1.0
    )
    assert run.budget is not None and run.plan.plan["order_value"].sum() <= 1.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"currency": "euro"}, "ISO 4217"),
        ({"currency": "E1R"}, "ISO 4217"),
        ({"budget": 0}, "above 0"),
        ({"budget": float("nan")}, "above 0"),
        ({"budget": "much"}, "not an amount"),
    ],
)
def test_bad_money_options_are_refused_up_front(options: dict, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        PlanConfig(**options)
    assert PlanConfig(currency=" chf ").currency == "CHF"
