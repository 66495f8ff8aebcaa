"""Terminal tables at 80 and 120 columns and piped: every digit and every id in full."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from stockwise.cli.app import app, console
from stockwise.cli.tables import Column, fitted_tables

IDS = [f"PRODUCT-{n:06d}@STORE-0042" for n in (123, 124, 125)]
BORDERS = set("┏┃┡│└┗━┳╇┴┓┩┘┛")


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    """Three series with long ids and demand in the hundreds a day: orders in thousands."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=90)
    sales = pd.DataFrame(
        [
            (uid, day.date(), float(rng.poisson(400 + 100 * k)))
            for k, uid in enumerate(IDS)
            for day in days
        ],
        columns=["unique_id", "ds", "y"],
    )
    sales.to_csv(tmp_path / "sales.csv", index=False)
    pd.DataFrame(
        {
            "unique_id": IDS,
            "on_hand": [10, 20, 30],
            "lead_time_days": 14,
            "unit_cost": [2.5, 3.0, 4.0],
        }
    ).to_csv(tmp_path / "inventory.csv", index=False)
    return tmp_path / "sales.csv", tmp_path / "inventory.csv"


def _plan_args(shop: tuple[Path, Path], out: Path) -> list[str]:
    return [
        "plan",
        str(shop[0]),
        "--inventory",
        str(shop[1]),
        "--models",
        "Naive",
        "--out",
        str(out),
    ]


def _assert_whole(output: str, out: Path, width: int) -> None:
    plan = pd.read_csv(out / "plan.csv")
    assert (plan["order_qty"] >= 1000).all()  # the data must give four-digit orders
    table_lines = [line for line in output.splitlines() if line[:1] in BORDERS]
    assert table_lines and all(len(line) <= width for line in table_lines), output
    for uid, quantity in zip(plan["unique_id"], plan["order_qty"], strict=True):
        row = next((line for line in table_lines if uid in line), None)
        assert row is not None, f"{uid} not shown whole:\n{output}"
        assert f"{quantity:,.0f} now" in row, output


def test_plan_at_80_columns_shows_every_digit_and_whole_ids(
    shop: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "_width", None)  # let COLUMNS decide, as in a terminal
    result = CliRunner().invoke(
        app, [*_plan_args(shop, tmp_path / "p"), "--no-track"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    _assert_whole(result.output, tmp_path / "p", 80)
    said = " ".join(result.output.split())
    assert "Continued below (80 columns are too narrow for one table)" in said


@pytest.mark.slow
def test_piped_plan_is_whole_and_holds_no_mlflow_prints(
    shop: tuple[Path, Path], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["STOCKWISE_DATA_DIR"] = str(tmp_path / "store")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).parents[2] / "src"), env.get("PYTHONPATH")])
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from stockwise.cli.app import main; main()",
            *_plan_args(shop, tmp_path / "p"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _assert_whole(done.stdout, tmp_path / "p", 80)  # piped: Rich lays out 80 columns
    assert "tracked as run" in done.stdout  # the run was tracked and registered…
    assert "Successfully registered" not in done.stdout + done.stderr  # …without MLflow's


@pytest.mark.parametrize("width", [80, 120])
def test_numbers_and_keys_are_never_cut_and_moved_columns_are_said(width: int) -> None:
    columns = [
        Column("product", "key"),
        Column("quantity", justify="right"),
        Column("note", "text"),
        *(Column(f"figure {n}") for n in range(6)),
    ]
    rows = [
        [
            uid,
            f"{1234567 + k:,}",
            "a note long enough to need several lines here",
            *(f"{9876543.21 * n:,.2f}" for n in range(6)),
        ]
        for k, uid in enumerate(IDS)
    ]
    sink = Console(width=width, file=io.StringIO(), record=True)
    tables = fitted_tables(columns, rows, width)
    for table in tables:
        sink.print(table)
    text = sink.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    for row in rows:
        for cell in [row[0], row[1], *row[3:]]:
            assert cell in text, f"{cell!r} cut:\n{text}"
    assert len(tables) > 1 and "Continued below" in " ".join(text.split())
    for word in rows[0][2].split():  # text wraps at word boundaries only
        assert any(word in line.split() for line in text.replace("│", " ").splitlines())


def test_a_table_that_fits_stays_one_table() -> None:
    tables = fitted_tables([Column("id", "key"), Column("n")], [["A", "1,000"]], 80)
    assert len(tables) == 1 and tables[0].caption is None


def test_mlflow_prints_go_to_the_log(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("mlflow")
    from mlflow.utils.logging_utils import eprint

    from stockwise.adapters.tracking import mlflow_prints_logged

    with (
        caplog.at_level(logging.INFO, logger="stockwise.adapters.tracking"),
        mlflow_prints_logged(),
    ):
        eprint("Successfully registered model 'stockwise-all'.")
    captured = capsys.readouterr()  # (a log handler may show the log record itself)
    assert not any(
        line.startswith("Successfully registered")
        for line in (captured.out + captured.err).splitlines()
    )
    assert "Successfully registered model 'stockwise-all'." in caplog.text
