"""A Parquet sales file too large to hold whole, read and validated in parts of whole series.

A chain's nightly plan reads tens of millions of sales rows; validated whole, they would
sit in memory several times over (as read, typed, accepted) while the plan runs. Here the
file is read in record batches, twice: first its key columns only (which series exist,
and in which sector), then whole, each row routed to the *part* that holds its series.
Each part — a few thousand whole series — is then validated alone and written back
validated, and the plan's chunks read the parts one at a time.

A part of whole series gets the verdicts the whole file would: every rule of validation
is about one row or one series (dates, numbers, duplicate keys, a series' calendar). The
exceptions: the note "series have different frequencies" is said per part, and a
trailing hole (no rows up to the file's last date) is measured to its part's last date.
Rows keep the numbers they have in the file (from 1), so the quarantine and the issues
name the rows the user sees; both files are written part after part, in part order.

Parts follow the layout of the plan's chunks (:func:`series_blocks`: sector by sector,
series sorted, near-equal blocks), so a chunk usually reads exactly one part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.mapping import build_mapping
from stockwise.data.part_validation import (
    PartedSales,
    PartMap,
    PartOptions,
    PartVerdict,
    SalesRef,
    _validate_parts,
    validate_part,
)
from stockwise.data.partition_reading import _open, _raw_series, _route, _SeriesKeys
from stockwise.data.readers import PARQUET_SUFFIXES

BATCH_ROWS = 1_000_000
"""Rows read at a time: bounds the memory of both passes over the file."""


def is_parquet_file(source: object) -> bool:
    """True for a path to a Parquet file (the inputs this module streams)."""
    return isinstance(source, str | Path) and Path(source).suffix.lower() in PARQUET_SUFFIXES


def series_blocks(sector_of: pd.Series, size: int) -> list[tuple[str | None, np.ndarray]]:
    """Blocks of at most ``size`` series ids, each of one sector, in a fixed order.

    ``sector_of``: per series id (the index, as text), its sector or None. Sectors come in
    name order, series without a sector last; each sector's ids are sorted and cut into
    the fewest blocks of at most ``size``, of near-equal sizes (no block is left with a
    handful of series). The layout depends on the ids only, never on row order.
    """
    named = sorted(str(s) for s in sector_of.dropna().unique())
    blocks: list[tuple[str | None, np.ndarray]] = []
    for sector in [*named, None] if sector_of.isna().any() else named:
        chosen = sector_of.isna() if sector is None else sector_of == sector
        ids = np.sort(sector_of.index[chosen.to_numpy()].to_numpy(dtype=str))
        if len(ids):
            blocks += [(sector, part) for part in np.array_split(ids, math.ceil(len(ids) / size))]
    return blocks


@dataclass(frozen=True)
class PartSizes:
    """How big the pieces of a streamed sales file are: ``part_series`` series per part
    (what one part's validation holds) and ``batch_rows`` rows per read batch (what one
    read holds). Both bound the memory only; the verdicts never depend on them."""

    part_series: int = 2000
    batch_rows: int = BATCH_ROWS


def stream_sales(
    path: str | Path,
    work_dir: str | Path,
    *,
    out_dir: str | Path | None = None,
    column_map: dict[str, str] | None = None,
    as_of: pd.Timestamp | str | None = None,
    sizes: PartSizes = PartSizes(),
    map_parts: PartMap | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> PartedSales:
    """Validate a Parquet sales file part by part; the parts go to ``work_dir``.

    ``out_dir``: where ``sales_quarantine.csv`` and ``sales_issues.csv`` go (as
    :func:`~stockwise.workflows.validate.validate_sources` writes them). ``sizes``: series
    per part and rows per batch; memory holds one batch, or one part, at a time.
    ``map_parts``: an executor's ``map`` (``map(fn, items, config)``, results in any
    order) to validate the parts on its workers, which must see ``work_dir``; default:
    here, one after the other. ``bounds``: the plausible ranges of the numbers, checked in
    every part as :func:`~stockwise.data.intake.load_table` checks them.
    """
    source = str(path)
    file = _open(Path(path))
    names = file.schema_arrow.names
    mapping = build_mapping(names, column_map, table=S.SALES, detect=True)
    keys = _SeriesKeys(mapping, names, source)
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)

    sector_of = _raw_series(file, keys, sizes.batch_rows)
    blocks = series_blocks(sector_of, sizes.part_series)
    block_of = pd.Series(
        np.repeat(np.arange(len(blocks)), [len(ids) for _, ids in blocks]),
        index=pd.Index(np.concatenate([ids for _, ids in blocks]) if blocks else [], dtype=object),
    )
    raw_parts = _route(file, keys, block_of, len(blocks), work, sizes.batch_rows)
    return _validate_parts(raw_parts, source, work, out_dir, column_map, as_of, map_parts, bounds)


__all__ = [
    "BATCH_ROWS",
    "PartMap",
    "PartOptions",
    "PartSizes",
    "PartVerdict",
    "PartedSales",
    "SalesRef",
    "is_parquet_file",
    "series_blocks",
    "stream_sales",
    "validate_part",
]
