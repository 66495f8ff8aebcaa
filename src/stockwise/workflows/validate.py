"""Validate a sales file (and optionally inventory / batch files) and write what to fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import pandas as pd

from stockwise import schema as S
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.intake import load_table, write_quarantine
from stockwise.data.partition import PartedSales
from stockwise.data.read_options import ReadOptions
from stockwise.data.readers import RawTable
from stockwise.data.validation import ValidatedTable

Source: TypeAlias = str | Path | pd.DataFrame | RawTable


@dataclass
class ValidationRun:
    """Validated tables by name ("sales", "inventory", "batches") and the files written.

    Sales streamed from a large Parquet file are a :class:`PartedSales` (held in parts).
    """

    tables: Mapping[str, ValidatedTable | PartedSales]
    files: dict[str, dict[str, Path]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every table kept at least one row."""
        return all(t.report.n_accepted > 0 for t in self.tables.values())


@dataclass(frozen=True)
class ColumnMaps:
    """How each table's columns map to canonical names (``{"ds": "Date", "y": "Ventes"}``);
    None: recognised from common English and French headers."""

    sales: dict[str, str] | None = None
    inventory: dict[str, str] | None = None
    batches: dict[str, str] | None = None


def validate_sources(
    sales: Source | None,
    *,
    inventory: Source | None = None,
    batches: Source | None = None,
    maps: ColumnMaps | None = None,
    out_dir: str | Path | None = None,
    as_of: pd.Timestamp | str | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    read: ReadOptions | None = None,
) -> ValidationRun:
    """Validate each given table; write ``<table>_quarantine.csv`` and issues to ``out_dir``.

    Quarantine files are written *before* any "nothing usable" error is raised, so the
    user always gets the list of rows to fix. ``sales`` may be None (validated elsewhere,
    e.g. streamed by :func:`~stockwise.data.partition.stream_sales`). ``bounds``: the
    plausible ranges of the numbers (:mod:`stockwise.data.bounds`). Each table has its
    own mapping (``maps``); ``read`` (separator, encoding, decimal mark, sheet, date
    format, lines to skip: :class:`~stockwise.data.read_options.ReadOptions`) applies to
    every file.
    """
    sources = {"sales": sales, "inventory": inventory, "batches": batches}
    maps = maps or ColumnMaps()
    column_maps = {"sales": maps.sales, "inventory": maps.inventory, "batches": maps.batches}
    tables: dict[str, ValidatedTable] = {}
    for name, source in sources.items():
        if source is None:
            continue
        tables[name] = load_table(
            source,
            name,
            column_map=column_maps[name],
            read=read,
            as_of=as_of if name == "sales" else None,
            bounds=bounds,
        )
    run = ValidationRun(tables, notes=cross_check(tables))
    if out_dir is not None:
        run.files = {name: write_quarantine(t, out_dir, name) for name, t in tables.items()}
    return run


def cross_check(tables: Mapping[str, ValidatedTable | PartedSales]) -> list[str]:
    """Warn about products known to one table but not the other (nothing is dropped)."""
    ids = {
        name: t.unique_ids()
        if isinstance(t, PartedSales)
        else set(pd.Series(t.data[S.UNIQUE_ID].unique()).dropna())
        for name, t in tables.items()
    }
    notes = []
    if "sales" in ids and "inventory" in ids:
        no_stock = ids["sales"] - ids["inventory"]
        no_sales = ids["inventory"] - ids["sales"]
        if no_stock:
            notes.append(
                f"{len(no_stock)} series have sales but no inventory row "
                f"(e.g. {_examples(no_stock)}): they cannot be planned"
            )
        if no_sales:
            notes.append(
                f"{len(no_sales)} inventory products have no sales history "
                f"(e.g. {_examples(no_sales)}): new or dead stock"
            )
    if "batches" in ids and "inventory" in ids:
        orphan = ids["batches"] - ids["inventory"]
        if orphan:
            notes.append(
                f"{len(orphan)} products have batches but no inventory row "
                f"(e.g. {_examples(orphan)})"
            )
    return notes


def _examples(ids: set[str], n: int = 3) -> str:
    return ", ".join(sorted(map(str, ids))[:n])
