"""Every option of every command says what it does in ``--help``, and every command
module imports on its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from stockwise.cli.app import app


def test_every_option_has_a_description() -> None:
    root = typer.main.get_command(app)
    undescribed = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        leaves = getattr(command, "commands", {name: command})
        for leaf_name, leaf in leaves.items():
            undescribed += [
                f"{name} {leaf_name} {param.opts[0]}"
                for param in leaf.params
                if param.param_type_name == "option"
                and not (getattr(param, "help", None) or "").strip()
            ]
    assert len(root.commands) > 5  # type: ignore[attr-defined]
    assert undescribed == []


@pytest.mark.parametrize(
    "module",
    sorted(
        p.stem
        for p in (Path(__file__).resolve().parents[2] / "src" / "stockwise" / "cli").glob("*.py")
        if p.stem != "__init__"
    ),
)
@pytest.mark.slow
def test_every_cli_module_can_be_imported_first(module: str) -> None:
    """No import cycle through the app that registers the commands (a module imported
    alone, e.g. by one test file, must not find the app half-built)."""
    done = subprocess.run(
        [sys.executable, "-c", f"import stockwise.cli.{module}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _help_at(columns: int, *command: str) -> str:
    env = dict(os.environ, COLUMNS=str(columns), TERM="dumb")
    done = subprocess.run(
        [sys.executable, "-c", "from stockwise.cli.app import main; main()", *command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize(
    "command", [("plan",), ("report",), ("forecast",), ("validate",), ("keys", "create")]
)
def test_help_reads_at_80_columns(command: tuple[str, ...]) -> None:
    """At 80 columns each description starts within the first 40 (not squeezed into a
    16-character column beside the option), no line is cut or wider than the terminal,
    and a flag shows no ``<bool>`` metavar."""
    text = _help_at(80, *command)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not any(line.rstrip().endswith("…") for line in lines)  # nothing cut
    assert "<bool>" not in text
    described = [line for line in lines if line.startswith("  -")]
    assert described
    for line in described:
        _, _, rest = line.strip().partition("  ")
        if rest.strip():  # a description on the option's own line starts early enough
            assert line.index(rest.strip()) <= 40, line
    defaults = re.findall(r"\[default: ([^\]]+)\]", " ".join(t.strip() for t in lines))
    assert all(d.strip() for d in defaults)
    if command == ("plan",):
        assert "[default: cycle-service- level]" in " ".join(t.strip() for t in lines)
        assert "--correct-censoring / --no-correct-censoring" in text
