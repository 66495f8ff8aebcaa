"""Concurrent uploads that create the same new products: all succeed, every row once.

Each round, several clients upload at once files whose products overlap and are all new,
so their transactions race to insert the same product keys (and sales keys). The losing
transaction is run again (``Storage.write``), seeing the winner's rows: no 5xx, no SQL in
any answer, and every row stored exactly once, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from api_helpers import Api, upload
from sqlalchemy import func, select

from stockwise.adapters.storage import Storage, WriteConflict
from stockwise.adapters.storage.models import Product, Sale

CLIENTS = 4
ROUNDS = 3


def sales_file(round_: int, client: int) -> bytes:
    """Products R<round>-0 … R<round>-5 for every client; days depend on the client, and
    day 1 is in every file (the same key, the same value)."""
    lines = ["unique_id,ds,y,sector"]
    for product in range(6):
        for day in {1, 2 + client}:
            lines.append(f"R{round_}-{product},2024-01-{day:02d},{product + day},retail")
    return ("\n".join(lines) + "\n").encode()


def test_parallel_uploads_of_the_same_new_products_all_succeed(api: Api) -> None:
    for round_ in range(ROUNDS):
        with ThreadPoolExecutor(CLIENTS) as pool:
            files = [(f"c{c}.csv", sales_file(round_, c)) for c in range(CLIENTS)]
            answers = list(
                pool.map(lambda named: upload(api.client, api.write, "sales", *named), files)
            )
        for answer in answers:
            assert answer.status_code == 200, answer.text
            assert "INSERT" not in answer.text and "UNIQUE" not in answer.text
    with api.app.state.storage.session() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == ROUNDS * 6
        stored = session.scalar(select(func.count()).select_from(Sale))
    assert stored == ROUNDS * 6 * (1 + CLIENTS)  # day 1 once, one day per client


def test_a_race_lost_every_time_is_a_conflict_without_sql(database_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    storage = Storage(database_url)
    tries = []

    class Orig(Exception):
        sqlstate = "23505"

    def always_loses(session):
        tries.append(1)
        raise IntegrityError("INSERT INTO products ...", {"product_id": "A"}, Orig("dup"))

    with pytest.raises(WriteConflict) as caught:
        storage.write(always_loses, attempts=3)
    assert len(tries) == 3 and "INSERT" not in str(caught.value)
    storage.dispose()


def test_a_bad_value_is_not_retried(database_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    storage = Storage(database_url)
    tries = []

    def not_null(session):
        tries.append(1)
        raise IntegrityError("INSERT", {}, Exception("NOT NULL constraint failed: x"))

    with pytest.raises(IntegrityError):
        storage.write(not_null)
    assert len(tries) == 1
    storage.dispose()
