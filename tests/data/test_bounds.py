"""Plausibility bounds: absurd numbers are quarantined naming the bound they broke, every
input row is still accounted for, and a user's bounds file moves the limits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app
from stockwise.data import load_table
from stockwise.data.bounds import DEFAULT_BOUNDS, DEFAULT_LIMITS, Bound, load_bounds
from stockwise.data.partition import PartSizes, stream_sales
from stockwise.errors import OptionError
from stockwise.workflows.plan import plan_files

AS_OF = "2025-06-30"


def _sales(n: int = 40, **extra: list[float]) -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=n, freq="D")
    frame = pd.DataFrame(
        {
            "unique_id": ["A"] * n + ["B"] * n,
            "ds": list(days.strftime("%Y-%m-%d")) * 2,
            "y": [float(5 + i % 3) for i in range(2 * n)],
        }
    )
    for column, values in extra.items():
        frame[column] = values
    return frame


def _inventory(**columns: list[object]) -> pd.DataFrame:
    base = {"unique_id": ["A", "B"], "on_hand": [30.0, 40.0], "lead_time_days": [3.0, 4.0]}
    return pd.DataFrame({**base, **columns})


def _reason(result, row: int) -> str:
    quarantine = result.quarantine
    return str(quarantine.loc[quarantine["source_row"] == row, "reasons"].iloc[0])


@pytest.mark.parametrize(
    ("column", "value", "limit"),
    [
        ("lead_time_days", 100000.0, 730),
        ("on_hand", 1e308, 1e9),
        ("on_order", 5e12, 1e9),
        ("unit_cost", 3e15, 1e9),
        ("lead_time_std_days", 900.0, 365),
        ("shelf_life_days", 99999.0, 3650),
        ("review_period_days", 1000.0, 365),
        ("moq", 2e10, 1e9),
        ("pack_size", 2e10, 1e9),
    ],
)
def test_an_absurd_inventory_value_is_quarantined_naming_its_bound(column, value, limit):
    values = [1.0, value] if column != "on_hand" else [30.0, value]
    result = load_table(_inventory(**{column: values}), "inventory")
    assert result.report.n_read == result.report.n_accepted + result.report.n_quarantined
    assert list(result.data["unique_id"]) == ["A"]
    assert list(result.quarantine["unique_id"]) == ["B"]
    reason = _reason(result, 2)  # a frame's rows count from 1
    assert "above_plausible_maximum" in reason
    assert f"{column} {value:g} is above the plausible maximum {limit:g}" in reason
    assert f"(bounds.{column}.max)" in reason


def test_absurd_sales_quantities_and_prices_are_quarantined_with_the_row_they_are_on():
    sales = _sales(price=[2.0] * 80)
    sales.loc[7, "y"] = 1e300
    sales.loc[50, "price"] = 4e12
    result = load_table(sales, "sales", as_of=AS_OF)
    assert result.report.n_quarantined == 2
    assert result.report.n_accepted == 78
    assert "y 1e+300 is above the plausible maximum 1e+09 (bounds.y.max)" in _reason(result, 8)
    assert "bounds.price.max" in _reason(result, 51)
    issues = result.report.errors
    assert set(issues["rule"]) == {"above_plausible_maximum"}
    assert set(issues["field"]) == {"y", "price"}


def test_an_absurd_batch_quantity_is_quarantined():
    batches = pd.DataFrame(
        {
            "unique_id": ["A", "A"],
            "batch_id": ["L1", "L2"],
            "quantity": [10.0, 7e11],
            "expiry_date": ["2025-01-01"] * 2,
        }
    )
    result = load_table(batches, "batches")
    assert list(result.quarantine["batch_id"]) == ["L2"]
    assert "bounds.quantity.max" in _reason(result, 2)


def test_values_at_the_bound_pass():
    result = load_table(_inventory(lead_time_days=[730.0, 1.0], on_hand=[1e9, 0.0]), "inventory")
    assert result.report.n_quarantined == 0


def test_a_bounds_file_moves_the_limits(tmp_path: Path):
    path = tmp_path / "bounds.yaml"
    path.write_text(
        "bounds:\n  lead_time_days: {max: 1000}\n  unit_cost: {min: 0.01}\n  y: {max: null}\n"
    )
    bounds = load_bounds(path)
    assert bounds.of("lead_time_days") == Bound(None, 1000.0)
    assert bounds.of("y") is None
    assert bounds.of("on_hand") == DEFAULT_LIMITS["on_hand"]  # left out: the default
    inventory = _inventory(lead_time_days=[900.0, 1200.0], unit_cost=[0.001, 5.0])
    assert load_table(inventory, "inventory").report.n_quarantined == 2
    result = load_table(inventory, "inventory", bounds=bounds)
    assert list(result.data["unique_id"]) == []
    reasons = list(result.quarantine["reasons"])
    assert (
        "unit_cost 0.001 is below the plausible minimum 0.01 (bounds.unit_cost.min)" in reasons[0]
    )
    assert "lead_time_days 1200 is above the plausible maximum 1000" in reasons[1]
    sales = _sales()
    sales.loc[3, "y"] = 1e300
    assert load_table(sales, "sales", as_of=AS_OF, bounds=bounds).report.n_quarantined == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bounds:\n  lead_time: {max: 10}\n", "Did you mean 'lead_time_days'"),
        ("bounds:\n  y: {min: 10, max: 5}\n", "bounds.y.min (10) is above its max (5)"),
        ("bounds:\n  price: {max: cheap}\n", "bounds.price.max must be a finite number"),
        ("bounds:\n  price: 10\n", "bounds.price must be a mapping"),
        ("- 1\n- 2\n", "expected a 'bounds:' mapping"),
    ],
)
def test_a_bad_bounds_file_is_refused_naming_the_key(tmp_path: Path, text, message):
    path = tmp_path / "bounds.yaml"
    path.write_text(text)
    with pytest.raises(OptionError) as info:
        load_bounds(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_yaml_exponents_without_a_dot_are_numbers():
    assert load_bounds({"bounds": {"price": {"max": "5e10"}}}).of("price") == Bound(None, 5e10)
    assert load_bounds(None) is DEFAULT_BOUNDS


def test_streamed_parts_check_the_same_bounds(tmp_path: Path):
    sales = _sales()
    sales.loc[[4, 60], "y"] = [2e9, 7e20]
    path = tmp_path / "sales.parquet"
    sales.to_parquet(path, index=False)
    bounds = load_bounds({"y": {"max": 5e9}})
    whole = load_table(str(path), "sales", as_of=AS_OF, bounds=bounds)
    parted = stream_sales(path, tmp_path / "parts", as_of=AS_OF, sizes=PartSizes(1), bounds=bounds)
    assert (
        parted.report.summary == whole.report.summary == "80 rows read, 79 accepted, 1 quarantined"
    )
    columns = ["row", "rule", "message"]
    pd.testing.assert_frame_equal(
        parted.report.issues[columns].reset_index(drop=True),
        whole.report.issues[columns].reset_index(drop=True),
        check_dtype=False,
    )  # a part without issues: object rows


def test_cli_validate_takes_a_bounds_file(tmp_path: Path):
    sales = _sales()
    sales.to_csv(tmp_path / "sales.csv", index=False)
    _inventory(lead_time_days=[3.0, 900.0]).to_csv(tmp_path / "inv.csv", index=False)
    args = [
        "validate",
        str(tmp_path / "sales.csv"),
        "--inventory",
        str(tmp_path / "inv.csv"),
        "--as-of",
        AS_OF,
        "--out",
        str(tmp_path / "out"),
    ]
    default = CliRunner().invoke(app, args)
    assert default.exit_code == 0, default.output
    quarantine = pd.read_csv(tmp_path / "out" / "inventory_quarantine.csv")
    assert "bounds.lead_time_days.max" in quarantine["reasons"].iloc[0]
    (tmp_path / "b.yaml").write_text("bounds:\n  lead_time_days: {max: 1000}\n")
    moved = CliRunner().invoke(app, [*args, "--bounds", str(tmp_path / "b.yaml")])
    assert moved.exit_code == 0, moved.output
    assert pd.read_csv(tmp_path / "out" / "inventory_quarantine.csv").empty


def test_the_plan_runs_past_absurd_rows_instead_of_crashing(tmp_path: Path):
    sales = _sales(n=60)
    sales.loc[10, "y"] = 1e300
    inventory = pd.DataFrame(
        {
            "unique_id": ["A", "B", "C"],
            "on_hand": [20.0, 1e308, 5.0],
            "lead_time_days": [3.0, 3.0, 100000.0],
        }
    )
    sales = pd.concat([sales, _sales(n=60).assign(unique_id="C")], ignore_index=True)
    run, validation = plan_files(
        sales, inventory, tmp_path, models="SeasonalNaive", today="2024-03-01"
    )
    assert validation.tables["inventory"].report.n_quarantined == 2
    assert list(run.plan.plan["unique_id"]) == ["A"]
    assert run.plan.plan["order_qty"].iloc[0] < 1e4
