"""Validate the tables of a planning run before anything is forecast: the sales (streamed
in parts for a large Parquet file), the inventory and the batches, with their quarantine
files, stopping with a clear error when one has nothing usable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.partition import PartMap, PartSizes, is_parquet_file, stream_sales
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.workflows.validate import (
    ColumnMaps,
    ValidationRun,
    cross_check,
    validate_sources,
)

Table: TypeAlias = str | Path | pd.DataFrame


@dataclass(frozen=True)
class PlanSources:
    """The tables of a planning run as given (files or frames) and how to read them.

    Kept apart from :class:`~stockwise.workflows.plan_config.PlanConfig`: these name the
    data of one run, while a config is what every chunk of it is planned with. Each file
    has its column mapping (``column_map`` is the sales'); ``reading`` applies to all
    (a streamed Parquet file has none of the CSV and Excel options to apply); ``bounds``
    are the plausible ranges of their numbers (:mod:`stockwise.data.bounds`).
    """

    sales: Table
    inventory: Table
    batches: Table | None = None
    X_df: Table | None = None
    """Future values of the known-ahead inputs, the planned drivers
    (:func:`stockwise.data.planned.read_planned`)."""
    column_map: dict[str, str] | None = None
    inventory_map: dict[str, str] | None = None
    batches_map: dict[str, str] | None = None
    bounds: Bounds = DEFAULT_BOUNDS
    reading: ReadOptions = NO_OPTIONS

    @classmethod
    def take(cls, options: dict[str, Any], **tables: Any) -> PlanSources:
        """The sources of ``tables`` (``sales``, ``inventory`` ...), popping from
        ``options`` the keys that name one of the other fields (the rest are the
        caller's)."""
        names = {f.name for f in fields(cls)} - set(tables)
        return cls(**tables, **{k: options.pop(k) for k in list(options) if k in names})

    def planned_frame(self, exog: Sequence[str]) -> pd.DataFrame | None:
        """The planned inputs read, columns ``exog`` (all: none named); None without a file."""
        from stockwise.data.planned import read_planned

        if self.X_df is None:
            return None
        return read_planned(self.X_df, exog, self.reading)


def validate_plan_inputs(
    sources: PlanSources,
    out: Path,
    *,
    parts_dir: Path | None = None,
    part_series: int = 2000,
    map_parts: PartMap | None = None,
) -> ValidationRun:
    """Validate the plan's tables (quarantine files under ``out/validation``); stop with a
    clear error when one of them has nothing usable.

    ``parts_dir``: when given and the sales are a Parquet file, they are read and
    validated in parts of ``part_series`` whole series kept there
    (:func:`~stockwise.data.partition.stream_sales`), never whole; ``map_parts`` (an
    executor's ``map``) validates the parts on its workers.
    """
    shared: dict[str, Any] = {
        "inventory": sources.inventory,
        "batches": sources.batches,
        "maps": ColumnMaps(sources.column_map, sources.inventory_map, sources.batches_map),
        "out_dir": out / "validation",
        "bounds": sources.bounds,
        "read": sources.reading,
    }
    if parts_dir is not None and is_parquet_file(sources.sales):
        parted = stream_sales(
            sources.sales,
            parts_dir,
            out_dir=out / "validation",
            column_map=sources.column_map,
            sizes=PartSizes(part_series),
            map_parts=map_parts,
            bounds=sources.bounds,
        )
        others = validate_sources(None, **shared)
        tables = {"sales": parted, **others.tables}
        validation = ValidationRun(
            tables, {"sales": parted.files, **others.files}, cross_check(tables)
        )
    else:
        validation = validate_sources(sources.sales, **shared)
    for table in validation.tables.values():
        table.require_usable()
    return validation
