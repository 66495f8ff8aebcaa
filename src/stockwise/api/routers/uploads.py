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
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Query, Request, UploadFile

from stockwise import schema as S
from stockwise.adapters.storage import Storage, WriteConflict
from stockwise.adapters.storage.loads import store_table
from stockwise.adapters.storage.models import Upload
from stockwise.adapters.storage.runs import list_uploads as upload_records
from stockwise.api.deps import ReadKey, StorageDep, WriteKey
from stockwise.api.errors import ApiError, ErrorPlace
from stockwise.api.jobs import as_utc
from stockwise.api.params import PagingDep
from stockwise.api.serialize import page
from stockwise.api.settings import Settings
from stockwise.api.storable import refuse_unstorable
from stockwise.api.upload_query import PlannedQuery, UploadQuery
from stockwise.api.upload_reading import (
    file_name,
    inline_issues,
    named_errors,
    read_upload,
    refuse_empty,
    saved_upload,
    sheet_of,
    upload_answer,
    validate_upload,
)
from stockwise.data.planned import read_planned

router = APIRouter(tags=["uploads"])
TABLES = ("sales", "inventory", "batches")
FILE = Annotated[UploadFile, File(description="CSV, Excel (.xlsx), Parquet or JSON.")]


@router.post("/uploads/planned", summary="Upload planned promotions, prices … (drivers)")
def upload_planned(
    request: Request,
    key: WriteKey,
    storage: StorageDep,
    file: FILE,
    query: Annotated[PlannedQuery, Query()],
) -> dict[str, Any]:
    """Check every cell like the CLI's ``--planned``; store (upsert) the planned values."""
    name = file_name(file, "planned")
    with saved_upload(file, name) as path, named_errors(path, name):
        raw = read_upload(
            path,
            name,
            request.app.state.settings,
            sheet=sheet_of(query.sheet),
            **query.file_options(),
        )
        table = read_planned(raw, query.driver_names())
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
    query: Annotated[UploadQuery, Query()],
) -> dict[str, Any]:
    """Validate the file like the CLI, store the accepted rows, return the accounting."""
    if table not in TABLES:
        raise ApiError(400, f"unknown table '{table}': upload sales, inventory, batches or planned")
    name = file_name(file, table)
    settings: Settings = request.app.state.settings
    raw, result = validate_upload(file, name, table, query.map, settings, **query.reading())
    issues = inline_issues(result, name, settings)
    refuse_empty(result, name, issues)
    refuse_unstorable(raw, result.data, result.report.mapping, name)
    answer = _store(
        storage,
        table,
        name,
        result.data,
        read=result.report.n_read,
        accepted=result.report.n_accepted,
        quarantined=result.report.n_quarantined,
        as_of=query.as_of,
    )
    return upload_answer(answer, result, issues, name, settings)


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
            at=ErrorPlace(file=name),
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
