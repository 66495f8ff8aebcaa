"""The two passes over a large Parquet sales file: its series keys first (which series
exist, in which sector), then every row routed to the raw part of its series. Each pass
holds one record batch at a time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stockwise import schema as S
from stockwise.data.mapping import ColumnMapping
from stockwise.data.parsing import clean_text
from stockwise.data.readers import (
    check_file,
    check_not_reserved,
)
from stockwise.errors import EmptyInputError, InputError, MissingColumnsError


class _SeriesKeys:
    """The series key of raw rows, computed as validation computes ``unique_id``: the
    id column cleaned as text, else product@store (product alone without a store)."""

    def __init__(self, mapping: ColumnMapping, names: list[str], source: str) -> None:
        def user(canonical: str) -> str | None:
            name = mapping.user_name(canonical)
            return name if name in names else None

        self.id, self.product, self.store = user(S.UNIQUE_ID), user(S.PRODUCT), user(S.STORE)
        self.sector = user(S.SECTOR)
        if self.id is None and self.product is None:
            raise MissingColumnsError([S.UNIQUE_ID], names, source=source, table="sales")
        self.columns = [
            c for c in ((self.id,) if self.id else (self.product, self.store)) if c is not None
        ]

    def of(self, batch: pa.RecordBatch) -> tuple[pd.Series, np.ndarray]:
        """(distinct keys as text, NA when blank; each row's position among them)."""
        if self.id is not None:
            return _encoded_text(batch.column(self.id))
        products, p_codes = _encoded_text(batch.column(self.product))
        if self.store is None:
            return products, p_codes
        stores, s_codes = _encoded_text(batch.column(self.store))
        combos, inverse = np.unique(
            p_codes.astype(np.int64) * (len(stores) + 1) + s_codes + 1, return_inverse=True
        )
        product = products.to_numpy(dtype=object)[combos // (len(stores) + 1)]
        store_at = combos % (len(stores) + 1) - 1
        store = np.where(store_at >= 0, stores.to_numpy(dtype=object)[store_at], None)
        text = pd.Series(product, dtype=object) + "@" + pd.Series(store, dtype=object)
        keys = text.where(pd.notna(store), pd.Series(product, dtype=object))
        return keys, inverse.reshape(-1)


def _encoded_text(array: pa.Array) -> tuple[pd.Series, np.ndarray]:
    """Distinct values cleaned as validation cleans text (NA last, for null cells) and
    each cell's position among them."""
    encoded = pc.dictionary_encode(array)
    values = clean_text(pd.Series(encoded.dictionary.to_pandas(), dtype=object))
    codes = pc.fill_null(encoded.indices, len(values)).to_numpy(zero_copy_only=False)
    return pd.concat([values, pd.Series([pd.NA], dtype=object)], ignore_index=True), codes


def _open(path: Path) -> pq.ParquetFile:
    check_file(path)
    try:
        file = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise InputError(f"cannot read the Parquet file: {exc}", source=str(path)) from exc
    if file.metadata.num_rows == 0:
        raise EmptyInputError("the file has no rows", source=str(path))
    check_not_reserved(file.schema_arrow.names, str(path))
    return file


def _raw_series(file: pq.ParquetFile, keys: _SeriesKeys, batch_rows: int) -> pd.Series:
    """Per series key found in the file, the sector of its first row (None: none)."""
    columns = [*keys.columns, *([keys.sector] if keys.sector else [])]
    seen: list[pd.DataFrame] = []
    for batch in file.iter_batches(batch_rows, columns=columns):
        key_values, key_codes = keys.of(batch)
        if keys.sector is None:
            pairs = pd.DataFrame({"key": key_values.to_numpy(dtype=object), "sector": None})
        else:
            sectors, sector_codes = _encoded_text(batch.column(keys.sector))
            first = pd.DataFrame({"k": key_codes, "s": sector_codes}).drop_duplicates("k")
            pairs = pd.DataFrame(
                {
                    "key": key_values.to_numpy(dtype=object)[first["k"].to_numpy()],
                    "sector": sectors.to_numpy(dtype=object)[first["s"].to_numpy()],
                }
            )
        seen.append(pairs.dropna(subset=["key"]))
    pairs = pd.concat(seen, ignore_index=True).drop_duplicates("key")
    sector = pairs["sector"].where(pairs["sector"].notna(), None)
    return pd.Series(
        sector.to_numpy(dtype=object), index=pd.Index(pairs["key"].astype(str)), dtype=object
    )


def _route(
    file: pq.ParquetFile,
    keys: _SeriesKeys,
    block_of: pd.Series,
    n_blocks: int,
    work: Path,
    batch_rows: int,
) -> list[Path]:
    """Write each row to the raw part of its series (rows without a key to the last one),
    numbered as in the file; returns the raw parts written, in part order."""
    schema = file.schema_arrow.append(pa.field(S.SOURCE_ROW, pa.int64()))
    paths = [work / f"raw-{i:05d}.arrow" for i in range(n_blocks + 1)]
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    first_row = 1
    try:
        for batch in file.iter_batches(batch_rows):
            key_values, key_codes = keys.of(batch)
            block = block_of.reindex(
                key_values.astype(object).where(key_values.notna(), "").astype(str)
            ).to_numpy()
            block = np.where(
                key_values.isna().to_numpy() | np.isnan(block), n_blocks, np.nan_to_num(block)
            ).astype(np.int64)
            rows = block[key_codes]
            numbers = pa.array(np.arange(first_row, first_row + batch.num_rows, dtype=np.int64))
            first_row += batch.num_rows
            table = pa.Table.from_batches([batch]).append_column(S.SOURCE_ROW, numbers)
            order = np.argsort(rows, kind="stable")
            table = table.take(pa.array(order))
            counts = np.bincount(rows, minlength=n_blocks + 1)
            start = 0
            for index in np.flatnonzero(counts).tolist():
                if index not in writers:  # Arrow files: no encoding, read back mapped
                    writers[index] = pa.ipc.new_file(paths[index], schema)
                writers[index].write_table(table.slice(start, counts[index]))
                start += counts[index]
    finally:
        for writer in writers.values():
            writer.close()
    return [paths[i] for i in sorted(writers)]
