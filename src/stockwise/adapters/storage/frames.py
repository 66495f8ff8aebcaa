"""Stored data back as the canonical frames the library works on.

Sales come with their product's sector / product / store / category (and, on request,
the extra columns kept in their ``extra`` JSON, e.g. a driver such as ``discount``);
inventory is the latest snapshot of each product (plus per-product overrides kept in
``extra``), so a run plans from the freshest stock the database knows; planned inputs
come back as the table :func:`stockwise.data.planned.read_planned` gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from stockwise import schema as S
from stockwise.adapters.storage.loads import INVENTORY_FIELDS
from stockwise.adapters.storage.models import (
    Batch,
    InventorySnapshot,
    PlannedInput,
    Product,
    Sale,
)

NO_SECTOR = S.NO_SECTOR
SALES_COLUMNS = [
    S.UNIQUE_ID,
    S.DS,
    S.Y,
    S.SECTOR,
    S.PRODUCT,
    S.STORE,
    S.CATEGORY,
    S.PRICE,
    S.PROMO,
    S.ON_HAND,
]


def in_group(sector: str) -> ColumnElement[bool]:
    """Products of the sector ``sector``; :data:`NO_SECTOR` also takes the products stored
    without a sector, the one implicit group of data that has no sector column."""
    if sector == NO_SECTOR:
        return or_(Product.sector == sector, Product.sector.is_(None))
    return Product.sector == sector


def sales_frame(
    session: Session,
    sector: str | None = None,
    product_id: str | None = None,
    extras: Sequence[str] = (),
) -> pd.DataFrame:
    """``unique_id, ds, y, sector, product, store, category, price, promo, on_hand``.

    ``extras``: names of other stored sales columns (kept in ``extra``) to add; one that no
    row carries is left out, so a caller asking for it learns it is not there.
    """
    wanted = [e for e in dict.fromkeys(extras) if e not in SALES_COLUMNS]
    columns = [
        Sale.product_id,
        Sale.ds,
        Sale.y,
        Product.sector,
        Product.product,
        Product.store,
        Product.category,
        Sale.price,
        Sale.promo,
        Sale.on_hand,
    ]
    query = (
        select(*columns, *([Sale.extra] if wanted else []))
        .join(Product, Product.product_id == Sale.product_id)
        .order_by(Sale.product_id, Sale.ds)
    )
    if sector is not None:
        query = query.where(in_group(sector))
    if product_id is not None:
        query = query.where(Sale.product_id == product_id)
    # Core execution (no ORM row loading): this is the bulk read behind runs and sectors.
    rows = session.connection().execute(query).all()
    frame = pd.DataFrame([r[: len(SALES_COLUMNS)] for r in rows], columns=SALES_COLUMNS)
    frame[S.DS] = pd.to_datetime(frame[S.DS])
    for column in (S.Y, S.PRICE, S.PROMO, S.ON_HAND):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for name in wanted:
        values = pd.Series(
            [
                r[-1].get(name) if isinstance(r[-1], dict) else None  # JSON
                for r in rows
            ],
            index=frame.index,
            dtype=object,
        )
        if values.notna().any():
            numbers = pd.to_numeric(values, errors="coerce")
            frame[name] = numbers if numbers.notna().sum() == values.notna().sum() else values
    return frame


def planned_frame(
    session: Session,
    exog: Sequence[str],
    sector: str | None = None,
    after: dt.date | None = None,
) -> pd.DataFrame:
    """``unique_id, ds`` and one column per known-ahead input of ``exog`` (a planned
    driver), for the days planned with all of them: the ``X_df`` of a run.

    A stored day that lacks one of ``exog`` (its file planned other drivers) is left
    out, so the forecast reports the gap by product and day instead of guessing a value.
    ``after``: only later days (plans for days that have sales are history; a run needs
    the days after them, and the table only grows).
    """
    query = select(PlannedInput.product_id, PlannedInput.ds, PlannedInput.drivers).order_by(
        PlannedInput.product_id, PlannedInput.ds
    )
    if after is not None:
        query = query.where(PlannedInput.ds > after)
    if sector is not None:
        query = query.join(Product, Product.product_id == PlannedInput.product_id).where(
            in_group(sector)
        )
    names = list(dict.fromkeys(exog))
    rows = [
        {S.UNIQUE_ID: pid, S.DS: ds, **{n: (values or {}).get(n) for n in names}}
        for pid, ds, values in session.execute(query)
    ]
    frame = pd.DataFrame(rows, columns=[S.UNIQUE_ID, S.DS, *names]).dropna(subset=names)
    frame[S.DS] = pd.to_datetime(frame[S.DS])
    for name in names:
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    return frame.reset_index(drop=True)


def latest_snapshots(session: Session):
    """Subquery: each product's latest inventory snapshot date."""
    return (
        select(InventorySnapshot.product_id, func.max(InventorySnapshot.as_of).label("as_of"))
        .group_by(InventorySnapshot.product_id)
        .subquery()
    )


def inventory_frame(session: Session, sector: str | None = None) -> pd.DataFrame:
    """The latest snapshot per product: canonical inventory columns + ``as_of``."""
    latest = latest_snapshots(session)
    query = (
        select(InventorySnapshot, Product.sector, Product.product, Product.category)
        .join(
            latest,
            (latest.c.product_id == InventorySnapshot.product_id)
            & (latest.c.as_of == InventorySnapshot.as_of),
        )
        .join(Product, Product.product_id == InventorySnapshot.product_id)
        .order_by(InventorySnapshot.product_id)
    )
    if sector is not None:
        query = query.where(in_group(sector))
    rows = []
    for snap, sector_name, product, category in session.execute(query).all():
        row = {
            S.UNIQUE_ID: snap.product_id,
            "as_of": snap.as_of,
            **{f: getattr(snap, f) for f in INVENTORY_FIELDS},
            S.SECTOR: sector_name,
            S.PRODUCT: product,
            S.CATEGORY: category,
        }
        row.update(snap.extra or {})
        rows.append(row)
    columns = [S.UNIQUE_ID, "as_of", *INVENTORY_FIELDS, S.SECTOR, S.PRODUCT, S.CATEGORY]
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(columns + [k for r in rows for k in r])))
    for column in INVENTORY_FIELDS:
        if column == S.ON_ORDER_DUE:
            frame[column] = pd.to_datetime(frame[column])
        else:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def batches_frame(session: Session) -> pd.DataFrame:
    """``unique_id, batch_id, quantity, expiry_date`` of every stored batch."""
    query = select(Batch.product_id, Batch.batch_id, Batch.quantity, Batch.expiry_date).order_by(
        Batch.product_id, Batch.expiry_date
    )
    frame = pd.DataFrame(
        session.execute(query).all(), columns=[S.UNIQUE_ID, S.BATCH_ID, S.QUANTITY, S.EXPIRY_DATE]
    )
    frame[S.EXPIRY_DATE] = pd.to_datetime(frame[S.EXPIRY_DATE])
    frame[S.QUANTITY] = frame[S.QUANTITY].astype(float)
    return frame
