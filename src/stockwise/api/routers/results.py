"""A run's results: forecasts with intervals, the plan / order list, alerts, exports."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from stockwise.adapters.storage import queries
from stockwise.adapters.storage.models import Run
from stockwise.api.deps import ReadKey, StorageDep
from stockwise.api.errors import ApiError, not_found
from stockwise.api.params import LangDep, PagingDep, UniqueIdDep
from stockwise.api.plan_export import plan_csv, plan_workbook
from stockwise.api.result_filters import AlertFilters, PlanFilters
from stockwise.api.serialize import jsonable, page
from stockwise.words import SENTENCES, say

router = APIRouter()


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


@router.get("/plan", tags=["plan"], summary="The order list, most urgent first")
def list_plan(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    lang: LangDep,
    product_id: UniqueIdDep,
    filters: Annotated[PlanFilters, Query()],
) -> dict[str, Any]:
    wanted = filters.lines()
    with storage.session() as session:
        run_id = _run_id(session, filters.run_id, "plan")
        lines, total = queries.plan_lines(
            session,
            run_id,
            sector=filters.sector,
            product_id=product_id,
            offset=paging.offset,
            limit=paging.page_size,
            **wanted,
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
    *,
    filters: Annotated[PlanFilters, Query()],
) -> Response:
    wanted = filters.lines()
    with storage.session() as session:
        run_id = _run_id(session, filters.run_id, "plan")
        lines, _ = queries.plan_lines(session, run_id, sector=filters.sector, **wanted)
        found, _ = queries.alerts(session, run_id, sector=filters.sector)
        described = (session.get_one(Run, run_id).summary or {}).get("settings")
    name = f"stockwise-orders-{run_id}"
    if format == "csv":
        return plan_csv(lines, name, lang)
    return plan_workbook(lines, found, described, name, lang)


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
    filters: Annotated[AlertFilters, Query()],
) -> dict[str, Any]:
    wanted = filters.alerts()
    with storage.session() as session:
        run_id = _run_id(session, filters.run_id, "plan")
        items, total = queries.alerts(
            session,
            run_id,
            product_id=product_id,
            offset=paging.offset,
            limit=paging.page_size,
            **wanted,
        )
    return jsonable(
        page([_with_ids(x, run_id, lang) for x in items], paging.page, paging.page_size, total)
    )
