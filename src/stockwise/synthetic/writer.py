"""Write generated tables to disk: whole frames, or streamed chunk by chunk.

``write_synthetic`` saves an in-memory :class:`SyntheticData`. ``generate_to_files``
never holds more than one chunk of products: each chunk's tables are appended to open
Parquet writers (or CSV files), so 100,000 series x 2 years fit in a few GB of memory.
Files are named ``<table>.<fmt>`` (``sales``, ``inventory``, ``batches``, ``truth``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from stockwise.synthetic.generator import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_SECTORS,
    SyntheticData,
    iter_chunks,
)
from stockwise.synthetic.tables import SCHEMAS

FORMATS = ("csv", "parquet")
_DATE_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class FileLayout:
    """How streamed tables go to disk: the file format (``csv`` or ``parquet``) and how
    many products each chunk holds (what bounds the memory; the rows never depend on it).
    Kept apart from the generator's arguments, which alone decide the rows."""

    fmt: str = "parquet"
    chunk_size: int = DEFAULT_CHUNK_SIZE


def _paths(out_dir: str | Path, fmt: str) -> dict[str, Path]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {name: out / f"{name}.{fmt}" for name in SCHEMAS}


def write_synthetic(data: SyntheticData, out_dir: str | Path, fmt: str = "csv") -> dict[str, Path]:
    """Write the four tables to ``out_dir``; returns their paths by table name."""
    paths = _paths(out_dir, fmt)
    for name, frame in data.tables.items():
        if fmt == "csv":
            frame.to_csv(paths[name], index=False, date_format=_DATE_FORMAT)
        else:
            table = pa.Table.from_pandas(frame, schema=SCHEMAS[name], preserve_index=False)
            pq.write_table(table, paths[name])
    return paths


def generate_to_files(
    out_dir: str | Path,
    sectors: Sequence[str] | str = DEFAULT_SECTORS,
    n_products: int = 60,
    n_days: int = 730,
    seed: int = 42,
    start: str | pd.Timestamp = "2024-01-01",
    country: str = "FR",
    layout: FileLayout = FileLayout(),
) -> dict[str, Path]:
    """Generate chunk by chunk and append to files; memory is bounded by the layout's
    ``chunk_size``.

    The rows are identical to ``generate`` with the same arguments, whatever the chunk
    size. Returns the written paths by table name.
    """
    chunks = iter_chunks(sectors, n_products, n_days, seed, start, country, layout.chunk_size)
    paths = _paths(out_dir, layout.fmt)
    if layout.fmt == "parquet":
        writers = {name: pq.ParquetWriter(paths[name], SCHEMAS[name]) for name in SCHEMAS}
        try:
            for chunk in chunks:
                for name, table in chunk.items():
                    if table.num_rows:
                        writers[name].write_table(table)
        finally:
            for writer in writers.values():
                writer.close()
        return paths

    for name in SCHEMAS:  # csv: header first, then append each chunk
        SCHEMAS[name].empty_table().to_pandas().to_csv(paths[name], index=False)
    for chunk in chunks:
        for name, table in chunk.items():
            table.to_pandas().to_csv(
                paths[name], mode="a", header=False, index=False, date_format=_DATE_FORMAT
            )
    return paths
