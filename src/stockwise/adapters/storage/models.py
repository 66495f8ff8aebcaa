"""The database tables, as SQLAlchemy 2 typed ORM classes.

Natural keys of the data contract are the primary keys (sales: product + day, inventory
snapshot: product + as-of date, batches: product + batch, planned inputs: product + day),
so loading a file twice can only find its rows already there. Results of a run
(forecasts, plan lines, projection, alerts) hang off the run and are deleted with it.
Plan lines keep the filter columns as real columns and the whole line as JSON, so new
plan columns need no migration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base; timestamps are naive UTC (portable between SQLite and PostgreSQL)."""


class Product(Base):
    __tablename__ = "products"

    product_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sector: Mapped[str | None] = mapped_column(String(100), index=True)
    product: Mapped[str | None] = mapped_column(String(200))
    store: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Sale(Base):
    __tablename__ = "sales"

    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.product_id", ondelete="CASCADE"), primary_key=True
    )
    ds: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    y: Mapped[float] = mapped_column(Float)
    price: Mapped[float | None] = mapped_column(Float)
    promo: Mapped[float | None] = mapped_column(Float)
    on_hand: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InventorySnapshot(Base):
    __tablename__ = "inventory_snapshots"

    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.product_id", ondelete="CASCADE"), primary_key=True
    )
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    on_hand: Mapped[float] = mapped_column(Float)
    on_order: Mapped[float | None] = mapped_column(Float)
    on_order_due: Mapped[dt.date | None] = mapped_column(Date)
    lead_time_days: Mapped[float | None] = mapped_column(Float)
    lead_time_std_days: Mapped[float | None] = mapped_column(Float)
    unit_cost: Mapped[float | None] = mapped_column(Float)
    moq: Mapped[float | None] = mapped_column(Float)
    pack_size: Mapped[float | None] = mapped_column(Float)
    shelf_life_days: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Batch(Base):
    __tablename__ = "batches"

    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.product_id", ondelete="CASCADE"), primary_key=True
    )
    batch_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    quantity: Mapped[float] = mapped_column(Float)
    expiry_date: Mapped[dt.date] = mapped_column(Date)


class PlannedInput(Base):
    """Planned values of known-ahead drivers (promo, price …) for one product and day.

    One JSON object of ``{driver: value}`` per row rather than a column per driver: the
    drivers are whatever columns a company's sales carry, so a new one needs no migration.
    """

    __tablename__ = "planned_inputs"

    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.product_id", ondelete="CASCADE"), primary_key=True
    )
    ds: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    drivers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Upload(Base):
    __tablename__ = "uploads"

    upload_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(20))
    file: Mapped[str] = mapped_column(String(500))
    rows_read: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    quarantined: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Forecast(Base):
    __tablename__ = "forecasts"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    ds: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    sector: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    forecast: Mapped[float] = mapped_column(Float)
    intervals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PlanLine(Base):
    __tablename__ = "plan_lines"
    __table_args__ = (Index("ix_plan_lines_run_rank", "run_id", "rank"),)

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    sector: Mapped[str | None] = mapped_column(String(100))
    urgency: Mapped[str] = mapped_column(String(20))
    alert: Mapped[str | None] = mapped_column(String(100))
    line: Mapped[dict[str, Any]] = mapped_column(JSON)


class ProjectionDay(Base):
    __tablename__ = "projections"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    ds: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    expected_on_hand: Mapped[float] = mapped_column(Float)
    stockout_probability: Mapped[float] = mapped_column(Float)
    stockout_by: Mapped[float] = mapped_column(Float)
    expected_lost_sales: Mapped[float] = mapped_column(Float)
    expected_waste: Mapped[float] = mapped_column(Float)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_run_rank", "run_id", "rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(20))
    value_at_stake: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(10))
    prefix: Mapped[str] = mapped_column(String(20), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
