"""How far a long job has got, as plain data handed to a plain callable.

The library never draws a bar. A long function takes ``progress: Report | None`` and, at
each boundary between units of work (a sector, a candidate model's backtest, a chunk, a
replayed configuration), calls it with a :class:`Step`: the stage, how many of its units
are done of how many, and the share of the whole job done. The edges decide what to do
with it: the command line draws a bar on stderr, an API run records it on its row.

A report may also stop the job, by raising: the job then ends at that boundary with the
exception, and keeps nothing of the unit it would have started. That is how an API run
is cancelled without the core knowing about cancellation.

A job made of parts hands each part :func:`within`: the part reports its own steps from 0
to 1, and the whole job's report hears them mapped into the part's share and named by it
("sector pharmacy (2 of 3)").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Step:
    """One boundary of a job: ``done`` of ``total`` units of ``stage``, ``fraction`` of the
    whole job done, ``item`` the unit starting next (a model's name), ``scope`` the parts
    enclosing it, outermost first."""

    stage: str
    done: int
    total: int
    fraction: float
    item: str = ""
    scope: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line: ``"sector pharmacy (1 of 2) · backtesting 3 of 6: AutoETS"``."""
        what = self.stage
        if self.total > 1:  # the unit starting (with an item), else the units done
            number = self.done + 1 if self.item and self.done < self.total else self.done
            what += f" {number} of {self.total}"
        if self.item:
            what += f": {self.item}"
        return " · ".join([*self.scope, what])


Report = Callable[[Step], None]
"""What a long function calls at each boundary (it may raise to stop the job there)."""


def step(
    report: Report | None,
    stage: str,
    done: int,
    total: int,
    *,
    span: tuple[float, float] = (0.0, 1.0),
    item: str = "",
) -> None:
    """Report ``done`` of ``total`` units of ``stage``, a stage that covers ``span`` of the
    reporting job (its share done grows from ``span[0]`` to ``span[1]`` with ``done``)."""
    if report is None:
        return
    share = done / total if total > 0 else 1.0
    start, end = span
    report(Step(stage, done, total, start + (end - start) * min(max(share, 0.0), 1.0), item))


def within(report: Report | None, start: float, end: float, label: str = "") -> Report | None:
    """The report of a part of a job that covers ``start`` to ``end`` of it: the part's
    steps (0 to 1 of the part) are passed on mapped into that share, under ``label``."""
    if report is None:
        return None
    scope = (label,) if label else ()

    def part(inner: Step) -> None:
        report(
            replace(
                inner, fraction=start + (end - start) * inner.fraction, scope=scope + inner.scope
            )
        )

    return part


def shares(weights: list[float]) -> list[tuple[float, float]]:
    """Consecutive spans of 0 to 1 in proportion to ``weights`` (e.g. series per sector),
    so that a part's share of the bar matches its share of the work."""
    total = float(sum(weights))
    if total <= 0:
        count = len(weights)
        return [(i / count, (i + 1) / count) for i in range(count)]
    spans, start = [], 0.0
    for weight in weights:
        end = start + weight / total
        spans.append((start, end))
        start = end
    if spans:
        spans[-1] = (spans[-1][0], 1.0)
    return spans
