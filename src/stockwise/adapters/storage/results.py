"""A run's results into the database: forecasts, plan lines, projections, alerts.

All of one run's results are written in one transaction by the caller, after the work
is done, so a failed run leaves no half-written results behind.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from sqlalchemy import insert
from sqlalchemy.orm import Session

from stockwise import schema as S
from stockwise.adapters.storage.loads import plain
from stockwise.adapters.storage.models import Alert, Forecast, PlanLine, ProjectionDay

_BOUND = re.compile(r"^forecast-(lo|hi)-(\d+(?:\.\d+)?)$")
CHUNK = 1000


def store_forecasts(session: Session, run_id: str, forecasts: pd.DataFrame) -> int:
    """One row per product and date; interval bounds as ``{"lo": {"80": x}, "hi": {...}}``."""
    bounds = [(c, *m.groups()) for c in forecasts.columns if (m := _BOUND.match(c))]
    rows = []
    for record in forecasts.to_dict("records"):
        intervals: dict[str, dict[str, Any]] = {"lo": {}, "hi": {}}
        for column, side, level in bounds:
            intervals[side][level] = plain(record[column])
        rows.append(
            {
                "run_id": run_id,
                "product_id": str(record[S.UNIQUE_ID]),
                "ds": plain(record[S.DS]),
                "sector": plain(record.get(S.SECTOR)),
                "model": plain(record.get("model")),
                "forecast": max(0.0, float(record["forecast"])),
                "intervals": intervals,
            }
        )
    _insert(session, Forecast, rows)
    return len(rows)


def store_plan(
    session: Session,
    run_id: str,
    plan: pd.DataFrame,
    projection: pd.DataFrame,
    alerts: pd.DataFrame,
) -> tuple[int, int]:
    """Plan lines and alerts (ranked in the given order: most urgent first), projections."""
    lines = []
    for rank, record in enumerate(plan.to_dict("records")):
        line = {k: _json(v) for k, v in record.items()}
        lines.append(
            {
                "run_id": run_id,
                "product_id": str(record[S.UNIQUE_ID]),
                "rank": rank,
                "sector": plain(record.get(S.SECTOR)),
                "urgency": str(record["urgency"]),
                "alert": plain(record.get("alert")) or None,
                "line": line,
            }
        )
    _insert(session, PlanLine, lines)
    days = [
        {
            "run_id": run_id,
            "product_id": str(r[S.UNIQUE_ID]),
            "ds": plain(r[S.DS]),
            **{
                k: float(r[k])
                for k in (
                    "expected_on_hand",
                    "stockout_probability",
                    "stockout_by",
                    "expected_lost_sales",
                    "expected_waste",
                )
            },
        }
        for r in projection.to_dict("records")
    ]
    _insert(session, ProjectionDay, days)
    found = [
        {
            "run_id": run_id,
            "rank": i,
            "product_id": str(r[S.UNIQUE_ID]),
            "sector": plain(r.get(S.SECTOR)),
            "type": str(r["type"]),
            "severity": str(r["severity"]),
            "value_at_stake": plain(r.get("value_at_stake")),
            "message": str(r.get("message") or ""),
        }
        for i, r in enumerate(alerts.to_dict("records"))
    ]
    _insert(session, Alert, found)
    return len(lines), len(found)


def _json(value: Any) -> Any:
    import datetime as dt
    import math

    value = plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _insert(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start : start + CHUNK])
