"""Validate the raw parts of a sales file, here or on an executor's workers, and merge their
reports, quarantines and series into what validating the whole file would have given.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from stockwise import schema as S
from stockwise.cells import write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.fingerprint import data_fingerprint
from stockwise.data.holes import concat_holes, describe_holes
from stockwise.data.intake import load_table
from stockwise.data.readers import RawTable
from stockwise.data.validation import ValidatedTable, ValidationReport, concat_issues

PartMap = Callable[..., Iterator[Any]]
"""An executor's ``map(fn, items, config)``: yields ``fn(item, config)`` in any order."""


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
