"""Every option of every command says what it does in ``--help``, and every command
module imports on its own."""

from __future__ import annotations

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
            undescribed += [f"{name} {leaf_name} {param.opts[0]}" for param in leaf.params
                            if param.param_type_name == "option"
                            and not (getattr(param, "help", None) or "").strip()]
    assert len(root.commands) > 5  # type: ignore[attr-defined]
    assert undescribed == []


@pytest.mark.parametrize("module", sorted(
    p.stem for p in (Path(__file__).resolve().parents[2] / "src" / "stockwise" / "cli")
    .glob("*.py") if p.stem != "__init__"))
@pytest.mark.slow
def test_every_cli_module_can_be_imported_first(module: str) -> None:
    """No import cycle through the app that registers the commands (a module imported
    alone, e.g. by one test file, must not find the app half-built)."""
    done = subprocess.run([sys.executable, "-c", f"import stockwise.cli.{module}"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
