"""The terminal of every command: the two consoles, error handling and logging set-up.

A leaf of the CLI package: command modules import it, never :mod:`stockwise.cli.app`
(which imports them to register them), so any of them can be imported first.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from stockwise.errors import StockwiseError
from stockwise.optional import missing_extra

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)
_state = {"debug": False}


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn exceptions into a short message and an exit code (traceback with --debug)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except StockwiseError as exc:
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
            )  # escaped: "stockwise[ml]" is no markup
            raise typer.Exit(2) from None
        except Exception as exc:
            if _state["debug"]:
                raise
            missing = missing_extra(exc) if isinstance(exc, ModuleNotFoundError) else None
            if missing is not None:  # an optional library a module imports at its top
                err_console.print(
                    f"[bold red]Error:[/] {escape(str(missing))}", highlight=False, soft_wrap=True
                )
                raise typer.Exit(2) from None
            err_console.print(
                f"[bold red]Internal error:[/] {type(exc).__name__}: {escape(str(exc))}. "
                "This is a bug in "
                "stockwise; rerun with --debug for the traceback and report it.",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(3) from None

    return wrapper


def configure_logging(level: int) -> None:
    """Configure the root logger once, at the edge (library modules only get loggers)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_stockwise", False):
            root.removeHandler(handler)
    handler = RichHandler(console=err_console, show_path=False, rich_tracebacks=False)
    handler._stockwise = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
