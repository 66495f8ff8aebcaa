"""Read-side queries behind the API: runs' results, products with stock, filters, pages.

Everything returns plain Python (dicts, lists, frames); the API only renders. Lists take
``offset``/``limit`` and return ``(rows, total)`` so every endpoint paginates the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from stockwise.adapters.storage.frames import NO_SECTOR, in_group, latest_snapshots
from stockwise.adapters.storage.loads import INVENTORY_FIELDS
from stockwise.adapters.storage.models import (
    Alert,
    Batch,
    Forecast,
    InventorySnapshot,
    PlanLine,
    PlannedInput,
    Product,
    ProjectionDay,
    Run,
    Sale,
    Upload,
)

Page = tuple[list[dict[str, Any]], int]


def latest_run_id(session: Session, kind: str | None = None) -> str | None:
    """The newest succeeded run (of ``kind`` when given)."""
    query = select(Run.id).where(Run.status == "succeeded")
    if kind:
        query = query.where(Run.kind == kind)
    return session.scalar(query.order_by(Run.finished_at.desc(), Run.created_at.desc()).limit(1))


def data_version(session: Session) -> tuple[int, str | None]:
    """Changes whenever stored data or the latest plan can change: (last upload, plan run)."""
    last_upload = session.scalar(select(func.max(Upload.upload_id)))
    return int(last_upload or 0), latest_run_id(session, "plan")


def _paged(session: Session, query: Select, offset: int, limit: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return list(session.execute(query.offset(offset).limit(limit)).all()), int(total or 0)


# --- plan, alerts, forecasts ----------------------------------------------------------------


def _plan_query(
    run_id: str,
    sector: str | None,
    urgency: Sequence[str] | None,
    alert: str | None,
    product_id: str | None,
) -> Select:
    query = select(PlanLine.line).where(PlanLine.run_id == run_id)
    if sector:
        query = query.where(_line_in(PlanLine.sector, PlanLine.product_id, sector))
    if urgency:
        query = query.where(PlanLine.urgency.in_(list(urgency)))
    if alert:
        query = query.where(PlanLine.alert.contains(alert, autoescape=True))
    if product_id:
        query = query.where(PlanLine.product_id == product_id)
    return query.order_by(PlanLine.rank)


def plan_lines(
    session: Session,
    run_id: str,
    *,
    sector: str | None = None,
    urgency: Sequence[str] | None = None,
    alert: str | None = None,
    product_id: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page:
    """Plan lines most urgent first (``limit=None``: all of them, for exports)."""
    query = _plan_query(run_id, sector, urgency, alert, product_id)
    if limit is None:
        rows = [r[0] for r in session.execute(query).all()]
        return rows, len(rows)
    rows, total = _paged(session, query, offset, limit)
    return [r[0] for r in rows], total


def plan_line(session: Session, run_id: str, product_id: str) -> dict[str, Any] | None:
    return session.scalar(
        select(PlanLine.line).where(PlanLine.run_id == run_id, PlanLine.product_id == product_id)
    )


def projection(session: Session, run_id: str, product_id: str) -> list[dict[str, Any]]:
    """The product's daily do-nothing projection (Core rows: no ORM objects per day)."""
    table = ProjectionDay.__table__
    rows = session.execute(
        select(
            table.c.ds,
            table.c.expected_on_hand,
            table.c.stockout_probability,
            table.c.stockout_by,
            table.c.expected_lost_sales,
            table.c.expected_waste,
        )
        .where(table.c.run_id == run_id, table.c.product_id == product_id)
        .order_by(table.c.ds)
    )
    return [dict(row) for row in rows.mappings()]


