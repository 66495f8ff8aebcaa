"""``stockwise plan`` in money: --currency, --budget, and a supplier column ("fournisseur")
grouping the order list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("data")
    result = runner.invoke(
        app, ["generate", "--products", "6", "--days", "120", "--seed", "2", "--out", str(folder)]
    )
    assert result.exit_code == 0, result.output
    inventory = pd.read_csv(folder / "inventory.csv")
    inventory["Fournisseur"] = ["Nord", "Sud"] * 3
    inventory.to_csv(folder / "inventory.csv", index=False)
    return folder / "sales.csv", folder / "inventory.csv"


def plan(files: tuple[Path, Path], out: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "plan",
            str(files[0]),
            "--inventory",
            str(files[1]),
            "--models",
            "SeasonalNaive",
            "--windows",
            "1",
            "--no-track",
            "--out",
            str(out),
            *options,
        ],
    )
    return result.exit_code, result.output


@pytest.mark.slow
def test_currency_suppliers_and_totals_are_shown_and_written(files, tmp_path: Path) -> None:
    code, output = plan(files, tmp_path / "p", "--currency", "usd")
    assert code == 0, output
    table = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert set(table["currency"]) == {"USD"} and set(table["supplier"]) == {"Nord", "Sud"}
    bill = table.loc[table["order_qty"] > 0, "order_value"].sum()
    assert f"order bill: {bill:,.2f} USD" in output
    assert "lost sales at stake" in output
    grouped = pd.read_csv(tmp_path / "p" / "orders_by_supplier.csv")
    assert grouped["order_value"].sum() == pytest.approx(bill)
    for row in grouped.itertuples():
        assert f"supplier {row.supplier}: {row.order_value:,.2f} USD" in output


@pytest.mark.slow
def test_a_budget_caps_the_bill_and_says_what_it_left_out(files, tmp_path: Path) -> None:
    code, output = plan(files, tmp_path / "free")
    assert code == 0, output
    free = pd.read_csv(tmp_path / "free" / "plan.csv")
    bill = free.loc[free["order_qty"] > 0, "order_value"].sum()
    budget = round(bill / 2, 2)
    code, output = plan(files, tmp_path / "capped", "--budget", str(budget))
    assert code == 0, output
    capped = pd.read_csv(tmp_path / "capped" / "plan.csv")
    assert capped["order_value"].sum() <= budget
    assert f"budget {budget:,.2f} EUR" in output and "left out or cut down" in output
    cut = capped[capped["budget_cut_units"] > 0]
    assert not cut.empty and cut["reason"].str.contains("budget").all()
    assert cut.iloc[0]["unique_id"] in output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--currency", "euros", "ISO 4217"), ("--budget", "-5", "above 0")],
)
def test_bad_money_options_exit_2_with_the_reason(
    files, tmp_path: Path, option: str, value: str, message: str
) -> None:
    code, output = plan(files, tmp_path / "p", option, value)
    assert code == 2 and message in output
