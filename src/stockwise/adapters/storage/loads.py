"""Store validated tables: upsert on the data contract's natural keys, counted.

The input is what :func:`stockwise.data.load_table` accepted (canonical names, typed).
Each row is compared with the stored one of the same key: new keys are inserted, changed
rows updated, identical ones left alone, so loading a file twice changes nothing and the
answer says so (``inserted``, ``updated``, ``unchanged``). Products are upserted from
every table (a batch of an unknown product creates the product). The caller owns the
transaction: one upload is one transaction, so a failure stores nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from stockwise import schema as S
from stockwise.adapters.storage.models import (
    Base,
    Batch,
    InventorySnapshot,
    PlannedInput,
    Product,
    Sale,
)

CHUNK = 500
PRODUCT_FIELDS = (S.SECTOR, S.PRODUCT, S.STORE, S.CATEGORY)
SALES_FIELDS = (S.Y, S.PRICE, S.PROMO, S.ON_HAND)
INVENTORY_FIELDS = (
    S.ON_HAND,
    S.ON_ORDER,
    S.ON_ORDER_DUE,
    S.LEAD_TIME_DAYS,
    S.LEAD_TIME_STD_DAYS,
    S.UNIT_COST,
    S.MOQ,
    S.PACK_SIZE,
    S.SHELF_LIFE_DAYS,
)
BATCH_FIELDS = (S.QUANTITY, S.EXPIRY_DATE)
INTERNAL = {S.SOURCE_ROW, S.STOCKOUT, S.GAP_FILLED, S.N_OBS, "reasons"}


def text_limits() -> dict[str, int]:
    """Longest text each stored column takes, by canonical name (from the table models)."""
    columns = {
        S.UNIQUE_ID: Product.product_id,
        S.SECTOR: Product.sector,
        S.PRODUCT: Product.product,
        S.STORE: Product.store,
        S.CATEGORY: Product.category,
        S.BATCH_ID: Batch.batch_id,
    }
    return {name: column.type.length for name, column in columns.items()}


def unstorable_text(data: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Values of ``data``'s text columns the database would refuse, by column: too long
    for their column, or holding a NUL character (PostgreSQL refuses it in any text).

    Checked before storing so SQLite (which would store a 20 MB id) and PostgreSQL
    (which would fail the transaction) answer the same, and the user is told which
    values to fix: ``{column: {value: reason}}``; empty when everything can be stored.
    """
    limits = text_limits()
    found: dict[str, dict[str, str]] = {}
    for name in data.columns:
        column = data[name]
        if name in INTERNAL or not (
            column.dtype.kind == "O" or isinstance(column.dtype, pd.StringDtype)
        ):
            continue
        limit = limits.get(name)
        bad: dict[str, str] = {}
        for value in pd.unique(column.dropna()):
            text = value if isinstance(value, str) else str(value)
            if "\x00" in text:
                bad[text] = "holds a NUL character (\\x00), which text cannot store"
            elif limit is not None and len(text) > limit:
                bad[text] = f"is {len(text)} characters long; at most {limit} are stored"
        if bad:
            found[name] = bad
    return found


