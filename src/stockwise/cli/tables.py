"""Terminal tables that fit the width without lying: numbers and ids are never cut.

Rich, left to itself, shrinks every column evenly once wrapping text is not enough, so at
80 columns (and whenever output is piped, which Rich treats as 80) a quantity of 240 shows
as "24" and every product id is cut to the same prefix. Here the widths are decided before
Rich sees the table: key and fixed columns (numbers, dates, short labels) get the width of
their longest cell, text columns share what is left and wrap at word boundaries, and the
columns that still do not fit move, in their order, to a continuation table that repeats
the key columns — and the first table's caption says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box as boxes
from rich.console import Console
from rich.table import Table
from rich.text import Text

from stockwise.words import tr

Kind = Literal["key", "fixed", "text"]
CONTINUED = "Continued below ({width} columns are too narrow for one table): {columns}."

TEXT_MIN_WIDTH = 8
"""A text column narrower than this wraps one syllable per line: not worth keeping."""
LONGEST_WORD = 24
"""Longer words (paths, URLs) fold rather than claim the whole width."""


@dataclass(frozen=True)
class Column:
    """One column: ``key`` (an id, repeated in continuation tables, never cut),
    ``fixed`` (numbers, dates, short labels: never cut nor wrapped) or ``text`` (wraps at
    word boundaries)."""

    header: str
    kind: Kind = "fixed"
    justify: Literal["left", "right", "center"] = "left"


@dataclass(frozen=True)
class _Sized:
    index: int
    column: Column
    least: int
    most: int


def fitted_tables(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    title: str | None = None,
    caption: str | None = None,
    box: boxes.Box | None = boxes.HEAVY_HEAD,
    pad_edge: bool = True,
    lang: str = "en",
) -> list[Table]:
    """The rows as one table of at most ``width`` cells, or several when the columns
    cannot fit side by side (cells are Rich markup, as in ``Table.add_row``); the
    continuation notes in ``lang`` (:mod:`stockwise.words`)."""
    show_edge = True
    sized = [_size(i, column, [row[i] for row in rows]) for i, column in enumerate(columns)]
    keys = [s for s in sized if s.column.kind == "key"]
    rest = [s for s in sized if s.column.kind != "key"]
    groups: list[list[_Sized]] = []
    while rest or not groups:
        group = list(keys)
        while (
            rest
            and _overhead(len(group) + 1, box, pad_edge, show_edge)
            + sum(s.least for s in group)
            + rest[0].least
            <= width
        ):
            group.append(rest.pop(0))
        if len(group) == len(keys) and rest:  # not even one more column fits: show it anyway
            group.append(rest.pop(0))
        groups.append(sorted(group, key=lambda s: s.index))
    tables = []
    for number, group in enumerate(groups):
        later = [
            s.column.header.replace("\n", " ")
            for g in groups[number + 1 :]
            for s in g
            if s.column.kind != "key"
        ]
        note = tr(CONTINUED, lang, width=width, columns=", ".join(later)) if later else None
        table = Table(
            title=title if number == 0 else tr("{title} (continued)", lang, title=title or "table"),
            title_justify="left",
            box=box,
            pad_edge=pad_edge,
            show_edge=show_edge,
            caption=" ".join(filter(None, (caption if number == 0 else None, note))) or None,
            caption_justify="left",
        )
        spare = (
            width - _overhead(len(group), box, pad_edge, show_edge) - sum(s.least for s in group)
        )
        for sized_column, cells in zip(group, _share(group, spare), strict=True):
            text = sized_column.column.kind == "text"
            table.add_column(
                sized_column.column.header,
                justify=sized_column.column.justify,
                width=cells,
                no_wrap=not text,
                overflow="fold",
            )
        for row in rows:
            table.add_row(*(row[s.index] for s in group))
        tables.append(table)
    return tables


def print_fitted(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], **options
) -> None:
    """Print :func:`fitted_tables` at the console's width."""
    for table in fitted_tables(columns, rows, console.width, **options):
        console.print(table)


def _size(index: int, column: Column, cells: Sequence[str]) -> _Sized:
    lines = [line for cell in cells for line in Text.from_markup(cell).plain.split("\n")]
    heads = column.header.split("\n")
    widest = max((len(line) for line in [*lines, *heads]), default=1) or 1
    if column.kind != "text":
        return _Sized(index, column, widest, widest)
    words = [len(word) for line in [*lines, *heads] for word in line.split()]
    least = min(widest, max(TEXT_MIN_WIDTH, min(max(words, default=1), LONGEST_WORD)))
    return _Sized(index, column, least, widest)


def _share(group: Sequence[_Sized], spare: int) -> list[int]:
    """Widths: the least each needs, then the spare to text columns, up to their widest."""
    widths = [s.least for s in group]
    wants = [s.most - s.least for s in group]
    while spare > 0 and any(wants):
        open_ = [i for i, want in enumerate(wants) if want > 0]
        step = max(1, spare // len(open_))
        for i in open_:
            give = min(step, wants[i], spare)
            widths[i] += give
            wants[i] -= give
            spare -= give
            if spare == 0:
                break
    return widths


def _overhead(n_columns: int, box: boxes.Box | None, pad_edge: bool, show_edge: bool) -> int:
    """Cells a table spends on borders and padding (Rich's layout: one cell of padding
    each side of each column, one rule between columns, and the two edges)."""
    padding = 2 * n_columns - (0 if pad_edge else 2)
    rules = (n_columns - 1) if box else 0
    edges = 2 if box and show_edge else 0
    return padding + rules + edges
