"""Frames and values to JSON-safe Python: NaN and infinities → null, dates → ISO strings."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd


def jsonable(value: Any) -> Any:
    """One cell as JSON: ``null`` for missing or infinite numbers, ISO dates."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-safe dicts (column order kept)."""
    columns = [str(c) for c in frame.columns]
    return [
        {c: jsonable(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def page(items: list[Any], page: int, page_size: int, total: int) -> dict[str, Any]:
    """The pagination envelope of docs/api.md."""
    return {"items": items, "page": page, "page_size": page_size, "total": total}
