"""The long commands (forecast, backtest, plan, replay) show the step, a count and the
time left on stderr while they work, hidden with -q, and leave stdout to the results."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from stockwise.cli import (
    forecast_commands,
    plan_command,
    progress_bar,
    replay_command,
)
from stockwise.cli.app import app
from stockwise.progress import Step

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    result = runner.invoke(
        app, ["generate", "--products", "6", "--days", "120", "--seed", "4", "--out", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_the_bar_shows_the_step_share_and_time_left_and_hides_with_q(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(
        progress_bar, "err_console", Console(file=screen, force_terminal=True, width=120)
    )
    monkeypatch.setattr(logging.getLogger(), "level", logging.WARNING)
    with progress_bar.step_bar() as report:
        report(Step("backtesting candidate", 1, 4, 0.4, "AutoETS", ("sector retail (2 of 3)",)))
    shown = screen.getvalue()
    assert "sector retail (2 of 3) · backtesting candidate 2 of 4: AutoETS" in shown
    assert "40%" in shown and "left" in shown
    screen.seek(0), screen.truncate()
    monkeypatch.setattr(logging.getLogger(), "level", logging.ERROR)  # what -q sets
    with progress_bar.step_bar() as report:
        report(Step("backtesting candidate", 1, 4, 0.4, "AutoETS"))
    assert screen.getvalue() == ""


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[Step]:
    """The steps each command reports to its bar."""
    steps: list[Step] = []

    @contextmanager
    def recording(first: str = "") -> Iterator:
        yield steps.append

    for module in (forecast_commands, plan_command, replay_command):
        monkeypatch.setattr(module, "step_bar", recording)
    return steps


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            ["forecast", "{sales}", "--models", "Naive,SeasonalNaive", "--windows", "1"],
            "backtesting candidate 2 of 2: SeasonalNaive",
        ),
        (
            ["backtest", "{sales}", "--models", "Naive,SeasonalNaive", "--windows", "1", "-H", "7"],
            "backtesting model 2 of 2: SeasonalNaive",
        ),
        (
            [
                "plan",
                "{sales}",
                "--inventory",
                "{inventory}",
                "--models",
                "Naive,SeasonalNaive",
                "--windows",
                "1",
                "--chunk-size",
                "2",
            ],
            "chunks planned 3 of 3",
        ),
        (
            [
                "replay",
                "{sales}",
                "--policy",
                "RS,sS",
                "--models",
                "Naive",
                "--days",
                "30",
                "--paths",
                "20",
            ],
            "replaying configuration 3 of 3: baseline, 95%",
        ),
    ],
)
@pytest.mark.slow
def test_each_long_command_reports_its_steps(
    command: list[str], expected: str, files: Path, tmp_path: Path, heard: list[Step]
) -> None:
    args = [a.format(sales=files / "sales.csv", inventory=files / "inventory.csv") for a in command]
    result = runner.invoke(
        app, [*args, "--out", str(tmp_path), *(["--no-track"] if args[0] != "replay" else [])]
    )
    assert result.exit_code == 0, result.output
    said = [s.describe() for s in heard]
    assert any(expected in line for line in said), said
    fractions = [s.fraction for s in heard]
    assert fractions == sorted(fractions) and len(fractions) >= 3
    if args[0] in ("forecast", "backtest", "plan"):
        assert said[0].startswith("validating") and said[-1] == "writing the files"
