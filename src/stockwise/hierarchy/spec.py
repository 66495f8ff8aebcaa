"""Declaring a hierarchy from columns: nested paths crossed with each other.

A declaration is one or more *dimensions*, each a path of columns from coarse to fine:
``"sector/category/product"`` says a product lies in one category, which lies in one
sector; a second dimension ``"store"`` is crossed with it (every product × store cell is
a series). The levels a chain reads are every combination of one depth per dimension —
depth 0 (all of it) to the full path — so two dimensions of depths 3 and 1 give 4 × 2 = 8
levels, from the grand total to product × store (the bottom, one series per cell).

Names: a level is named by the deepest column taken in each dimension, joined by ``*``
("category*store"), the grand total ``"total"``; a series of an upper level is named by
its level and its values, ``/`` inside a dimension and ``|`` between dimensions
("category*store:Food/Dairy|S1", "store:S1"), so it never takes the name of a series of
another level. The bottom level keeps the series' own ``unique_id``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stockwise import schema as S
from stockwise.errors import OptionError

TOTAL = "total"
PATH_SEP = "/"
CROSS_SEP = "|"
LEVEL_SEP = "*"


@dataclass(frozen=True)
class Level:
    """One level: how deep it goes in each dimension (0 = summed over that dimension)."""

    name: str
    columns: tuple[str, ...]
    """The columns that identify a series of this level, dimension by dimension."""
    depths: tuple[int, ...]


@dataclass(frozen=True)
class HierarchySpec:
    """Dimensions (paths of columns, coarse to fine), crossed with each other."""

    dimensions: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, declarations: str | Iterable[str]) -> HierarchySpec:
        """``["sector/category/product", "store"]`` (or one string) → a spec; refuses
        empty names, a column used twice and the reserved key columns."""
        items = [declarations] if isinstance(declarations, str) else list(declarations)
        dimensions = []
        for item in items:
            path = tuple(part.strip() for part in str(item).split(PATH_SEP))
            if not item or any(not part for part in path):
                raise OptionError(
                    f"hierarchy {item!r} has an empty column name",
                    hint="Write levels as column paths, e.g. "
                    "--hierarchy sector/category/product --hierarchy store",
                )
            dimensions.append(path)
        if not dimensions:
            raise OptionError("a hierarchy needs at least one column path, e.g. 'store'")
        columns = [c for path in dimensions for c in path]
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            raise OptionError(f"hierarchy column(s) {twice} appear more than once")
        reserved = sorted(set(columns) & {S.UNIQUE_ID, S.DS, S.Y})
        if reserved:
            raise OptionError(
                f"hierarchy column(s) {reserved} are the series key or values; "
                "name attribute columns (e.g. category, store)"
            )
        return cls(tuple(dimensions))

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for path in self.dimensions for c in path)

    def levels(self) -> list[Level]:
        """Every level, coarsest first (by total depth), the bottom last."""
        ranges = [range(len(path) + 1) for path in self.dimensions]
        combos = sorted(itertools.product(*ranges), key=lambda d: (sum(d), [-x for x in d]))
        return [self.level(depths) for depths in combos]

    def level(self, depths: Sequence[int]) -> Level:
        taken = [
            (path[:d], path[d - 1] if d else None)
            for path, d in zip(self.dimensions, depths, strict=True)
        ]
        deepest = [last for _, last in taken if last is not None]
        name = LEVEL_SEP.join(deepest) if deepest else TOTAL
        return Level(name, tuple(c for cols, _ in taken for c in cols), tuple(depths))

    @property
    def bottom(self) -> Level:
        return self.level([len(path) for path in self.dimensions])

    def chain(self) -> list[Level]:
        """Total → bottom one column at a time (first dimension first): the tree the
        top-down method splits along."""
        depths = [0] * len(self.dimensions)
        chain = [self.level(depths)]
        for index, path in enumerate(self.dimensions):
            for depth in range(1, len(path) + 1):
                depths[index] = depth
                chain.append(self.level(depths))
        return chain

    def find(self, name: str) -> Level:
        """The level called ``name`` ("total", "store", "category*store", ...)."""
        for level in self.levels():
            if level.name == name:
                return level
        known = ", ".join(level.name for level in self.levels())
        raise OptionError(f"no level {name!r} in this hierarchy; its levels are {known}")
