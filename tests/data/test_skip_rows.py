"""Lines above the header: an ERP's title row is skipped (asked for, or when it plainly is
one), and every row keeps the number it has in the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.data.intake import load_table
from stockwise.data.read_options import ReadOptions
from stockwise.data.readers import read_table, title_lines
from stockwise.errors import InputError, OptionError

BODY = [
    "Date;Produit;Ventes",
    "01/03/2024;Crème;2,5",
    "02/03/2024;Crème;pas un nombre",
    "03/03/2024;Crème;4",
]


def _csv(tmp_path: Path, lines: list[str], name: str = "ventes.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _quarantined_rows(table) -> list[int]:
    return table.quarantine["source_row"].tolist()


def test_a_plain_title_row_is_skipped_and_said(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Export des ventes - mars 2024;;", *BODY])
    table = load_table(path, "sales", as_of="2025-01-01")
    assert table.report.n_read == 3
    assert table.data["y"].tolist() == [2.5, 4.0]
    assert _quarantined_rows(table) == [4]  # line 4 of the file: title, header, 2 rows
    assert table.report.issues["row"].tolist() == [4]
    said = [n for n in table.report.notes if "title" in n]
    assert said and "Export des ventes - mars 2024" in said[0] and "--skip-rows 0" in said[0]


def test_a_title_and_a_blank_line_are_skipped(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Export des ventes", "", *BODY])
    table = load_table(path, "sales", as_of="2025-01-01")
    assert _quarantined_rows(table) == [5]
    assert any("first 2 lines" in n for n in table.report.notes)


def test_skip_rows_skips_what_detection_leaves(tmp_path: Path) -> None:
    """Two header-like lines above the header are no plain title: only the user knows."""
    lines = ["Export;ventes", "Période;mars 2024", *BODY]
    with pytest.raises(InputError):  # read as is, the first line names no usable column
        load_table(_csv(tmp_path, lines), "sales", as_of="2025-01-01")
    table = load_table(_csv(tmp_path, lines), "sales", as_of="2025-01-01", skip_rows=2)
    assert table.report.n_read == 3
    assert _quarantined_rows(table) == [5]
    assert not any("title" in n for n in table.report.notes)  # asked for: nothing to say


def test_skip_rows_zero_reads_the_first_line_as_the_header(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Export des ventes;;", *BODY])
    raw = read_table(path, skip_rows=0)
    assert raw.frame.columns[0] == "Export des ventes"
    assert raw.title is None


def test_a_file_without_a_title_is_read_from_its_first_line(tmp_path: Path) -> None:
    table = load_table(_csv(tmp_path, BODY), "sales", as_of="2025-01-01")
    assert _quarantined_rows(table) == [3]
    assert not any("title" in n for n in table.report.notes)


def test_a_ragged_line_below_skipped_rows_keeps_its_number(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        [
            "Export des ventes",
            "Date;Produit;Ventes",
            "01/03/2024;Crème;2",
            "02/03/2024;Crème;3;en trop",
            "03/03/2024;Crème;4",
        ],
    )
    table = load_table(path, "sales", as_of="2025-01-01")
    assert _quarantined_rows(table) == [4]
    assert table.report.n_read == 3


def test_skipping_everything_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = _csv(tmp_path, BODY)
    with pytest.raises(InputError, match="nothing is left after skipping 9") as caught:
        read_table(path, skip_rows=9)
    assert caught.value.source == str(path)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_a_bad_number_of_lines_is_refused(tmp_path: Path, bad: object) -> None:
    with pytest.raises(OptionError, match="skip_rows"):
        read_table(_csv(tmp_path, BODY), skip_rows=bad)  # type: ignore[arg-type]
    with pytest.raises(OptionError):
        ReadOptions(skip_rows=bad)  # type: ignore[arg-type]


def test_excel_title_row_skipped_and_rows_numbered_as_in_the_sheet(tmp_path: Path) -> None:
    path = tmp_path / "ventes.xlsx"
    frame = pd.DataFrame(
        {
            "Date": ["2024-03-01", "2024-03-02", "2024-03-03"],
            "Produit": ["A", "A", "A"],
            "Ventes": [2, "n/a", 4],
        }
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, startrow=2)
        writer.sheets["Sheet1"].cell(row=1, column=1, value="Ventes par jour")
    detected = load_table(path, "sales", as_of="2025-01-01")
    asked = load_table(path, "sales", as_of="2025-01-01", skip_rows=2)
    for table in (detected, asked):
        assert table.data["y"].tolist() == [2.0, 4.0]
        assert _quarantined_rows(table) == [5]  # title, blank, header, then rows 4-6
    assert any("Ventes par jour" in n for n in detected.report.notes)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Titre", "date;y", "2024-01-01;1,5"], 1),
        (["date;y", "2024-01-01;1,5"], 0),  # a decimal comma is no separator
        (["date,y", "2024-01-01,1.5"], 0),
        (["Ventes, mars", "date;y;id", "2024-01-01;1,5;A"], 1),
        (["", "date,y", "2024-01-01,1"], 0),  # blank lines alone are no title
        (["a", "b", "c", "d", "date;y"], 0),  # too far down to be sure
    ],
)
def test_what_reads_as_a_title(lines: list[str], expected: int) -> None:
    found = title_lines(lines)
    assert (found.count if found else 0) == expected


def test_the_three_tables_build_the_same_ids_from_french_headers(tmp_path: Path) -> None:
    """Batches are read like the other two tables: French headers, product@store ids."""
    sales = _csv(tmp_path, ["Date;Magasin;Produit;Ventes", "01/03/2024;Lyon;Crème;2"], "v.csv")
    stock = _csv(tmp_path, ["Magasin;Produit;Stock", "Lyon;Crème;10"], "s.csv")
    lots = _csv(
        tmp_path,
        [
            "Magasin;Produit;Numéro de lot;Quantité;DLC;Durée de vie (jours)",
            "Lyon;Crème;L-7;4;30/06/2024;90",
        ],
        "l.csv",
    )
    ids = {
        name: load_table(path, name, as_of="2025-01-01").data["unique_id"].tolist()
        for name, path in (("sales", sales), ("inventory", stock), ("batches", lots))
    }
    assert ids["sales"] == ids["inventory"] == ids["batches"] == ["Crème@Lyon"]
    batches = load_table(lots, "batches")
    assert batches.data[["batch_id", "quantity"]].values.tolist() == [["L-7", 4.0]]
    unused = [n for n in batches.report.notes if "not recognised" in n]
    assert unused and "'Durée de vie (jours)'" in unused[0] and "--batches-map" in unused[0]
