"""``stockwise runs``: the tracked runs in MLflow, and the tracking glue of other commands.

``stockwise runs`` lists the recent runs (id, date, sectors, best model per sector and
its backtest scores); ``stockwise runs show ID`` prints one run's params, metrics, files
and models. Both read the store the commands write to: ``--tracking-uri``, else
``<data dir>/mlflow.db`` for ``--data-dir`` or ``$STOCKWISE_DATA_DIR``, else
``$MLFLOW_TRACKING_URI``, else ``./stockwise-data-store/mlflow.db``.

Commands that run a workflow use :data:`TrackOption` and :func:`tracking`: the tracker
to pass to the workflow, with the run's log written to ``<out>/run.log``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape

from stockwise.cli.tables import Column, print_fitted

if TYPE_CHECKING:
    from stockwise.ports.tracking import Tracker

DATA_DIR_ENV = "STOCKWISE_DATA_DIR"
TrackOption = Annotated[
    bool,
    typer.Option(
        "--track/--no-track",
        help="Record the run in MLflow: params, metrics, files, champion models.",
    ),
]
TrackingUriOption = Annotated[
    str | None,
    typer.Option(
        "--tracking-uri",
        help="MLflow store URI (default: the data dir's, or $MLFLOW_TRACKING_URI).",
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar=DATA_DIR_ENV,
        help="Where the local MLflow store lives (default ./stockwise-data-store).",
    ),
]
KEY_SCORES = ("mase", "wape")
"""Backtest scores of each sector's champion shown in the list."""
ID_SHOWN = 8


@contextmanager
def tracking(
    track: bool, out: Path, tracking_uri: str | None = None, data_dir: Path | None = None
) -> Iterator[Tracker]:
    """The tracker for one command (null with ``--no-track``), logging to ``<out>/run.log``.

    Yields a :class:`~stockwise.workflows.tracking.Tracker`; prints the run id after.
    """
    from stockwise.adapters.tracking import open_tracker
    from stockwise.workflows.tracking import run_log

    tracker = open_tracker(track, tracking_uri, data_dir or _env_data_dir())
    with run_log(out, tracker):
        yield tracker
    run_id = getattr(tracker, "last_run_id", None)
    if run_id:
        _console().print(
            f"tracked as run {run_id} (stockwise runs show {run_id[:8]})", highlight=False
        )


def register(app: typer.Typer) -> None:
    from stockwise.cli.console import handle_errors

    runs_app = typer.Typer(
        help="Tracked runs (MLflow): list them, or show one.",
        no_args_is_help=False,
        invoke_without_command=True,
    )
    runs_app.callback(invoke_without_command=True)(handle_errors(list_runs))
    runs_app.command("show")(handle_errors(show_run))
    app.add_typer(runs_app, name="runs")


def list_runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs.")] = 20,
    tracking_uri: TrackingUriOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """List recent runs: id, date, sectors, best model per sector and its scores."""
    if ctx.invoked_subcommand is not None:  # `runs --data-dir D show ID` works too
        ctx.obj = {"tracking_uri": tracking_uri, "data_dir": data_dir}
        return
    console = _console()
    tracker = _tracker(tracking_uri, data_dir)
    runs = tracker.recent_runs(limit)
    if not runs:
        console.print(f"no runs yet in {tracker.tracking_uri}", highlight=False)
        return
    rows = []
    for run in runs:
        head = [run.run_id[:ID_SHOWN], f"{run.started:%m-%d %H:%M}", run.kind or run.name]
        for sector in run.sectors or ["-"]:
            best = run.champions.get(sector) or (
                "-" if run.status == "FINISHED" else f"[red]{run.status.lower()}[/]"
            )
            scores = [_number(run.metrics.get(f"{sector}.champion.{s}")) for s in KEY_SCORES]
            rows.append([*head, escape(sector), best, *scores])
            head = ["", "", ""]
    columns = [
        Column("run", "key"),
        Column("date"),
        Column("kind"),
        Column("sector"),
        Column("best model", "text"),
    ] + [Column(score.upper(), justify="right") for score in KEY_SCORES]
    print_fitted(
        console,
        columns,
        rows,
        title=f"{len(runs)} latest runs (newest first)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    console.print(
        f"store: {tracker.tracking_uri}; details: stockwise runs show RUN (an id prefix will do)",
        highlight=False,
    )


def show_run(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="Run id (a unique prefix will do).")],
    tracking_uri: TrackingUriOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show one run: params, metrics, champions, files and models."""
    parent = ctx.obj if isinstance(ctx.obj, dict) else {}
    tracking_uri = tracking_uri or parent.get("tracking_uri")
    data_dir = data_dir or parent.get("data_dir")
    console = _console()
    details = _tracker(tracking_uri, data_dir).run_details(run_id)
    run = details.summary
    name = run.name if run.name != run.kind else ""
    console.print(
        f"[bold]run {run.run_id}[/] {run.kind or '-'} {name}".rstrip()
        + f", {run.status.lower()}, started {run.started:%Y-%m-%d %H:%M:%S}",
        highlight=False,
    )
    for sector, model in sorted(run.champions.items()):
        console.print(f"  champion {sector}: {model}", highlight=False)
    _pairs(console, "params", details.params)
    _pairs(console, "metrics", {k: _number(v) for k, v in run.metrics.items()})
    if details.tags:
        _pairs(console, "tags", details.tags)
    console.print("[bold]artifacts[/]")
    for path in details.artifacts or ["(none)"]:
        console.print(f"  {path}", highlight=False, soft_wrap=True)
    if details.models:
        console.print("[bold]models[/]")
        for name, uri in sorted(details.models.items()):
            console.print(f"  {name}: {uri}", highlight=False)
    for entry in details.registered:
        console.print(f"  registered: {entry}", highlight=False)


def _tracker(tracking_uri: str | None, data_dir: Path | None):  # -> MlflowTracker
    from stockwise.adapters.tracking import MlflowTracker

    return MlflowTracker(tracking_uri, data_dir=data_dir or _env_data_dir())


def _console() -> Console:
    # imported late: stockwise.cli.app imports the command modules, which import this one
    from stockwise.cli.console import console

    return console


def _env_data_dir() -> Path | None:
    value = os.environ.get(DATA_DIR_ENV)
    return Path(value) if value else None


def _pairs(console: Console, title: str, values: dict[str, str]) -> None:
    rows = [[escape(key), escape(str(values[key]))] for key in sorted(values)]
    print_fitted(console, (Column("name", "key"), Column("value", "text")), rows, title=title)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
