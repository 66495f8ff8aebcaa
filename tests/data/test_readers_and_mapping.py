"""Readers detect CSV dialects; mappings turn user headers into canonical names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.data import build_mapping, load_table, parse_map_option, read_table
from stockwise.data.mapping import apply_mapping, normalise, restore_user_names
from stockwise.data.parsing import parse_dates, parse_flags, parse_numbers
from stockwise.errors import InputError, MappingError

FRENCH = (
    "Date;Secteur;Produit;Ventes;Stock\n31/01/2024;pharmacie;Doliprane;1,5;12\n"
    "01/02/2024;pharmacie;Doliprane;2;0\n"
)


def test_french_export_is_understood_without_options(tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    path.write_bytes(FRENCH.encode("cp1252"))
    result = load_table(path, as_of="2025-01-01")
    data = result.data
    assert list(data["y"]) == [1.5, 2.0]
    assert list(data["ds"]) == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01")]
    assert list(data["unique_id"]) == ["Doliprane", "Doliprane"]
    assert list(data["on_hand"]) == [12.0, 0.0]
    assert "separator semicolon, decimal ','" in result.report.notes[0]


def test_explicit_map_from_the_issue_example(tmp_path: Path) -> None:
    path = tmp_path / "erp.csv"
    path.write_text("Jour,Rayon,Art,Qte vendue,Niveau\n2024-01-01,r,A,3,5\n2024-01-02,r,A,4,1\n")
    mapping = parse_map_option("date=Jour,y=Qte vendue,sector=Rayon,product=Art,on_hand=Niveau")
    result = load_table(path, column_map=mapping, as_of="2025-01-01")
    assert result.data["y"].tolist() == [3.0, 4.0]
    assert result.data["sector"].tolist() == ["r", "r"]
    assert result.data["unique_id"].tolist() == ["A", "A"]


def test_map_option_errors_are_explained() -> None:
    with pytest.raises(MappingError, match="no '='"):
        parse_map_option("date")
    with pytest.raises(MappingError, match="not a stockwise column"):
        parse_map_option("dte=Date")
    with pytest.raises(MappingError, match="has no column 'Datum'"):
        build_mapping(["Date", "y"], {"ds": "Datum"})


def test_detection_prefers_exact_names_and_keeps_unknown_columns() -> None:
    mapping = build_mapping(["unique_id", "item_id", "ds", "y", "sell_price", "snap"])
    assert mapping.columns["unique_id"] == "unique_id"
    assert mapping.columns["price"] == "sell_price"
    frame = pd.DataFrame(columns=["unique_id", "item_id", "ds", "y", "sell_price", "snap"])
    mapped = apply_mapping(frame, mapping)
    assert list(mapped.columns) == ["unique_id", "item_id", "ds", "y", "price", "snap"]
    assert list(restore_user_names(mapped, mapping).columns) == list(frame.columns)


def test_normalise_strips_accents_case_and_punctuation() -> None:
    assert normalise("Quantité vendue") == "quantitevendue"
    assert normalise(" Date_Vente ") == "datevente"


def test_product_and_store_build_the_series_id(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("date,product,store,sales\n2024-01-01,A,S1,1\n2024-01-01,A,S2,2\n")
    data = load_table(path, as_of="2025-01-01").data
    assert sorted(data["unique_id"]) == ["A@S1", "A@S2"]


@pytest.mark.parametrize(
    ("text", "sep"),
    [("a;b;c\n1;2;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a|b\n1|2\n", "|"), ("a,b\n1,2\n", ",")],
)
def test_separator_detection(tmp_path: Path, text: str, sep: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(text)
    assert read_table(path).dialect.separator == sep


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    odd = tmp_path / "x.json"
    odd.write_text("{}")
    with pytest.raises(InputError, match="unknown file type"):
        read_table(odd)


def test_duplicate_header_is_structural(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("unique_id,ds,y,y\nA,2024-01-01,1,2\n")
    with pytest.raises(InputError, match="appears twice"):
        read_table(path)


def test_numbers_with_thousands_and_decimal_marks() -> None:
    values = pd.Series(["1 234,5", "1.234,5", "12,5", "7", "", "NaN"])
    parsed, failed = parse_numbers(values, decimal=",")
    assert parsed.tolist()[:4] == [1234.5, 1234.5, 12.5, 7.0]
    assert failed.tolist() == [False] * 6
    parsed, failed = parse_numbers(pd.Series(["1,234.5", "12,5"]), decimal=".")
    assert parsed.iloc[0] == 1234.5 and failed.tolist() == [False, True]


def test_dates_use_one_format_per_column() -> None:
    parsed, failed, used = parse_dates(pd.Series(["03/04/2024", "13/04/2024", "31/12/2024"]))
    assert used == "%d/%m/%Y"
    assert parsed.iloc[0] == pd.Timestamp("2024-04-03") and not failed.any()
    parsed, failed, _ = parse_dates(pd.Series(["2024-01-01", "2024-02-30"]))
    assert failed.tolist() == [False, True]


def test_flags_accept_common_spellings() -> None:
    parsed, failed = parse_flags(pd.Series(["1", "0", "oui", "non", "TRUE", "", "x", "2"]))
    assert parsed.tolist()[:7] == [1, 0, 1, 0, 1, 0, 1]
    assert failed.tolist() == [False] * 7 + [True]


def test_an_entirely_empty_optional_date_column_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "stock.csv"
    path.write_text("unique_id,on_hand,on_order,on_order_due\nA,3,0,\nB,1,0,\n")
    result = load_table(path, "inventory")
    assert result.report.n_accepted == 2
    assert result.data["on_order_due"].isna().all()
