"""``POST /uploads/{table}``: a file in, the CLI's validation, accepted rows stored.

The file is read exactly as ``stockwise validate`` reads it (same readers, mapping and
rules); errors name the uploaded file by its own name, never the server's temporary copy.
Storing the accepted rows and recording the upload is one transaction.
``POST /uploads/planned`` takes the planned values of known-ahead drivers, checked like
the CLI's ``--planned`` file: a bad cell cannot be set aside (a forecast needs every
planned period), so it refuses the whole file, naming the row and column.
The file name is the client's to choose and only ever a label: the server's temporary copy
has a name of its own (``upload`` + the extension), so a name with a NUL, a path or 300
characters cannot reach the file system.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Query, Request, UploadFile

from stockwise import schema as S
from stockwise.adapters.storage import Storage, WriteConflict
from stockwise.adapters.storage.loads import store_table
from stockwise.adapters.storage.models import Upload
from stockwise.adapters.storage.runs import list_uploads as upload_records
from stockwise.api.deps import ReadKey, StorageDep, WriteKey
from stockwise.api.errors import ApiError, from_input_error
from stockwise.api.jobs import as_utc
from stockwise.api.params import PagingDep
from stockwise.api.serialize import page, records
from stockwise.api.settings import Settings
from stockwise.api.storable import refuse_unstorable
from stockwise.api.upload_hints import for_the_web
from stockwise.api.upload_limits import (
    check_header_width,
    check_table_size,
    check_unpacked_size,
    inline,
)
from stockwise.data.intake import load_table
from stockwise.data.mapping import parse_map_option
from stockwise.data.planned import read_planned
from stockwise.data.readers import RawTable, from_frame, read_table
from stockwise.data.validation import ValidatedTable
from stockwise.errors import InputError, OptionError

router = APIRouter(tags=["uploads"])
TABLES = ("sales", "inventory", "batches")
FILE = Annotated[UploadFile, File(description="CSV, Excel (.xlsx), Parquet or JSON.")]
MAX_NAME = 200
"""Characters of an upload's file name kept as its label (the extension is always kept)."""


