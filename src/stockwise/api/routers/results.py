"""A run's results: forecasts with intervals, the plan / order list, alerts, exports."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from stockwise.adapters.storage import queries
from stockwise.adapters.storage.models import Run
from stockwise.api.deps import ReadKey, StorageDep
from stockwise.api.errors import ApiError, ErrorPlace, not_found
from stockwise.api.params import LangDep, PagingDep, UniqueIdDep, choices
from stockwise.api.serialize import jsonable, page
from stockwise.cells import round_to_meaning, write_csv
from stockwise.inventory.alerts import ALERT_TYPES
from stockwise.report.order_list import write_order_workbook
from stockwise.report.settings_view import settings_sheet
from stockwise.words import SENTENCES, say, say_columns

router = APIRouter()
URGENCIES = ("order now", "at risk", "order soon", "planned", "no action")
SEVERITIES = ("critical", "high", "medium", "low")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run_id(session, run_id: str | None, kind: str | None) -> str:
    """The given run (it must have succeeded) or the newest succeeded one."""
    if run_id is None:
        found = queries.latest_run_id(session, kind)
        if found is None:
            raise ApiError(
                404,
                f"no succeeded {kind or ''} run yet: start one with POST /api/v1/runs".replace(
                    "  ", " "
                ),
            )
        return found
    run = session.get(Run, run_id)
    if run is None:
        raise not_found("run", run_id)
    if run.status != "succeeded":
        raise ApiError(409, f"run {run_id} is {run.status}; its results are not available")
    if kind == "plan" and run.kind != "plan":
        raise ApiError(409, f"run {run_id} is a {run.kind} run; it has no plan")
    return run_id


def _with_ids(line: dict[str, Any], run_id: str, lang: str = "en") -> dict[str, Any]:
    """A plan line or alert as answered: keyed by ``unique_id`` as in every file (and
    ``product_id``, its former name here, kept for clients written against it), with its
    sentences in ``lang``."""
    uid = line.get("unique_id", line.get("product_id"))
    out = {"run_id": run_id, "unique_id": uid, "product_id": uid}
    out.update(
        {
            k: say(v, lang) if k in SENTENCES else v
            for k, v in line.items()
            if k not in ("unique_id", "product_id", "run_id")
        }
    )
    return out


@router.get("/forecasts", tags=["forecasts"], summary="Forecasts with interval bounds")
def list_forecasts(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    product_id: UniqueIdDep,
    run_id: str | None = None,
    sector: str | None = None,
) -> dict[str, Any]:
    with storage.session() as session:
        run_id = _run_id(session, run_id, None)
        items, total = queries.forecasts(
            session,
            run_id,
            product_id=product_id,
            sector=sector,
            offset=paging.offset,
            limit=paging.page_size,
        )
    return jsonable(page(items, paging.page, paging.page_size, total))


def _plan_filters(urgency: str | None, alert: str | None) -> dict[str, Any]:
    if alert and alert not in ALERT_TYPES:
        raise ApiError(
            422,
            f"alert: unknown value {alert!r}; expected {', '.join(ALERT_TYPES)}",
            at=ErrorPlace(column="alert"),
        )
    return {"urgency": choices(urgency, URGENCIES, "urgency"), "alert": alert}


@router.get("/plan", tags=["plan"], summary="The order list, most urgent first")
def list_plan(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    lang: LangDep,
    product_id: UniqueIdDep,
    run_id: str | None = None,
    sector: str | None = None,
    urgency: str | None = None,
    alert: str | None = None,
) -> dict[str, Any]:
    filters = _plan_filters(urgency, alert)
    with storage.session() as session:
        run_id = _run_id(session, run_id, "plan")
        lines, total = queries.plan_lines(
            session,
            run_id,
            sector=sector,
            product_id=product_id,
            offset=paging.offset,
            limit=paging.page_size,
            **filters,
        )
    return jsonable(
        page([_with_ids(x, run_id, lang) for x in lines], paging.page, paging.page_size, total)
    )


@router.get("/plan/export", tags=["plan"], summary="The order list as CSV or Excel")
def export_plan(
    key: ReadKey,
    storage: StorageDep,
    lang: LangDep,
    format: Literal["csv", "xlsx"] = "csv",
    run_id: str | None = None,
    sector: str | None = None,
    urgency: str | None = None,
    alert: str | None = None,
) -> Response:
    filters = _plan_filters(urgency, alert)
    with storage.session() as session:
        run_id = _run_id(session, run_id, "plan")
        lines, _ = queries.plan_lines(session, run_id, sector=sector, **filters)
        found, _ = queries.alerts(session, run_id, sector=sector)
        described = (session.get_one(Run, run_id).summary or {}).get("settings")
    plan = pd.DataFrame(lines)
    name = f"stockwise-orders-{run_id}"
    if format == "csv":
        buffer = io.StringIO()
        write_csv(round_to_meaning(say_columns(plan, lang, SENTENCES)), buffer)
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    plan = _typed(plan)
    alerts = (
        pd.DataFrame(found)
        .drop(columns=["run_id"], errors="ignore")
        .rename(columns={"product_id": "unique_id"})
    )
    with tempfile.TemporaryDirectory(prefix="stockwise-export-") as folder:
        path = write_order_workbook(
            round_to_meaning(plan),
            round_to_meaning(alerts),
            Path(folder) / f"{name}.xlsx",
            settings_sheet(described) if described else None,
            lang=lang,
        )
        content = path.read_bytes()
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get(
    "/plan/{product_id:path}",
    tags=["plan"],
    summary="One product's plan line, daily projection and alerts",
)
async def product_plan(
    product_id: str, request: Request, key: ReadKey, lang: LangDep, run_id: str | None = None
) -> Response:
    """The hot read of the dashboard's product page: answers of a succeeded run are
    immutable, so they are served from an in-memory cache as pre-encoded JSON. The id is
    a path parameter that may hold ``/`` (sent as ``%2F``): any id validation accepts."""
    cache = request.app.state.cache
    storage = request.app.state.storage
    if run_id is None:
        run_id = cache.latest_run("plan", lambda: _latest(storage, "plan"))
    body = cache.answer(("plan", run_id, product_id, lang)) if run_id else None
    if body is None:
        body = await run_in_threadpool(_product_plan_body, storage, run_id, product_id, lang)
        cache.keep(("plan", run_id, product_id, lang), body)
    return Response(body, media_type="application/json")


def _latest(storage, kind: str) -> str | None:
    with storage.session() as session:
        return queries.latest_run_id(session, kind)


def _product_plan_body(storage, run_id: str | None, product_id: str, lang: str = "en") -> bytes:
    with storage.session() as session:
        run_id = _run_id(session, run_id, "plan")
        line = queries.plan_line(session, run_id, product_id)
        if line is None:
            raise not_found(
                "product",
                product_id,
                hint=f"The plan of run {run_id} has no line for this product.",
            )
        days = queries.projection(session, run_id, product_id)
        found, _ = queries.alerts(session, run_id, product_id=product_id)
    answer = jsonable(
        {
            "run_id": run_id,
            "unique_id": product_id,
            "product_id": product_id,
            "line": _with_ids(line, run_id, lang),
            **{
                k: line.get(k)
                for k in (
                    "reorder_point",
                    "order_up_to",
                    "safety_stock",
                    "stockout_date",
                    "stockout_probability",
                )
            },
            "projection": days,
            "alerts": [
                {
                    k: say(a[k], lang) if k in SENTENCES else a[k]
                    for k in ("type", "severity", "value_at_stake", "message")
                }
                for a in found
            ],
        }
    )
    return json.dumps(answer, separators=(",", ":"), allow_nan=False).encode()


@router.get("/alerts", tags=["alerts"], summary="Alerts, most severe first")
def list_alerts(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    lang: LangDep,
    product_id: UniqueIdDep,
    run_id: str | None = None,
    sector: str | None = None,
    severity: str | None = None,
    type: str | None = None,
) -> dict[str, Any]:
    levels = choices(severity, SEVERITIES, "severity")
    if type and type not in ALERT_TYPES:
        raise ApiError(
            422,
            f"type: unknown value {type!r}; expected {', '.join(ALERT_TYPES)}",
            at=ErrorPlace(column="type"),
        )
    with storage.session() as session:
        run_id = _run_id(session, run_id, "plan")
        items, total = queries.alerts(
            session,
            run_id,
            sector=sector,
            severity=levels,
            type=type,
            product_id=product_id,
            offset=paging.offset,
            limit=paging.page_size,
        )
    return jsonable(
        page([_with_ids(x, run_id, lang) for x in items], paging.page, paging.page_size, total)
    )


def _typed(plan: pd.DataFrame) -> pd.DataFrame:
    """Dates back to dates so the workbook formats them as the CLI's does."""
    for column in ("order_date", "arrival_date", "stockout_date"):
        if column in plan:
            plan[column] = pd.to_datetime(plan[column])
    return plan