@dataclass(frozen=True)
class LoadCounts:
    """What storing one table did to the database."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def store_table(
    session: Session, table: str, data: pd.DataFrame, as_of: dt.date | None = None
) -> LoadCounts:
    """Upsert the accepted rows of ``table`` (sales, inventory, batches or planned).

    ``planned`` (:func:`stockwise.data.planned.read_planned`'s table) merges each row's
    drivers into what is stored for its product and day: a price list uploaded after the
    promotion calendar adds prices without forgetting the promotions.
    """
    if data.empty:
        return LoadCounts()
    _upsert_products(session, data)
    if table == "sales":
        rows = _rows(data, (S.UNIQUE_ID, S.DS), SALES_FIELDS)
        return _upsert(session, Sale, ("product_id", "ds"), rows)
    if table == "inventory":
        day = as_of or dt.datetime.now(dt.UTC).date()
        rows = [
            {**row, "as_of": day}
            for row in _rows(data, (S.UNIQUE_ID,), INVENTORY_FIELDS, extra_default={})
        ]
        return _upsert(session, InventorySnapshot, ("product_id", "as_of"), rows)
    if table == "batches":
        rows = _rows(data, (S.UNIQUE_ID, S.BATCH_ID), BATCH_FIELDS, with_extra=False)
        return _upsert(session, Batch, ("product_id", "batch_id"), rows)
    if table == "planned":
        return _upsert(session, PlannedInput, ("product_id", "ds"), _planned_rows(session, data))
    raise ValueError(f"unknown table {table!r}; expected sales, inventory, batches or planned")


def plain(value: Any) -> Any:
    """A database-ready Python value: NaN/NaT → None, Timestamp → date, numpy → builtin."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _extra_columns(data: pd.DataFrame, known: Iterable[str]) -> list[str]:
    skip = set(known) | INTERNAL | set(PRODUCT_FIELDS) | {S.UNIQUE_ID, S.DS, S.BATCH_ID}
    return [c for c in data.columns if c not in skip]


def _rows(
    data: pd.DataFrame,
    key: tuple[str, ...],
    fields: tuple[str, ...],
    *,
    with_extra: bool = True,
    extra_default: dict | None = None,
) -> list[dict[str, Any]]:
    extras = _extra_columns(data, fields) if with_extra else []
    present = [f for f in fields if f in data.columns]
    out = []
    for record in data.to_dict("records"):
        row = {("product_id" if k == S.UNIQUE_ID else k): plain(record[k]) for k in key}
        row["product_id"] = str(row["product_id"])
        row.update({f: plain(record[f]) for f in present})
        row.update({f: None for f in fields if f not in data.columns})
        if S.PROMO in row and row[S.PROMO] is not None:
            row[S.PROMO] = float(row[S.PROMO])
        if with_extra:
            extra = {c: _json(record[c]) for c in extras if plain(record[c]) is not None}
            row["extra"] = extra or extra_default
        out.append(row)
    return out


def _planned_rows(session: Session, data: pd.DataFrame) -> list[dict[str, Any]]:
    """One row per (product, day): the stored drivers updated with the incoming ones."""
    names = [c for c in data.columns if c not in (S.UNIQUE_ID, S.DS, S.SECTOR, S.SOURCE_ROW)]
    stored: dict[tuple[str, dt.date], dict[str, Any]] = {}
    products = sorted({str(p) for p in data[S.UNIQUE_ID]})
    for ids in _chunks(products):
        query = select(PlannedInput.product_id, PlannedInput.ds, PlannedInput.drivers).where(
            PlannedInput.product_id.in_(ids)
        )
        stored.update({(pid, ds): drivers or {} for pid, ds, drivers in session.execute(query)})
    rows = []
    for record in data.to_dict("records"):
        key = (str(record[S.UNIQUE_ID]), plain(record[S.DS]))
        given = {n: _json(record[n]) for n in names if plain(record[n]) is not None}
        rows.append(
            {"product_id": key[0], "ds": key[1], "drivers": {**stored.get(key, {}), **given}}
        )
    return rows


def _json(value: Any) -> Any:
    value = plain(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _upsert_products(session: Session, data: pd.DataFrame) -> None:
    """Create unknown products; fill or change their sector/product/store/category.

    Extra text columns with one value per product (``brand``, ``supplier`` …) become the
    product's ``attributes``; per-row ones stay with the rows (``extra``).
    """
    fields = [f for f in PRODUCT_FIELDS if f in data.columns]
    traits = _attribute_columns(data)
    latest = data.drop_duplicates(S.UNIQUE_ID, keep="last")
    incoming = {
        str(r[S.UNIQUE_ID]): (
            {f: plain(r[f]) for f in fields},
            {t: _json(r[t]) for t in traits if plain(r[t]) is not None},
        )
        for r in latest.to_dict("records")
    }
    stored = {}
    for ids in _chunks(list(incoming)):
        stored.update(
            {
                p.product_id: p
                for p in session.scalars(select(Product).where(Product.product_id.in_(ids)))
            }
        )
    new = []
    for pid, (values, attributes) in incoming.items():
        values = {k: (None if v is None else str(v)) for k, v in values.items()}
        if pid not in stored:
            new.append(
                {
                    "product_id": pid,
                    "sector": None,
                    "product": None,
                    "store": None,
                    "category": None,
                    **values,
                    "attributes": attributes,
                }
            )
            continue
        product = stored[pid]
        for name, value in values.items():
            if value is not None and getattr(product, name) != value:
                setattr(product, name, value)
        merged = {**(product.attributes or {}), **attributes}
        if merged != (product.attributes or {}):
            product.attributes = merged
    if new:
        session.execute(insert(Product), new)
    session.flush()


def _attribute_columns(data: pd.DataFrame) -> list[str]:
    """Non-canonical text columns holding at most one value per product."""
    extras = [
        c
        for c in _extra_columns(data, ())
        if c not in INVENTORY_FIELDS + SALES_FIELDS + BATCH_FIELDS
        and not pd.api.types.is_numeric_dtype(data[c])
        and not pd.api.types.is_datetime64_any_dtype(data[c])
    ]
    if not extras:
        return []
    counts = data.groupby(S.UNIQUE_ID)[extras].nunique(dropna=True).max()
    return [c for c in extras if counts[c] <= 1]


def _upsert(
    session: Session, model: type[Base], key: tuple[str, ...], rows: list[dict[str, Any]]
) -> LoadCounts:
    # Fetch by product (the key's first column, a primary-key prefix): one indexed range
    # per product is far faster on PostgreSQL than row-value IN lists of whole keys.
    wanted = {tuple(r[k] for k in key) for r in rows}
    products = sorted({r["product_id"] for r in rows})
    existing: dict[tuple, dict[str, Any]] = {}
    for ids in _chunks(products):
        table = model.__table__
        found = session.execute(select(table).where(table.c.product_id.in_(ids)))
        for stored in found.mappings():
            found_key = tuple(stored[k] for k in key)
            if found_key in wanted:
                existing[found_key] = dict(stored)
    new, changed, same = [], [], 0
    for row in rows:
        old = existing.get(tuple(row[k] for k in key))
        if old is None:
            new.append(row)
        elif any(not _same(old.get(name), value) for name, value in row.items()):
            changed.append(row)
        else:
            same += 1
    for part in _chunks(new):
        session.execute(insert(model), part)
    for part in _chunks(changed):
        session.execute(update(model), part)
    session.flush()
    return LoadCounts(len(new), len(changed), same)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, float | int):
        return old == float(new)
    if old in (None, {}) and new in (None, {}):
        return True
    return old == new


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
