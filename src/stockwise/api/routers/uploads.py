"""``POST /uploads/{table}``: a file in, the CLI's validation, accepted rows stored.

The file is read exactly as ``stockwise validate`` reads it (same readers, mapping and
rules); errors name the uploaded file by its own name, never the server's temporary copy.
Storing the accepted rows and recording the upload is one transaction.
``POST /uploads/planned`` takes the planned values of known-ahead drivers, checked like
the CLI's ``--planned`` file: a bad cell cannot be set aside (a forecast needs every
planned period), so it refuses the whole file, naming the row and column.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Query, UploadFile

from stockwise import schema as S
from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.loads import store_table
from stockwise.adapters.storage.models import Upload
from stockwise.adapters.storage.runs import list_uploads as upload_records
from stockwise.api.deps import ReadKey, StorageDep, WriteKey
from stockwise.api.errors import ApiError, from_input_error
from stockwise.api.jobs import as_utc
from stockwise.api.serialize import page, records
from stockwise.data.intake import load_table
from stockwise.data.mapping import parse_map_option
from stockwise.data.planned import read_planned
from stockwise.data.readers import RawTable, from_frame, read_table
from stockwise.data.validation import ValidatedTable
from stockwise.errors import InputError

router = APIRouter(tags=["uploads"])
TABLES = ("sales", "inventory", "batches")
FILE = Annotated[UploadFile, File(description="CSV, Excel (.xlsx), Parquet or JSON.")]


@router.post("/uploads/planned", summary="Upload planned promotions, prices … (drivers)")
def upload_planned(
    key: WriteKey, storage: StorageDep, file: FILE,
    drivers: Annotated[str | None, Query(description="Driver columns to keep, comma-"
                                         "separated (default: all but unique_id, ds, "
                                         "sector)")] = None,
    sep: str | None = None, decimal: str | None = None, encoding: str | None = None,
    sheet: str | None = None,
) -> dict[str, Any]:
    """Check every cell like the CLI's ``--planned``; store (upsert) the planned values."""
    name = _file_name(file, "planned")
    names = [d.strip() for d in (drivers or "").split(",") if d.strip()]
    with _saved(file, name) as path, _named_errors(path, name):
        raw = _read(path, name, sep=sep, decimal=decimal, encoding=encoding,
                    sheet=_sheet(sheet))
        table = read_planned(raw, names)
    answer = _store(storage, "planned", name, table, read=len(table), accepted=len(table),
                    quarantined=0)
    return {**answer, "drivers": [c for c in table.columns if c not in (S.UNIQUE_ID, S.DS)],
            "products": int(table[S.UNIQUE_ID].nunique()),
            "start": table[S.DS].min().date(), "end": table[S.DS].max().date(),
            "notes": [], "issues": [], "quarantined_rows": []}


@router.post("/uploads/{table}", summary="Upload sales, inventory or batches")
def upload(
    table: str, key: WriteKey, storage: StorageDep, file: FILE,
    map: Annotated[str | None, Query(description="Column mapping, e.g. date=Date,y=Ventes")
                   ] = None,
    sep: str | None = None, decimal: str | None = None, encoding: str | None = None,
    date_format: str | None = None, sheet: str | None = None,
    as_of: Annotated[dt.date | None, Query(description="Inventory snapshot date (default "
                                                       "today, UTC)")] = None,
) -> dict[str, Any]:
    """Validate the file like the CLI, store the accepted rows, return the accounting."""
    if table not in TABLES:
        raise ApiError(400, f"unknown table '{table}': upload sales, inventory, batches or "
                            "planned")
    name = _file_name(file, table)
    result = _validate(file, name, table, map, sep=sep, decimal=decimal, encoding=encoding,
                       date_format=date_format, sheet=sheet)
    issues = _issues(result, name)
    if result.data.empty:
        raise ApiError(422, f"file {name}: no usable rows: all {result.report.n_read} rows "
                            "were quarantined", code="invalid_file", file=name,
                       row=issues[0]["row"] if issues else None,
                       column=issues[0]["column"] if issues else None, issues=issues)
    answer = _store(storage, table, name, result.data, read=result.report.n_read,
                    accepted=result.report.n_accepted,
                    quarantined=result.report.n_quarantined, as_of=as_of)
    return {**answer, "notes": list(result.report.notes), "issues": issues,
            "quarantined_rows": records(result.quarantine)}


