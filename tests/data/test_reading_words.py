"""What reading a file tells the user: columns not used, ids built alike for every table,
French headers, and a wrong date format refused rather than half-read."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockwise.data import load_table
from stockwise.errors import InputError


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_that_map_to_nothing_are_named(tmp_path: Path) -> None:
    path = _csv(tmp_path, "produit;date;ventes;couleur;Remarque\nA;2024-01-01;3;x;y\n")
    notes = load_table(path, "sales").report.notes
    assert any("2 column(s) not recognised" in n and "'couleur', 'Remarque'" in n for n in notes)
    every = load_table(_csv(tmp_path, "produit;date;ventes\nA;2024-01-01;3\n"), "sales")
    assert not any("not recognised" in n for n in every.report.notes)


def test_batches_take_french_headers_and_build_the_id_like_the_other_tables(tmp_path: Path) -> None:
    batches = load_table(
        _csv(tmp_path, "Produit;Magasin;Numéro de lot;Quantité;DLC\nA;M1;L1;3;2025-01-01\n"),
        "batches",
    ).data
    inventory = load_table(
        _csv(tmp_path, "Produit;Magasin;Stock;Durée de vie (jours)\nA;M1;3;20\n"), "inventory"
    ).data
    sales = load_table(
        _csv(tmp_path, "Produit;Magasin;Date;Ventes\nA;M1;2024-01-01;3\n"), "sales"
    ).data
    assert (
        batches["unique_id"].tolist()
        == inventory["unique_id"].tolist()
        == (sales["unique_id"].tolist())
    )
    assert batches[["batch_id", "quantity"]].values.tolist() == [["L1", 3.0]]
    assert inventory["shelf_life_days"].tolist() == [20.0]


def test_a_date_format_that_fails_on_most_rows_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, "product,date,sales\nA,01/13/2024,3\nA,01/14/2024,4\nA,02/01/2024,4\n")
    with pytest.raises(InputError, match=r"'%d/%m/%Y' fails on 2 of 3 rows.*row 2"):
        load_table(path, "sales", date_format="%d/%m/%Y")
    right = load_table(path, "sales", date_format="%m/%d/%Y")
    assert right.report.n_accepted == 3


def test_a_date_format_failing_on_a_few_rows_quarantines_them(tmp_path: Path) -> None:
    path = _csv(tmp_path, "product,date,sales\nA,13/01/2024,3\nA,14/01/2024,4\nA,2024-01-15,4\n")
    result = load_table(path, "sales", date_format="%d/%m/%Y")
    assert (result.report.n_accepted, result.report.n_quarantined) == (2, 1)
