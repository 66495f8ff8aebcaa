"""The progress bar of long commands, on stderr so that piped output stays clean.

It draws what the workflows report (:mod:`stockwise.progress`): the step being done
("sector pharmacy (1 of 2) · backtesting candidate 2 of 4: AutoETS"), the share of the
job done, the time spent and the time left (estimated from the pace so far). Hidden
with ``-q``, and gone once the command ends, so that only the results stay on screen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column

from stockwise.cli.console import err_console
from stockwise.progress import Report, Step


@contextmanager
def step_bar(first: str = "starting") -> Iterator[Report]:
    """A bar on stderr (not with -q); yields the report the workflow calls at each step."""
    quiet = logging.getLogger().getEffectiveLevel() > logging.WARNING
    # The step's words wrap in the room left, so the share and the times always show.
    words = TextColumn("{task.description}", table_column=Column(ratio=1, overflow="fold"))
    with Progress(
        SpinnerColumn(),
        words,
        BarColumn(bar_width=12),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        expand=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task(first, total=1.0)

        def report(step: Step) -> None:
            progress.update(task, completed=step.fraction, description=step.describe())

        yield report