@router.post("/uploads/planned", summary="Upload planned promotions, prices … (drivers)")
def upload_planned(
    request: Request,
    key: WriteKey,
    storage: StorageDep,
    file: FILE,
    drivers: Annotated[
        str | None,
        Query(
            description="Driver columns to keep, comma-"
            "separated (default: all but unique_id, ds, "
            "sector)"
        ),
    ] = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> dict[str, Any]:
    """Check every cell like the CLI's ``--planned``; store (upsert) the planned values."""
    name = _file_name(file, "planned")
    names = [d.strip() for d in (drivers or "").split(",") if d.strip()]
    with _saved(file, name) as path, _named_errors(path, name):
        raw = _read(
            path,
            name,
            request.app.state.settings,
            sep=sep,
            decimal=decimal,
            encoding=encoding,
            sheet=_sheet(sheet),
        )
        table = read_planned(raw, names)
    refuse_unstorable(raw, table, None, name)
    answer = _store(
        storage, "planned", name, table, read=len(table), accepted=len(table), quarantined=0
    )
    return {
        **answer,
        "drivers": [c for c in table.columns if c not in (S.UNIQUE_ID, S.DS)],
        "products": int(table[S.UNIQUE_ID].nunique()),
        "start": table[S.DS].min().date(),
        "end": table[S.DS].max().date(),
        "notes": [],
        "issues": [],
        "quarantined_rows": [],
    }


@router.post("/uploads/{table}", summary="Upload sales, inventory or batches")
def upload(
    table: str,
    request: Request,
    key: WriteKey,
    storage: StorageDep,
    file: FILE,
    map: Annotated[str | None, Query(description="Column mapping, e.g. date=Date,y=Ventes")] = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    sheet: str | None = None,
    as_of: Annotated[
        dt.date | None, Query(description="Inventory snapshot date (default today, UTC)")
    ] = None,
) -> dict[str, Any]:
    """Validate the file like the CLI, store the accepted rows, return the accounting."""
    if table not in TABLES:
        raise ApiError(400, f"unknown table '{table}': upload sales, inventory, batches or planned")
    name = _file_name(file, table)
    settings: Settings = request.app.state.settings
    raw, result = _validate(
        file,
        name,
        table,
        map,
        settings,
        sep=sep,
        decimal=decimal,
        encoding=encoding,
        date_format=date_format,
        sheet=sheet,
    )
    issues = _issues(result, name, settings)
    if result.data.empty:
        raise ApiError(
            422,
            f"file {name}: no usable rows: all {result.report.n_read} rows "
            f"were quarantined ({len(result.report.issues)} issues)",
            code="invalid_file",
            file=name,
            row=issues[0]["row"] if issues else None,
            column=issues[0]["column"] if issues else None,
            issues=issues,
        )
    refuse_unstorable(raw, result.data, result.report.mapping, name)
    answer = _store(
        storage,
        table,
        name,
        result.data,
        read=result.report.n_read,
        accepted=result.report.n_accepted,
        quarantined=result.report.n_quarantined,
        as_of=as_of,
    )
    total = len(result.report.issues)
    rows = inline(
        records(result.quarantine.head(settings.max_inline_issues)), settings.max_inline_issues
    )
    notes = list(result.report.notes)
    if total > len(issues) or len(result.quarantine) > len(rows):
        notes.append(
            f"{total} issues and {len(result.quarantine)} quarantined rows: the "
            f"first {len(issues)} and {len(rows)} are listed; `stockwise validate "
            f"{name}` writes them all to files"
        )
    return {
        **answer,
        "notes": notes,
        "issues": issues,
        "issues_total": total,
        "quarantined_rows": rows,
    }


@router.get("/uploads", summary="Upload history, newest first")
def list_uploads(key: ReadKey, storage: StorageDep, paging: PagingDep) -> dict[str, Any]:
    rows, total = upload_records(storage, offset=paging.offset, limit=paging.page_size)
    items = [
        {
            "upload_id": r.upload_id,
            "table": r.table_name,
            "file": r.file,
            "rows_read": r.rows_read,
            "accepted": r.accepted,
            "quarantined": r.quarantined,
            "inserted": r.inserted,
            "updated": r.updated,
            "unchanged": r.unchanged,
            "created_at": as_utc(r.created_at),
        }
        for r in rows
    ]
    return page(items, paging.page, paging.page_size, total)


def _store(
    storage: Storage,
    table: str,
    name: str,
    data: pd.DataFrame,
    *,
    read: int,
    accepted: int,
    quarantined: int,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Upsert the accepted rows and record the upload, in one transaction (run again if a
    concurrent upload of the same new rows won the race); the accounting."""

    def work(session) -> tuple[int, Any]:
        counts = store_table(session, table, data, as_of=as_of)
        record = Upload(
            table_name=table,
            file=name,
            rows_read=read,
            accepted=accepted,
            quarantined=quarantined,
            inserted=counts.inserted,
            updated=counts.updated,
            unchanged=counts.unchanged,
        )
        session.add(record)
        session.flush()
        return record.upload_id, counts

    try:
        upload_id, counts = storage.write(work)
    except WriteConflict as exc:
        raise ApiError(
            409,
            f"file {name}: {exc.message}",
            hint=exc.hint,
            file=name,
            headers={"Retry-After": "1"},
        ) from None
    return {
        "upload_id": upload_id,
        "table": table,
        "file": name,
        "rows_read": read,
        "accepted": accepted,
        "quarantined": quarantined,
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    }


def _file_name(file: UploadFile, table: str) -> str:
    """The label of the upload: the client's base name without control characters (a NUL
    included), at most :data:`MAX_NAME` characters with its extension; none usable: the
    table's."""
    name = PurePath((file.filename or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable())
    if len(name) > MAX_NAME:
        suffix = PurePath(name).suffix[:16]
        name = name[: MAX_NAME - len(suffix) - 1] + "…" + suffix
    return f"{table}.csv" if name in ("", ".", "..") else name


@contextmanager
def _saved(file: UploadFile, name: str) -> Iterator[Path]:
    """The upload as a temporary file named ``upload`` + the extension of ``name``."""
    with tempfile.TemporaryDirectory(prefix="stockwise-upload-") as folder:
        suffix = PurePath(name).suffix.lower()  # the readers go by the extension
        path = Path(folder) / ("upload" + (suffix if suffix[1:].isalnum() else ""))
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
        issue = {
            "file": name,
            "row": exc.row,
            "column": exc.column,
            "value": None,
            "rule": "invalid",
            "severity": "error",
            "message": exc.message,
        }
        raise from_input_error(exc, [issue] if exc.row is not None else None) from None


def _validate(
    file: UploadFile,
    name: str,
    table: str,
    map_text: str | None,
    settings: Settings,
    **options: Any,
) -> tuple[RawTable, ValidatedTable]:
    sheet = options.pop("sheet")
    date_format = options.pop("date_format")
    with _saved(file, name) as path:
        try:
            raw = _read(path, name, settings, sheet=_sheet(sheet), **options)
            return raw, load_table(
                raw,
                table,
                column_map=parse_map_option(map_text),
                date_format=date_format,
                **{k: v for k, v in options.items() if k in ("sep", "decimal")},
            )
        except InputError as exc:
            raise from_input_error(for_the_web(_renamed(exc, str(path), name), table)) from None
        except OptionError as exc:
            raise ApiError(
                422, f"file {name}: {exc.message}", hint=exc.hint, file=name, code="invalid_request"
            ) from None


def _read(path: Path, name: str, settings: Settings, **options: Any) -> RawTable:
    """The file as a raw table, within the settings' limits (checked before each costly
    step: unpacking a workbook, parsing a CSV, validating the rows)."""
    if path.suffix.lower() == ".json":
        raw = from_frame(_json_frame(path, name), source=name)
    else:
        check_unpacked_size(path, name, settings)
        check_header_width(path, name, settings)
        found = read_table(path, **options)
        raw = replace(found, source=name)
    check_table_size(raw.n_rows, raw.frame.shape[1] - 1, name, settings)
    return raw


def _json_frame(path: Path, name: str) -> pd.DataFrame:
    """A JSON array of row objects, or ``{"rows": [...]}``; values kept as given."""
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"not valid JSON: {exc}",
            source=name,
            hint='Send an array of row objects or {"rows": [...]}.',
        ) from exc
    except RecursionError:  # the parser's depth limit: no table is nested that deep
        raise InputError(
            "the JSON is nested too deeply to be a table",
            source=name,
            hint='Send an array of row objects or {"rows": [...]}.',
        ) from None
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError('JSON must be an array of row objects or {"rows": [...]}', source=name)
    _check_cells(rows, name)
    return pd.DataFrame.from_records(rows)


def _check_cells(rows: list[dict[str, Any]], name: str) -> None:
    """Each cell one value: an object or array in a row cannot be a table's cell, and
    guessing a text for it would store something the user never wrote."""
    nested = [
        (number, column, value)
        for number, row in enumerate(rows, start=1)
        for column, value in row.items()
        if isinstance(value, dict | list)
    ]
    if nested:
        number, column, value = nested[0]
        what = "an object" if isinstance(value, dict) else "an array"
        more = f"; {len(nested) - 1} more cell(s) like it" if len(nested) > 1 else ""
        raise InputError(
            f"{what} where one value (text, number, date or null) is expected{more}",
            source=name,
            row=number,
            column=str(column),
            hint="Flatten the rows: one key per column, one value per key.",
        )


def _sheet(sheet: str | None) -> str | int | None:
    return int(sheet) if sheet is not None and sheet.isdigit() else sheet


def _renamed(exc: InputError, temp: str, name: str) -> InputError:
    """The same error, naming the user's file instead of the temporary copy."""
    exc.message = exc.message.replace(temp, name)
    if exc.source is not None:
        exc.source = exc.source.replace(temp, name)
    return exc


def _issues(result: ValidatedTable, name: str, settings: Settings) -> list[dict[str, Any]]:
    """The first ``max_inline_issues`` issues as the answer lists them."""
    issues = result.report.issues.head(settings.max_inline_issues)
    if issues.empty:
        return []
    frame = issues.assign(file=name)[
        ["file", "row", "column", "value", "rule", "severity", "message"]
    ]
    return inline(records(frame), settings.max_inline_issues)
