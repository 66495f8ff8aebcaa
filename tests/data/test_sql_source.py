"""SQL sources go through the same validation as files (SQLite file database)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stockwise.adapters.sql_source import read_sql
from stockwise.data import load_table
from stockwise.errors import EmptyInputError, InputError


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "erp.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE ventes (Date TEXT, Produit TEXT, Ventes REAL)")
        con.executemany(
            "INSERT INTO ventes VALUES (?, ?, ?)",
            [("2024-01-01", "A", 3), ("2024-01-02", "A", -1), ("2024-01-03", "A", 2)],
        )
        con.execute("CREATE TABLE empty (x INTEGER)")
    return f"sqlite:///{path}"


def test_query_rows_are_validated_with_positions(database: str) -> None:
    raw = read_sql(database, "SELECT * FROM ventes ORDER BY Date")
    result = load_table(raw, as_of="2025-01-01")
    assert result.report.summary == "3 rows read, 2 accepted, 1 quarantined"
    hit = result.report.errors.iloc[0]
    assert (hit["row"], hit["column"], hit["rule"]) == (2, "Ventes", "negative")
    assert "SELECT * FROM ventes" in hit["source"]


def test_table_name_is_enough(database: str) -> None:
    assert read_sql(database, "ventes").n_rows == 3


def test_errors_are_explained(database: str, tmp_path: Path) -> None:
    with pytest.raises(EmptyInputError, match="no rows"):
        read_sql(database, "empty")
    with pytest.raises(InputError, match="query failed"):
        read_sql(database, "SELECT * FROM nowhere")
    with pytest.raises(InputError, match="database URL"):
        read_sql("notadb://x", "t")
