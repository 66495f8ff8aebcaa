"""The ``stockwise`` command: global options and the registration of every command.

Commands live in small modules next to this one; each parses its options, calls one
workflow and renders the result. Errors the user can fix become a one-paragraph message
and a non-zero exit (2); unexpected ones (exit 3) show a traceback only with ``--debug``
(:mod:`stockwise.cli.console`, which the command modules import instead of this one).
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from stockwise import __version__
from stockwise.cli.console import (  # noqa: F401 - the consoles, as commands see them
    _state,
    configure_logging,
    console,
    err_console,
    handle_errors,
)

app = typer.Typer(
    name="stockwise",
    help="Demand forecasts, stockout dates and order proposals from sales history and stock.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        console.print(f"stockwise {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only log errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """stockwise: sales history and stock in; forecasts, alerts and orders out."""
    _state["debug"] = debug
    level = (
        logging.DEBUG
        if debug
        else logging.INFO
        if verbose
        else (logging.ERROR if quiet else logging.WARNING)
    )
    configure_logging(level)


def _register() -> None:
    from stockwise.cli import (
        data_commands,
        demo_command,
        forecast_commands,
        plan_command,
        replay_command,
        report_commands,
        runs_command,
        serve_command,
    )

    data_commands.register(app)
    forecast_commands.register(app)
    plan_command.register(app)
    report_commands.register(app)
    demo_command.register(app)
    runs_command.register(app)
    replay_command.register(app)
    serve_command.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    app()
