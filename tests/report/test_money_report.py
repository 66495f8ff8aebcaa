"""The HTML report in money: totals per currency, the order list per supplier, and the
lines a budget left out, read back from the files a plan run writes."""

from __future__ import annotations

import pandas as pd
import pytest

from stockwise.inventory.money import totals
from stockwise.report.html import build_report, kpis
from stockwise.synthetic import generate
from stockwise.workflows.plan import plan_inventory, write_plan


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pd.DataFrame]:
    data = generate(n_products=6, n_days=100, seed=4)
    inventory = data.inventory.assign(supplier=["Nord", "Sud", "Nord", "Sud", "Nord", "Sud"])
    sales = data.sales[data.sales["sector"] == "retail"]
    free = plan_inventory(sales, inventory, models=("SeasonalNaive",), n_windows=1)
    bill = float(free.plan.plan["order_value"].sum())
    run = plan_inventory(
        sales, inventory, models=("SeasonalNaive",), n_windows=1, currency="GBP", budget=bill / 2
    )
    folder = tmp_path_factory.mktemp("run")
    files = write_plan(run, folder)
    assert "orders_by_supplier" in files
    path = build_report(folder, png=False)
    return path.read_text(encoding="utf-8"), pd.read_csv(files["plan"])


@pytest.mark.slow
def test_the_overview_shows_the_totals_in_their_currency(page) -> None:
    text, plan = page
    assert "The order list in money" in text
    assert "value of the orders now (GBP)" in text
    row = totals(plan).iloc[0]
    assert row["currency"] == "GBP" and f"{row['order_value']:,.0f}" in text
    assert (
        kpis(plan, pd.DataFrame(columns=["type", "unique_id"]))["orders_now_value"]
        <= row["order_value"] + 1e-9
    )


def test_suppliers_and_the_budget_cuts_are_listed(page) -> None:
    text, plan = page
    assert "<h3>By supplier</h3>" in text and "Nord" in text
    cut = plan[plan["budget_cut_units"] > 0]
    assert not cut.empty and "<h3>Left out by the budget</h3>" in text
    assert f"{len(cut)} line(s) cut or cut down" in text
