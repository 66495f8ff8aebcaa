"""Refuse, before storing, the text values an upload holds that the database cannot keep.

Validation accepts any id; the tables cap their text columns (200 characters for ids,
100 for sectors …) and PostgreSQL refuses a NUL character anywhere in text. Checking here
makes SQLite and PostgreSQL answer alike (SQLite would keep a 20 MB id, PostgreSQL would
fail the transaction with its SQL in the error) and names each offending row and column.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.adapters.storage.loads import unstorable_text
from stockwise.api.errors import ApiError, ErrorPlace
from stockwise.data.mapping import ColumnMapping
from stockwise.data.readers import RawTable

MAX_ISSUES = 100
"""Issues listed in one answer; the message gives the total."""
SHOWN = 60
"""Characters of an offending value quoted back (it may be megabytes long)."""


def refuse_unstorable(
    raw: RawTable, data: pd.DataFrame, mapping: ColumnMapping | None, name: str
) -> None:
    """422 ``invalid_file`` listing the cells of ``raw`` whose accepted value in ``data``
    cannot be stored; nothing when every value can."""
    found = unstorable_text(data)
    if not found:
        return
    issues: list[dict[str, Any]] = []
    for canonical, reasons in found.items():
        user = mapping.user_name(canonical) if mapping else canonical
        issues.extend(_cells(raw, user, reasons, name))
    first = issues[0]
    where = f"row {first['row']}, " if first["row"] is not None else ""
    raise ApiError(
        422,
        f"file {name}: {len(issues)} cell(s) cannot be stored; first: "
        f"{where}column '{first['column']}': {first['message']}",
        code="invalid_file",
        at=ErrorPlace(file=name, row=first["row"], column=first["column"]),
        issues=issues[:MAX_ISSUES],
        hint="Shorten those values or remove the NUL characters, then upload "
        "the file again; nothing of it was stored.",
    )


def _cells(raw: RawTable, column: str, reasons: dict[str, str], name: str) -> list[dict[str, Any]]:
    """One issue per offending cell, with the row the user sees (when it can be found)."""
    out = []
    if column in raw.frame.columns:
        text = raw.frame[column].astype(str).str.strip()
        hit = text.isin(list(reasons))
        for row, value in zip(raw.frame.loc[hit, S.SOURCE_ROW], text[hit], strict=True):
            out.append(_issue(name, int(row), column, value, reasons[value]))
    seen = {i["full"] for i in out}
    out.extend(
        _issue(name, None, column, value, reason)
        for value, reason in reasons.items()
        if value not in seen
    )
    for issue in out:
        del issue["full"]
    return out


def _issue(name: str, row: int | None, column: str, value: str, reason: str) -> dict[str, Any]:
    shown = value if len(value) <= SHOWN else value[:SHOWN] + "…"
    return {
        "file": name,
        "row": row,
        "column": column,
        "value": shown.replace("\x00", "\\x00"),
        "rule": "not_storable",
        "severity": "error",
        "message": f"the value {reason}",
        "full": value,
    }
