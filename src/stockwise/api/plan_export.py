"""The order list as a file to download: a CSV in the words of the user's language, or
the CLI's order workbook (plan, alerts and the settings sheet)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi.responses import Response

from stockwise.cells import round_to_meaning, write_csv
from stockwise.report.order_list import write_order_workbook
from stockwise.report.settings_view import settings_sheet
from stockwise.words import SENTENCES, say_columns

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_csv(lines: list[dict[str, Any]], name: str, lang: str) -> Response:
    """The plan lines as ``<name>.csv``, their sentences in ``lang``."""
    buffer = io.StringIO()
    write_csv(round_to_meaning(say_columns(pd.DataFrame(lines), lang, SENTENCES)), buffer)
    return _attachment(buffer.getvalue(), "text/csv; charset=utf-8", f"{name}.csv")


def plan_workbook(
    lines: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    settings: dict[str, Any] | None,
    name: str,
    lang: str,
) -> Response:
    """The plan lines and alerts as ``<name>.xlsx``, the workbook the CLI writes (with the
    run's settings sheet when the run recorded them)."""
    found = (
        pd.DataFrame(alerts)
        .drop(columns=["run_id"], errors="ignore")
        .rename(columns={"product_id": "unique_id"})
    )
    with tempfile.TemporaryDirectory(prefix="stockwise-export-") as folder:
        path = write_order_workbook(
            round_to_meaning(_typed(pd.DataFrame(lines))),
            round_to_meaning(found),
            Path(folder) / f"{name}.xlsx",
            settings_sheet(settings) if settings else None,
            lang=lang,
        )
        content = path.read_bytes()
    return _attachment(content, XLSX, f"{name}.xlsx")


def _attachment(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _typed(plan: pd.DataFrame) -> pd.DataFrame:
    """Dates back to dates so the workbook formats them as the CLI's does."""
    for column in ("order_date", "arrival_date", "stockout_date"):
        if column in plan:
            plan[column] = pd.to_datetime(plan[column])
    return plan
