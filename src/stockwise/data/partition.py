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

import hashlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stockwise import schema as S
from stockwise.cells import write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.fingerprint import data_fingerprint
from stockwise.data.holes import concat_holes, describe_holes
from stockwise.data.intake import load_table
from stockwise.data.mapping import ColumnMapping, build_mapping
from stockwise.data.parsing import clean_text
from stockwise.data.readers import (
    PARQUET_SUFFIXES,
    RawTable,
    check_file,
    check_not_reserved,
)
from stockwise.data.validation import ValidatedTable, ValidationReport, concat_issues
from stockwise.errors import EmptyInputError, InputError, MissingColumnsError

BATCH_ROWS = 1_000_000
"""Rows read at a time: bounds the memory of both passes over the file."""
PartMap = Callable[..., Iterator[Any]]
"""An executor's ``map(fn, items, config)``: yields ``fn(item, config)`` in any order."""


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
class SalesRef:
    """The accepted rows of some series as the part files that hold them: what a worker
    on this machine reads itself rather than receiving the rows through a pipe."""

    paths: tuple[str, ...]
    ids: tuple[str, ...]

    def load(self) -> pd.DataFrame:
        """The rows of ``ids``, sorted by series and date as a validated table is."""
        frames = [pd.read_pickle(path) for path in self.paths]
        if not frames:
            return pd.DataFrame()
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        keep = frame[S.UNIQUE_ID].astype(str).isin(self.ids).to_numpy()
        if not keep.all() or len(frames) > 1:
            frame = frame[keep].sort_values([S.UNIQUE_ID, S.DS], kind="stable")
        return frame.reset_index(drop=True)


@dataclass
class PartedSales:
    """Validated sales held in part files of whole series (see the module docstring).

    ``series``: one row per accepted series, ``unique_id`` (and ``sector`` when the file
    has one: that of the series' earliest row), in part order. ``read(ids)`` gives the
    accepted rows of those series, sorted by series and date as a validated table is.
    """

    report: ValidationReport
    series: pd.DataFrame
    max_ds: pd.Timestamp | None
    files: dict[str, Path] = field(default_factory=dict)
    parts: list[Path] = field(default_factory=list)
    part_of: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    validation_cpu_s: float = 0.0
    """CPU seconds spent validating the parts, wherever they ran."""

    def unique_ids(self) -> set[str]:
        return set(self.series[S.UNIQUE_ID].astype(str))

    def read(self, ids: Sequence[str]) -> pd.DataFrame:
        """The accepted rows of series ``ids`` (read from the parts that hold them)."""
        return self.ref(ids).load()

    def ref(self, ids: Sequence[str]) -> SalesRef:
        """Where the rows of series ``ids`` are, for a reader on this machine."""
        wanted = tuple(pd.Index(ids).astype(str))
        holding = sorted(set(self.part_of.reindex(list(wanted)).dropna().astype(int)))
        return SalesRef(
            tuple(str(self.parts[i]) for i in holding) or tuple(str(p) for p in self.parts[:1]),
            wanted,
        )

    @property
    def data(self) -> pd.DataFrame:
        """Every accepted row at once: what the parts exist to avoid; for small files."""
        return self.read(self.series[S.UNIQUE_ID].astype(str).tolist())

    def fingerprint(self) -> str:
        """sha256 over the parts' :func:`data_fingerprint`, in part order (reads each part
        once; the whole-table fingerprint of the same rows differs)."""
        digest = hashlib.sha256(b"parts")
        for path in self.parts:
            digest.update(data_fingerprint(pd.read_pickle(path)).encode())
        return digest.hexdigest()

    def require_usable(self) -> PartedSales:
        """Raise :class:`~stockwise.errors.NothingUsableError` when every row was rejected."""
        if self.report.n_accepted == 0:
            ValidatedTable(pd.DataFrame(), pd.DataFrame(), self.report).require_usable()
        return self


