"""Storage adapter on SQLite and PostgreSQL: schema, idempotent upserts, atomic loads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.database import alembic_config, current_revision, upgrade
from stockwise.adapters.storage.frames import batches_frame, inventory_frame, sales_frame
from stockwise.adapters.storage.loads import store_table
from stockwise.adapters.storage.models import Base, InventorySnapshot, Product, Sale
from stockwise.data import load_table
from stockwise.synthetic import generate


@pytest.fixture
def storage(database_url: str):
    store = Storage(database_url)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture(scope="module")
def tables():
    data = generate(sectors=("pharmacy",), n_products=2, n_days=40, seed=5)
    return {
        name: load_table(frame, name).data
        for name, frame in (
            ("sales", data.sales),
            ("inventory", data.inventory),
            ("batches", data.batches),
        )
    }


def _count(storage: Storage, model) -> int:
    with storage.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_migrations_create_every_table(storage: Storage) -> None:
    names = set(inspect(storage.engine).get_table_names())
    assert set(Base.metadata.tables) <= names
    assert current_revision(storage.engine) == "0002"
    storage.upgrade()  # a second upgrade is a no-op
    assert current_revision(storage.engine) == "0002"


def test_planned_inputs_migration_keeps_stored_data(database_url: str, tables) -> None:
    """A database at 0001 with sales gains the planned-inputs table and keeps its rows."""
    store = Storage(database_url)
    try:
        upgrade(store.engine, "0001")
        assert "planned_inputs" not in inspect(store.engine).get_table_names()
        with store.transaction() as session:
            store_table(session, "sales", tables["sales"])
        store.upgrade()
        assert current_revision(store.engine) == "0002"
        assert "planned_inputs" in inspect(store.engine).get_table_names()
        assert _count(store, Sale) == len(tables["sales"])
        planned = tables["sales"][["unique_id", "ds"]].assign(promo=1.0)
        with store.transaction() as session:
            assert store_table(session, "planned", planned).inserted == len(planned)
        _downgrade(store.engine, "0001")
        assert "planned_inputs" not in inspect(store.engine).get_table_names()
        assert _count(store, Sale) == len(tables["sales"])
    finally:
        store.dispose()


def _downgrade(engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_loading_twice_changes_nothing(storage: Storage, tables) -> None:
    with storage.transaction() as session:
        first = store_table(session, "sales", tables["sales"])
    with storage.transaction() as session:
        again = store_table(session, "sales", tables["sales"])
    assert first.inserted == len(tables["sales"]) == again.unchanged
    assert (again.inserted, again.updated) == (0, 0)
    assert _count(storage, Sale) == len(tables["sales"])
    assert _count(storage, Product) == 2

    changed = tables["sales"].copy()
    changed.loc[0, "y"] += 5
    with storage.transaction() as session:
        third = store_table(session, "sales", changed)
    assert (third.inserted, third.updated) == (0, 1)
    with storage.session() as session:
        stored = sales_frame(session)
    assert stored["y"].sum() == pytest.approx(tables["sales"]["y"].sum() + 5)


def test_failed_load_leaves_the_database_as_it_was(storage: Storage, tables) -> None:
    with storage.transaction() as session:
        store_table(session, "sales", tables["sales"])
    before = _snapshot(storage)
    changed = tables["sales"].assign(y=tables["sales"]["y"] + 1)
    broken = tables["inventory"].assign(on_hand=None)  # NOT NULL in the database
    with pytest.raises(IntegrityError), storage.transaction() as session:
        store_table(session, "sales", changed)  # succeeds inside the transaction ...
        store_table(session, "inventory", broken)  # ... then the database refuses this
    assert _snapshot(storage).equals(before)
    assert _count(storage, InventorySnapshot) == 0


def _snapshot(storage: Storage) -> pd.DataFrame:
    with storage.session() as session:
        return sales_frame(session)


def test_frames_round_trip_and_latest_snapshot(storage: Storage, tables) -> None:
    inventory = tables["inventory"]
    with storage.transaction() as session:
        store_table(session, "sales", tables["sales"])
        store_table(session, "inventory", inventory.assign(on_hand=1.0), as_of=dt.date(2024, 1, 1))
        store_table(session, "inventory", inventory, as_of=dt.date(2024, 2, 1))
        store_table(session, "batches", tables["batches"])
    with storage.session() as session:
        sales = sales_frame(session)
        stock = inventory_frame(session)
        lots = batches_frame(session)
    expected = tables["sales"].sort_values(["unique_id", "ds"]).reset_index(drop=True)
    pd.testing.assert_series_equal(sales["y"], expected["y"], check_names=False)
    assert (sales["ds"] == expected["ds"]).all()
    assert list(stock["as_of"]) == [dt.date(2024, 2, 1)] * len(inventory)
    assert (
        stock.set_index("unique_id")["on_hand"].to_dict()
        == inventory.set_index("unique_id")["on_hand"].to_dict()
    )
    assert len(lots) == len(tables["batches"])


def test_product_attributes_come_from_per_product_text_columns(storage: Storage, tables) -> None:
    inventory = tables["inventory"].assign(brand="Acme")
    inventory.loc[inventory.index[0], "brand"] = "Zenith"
    sales = tables["sales"].assign(
        weather=["sun" if i % 2 else "rain" for i in range(len(tables["sales"]))]
    )
    with storage.transaction() as session:
        store_table(session, "sales", sales)
        store_table(session, "inventory", inventory)
    with storage.session() as session:
        found = {p.product_id: p.attributes for p in session.scalars(select(Product))}
    first = str(inventory["unique_id"].iloc[0])
    assert found[first] == {"brand": "Zenith"}
    assert all(v == {"brand": "Acme"} for k, v in found.items() if k != first)
    with storage.session() as session:  # a per-row column stays with the rows
        weather = session.scalars(select(Sale.extra)).all()
    assert {w["weather"] for w in weather} == {"sun", "rain"}