@router.get("/uploads", summary="Upload history, newest first")
def list_uploads(key: ReadKey, storage: StorageDep,
                 page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
                 page_size: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    rows, total = upload_records(storage, offset=(page_number - 1) * page_size,
                                 limit=page_size)
    items = [{"upload_id": r.upload_id, "table": r.table_name, "file": r.file,
              "rows_read": r.rows_read, "accepted": r.accepted, "quarantined": r.quarantined,
              "inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged,
              "created_at": as_utc(r.created_at)} for r in rows]
    return page(items, page_number, page_size, total)


def _store(storage: Storage, table: str, name: str, data: pd.DataFrame, *, read: int,
           accepted: int, quarantined: int, as_of: dt.date | None = None) -> dict[str, Any]:
    """Upsert the accepted rows and record the upload, in one transaction; the accounting."""
    with storage.transaction() as session:
        counts = store_table(session, table, data, as_of=as_of)
        record = Upload(table_name=table, file=name, rows_read=read, accepted=accepted,
                        quarantined=quarantined, inserted=counts.inserted,
                        updated=counts.updated, unchanged=counts.unchanged)
        session.add(record)
        session.flush()
        upload_id = record.upload_id
    return {"upload_id": upload_id, "table": table, "file": name, "rows_read": read,
            "accepted": accepted, "quarantined": quarantined, "inserted": counts.inserted,
            "updated": counts.updated, "unchanged": counts.unchanged}


def _file_name(file: UploadFile, table: str) -> str:
    name = PurePath(file.filename or "").name
    return f"{table}.csv" if name in ("", ".", "..") else name  # none usable: the table's


@contextmanager
def _saved(file: UploadFile, name: str) -> Iterator[Path]:
    """The upload as a temporary file of its own name (the readers go by the extension)."""
    with tempfile.TemporaryDirectory(prefix="stockwise-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                out.write(chunk)
        yield path


@contextmanager
def _named_errors(path: Path, name: str) -> Iterator[None]:
    """An input error as the 422 body, naming the user's file, never the temporary copy."""
    try:
        yield
    except InputError as exc:
        exc = _renamed(exc, str(path), name)
        issue = {"file": name, "row": exc.row, "column": exc.column, "value": None,
                 "rule": "invalid", "severity": "error", "message": exc.message}
        raise from_input_error(exc, [issue] if exc.row is not None else None) from None


def _validate(file: UploadFile, name: str, table: str, map_text: str | None,
              **options: Any) -> ValidatedTable:
    sheet = options.pop("sheet")
    date_format = options.pop("date_format")
    with _saved(file, name) as path:
        try:
            raw = _read(path, name, sheet=_sheet(sheet), **options)
            return load_table(raw, table, column_map=parse_map_option(map_text),
                              date_format=date_format, **{k: v for k, v in options.items()
                                                          if k in ("sep", "decimal")})
        except InputError as exc:
            raise from_input_error(_renamed(exc, str(path), name)) from None


def _read(path: Path, name: str, **options: Any) -> RawTable:
    if path.suffix.lower() == ".json":
        return from_frame(_json_frame(path, name), source=name)
    raw = read_table(path, **options)
    return RawTable(raw.frame, name, raw.dialect, raw.decimal)


def _json_frame(path: Path, name: str) -> pd.DataFrame:
    """A JSON array of row objects, or ``{"rows": [...]}``; values kept as given."""
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", source=name,
                         hint='Send an array of row objects or {"rows": [...]}.') from exc
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError("JSON must be an array of row objects or {\"rows\": [...]}",
                         source=name)
    return pd.DataFrame.from_records(rows)


def _sheet(sheet: str | None) -> str | int | None:
    return int(sheet) if sheet is not None and sheet.isdigit() else sheet


def _renamed(exc: InputError, temp: str, name: str) -> InputError:
    """The same error, naming the user's file instead of the temporary copy."""
    exc.message = exc.message.replace(temp, name)
    if exc.source is not None:
        exc.source = exc.source.replace(temp, name)
    return exc


def _issues(result: ValidatedTable, name: str) -> list[dict[str, Any]]:
    issues = result.report.issues
    if issues.empty:
        return []
    frame = issues.assign(file=name)[["file", "row", "column", "value", "rule", "severity",
                                      "message"]]
    return records(frame)