def alerts(
    session: Session,
    run_id: str,
    *,
    sector: str | None = None,
    severity: Sequence[str] | None = None,
    type: str | None = None,
    product_id: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page:
    """Alerts most severe first, then by value at stake."""
    query = select(Alert).where(Alert.run_id == run_id)
    if sector:
        query = query.where(_line_in(Alert.sector, Alert.product_id, sector))
    if severity:
        query = query.where(Alert.severity.in_(list(severity)))
    if type:
        query = query.where(Alert.type == type)
    if product_id:
        query = query.where(Alert.product_id == product_id)
    query = query.order_by(Alert.rank)
    if limit is None:
        found = [(a,) for a in session.scalars(query).all()]
        total = len(found)
    else:
        found, total = _paged(session, query, offset, limit)
    return [
        {
            "run_id": a.run_id,
            "product_id": a.product_id,
            "sector": a.sector,
            "type": a.type,
            "severity": a.severity,
            "value_at_stake": a.value_at_stake,
            "message": a.message,
        }
        for (a,) in found
    ], total


def alert_counts(session: Session, run_id: str) -> dict[str, dict[str, int]]:
    """Per sector (:func:`sector_groups`), the number of alerts of each severity."""
    group = _group_of(Alert.sector)
    rows = session.execute(
        select(group, Alert.severity, func.count())
        .outerjoin(Product, Product.product_id == Alert.product_id)
        .where(Alert.run_id == run_id)
        .group_by(group, Alert.severity)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for sector, severity, count in rows:
        out.setdefault(str(sector), {})[severity] = int(count)
    return out


def orders_now(session: Session, run_id: str) -> dict[str, int]:
    rows = session.execute(
        select(_group_of(PlanLine.sector), PlanLine.line)
        .outerjoin(Product, Product.product_id == PlanLine.product_id)
        .where(PlanLine.run_id == run_id, PlanLine.urgency == "order now")
    ).all()
    out: dict[str, int] = {}
    for sector, line in rows:
        if (line.get("order_qty") or 0) > 0:
            out[str(sector)] = out.get(str(sector), 0) + 1
    return out


def forecasts(
    session: Session,
    run_id: str,
    *,
    product_id: str | None = None,
    sector: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> Page:
    query = select(Forecast).where(Forecast.run_id == run_id)
    if product_id:
        query = query.where(Forecast.product_id == product_id)
    if sector:
        query = query.where(_line_in(Forecast.sector, Forecast.product_id, sector))
    found, total = _paged(session, query.order_by(Forecast.product_id, Forecast.ds), offset, limit)
    return [
        {
            "run_id": f.run_id,
            "product_id": f.product_id,
            "sector": f.sector,
            "ds": f.ds,
            "model": f.model,
            "forecast": f.forecast,
            "lo": f.intervals.get("lo", {}),
            "hi": f.intervals.get("hi", {}),
        }
        for (f,) in found
    ], total


# --- products and stock ---------------------------------------------------------------------


def _stock(snapshot: InventorySnapshot | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    stock = {"as_of": snapshot.as_of, **{f: getattr(snapshot, f) for f in INVENTORY_FIELDS}}
    cost = snapshot.unit_cost
    stock["stock_value"] = None if cost is None else snapshot.on_hand * cost
    return stock


def products(
    session: Session,
    *,
    sector: str | None = None,
    category: str | None = None,
    q: str | None = None,
    product_id: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> Page:
    """Products with their latest stock and last sale date, by ``product_id``."""
    latest = latest_snapshots(session)
    last_sale = (
        select(Sale.product_id, func.max(Sale.ds).label("last_sale"))
        .group_by(Sale.product_id)
        .subquery()
    )
    query = (
        select(Product, InventorySnapshot, last_sale.c.last_sale)
        .outerjoin(latest, latest.c.product_id == Product.product_id)
        .outerjoin(
            InventorySnapshot,
            (InventorySnapshot.product_id == latest.c.product_id)
            & (InventorySnapshot.as_of == latest.c.as_of),
        )
        .outerjoin(last_sale, last_sale.c.product_id == Product.product_id)
    )
    if sector:
        query = query.where(in_group(sector))
    if category:
        query = query.where(Product.category == category)
    if q:  # the user's text is matched literally: % and _ are escaped, not wildcards
        query = query.where(
            or_(
                Product.product_id.icontains(q, autoescape=True),
                Product.product.icontains(q, autoescape=True),
            )
        )
    if product_id:
        query = query.where(Product.product_id == product_id)
    found, total = _paged(session, query.order_by(Product.product_id), offset, limit)
    return [
        {
            "product_id": p.product_id,
            "sector": p.sector,
            "product": p.product,
            "store": p.store,
            "category": p.category,
            "attributes": p.attributes or {},
            "stock": _stock(snap),
            "last_sale_date": last,
        }
        for p, snap, last in found
    ], total


def batches(session: Session, product_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Batch)
        .where(Batch.product_id == product_id)
        .order_by(Batch.expiry_date, Batch.batch_id)
    ).all()
    return [
        {"batch_id": b.batch_id, "quantity": b.quantity, "expiry_date": b.expiry_date} for b in rows
    ]


def history(
    session: Session, product_id: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    query = select(Sale).where(Sale.product_id == product_id)
    if start:
        query = query.where(Sale.ds >= start)
    if end:
        query = query.where(Sale.ds <= end)
    return [
        {"ds": s.ds, "y": s.y, "on_hand": s.on_hand, "price": s.price, "promo": s.promo}
        for s in session.scalars(query.order_by(Sale.ds)).all()
    ]


def planned(
    session: Session,
    *,
    product_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    offset: int = 0,
    limit: int = 100,
) -> Page:
    """Stored planned inputs, by ``product_id, ds``: ``{product_id, ds, drivers}``."""
    query = select(PlannedInput)
    if product_id:
        query = query.where(PlannedInput.product_id == product_id)
    if start:
        query = query.where(PlannedInput.ds >= start)
    if end:
        query = query.where(PlannedInput.ds <= end)
    found, total = _paged(
        session, query.order_by(PlannedInput.product_id, PlannedInput.ds), offset, limit
    )
    return [
        {"product_id": p.product_id, "ds": p.ds, "drivers": p.drivers or {}} for (p,) in found
    ], total


def sector_groups(session: Session) -> list[str]:
    """The groups the dashboard shows: the sectors of the products that have sales, and
    :data:`NO_SECTOR` when some have none (sales without a sector column are one group,
    named as the plan names it, not zero groups)."""
    names = sector_names(session)
    unsectored = (
        select(Product.product_id)
        .where(Product.sector.is_(None))
        .where(Product.product_id.in_(select(Sale.product_id).distinct()))
        .limit(1)
    )
    if session.scalar(unsectored) is not None and NO_SECTOR not in names:
        names = sorted([*names, NO_SECTOR])
    return names


def _group_of(line_sector: Any) -> Any:
    """A plan line's group: its product's sector, :data:`NO_SECTOR` for a product stored
    without one (whatever profile the run planned it under), the line's own sector for a
    product not stored (the query outer-joins :class:`Product`)."""
    return case(
        (Product.product_id.is_(None), line_sector), else_=func.coalesce(Product.sector, NO_SECTOR)
    )


def _line_in(line_sector: Any, line_product: Any, sector: str) -> Any:
    """Lines of ``sector``; for :data:`NO_SECTOR`, also those of products without one."""
    if sector != NO_SECTOR:
        return line_sector == sector
    return or_(
        line_sector == sector,
        line_product.in_(select(Product.product_id).where(Product.sector.is_(None))),
    )


def sector_names(session: Session) -> list[str]:
    """Sectors of the products that have sales, by name."""
    query = (
        select(Product.sector)
        .where(Product.sector.is_not(None))
        .where(Product.product_id.in_(select(Sale.product_id).distinct()))
        .distinct()
        .order_by(Product.sector)
    )
    return [str(s) for s in session.scalars(query).all()]
