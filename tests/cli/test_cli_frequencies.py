"""Quarterly and hourly files through the commands: --freq, --season-length, the plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from stockwise.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--no-track"])
    return result.exit_code, result.output


def _quarterly(path: Path) -> Path:
    dates = pd.date_range("2015-01-01", periods=24, freq="QS")
    pattern = np.array([10.0, 30.0, 20.0, 40.0])
    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": uid, "ds": dates, "y": level + pattern[np.arange(24) % 4]})
            for uid, level in (("A", 0.0), ("B", 100.0))
        ]
    )
    frame.to_csv(path, index=False)
    return path


def test_quarterly_file_forecast_with_its_season_and_an_override(tmp_path: Path) -> None:
    sales = _quarterly(tmp_path / "q.csv")
    code, output = run(
        "forecast",
        str(sales),
        "--horizon",
        "4",
        "--models",
        "SeasonalNaive",
        "--out",
        str(tmp_path / "own"),
    )
    assert code == 0, output
    own = pd.read_csv(tmp_path / "own" / "forecasts.csv", parse_dates=["ds"])
    a = own[own["unique_id"] == "A"]
    assert a["ds"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-01-01",
        "2021-04-01",
        "2021-07-01",
        "2021-10-01",
    ]
    assert a["forecast"].tolist() == [10.0, 30.0, 20.0, 40.0]  # the 4-quarter season
    assert set(own["freq"]) == {"Q"}
    code, output = run(
        "forecast",
        str(sales),
        "--horizon",
        "4",
        "--models",
        "SeasonalNaive",
        "--freq",
        "YS",
        "--out",
        str(tmp_path / "years"),
    )
    assert code == 0, output
    years = pd.read_csv(tmp_path / "years" / "forecasts.csv")
    assert years[years["unique_id"] == "A"]["forecast"].tolist() == [100.0] * 4
    code, output = run(
        "forecast",
        str(sales),
        "--horizon",
        "4",
        "--models",
        "SeasonalNaive",
        "--season-length",
        "2",
        "--out",
        str(tmp_path / "two"),
    )
    assert code == 0, output
    two = pd.read_csv(tmp_path / "two" / "forecasts.csv")
    assert two[two["unique_id"] == "A"]["forecast"].tolist() == [20.0, 40.0, 20.0, 40.0]


def test_bad_frequency_is_one_paragraph(tmp_path: Path) -> None:
    sales = _quarterly(tmp_path / "q.csv")
    code, output = run("forecast", str(sales), "--freq", "QS-APR", "--out", str(tmp_path))
    assert code == 2
    assert "freq must be one of" in output and "QS-APR" in output


def test_hourly_file_keeps_its_hours_and_is_planned_in_days(tmp_path: Path) -> None:
    hours = pd.date_range("2024-01-01", periods=24 * 14, freq="h")
    sales = pd.DataFrame(
        {
            "unique_id": "A",
            "ds": hours.strftime("%d/%m/%Y %H:%M"),
            "y": np.where(hours.hour < 12, 1.0, 3.0),
        }
    )
    sales.to_csv(tmp_path / "h.csv", index=False)
    pd.DataFrame({"unique_id": ["A"], "on_hand": [0.0], "lead_time_days": [2.0]}).to_csv(
        tmp_path / "inv.csv", index=False
    )
    fmt = "%d/%m/%Y %H:%M"
    code, output = run(
        "forecast",
        str(tmp_path / "h.csv"),
        "--date-format",
        fmt,
        "--horizon",
        "24",
        "--models",
        "SeasonalNaive",
        "--out",
        str(tmp_path / "f"),
    )
    assert code == 0, output
    forecasts = pd.read_csv(tmp_path / "f" / "forecasts.csv", parse_dates=["ds"])
    assert forecasts["ds"].dt.hour.tolist() == list(range(24))
    assert forecasts["forecast"].tolist() == [1.0] * 12 + [3.0] * 12
    code, output = run(
        "plan",
        str(tmp_path / "h.csv"),
        "--inventory",
        str(tmp_path / "inv.csv"),
        "--date-format",
        fmt,
        "--models",
        "SeasonalNaive",
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 0, output
    planned = pd.read_csv(tmp_path / "p" / "forecasts.csv")
    assert set(planned["freq"]) == {"D"}
    assert planned["forecast"].eq(48.0).all()  # 12 hours at 1 and 12 at 3 a day
    plan = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert plan["order_qty"].iloc[0] > 0
