"""Sectors (the seed's sector controller) and products with stock (its stock controller).

A product id or a sector name may hold ``/`` (sent as ``%2F``, which the server decodes
before routing), so their routes take it as a ``path`` parameter; the longer routes
(``…/history``, ``…/sales``, ``…/stock``) are declared first so their last segment is not
read as part of the name.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request, Response

from stockwise import schema as S
from stockwise.adapters.storage import queries
from stockwise.adapters.storage.frames import NO_SECTOR, inventory_frame, sales_frame
from stockwise.api.deps import ReadKey, StorageDep
from stockwise.api.errors import not_found
from stockwise.api.params import PagingDep
from stockwise.api.serialize import jsonable, page
from stockwise.sectors import Sector, list_profiles
from stockwise.sectors.analytics import period_start

router = APIRouter()
Period = Literal["D", "W", "M"]


@router.get("/sectors", tags=["sectors"], summary="Sectors with sales, stock and alert KPIs")
def list_sectors(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    request: Request,
    unsectored: Annotated[
        bool,
        Query(
            description="Also list the products stored without a sector, as one "
            "group named 'all' (labelled as such): the dashboard's "
            "view of data that has no sector column."
        ),
    ] = False,
) -> Response:
    """Recomputed only when an upload or a plan run changed the data (cached otherwise).
    Without ``unsectored`` the list holds the stored sectors only, so an empty list still
    tells a client that the sales carry no sector (and a run names a profile instead)."""
    cache = request.app.state.cache
    with storage.session() as session:
        cache_key = ("sectors", queries.data_version(session), paging, unsectored)
        body = cache.answer(cache_key)
        if body is None:
            names = queries.sector_groups(session) if unsectored else queries.sector_names(session)
            shown = names[paging.offset : paging.offset + paging.page_size]
            items = [_summary(session, name) for name in shown]
            body = json.dumps(
                jsonable(page(items, paging.page, paging.page_size, len(names))), allow_nan=False
            ).encode()
            cache.keep(cache_key, body)
    return Response(body, media_type="application/json")


@router.get(
    "/sectors/{sector:path}/sales",
    tags=["sectors"],
    summary="Total and average units sold per period",
)
def sector_sales(
    sector: str,
    key: ReadKey,
    storage: StorageDep,
    period: Period = "W",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: Literal["product"] | None = None,
) -> dict[str, Any]:
    rows = _sector_rows(storage, sector, start, end)
    labelled = rows.assign(period=period_start(rows[S.DS], period))
    if by == "product":
        totals = labelled.groupby([S.UNIQUE_ID, "period"], sort=True)[S.Y].sum().reset_index()
        items = [
            {"product_id": r[S.UNIQUE_ID], "period": r["period"], "total": r[S.Y]}
            for r in totals.to_dict("records")
        ]
    else:
        grouped = labelled.groupby("period", sort=True)
        frame = pd.DataFrame(
            {"total": grouped[S.Y].sum(), "n_products": grouped[S.UNIQUE_ID].nunique()}
        )
        items = [
            {
                "period": when,
                "total": r["total"],
                "average": r["total"] / r["n_products"],
                "n_products": int(r["n_products"]),
            }
            for when, r in frame.iterrows()
        ]
    return jsonable({"sector": sector, "period": period, "items": items})


@router.get(
    "/sectors/{sector:path}/stock",
    tags=["sectors"],
    summary="End-of-period stock from the sales rows' on_hand",
)
def sector_stock(
    sector: str,
    key: ReadKey,
    storage: StorageDep,
    period: Period = "W",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    rows = _sector_rows(storage, sector, start, end)
    if rows[S.ON_HAND].isna().all():
        return {
            "sector": sector,
            "period": period,
            "items": [],
            "note": "the stored sales have no on_hand values for this sector",
        }
    levels = Sector(sector, rows).total_stock(period=period)
    items = [{"period": when, "stock_units": value} for when, value in levels.items()]
    return jsonable({"sector": sector, "period": period, "items": items})


@router.get("/sectors/{sector:path}", tags=["sectors"], summary="One sector's KPIs")
def get_sector(sector: str, key: ReadKey, storage: StorageDep) -> dict[str, Any]:
    with storage.session() as session:
        _known(session, sector)
        return _summary(session, sector)


@router.get("/products", tags=["products"], summary="Products with their current stock")
def list_products(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    sector: str | None = None,
    category: str | None = None,
    q: Annotated[str | None, Query(description="Part of the id or name.")] = None,
) -> dict[str, Any]:
    with storage.session() as session:
        items, total = queries.products(
            session,
            sector=sector,
            category=category,
            q=q,
            offset=paging.offset,
            limit=paging.page_size,
        )
    return jsonable(page(items, paging.page, paging.page_size, total))


@router.get(
    "/products/{product_id:path}/history",
    tags=["products"],
    summary="The product's stored sales, by date",
)
def product_history(
    product_id: str,
    key: ReadKey,
    storage: StorageDep,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    with storage.session() as session:
        items = queries.history(session, product_id, start, end)
        if not items and not queries.products(session, product_id=product_id, limit=1)[0]:
            raise not_found("product", product_id)
    return jsonable({"product_id": product_id, "items": items})


@router.get("/products/{product_id:path}", tags=["products"], summary="One product, its batches")
def get_product(product_id: str, key: ReadKey, storage: StorageDep) -> dict[str, Any]:
    with storage.session() as session:
        found, _ = queries.products(session, product_id=product_id, limit=1)
        if not found:
            raise not_found("product", product_id)
        return jsonable({**found[0], "batches": queries.batches(session, product_id)})


@router.get(
    "/planned",
    tags=["uploads"],
    summary="Stored planned inputs (promotions, prices …), by product and day",
)
def list_planned(
    key: ReadKey,
    storage: StorageDep,
    paging: PagingDep,
    product_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    with storage.session() as session:
        items, total = queries.planned(
            session,
            product_id=product_id,
            start=start,
            end=end,
            offset=paging.offset,
            limit=paging.page_size,
        )
    return jsonable(page(items, paging.page, paging.page_size, total))


def _known(session, sector: str) -> None:
    names = queries.sector_groups(session)
    if sector not in names:
        raise not_found("sector", sector, hint=f"Known sectors: {', '.join(names) or 'none yet'}.")


def _sector_rows(storage, sector: str, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    with storage.session() as session:
        _known(session, sector)
        rows = sales_frame(session, sector).assign(**{S.SECTOR: sector})  # "all": none stored
    if start:
        rows = rows[rows[S.DS] >= pd.Timestamp(start)]
    if end:
        rows = rows[rows[S.DS] <= pd.Timestamp(end)]
    return rows


def _summary(session, name: str) -> dict[str, Any]:
    sales = sales_frame(session, name).assign(**{S.SECTOR: name})  # the group "all" has none
    stock = inventory_frame(session, name).assign(**{S.SECTOR: name})
    summary = Sector(name, sales, stock if not stock.empty else None).summary()
    value = (stock[S.ON_HAND] * stock[S.UNIT_COST]).sum(min_count=1) if not stock.empty else None
    run_id = queries.latest_run_id(session, "plan")
    counts = queries.alert_counts(session, run_id).get(name, {}) if run_id else {}
    orders = queries.orders_now(session, run_id).get(name, 0) if run_id else 0
    return jsonable(
        {
            "sector": name,
            "n_products": summary["n_products"],
            "start": summary["start"],
            "end": summary["end"],
            "total_sales": summary["total_sales"],
            "average_daily_sales": summary["average_daily_sales"],
            "stock_units": float(stock[S.ON_HAND].sum()) if not stock.empty else None,
            "stock_value": value,
            "stockout_share": summary["stockout_share"],
            "alerts": {s: counts.get(s, 0) for s in ("critical", "high", "medium", "low")},
            "orders_now": orders,
            "has_profile": name in list_profiles(),
            "plan_run_id": run_id,
            "label": _label(session, name),
        }
    )


def _label(session, name: str) -> str:
    """What the dashboard calls the group: data without a sector column is one group,
    said as such rather than shown as a sector the user never named."""
    if name == NO_SECTOR and NO_SECTOR not in queries.sector_names(session):
        return "all products (no sector in the data)"
    return name
