"""Reading an uploaded file as the CLI reads it: a temporary copy with a name of its own,
the readers within the settings' limits, JSON rows checked cell by cell, and every error
naming the user's file, never the server's copy."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from fastapi import UploadFile

from stockwise.api.errors import ApiError, ErrorPlace, from_input_error
from stockwise.api.serialize import records
from stockwise.api.settings import Settings
from stockwise.api.upload_hints import for_the_web
from stockwise.api.upload_limits import (
    check_header_width,
    check_table_size,
    check_unpacked_size,
    inline,
)
from stockwise.data.intake import load_table
from stockwise.data.mapping import parse_map_option
from stockwise.data.readers import RawTable, from_frame, read_table
from stockwise.data.validation import ValidatedTable
from stockwise.errors import InputError, OptionError

MAX_NAME = 200
"""Characters of an upload's file name kept as its label (the extension is always kept)."""


def file_name(file: UploadFile, table: str) -> str:
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
def saved_upload(file: UploadFile, name: str) -> Iterator[Path]:
    """The upload as a temporary file named ``upload`` + the extension of ``name``."""
    with tempfile.TemporaryDirectory(prefix="stockwise-upload-") as folder:
        suffix = PurePath(name).suffix.lower()  # the readers go by the extension
        path = Path(folder) / ("upload" + (suffix if suffix[1:].isalnum() else ""))
        with path.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                out.write(chunk)
        yield path


@contextmanager
def named_errors(path: Path, name: str) -> Iterator[None]:
    """An input error as the 422 body, naming the user's file, never the temporary copy."""
    try:
        yield
    except InputError as exc:
        exc = renamed(exc, str(path), name)
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


def validate_upload(
    file: UploadFile,
    name: str,
    table: str,
    map_text: str | None,
    settings: Settings,
    **options: Any,
) -> tuple[RawTable, ValidatedTable]:
    sheet = options.pop("sheet")
    date_format = options.pop("date_format")
    with saved_upload(file, name) as path:
        try:
            raw = read_upload(path, name, settings, sheet=sheet_of(sheet), **options)
            return raw, load_table(
                raw,
                table,
                column_map=parse_map_option(map_text),
                date_format=date_format,  # the file is read: only the dates are left
            )
        except InputError as exc:
            raise from_input_error(for_the_web(renamed(exc, str(path), name), table)) from None
        except OptionError as exc:
            raise ApiError(
                422,
                f"file {name}: {exc.message}",
                hint=exc.hint,
                at=ErrorPlace(file=name),
                code="invalid_request",
            ) from None


def read_upload(path: Path, name: str, settings: Settings, **options: Any) -> RawTable:
    """The file as a raw table, within the settings' limits (checked before each costly
    step: unpacking a workbook, parsing a CSV, validating the rows)."""
    if path.suffix.lower() == ".json":
        raw = from_frame(json_frame(path, name), source=name)
    else:
        check_unpacked_size(path, name, settings)
        check_header_width(path, name, settings)
        found = read_table(path, **options)
        raw = replace(found, source=name)
    check_table_size(raw.n_rows, raw.frame.shape[1] - 1, name, settings)
    return raw


def json_frame(path: Path, name: str) -> pd.DataFrame:
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
    check_cells(rows, name)
    return pd.DataFrame.from_records(rows)


def check_cells(rows: list[dict[str, Any]], name: str) -> None:
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


def sheet_of(sheet: str | None) -> str | int | None:
    return int(sheet) if sheet is not None and sheet.isdigit() else sheet


def renamed(exc: InputError, temp: str, name: str) -> InputError:
    """The same error, naming the user's file instead of the temporary copy."""
    exc.message = exc.message.replace(temp, name)
    if exc.source is not None:
        exc.source = exc.source.replace(temp, name)
    return exc


def inline_issues(result: ValidatedTable, name: str, settings: Settings) -> list[dict[str, Any]]:
    """The first ``max_inline_issues`` issues as the answer lists them."""
    issues = result.report.issues.head(settings.max_inline_issues)
    if issues.empty:
        return []
    frame = issues.assign(file=name)[
        ["file", "row", "column", "value", "rule", "severity", "message"]
    ]
    return inline(records(frame), settings.max_inline_issues)


def refuse_empty(result: ValidatedTable, name: str, issues: list[dict[str, Any]]) -> None:
    """A file whose every row was quarantined: 422 with its first issues."""
    if result.data.empty:
        raise ApiError(
            422,
            f"file {name}: no usable rows: all {result.report.n_read} rows "
            f"were quarantined ({len(result.report.issues)} issues)",
            code="invalid_file",
            at=ErrorPlace(
                file=name,
                row=issues[0]["row"] if issues else None,
                column=issues[0]["column"] if issues else None,
            ),
            issues=issues,
        )


def upload_answer(
    answer: dict[str, Any],
    result: ValidatedTable,
    issues: list[dict[str, Any]],
    name: str,
    settings: Settings,
) -> dict[str, Any]:
    """The stored upload's accounting with its notes, its first issues and quarantined
    rows, and where to find them all when the answer lists only the first."""
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
