"""A calendar of days known closed, from a file, through `stockwise forecast` and `plan`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app
from stockwise.data.closed_calendar import read_closed_days
from stockwise.errors import InputError

HOLIDAY = "2024-05-01"  # inside the horizon: the shop is shut that day


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(2)
    days = pd.date_range("2024-01-01", "2024-04-20")
    sales = pd.DataFrame(
        [
            {"date": d.date(), "product": p, "store": "S1", "sales": float(rng.poisson(30))}
            for p in ("A", "B")
            for d in days
        ]
    )
    sales.to_csv(tmp_path / "sales.csv", index=False)
    pd.DataFrame(
        {"product": ["A", "B"], "store": "S1", "on_hand": [100.0, 100.0], "lead_time_days": 3.0}
    ).to_csv(tmp_path / "stock.csv", index=False)
    (tmp_path / "closed.csv").write_text(f"Date;Magasin\n{HOLIDAY};S1\n")
    return {
        "sales": tmp_path / "sales.csv",
        "inventory": tmp_path / "stock.csv",
        "closed": tmp_path / "closed.csv",
        "dir": tmp_path,
    }


def _on(frame: pd.DataFrame, day: str) -> pd.Series:
    return frame.loc[pd.to_datetime(frame["ds"]) == day, "forecast"]


@pytest.mark.slow
def test_the_calendar_closes_its_days_in_forecast_and_plan(files: dict[str, Path]) -> None:
    runner = CliRunner()
    for closed in (False, True):
        extra = ["--closed-days", str(files["closed"])] if closed else []
        out = files["dir"] / f"f{closed}"
        done = runner.invoke(
            app,
            [
                "forecast",
                str(files["sales"]),
                "--horizon",
                "14",
                "--models",
                "SeasonalNaive",
                "--out",
                str(out),
                "--no-track",
                *extra,
            ],
        )
        assert done.exit_code == 0, done.output
        day = _on(pd.read_csv(out / "forecasts.csv"), HOLIDAY)
        assert len(day) == 2 and ((day == 0).all() if closed else (day > 0).all())
    out = files["dir"] / "plan"
    done = runner.invoke(
        app,
        [
            "plan",
            str(files["sales"]),
            "--inventory",
            str(files["inventory"]),
            "--closed-days",
            str(files["closed"]),
            "--out",
            str(out),
            "--no-track",
        ],
    )
    assert done.exit_code == 0, done.output
    assert (_on(pd.read_csv(out / "forecasts.csv"), HOLIDAY) == 0).all()
    assert "closed.csv" in (out / "settings.json").read_text()


def test_a_calendar_row_that_is_not_a_date_stops_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "closed.csv"
    path.write_text("date\n2024-12-25\nChristmas\n")
    with pytest.raises(InputError, match=r"row 3, column 'ds': 'Christmas' is not a date"):
        read_closed_days(path)
    empty_store = tmp_path / "all.csv"
    empty_store.write_text("date,store\n2024-12-25,\n2024-12-26,S1\n")
    read = read_closed_days(empty_store)
    assert read["store"].isna().tolist() == [True, False]  # empty: every store