def stream_sales(
    path: str | Path,
    work_dir: str | Path,
    *,
    out_dir: str | Path | None = None,
    column_map: dict[str, str] | None = None,
    as_of: pd.Timestamp | str | None = None,
    part_series: int = 2000,
    batch_rows: int = BATCH_ROWS,
    map_parts: PartMap | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> PartedSales:
    """Validate a Parquet sales file part by part; the parts go to ``work_dir``.

    ``out_dir``: where ``sales_quarantine.csv`` and ``sales_issues.csv`` go (as
    :func:`~stockwise.workflows.validate.validate_sources` writes them). ``part_series``:
    series per part. Memory holds one batch of ``batch_rows`` rows, or one part, at a time.
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

    sector_of = _raw_series(file, keys, batch_rows)
    blocks = series_blocks(sector_of, part_series)
    block_of = pd.Series(
        np.repeat(np.arange(len(blocks)), [len(ids) for _, ids in blocks]),
        index=pd.Index(np.concatenate([ids for _, ids in blocks]) if blocks else [], dtype=object),
    )
    raw_parts = _route(file, keys, block_of, len(blocks), work, batch_rows)
    return _validate_parts(raw_parts, source, work, out_dir, column_map, as_of, map_parts, bounds)


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


@dataclass(frozen=True)
class PartOptions:
    """What validating a part needs besides its rows (one picklable object)."""

    source: str
    work: str
    column_map: tuple[tuple[str, str], ...] = ()
    as_of: str | None = None
    bounds: Bounds = DEFAULT_BOUNDS


@dataclass(frozen=True)
class PartVerdict:
    """What validating one raw part gave: its report and quarantine, and where its
    accepted rows went (None: no row accepted), with their series and last date."""

    index: int
    report: ValidationReport
    quarantine: pd.DataFrame
    path: str | None
    series: pd.DataFrame
    max_ds: pd.Timestamp | None
    cpu_s: float = 0.0
    """CPU seconds the validation took where it ran (a worker's are not the caller's)."""


def validate_part(raw: tuple[int, str], options: PartOptions) -> PartVerdict:
    """Validate raw part ``raw = (index, path)`` alone and keep its accepted rows in a
    validated part file; the raw file is removed. A module-level function, so any
    executor whose workers see this machine's files can run it."""
    index, raw_path = raw
    started = time.process_time()
    with pa.memory_map(raw_path) as mapped:
        frame = pa.ipc.open_file(mapped).read_all().to_pandas()
    frame.index = pd.RangeIndex(len(frame))
    table = load_table(
        RawTable(frame, options.source),
        "sales",
        column_map=dict(options.column_map) or None,
        as_of=options.as_of,
        bounds=options.bounds,
    )
    Path(raw_path).unlink()
    data = table.data
    if data.empty:
        return PartVerdict(
            index,
            table.report,
            table.quarantine,
            None,
            pd.DataFrame(),
            None,
            time.process_time() - started,
        )
    path = Path(options.work) / f"part-{index:05d}.pickle"  # ours, read by us: exact dtypes
    data.to_pickle(path)
    keep = [S.UNIQUE_ID, *([S.SECTOR] if S.SECTOR in data.columns else [])]
    return PartVerdict(
        index,
        table.report,
        table.quarantine,
        str(path),
        data[keep].drop_duplicates(S.UNIQUE_ID),
        pd.Timestamp(data[S.DS].max()),
        time.process_time() - started,
    )


def _in_order(fn: Callable[[Any, Any], Any], items: Sequence[Any], options: Any) -> Iterator[Any]:
    """The default ``map_parts``: here, one after the other."""
    return (fn(item, options) for item in items)


def _validate_parts(
    raw_parts: list[Path],
    source: str,
    work: Path,
    out_dir: str | Path | None,
    column_map: dict[str, str] | None,
    as_of: pd.Timestamp | str | None,
    map_parts: PartMap | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> PartedSales:
    """Validate the raw parts (on ``map_parts``, else here one after the other), write
    the quarantine and issues in part order, and merge the reports."""
    options = PartOptions(
        source,
        str(work),
        tuple((column_map or {}).items()),
        None if as_of is None else pd.Timestamp(as_of).isoformat(),
        bounds,
    )
    verdicts = sorted(
        (map_parts or _in_order)(validate_part, list(enumerate(map(str, raw_parts))), options),
        key=lambda v: v.index,
    )
    files: dict[str, Path] = {}
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        files = {"quarantine": out / "sales_quarantine.csv", "issues": out / "sales_issues.csv"}
        for first, verdict in enumerate(verdicts):
            for name, rows in (
                ("quarantine", verdict.quarantine),
                ("issues", verdict.report.issues),
            ):
                write_csv(
                    rows,
                    files[name],
                    mode="a" if first else "w",  # never formulas
                    header=not first,
                )
    kept = [v for v in verdicts if v.path is not None]
    parts = [Path(v.path) for v in kept]
    listed = (
        pd.concat([v.series.assign(_part=i) for i, v in enumerate(kept)], ignore_index=True)
        if kept
        else pd.DataFrame({S.UNIQUE_ID: pd.Series(dtype=object), "_part": pd.Series(dtype="int64")})
    )
    part_of = pd.Series(listed["_part"].to_numpy(), index=pd.Index(listed[S.UNIQUE_ID].astype(str)))
    max_ds = max((v.max_ds for v in kept), default=None)
    return PartedSales(
        _merged([v.report for v in verdicts], source),
        listed.drop(columns="_part"),
        max_ds,
        files,
        parts,
        part_of,
        sum(v.cpu_s for v in verdicts),
    )


def _merged(reports: list[ValidationReport], source: str) -> ValidationReport:
    """One report for the file: counts summed, issues in part order, notes once each,
    the frequency of most accepted rows, the holes of every part said in one note."""
    holes = concat_holes([r.holes for r in reports])
    per_part = {describe_holes(r.holes) for r in reports}
    notes = list(
        dict.fromkeys(note for report in reports for note in report.notes if note not in per_part)
    )
    said = describe_holes(holes)
    if said:
        notes.append(said)
    weight: dict[str, int] = {}
    for report in reports:
        if report.frequency is not None:
            weight[report.frequency] = weight.get(report.frequency, 0) + report.n_accepted
    issues = concat_issues([r.issues for r in reports])
    return ValidationReport(
        source=source,
        table="sales",
        n_read=sum(r.n_read for r in reports),
        n_accepted=sum(r.n_accepted for r in reports),
        n_quarantined=sum(r.n_quarantined for r in reports),
        issues=issues,
        mapping=reports[0].mapping,
        notes=notes,
        frequency=max(weight, key=weight.__getitem__) if weight else None,
        holes=holes,
    )
