"""``stockwise demo``: the whole path on generated data, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from stockwise.cli.console import console, handle_errors
from stockwise.cli.plan_render import render_plan
from stockwise.cli.runs_command import TrackOption, tracking

STEPS = ("generate", "validate", "prepare", "forecast and plan", "report")


def register(app: typer.Typer) -> None:
    app.command("demo")(handle_errors(demo))


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path(
        "stockwise-demo"
    ),
    products: Annotated[int, typer.Option(min=3, help="Total number of series.")] = 60,
    days: Annotated[int, typer.Option(min=60, help="Days of history.")] = 730,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    track: TrackOption = True,
) -> None:
    """Generate three sectors of data; validate, prepare, forecast and plan orders."""
    from stockwise.workflows.demo import run_demo

    with (
        tracking(track, out) as tracker,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("demo", total=len(STEPS))
        seen: list[str] = []

        def advance(step: str) -> None:
            if seen:
                progress.advance(task)
            seen.append(step)
            progress.update(task, description=step)

        result = run_demo(
            out, n_products=products, n_days=days, seed=seed, progress=advance, tracker=tracker
        )
        progress.advance(task)

    for table in result.validation.tables.values():
        console.print(f"{table.report.table}: {table.report.summary}", highlight=False)
    n_series = result.forecasts["unique_id"].nunique()
    console.print(f"forecasts: {len(result.forecasts)} rows for {n_series} series", highlight=False)
    if result.plan is not None:
        render_plan(result.plan.plan, result.plan.alerts)
    console.print(
        f"[bold green]Demo finished[/] in {sum(result.timings.values()):.1f}s. "
        f"Outputs in {result.out_dir.resolve()}:",
        highlight=False,
    )
    for name, path in result.files.items():
        console.print(f"  {name}: {path}", highlight=False, soft_wrap=True)
