"""Validate the tables of a planning run before anything is forecast: the sales (streamed
in parts for a large Parquet file), the inventory and the batches, with their quarantine
files, stopping with a clear error when one has nothing usable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.partition import PartMap, is_parquet_file, stream_sales
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.workflows.validate import ValidationRun, cross_check, validate_sources


def validate_plan_inputs(
    sales: str | Path | pd.DataFrame,
    inventory: str | Path | pd.DataFrame,
    batches: str | Path | pd.DataFrame | None,
    column_map: dict[str, str] | None,
    inventory_map: dict[str, str] | None,
    out: Path,
    *,
    parts_dir: Path | None = None,
    part_series: int = 2000,
    map_parts: PartMap | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    batches_map: dict[str, str] | None = None,
    reading: ReadOptions = NO_OPTIONS,
) -> ValidationRun:
    """Validate the plan's tables (quarantine files under ``out/validation``); stop with a
    clear error when one of them has nothing usable.

    ``parts_dir``: when given and ``sales`` is a Parquet file, the sales are read and
    validated in parts of ``part_series`` whole series kept there
    (:func:`~stockwise.data.partition.stream_sales`), never whole; ``map_parts`` (an
    executor's ``map``) validates the parts on its workers. ``bounds``: the plausible
    ranges of the numbers (:mod:`stockwise.data.bounds`), the same for every table.
    ``reading``: how to read the files, the same for every file (a streamed Parquet file
    has none of the CSV and Excel options to apply).
    """
    if parts_dir is not None and is_parquet_file(sales):
        parted = stream_sales(
            sales,
            parts_dir,
            out_dir=out / "validation",
            column_map=column_map,
            part_series=part_series,
            map_parts=map_parts,
            bounds=bounds,
        )
        others = validate_sources(
            None,
            inventory=inventory,
            batches=batches,
            inventory_map=inventory_map,
            batches_map=batches_map,
            out_dir=out / "validation",
            bounds=bounds,
            **reading.kwargs(),
        )
        tables = {"sales": parted, **others.tables}
        validation = ValidationRun(
            tables, {"sales": parted.files, **others.files}, cross_check(tables)
        )
    else:
        validation = validate_sources(
            sales,
            inventory=inventory,
            batches=batches,
            column_map=column_map,
            inventory_map=inventory_map,
            batches_map=batches_map,
            out_dir=out / "validation",
            bounds=bounds,
            **reading.kwargs(),
        )
    for table in validation.tables.values():
        table.require_usable()
    return validation
