"""Every option of every command says what it does in ``--help`` (issue #18: ``--out``
and ``--sectors-dir`` had no description)."""

from __future__ import annotations

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
