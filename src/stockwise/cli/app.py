"""The ``stockwise`` command: global options, logging set-up and error handling.

Commands live in small modules next to this one; each parses its options, calls one
workflow and renders the result. Errors the user can fix become a one-paragraph message
and a non-zero exit (2); unexpected ones (exit 3) show a traceback only with ``--debug``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler

from stockwise import __version__
from stockwise.errors import StockwiseError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="stockwise",
    help="Demand forecasts, stockout dates and order proposals from sales history and stock.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
            err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]Internal error:[/] {type(exc).__name__}: {exc}. This is a bug in "
                "stockwise; rerun with --debug for the traceback and report it.",
                highlight=False, soft_wrap=True,
            )
            raise typer.Exit(3) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        console.print(f"stockwise {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only log errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """stockwise: sales history and stock in; forecasts, alerts and orders out."""
    _state["debug"] = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else (
        logging.ERROR if quiet else logging.WARNING)
    configure_logging(level)


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


def _register() -> None:
    from stockwise.cli import (
        data_commands,
        demo_command,
        forecast_commands,
        plan_command,
        report_commands,
        runs_command,
        serve_command,
        simulate_command,
    )

    data_commands.register(app)
    forecast_commands.register(app)
    plan_command.register(app)
    report_commands.register(app)
    demo_command.register(app)
    runs_command.register(app)
    simulate_command.register(app)
    serve_command.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    app()
