"""The `stockwise` command: exit codes, messages, and files written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cells import read_own_csv
from stockwise.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "command",
    [
        "generate",
        "validate",
        "prepare",
        "sectors",
        "demo",
        "forecast",
        "backtest",
        "plan",
        "report",
        "etl",
        "replay",
        "simulate",
        "runs",
        "serve",
        "keys",
        "db",
    ],
)
def test_every_command_has_help(command: str) -> None:
    code, output = run(command, "--help")
    assert code == 0 and "Usage" in output


def test_version() -> None:
    code, output = run("--version")
    assert code == 0 and "stockwise 0." in output


def test_generate_writes_the_tables(tmp_path: Path) -> None:
    code, output = run(
        "generate", "--products", "6", "--days", "90", "--seed", "3", "--out", str(tmp_path)
    )
    assert code == 0, output
    sales = pd.read_csv(tmp_path / "sales.csv")
    assert sales["unique_id"].nunique() == 6
    assert set(sales["sector"]) == {"retail", "pharmacy", "luxury"}
    inventory = pd.read_csv(tmp_path / "inventory.csv")
    assert set(inventory["unique_id"]) == set(sales["unique_id"])


def test_validate_reports_and_quarantines(tmp_path: Path) -> None:
    sales = tmp_path / "ventes.csv"
    sales.write_text("Date;Produit;Ventes\n01/03/2024;A;2\n02/03/2024;A;-1\n03/03/2024;A;4\n")
    out = tmp_path / "checks"
    code, output = run("validate", str(sales), "--out", str(out), "--as-of", "2025-01-01")
    assert code == 0, output
    assert "3 rows read, 2 accepted, 1 quarantined" in output
    # the quarantine comes back in the file's own form (';' for this French file)
    assert (out / "sales_quarantine.csv").read_bytes().startswith(b"\xef\xbb\xbfsource_row;")
    quarantine = read_own_csv(out / "sales_quarantine.csv")
    assert quarantine["source_row"].tolist() == [3]
    assert "Ventes" in quarantine.columns and "negative" in quarantine["reasons"][0]
    code, _ = run("validate", str(sales), "--out", str(out), "--as-of", "2025-01-01", "--strict")
    assert code == 1


def test_validate_with_explicit_map_and_inventory(tmp_path: Path) -> None:
    sales = tmp_path / "s.csv"
    sales.write_text("Jour,Art,Qte\n2024-01-01,A,1\n2024-01-02,A,2\n")
    stock = tmp_path / "stock.xlsx"
    pd.DataFrame({"Art": ["A"], "Niveau": [5], "Delai": [3]}).to_excel(stock, index=False)
    code, output = run(
        "validate",
        str(sales),
        "--map",
        "date=Jour,product=Art,y=Qte",
        "--inventory",
        str(stock),
        "--inventory-map",
        "id=Art,stock=Niveau",
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 0, output
    assert "2 rows read, 2 accepted, 0 quarantined" in output
    assert "1 rows read, 1 accepted, 0 quarantined" in output


def test_structural_error_is_one_paragraph_and_exit_2(tmp_path: Path) -> None:
    sales = tmp_path / "s.csv"
    sales.write_text("product,when,qty\nA,2024-01-01,1\n")
    code, output = run("validate", str(sales), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "Error:" in output and "'ds'" in output and "--map" in output
    assert "Traceback" not in output


def test_nothing_usable_exits_2_after_writing_quarantine(tmp_path: Path) -> None:
    sales = tmp_path / "s.csv"
    sales.write_text("unique_id,ds,y\nA,2024-01-01,x\n")
    code, output = run("validate", str(sales), "--out", str(tmp_path / "o"))
    assert code == 2 and "no usable rows" in output
    assert (tmp_path / "o" / "sales_quarantine.csv").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "validate", str(tmp_path / "missing.csv")])
    assert result.exit_code != 0 and result.exception is not None
    assert "file not found" in str(result.exception)


def test_validate_sql_source(tmp_path: Path) -> None:
    db = tmp_path / "erp.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE sales (ds TEXT, sku TEXT, qty REAL)")
        con.executemany(
            "INSERT INTO sales VALUES (?,?,?)", [("2024-01-01", "A", 1), ("2024-01-02", "A", 2)]
        )
    code, output = run(
        "validate",
        "SELECT * FROM sales ORDER BY ds",
        "--sql",
        f"sqlite:///{db}",
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 0, output
    assert "2 rows read, 2 accepted, 0 quarantined" in output


def test_prepare_aggregates_to_weeks(tmp_path: Path) -> None:
    sales = tmp_path / "s.csv"
    days = pd.date_range("2024-01-01", periods=14, freq="D")
    sales.write_text("unique_id,ds,y\n" + "".join(f"A,{d.date()},1\n" for d in days if d.day != 5))
    code, output = run("prepare", str(sales), "--to", "W", "--out", str(tmp_path / "p"))
    assert code == 0, output
    prepared = pd.read_csv(tmp_path / "p" / "sales_prepared.csv")
    assert prepared["y"].tolist() == [6.0, 7.0]


def test_sectors_lists_builtins_and_user_files(tmp_path: Path) -> None:
    (tmp_path / "florist.yaml").write_text("extends: retail\nservice_level: 0.9\n")
    code, output = run("sectors", "--sectors-dir", str(tmp_path))
    assert code == 0, output
    for name in ("retail", "pharmacy", "luxury", "florist"):
        assert name in output
    code, output = run("sectors", "--sectors-dir", str(tmp_path), "--show", "florist")
    assert code == 0 and "0.9" in output


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    code, output = run("demo", "--out", str(tmp_path), "--products", "6", "--days", "200")
    assert code == 0, output
    assert "Demo finished" in output
    forecasts = pd.read_csv(tmp_path / "plan" / "forecasts.csv")
    assert forecasts["unique_id"].nunique() == 6
    assert forecasts["forecast"].notna().all() and forecasts["model"].notna().all()
    value_columns = [c for c in forecasts.columns if c.startswith("forecast")]
    assert (forecasts[value_columns].fillna(0) >= 0).all().all()
    luxury = forecasts[forecasts["sector"] == "luxury"]
    assert (pd.to_datetime(luxury["ds"]).dt.dayofweek == 0).all()  # weekly, Monday
    selection = pd.read_csv(tmp_path / "plan" / "selection.csv")
    assert set(selection["unique_id"]) == set(forecasts["unique_id"])
    plan = pd.read_csv(tmp_path / "plan" / "plan.csv")
    inventory = pd.read_csv(tmp_path / "data" / "inventory.csv")
    assert set(plan["unique_id"]) == set(inventory["unique_id"])
    assert set(plan["sector"]) == {"retail", "pharmacy", "luxury"}
    assert (tmp_path / "plan" / "plan.xlsx").exists() and "Most urgent" in output
    page = (tmp_path / "plan" / "report.html").read_text()
    assert "plotly" in page and 'src="http' not in page
    sales = pd.read_csv(tmp_path / "data" / "sales.csv")
    accounting = [line for line in output.splitlines() if line.startswith("sales:")]
    assert accounting == [f"sales: {len(sales)} rows read, {len(sales)} accepted, 0 quarantined"]


def _monthly_sales(path: Path) -> Path:
    rng = np.random.default_rng(5)
    ds = pd.date_range("2019-01-01", periods=48, freq="MS")
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "Date": ds,
                    "Article": "A",
                    "Qte": 50 + 10 * np.sin(np.arange(48) / 2) + rng.normal(0, 2, 48),
                }
            ),
            pd.DataFrame({"Date": ds, "Article": "B", "Qte": rng.poisson(0.5, 48)}),
        ]
    )
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_forecast_command_writes_forecasts_and_selection(tmp_path: Path) -> None:
    sales = _monthly_sales(tmp_path / "s.csv")
    code, output = run(
        "forecast",
        str(sales),
        "--horizon",
        "6",
        "--levels",
        "80,95",
        "--map",
        "date=Date,product=Article,y=Qte",
        "--out",
        str(tmp_path / "f"),
    )
    assert code == 0, output
    forecasts = pd.read_csv(tmp_path / "f" / "forecasts.csv")
    assert forecasts.groupby("unique_id").size().to_dict() == {"A": 6, "B": 6}
    assert {"forecast-lo-80", "forecast-hi-95", "model", "note"} <= set(forecasts.columns)
    assert (tmp_path / "f" / "selection.csv").exists()
    assert "models used" in output


@pytest.mark.slow
def test_forecast_command_with_named_models_and_sector(tmp_path: Path) -> None:
    sales = _monthly_sales(tmp_path / "s.csv")
    code, output = run(
        "forecast",
        str(sales),
        "--horizon",
        "3",
        "--freq",
        "M",
        "--models",
        "Naive",
        "--map",
        "date=Date,product=Article,y=Qte",
        "--out",
        str(tmp_path / "f"),
    )
    assert code == 0, output
    forecasts = pd.read_csv(tmp_path / "f" / "forecasts.csv")
    assert set(forecasts["model"]) == {"Naive"}
    code, output = run(
        "forecast",
        str(sales),
        "--models",
        "Prophet",
        "--map",
        "date=Date,product=Article,y=Qte",
        "--out",
        str(tmp_path / "g"),
    )
    assert code == 2
    assert "Prophet" in output


@pytest.mark.slow
def test_a_horizon_beyond_the_history_needs_force(tmp_path: Path) -> None:
    sales = _monthly_sales(tmp_path / "s.csv")  # 48 months
    args = (
        "forecast",
        str(sales),
        "--horizon",
        "60",
        "--models",
        "Naive",
        "--map",
        "date=Date,product=Article,y=Qte",
        "--out",
        str(tmp_path / "f"),
    )
    code, output = run(*args)
    assert code == 2, output
    assert "longer than the longest history (48 periods)" in output and "--force" in output
    assert not (tmp_path / "f" / "forecasts.csv").exists()
    code, output = run(*args, "--force")
    assert code == 0, output
    assert len(pd.read_csv(tmp_path / "f" / "forecasts.csv")) == 2 * 60


@pytest.mark.slow
def test_backtest_command_prints_metrics(tmp_path: Path) -> None:
    sales = _monthly_sales(tmp_path / "s.csv")
    code, output = run(
        "backtest",
        str(sales),
        "--horizon",
        "6",
        "--windows",
        "2",
        "--models",
        "Naive,AutoETS",
        "--map",
        "date=Date,product=Article,y=Qte",
        "--out",
        str(tmp_path / "b"),
    )
    assert code == 0, output
    metrics = pd.read_csv(tmp_path / "b" / "backtest_metrics.csv")
    assert set(metrics["model"]) == {"Naive", "AutoETS"} and len(metrics) == 4
    windows = pd.read_csv(tmp_path / "b" / "backtest_forecasts.csv")
    assert windows.groupby("unique_id")["cutoff"].nunique().eq(2).all()
    assert "mase" in output and "AutoETS" in output


def test_validate_warns_about_products_missing_from_one_table(tmp_path: Path) -> None:
    sales = tmp_path / "s.csv"
    sales.write_text("unique_id,ds,y\nA,2024-01-01,1\nB,2024-01-01,1\n")
    stock = tmp_path / "i.csv"
    stock.write_text("unique_id,on_hand\nA,3\nC,4\n")
    code, output = run(
        "validate", str(sales), "--inventory", str(stock), "--out", str(tmp_path / "o")
    )
    assert code == 0, output
    assert "1 series have sales but no inventory row (e.g. B)" in output
    assert "1 inventory products have no sales history (e.g. C)" in output


@pytest.mark.slow
def test_plan_command_writes_the_order_list(tmp_path: Path) -> None:
    code, output = run(
        "generate", "--products", "6", "--days", "150", "--seed", "2", "--out", str(tmp_path / "d")
    )
    assert code == 0, output
    code, output = run(
        "plan",
        str(tmp_path / "d" / "sales.csv"),
        "--inventory",
        str(tmp_path / "d" / "inventory.csv"),
        "--batches",
        str(tmp_path / "d" / "batches.csv"),
        "--sector",
        "pharmacy",
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 0, output
    plan = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert set(plan["sector"]) == {"pharmacy"} and len(plan) == 2
    assert {"order_qty", "order_date", "stockout_probability", "reason"} <= set(plan.columns)
    assert (plan["order_qty"] >= 0).all()
    assert (tmp_path / "p" / "plan.xlsx").exists()
    assert "Most urgent of 2 products" in output
    assert "inventory: 6 rows read, 6 accepted, 0 quarantined" in output


def test_plan_rejects_unknown_policy_with_a_clear_message(tmp_path: Path) -> None:
    run("generate", "--products", "3", "--days", "90", "--out", str(tmp_path / "d"))
    code, output = run(
        "plan",
        str(tmp_path / "d" / "sales.csv"),
        "--inventory",
        str(tmp_path / "d" / "inventory.csv"),
        "--policy",
        "magic",
        "--models",
        "Naive",
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 2 and "unknown policy 'magic'" in output
