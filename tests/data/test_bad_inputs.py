"""The bad-input catalogue: each case names the exact row and column, and N = A + Q holds.

Row numbers are those a user sees: in CSV and Excel the header is row 1, so the first
data row is row 2; Parquet rows count from 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from stockwise.data import load_table
from stockwise.errors import EmptyInputError, MissingColumnsError, NothingUsableError

AS_OF = "2025-06-30"
GOOD = "unique_id,ds,y\n"


@dataclass(frozen=True)
class Case:
    name: str
    content: str
    row: int | None
    column: str | None
    rule: str
    quarantined: int = 1
    table: str = "sales"
    encoding: str = "utf-8"


def _daily(uid: str, n: int, start: str = "2024-01-01", y: str = "1") -> str:
    days = pd.date_range(start, periods=n, freq="D")
    return "".join(f"{uid},{d.date()},{y}\n" for d in days)


CASES = [
    Case("negative quantity", GOOD + "A,2024-01-01,3\nA,2024-01-02,-2\n", 3, "y", "negative"),
    Case("text quantity", GOOD + "A,2024-01-01,3\nA,2024-01-02,abc\n", 3, "y", "non_numeric"),
    Case("empty quantity", GOOD + "A,2024-01-01,\nA,2024-01-02,4\n", 2, "y", "missing_value"),
    Case("NaN quantity", GOOD + "A,2024-01-01,4\nA,2024-01-02,NaN\n", 3, "y", "missing_value"),
    Case("infinite quantity", GOOD + "A,2024-01-01,inf\nA,2024-01-02,4\n", 2, "y", "non_numeric"),
    Case("impossible date", GOOD + "A,2024-01-01,1\nA,2024-13-45,1\n", 3, "ds", "unparseable_date"),
    Case("text date", GOOD + "A,yesterday,1\nA,2024-01-02,1\n", 2, "ds", "unparseable_date"),
    Case("empty date", GOOD + "A,2024-01-01,1\nA,,1\n", 3, "ds", "missing_value"),
    Case("empty id", GOOD + "A,2024-01-01,1\n,2024-01-02,1\n", 3, "unique_id", "missing_value"),
    Case(
        "duplicate id and date",
        GOOD + "A,2024-01-01,1\nA,2024-01-02,2\nA,2024-01-01,5\n",
        4,
        "ds",
        "duplicate_key",
    ),
    Case("future date", GOOD + "A,2024-01-01,1\nA,2031-01-01,1\n", 3, "ds", "future_date"),
    Case("blank line", GOOD + "A,2024-01-01,1\n,,\nA,2024-01-02,1\n", 3, None, "blank_row"),
    Case(
        "mid-month row in a monthly series",
        GOOD + "".join(f"M,2024-{m:02d}-01,5\n" for m in range(1, 7)) + "M,2024-03-17,2\n",
        8,
        "ds",
        "mixed_frequency",
    ),
    Case(
        "off-weekday row in a weekly series",
        GOOD
        + "".join(f"W,{d.date()},5\n" for d in pd.date_range("2024-01-01", periods=8, freq="7D"))
        + "W,2024-01-10,3\n",
        10,
        "ds",
        "mixed_frequency",
    ),
    Case(
        "negative price",
        "unique_id,ds,y,price\nA,2024-01-01,1,2.5\nA,2024-01-02,1,-1\n",
        3,
        "price",
        "negative",
    ),
    Case(
        "text price",
        "unique_id,ds,y,price\nA,2024-01-01,1,cheap\nA,2024-01-02,1,2\n",
        2,
        "price",
        "non_numeric",
    ),
    Case(
        "bad promo flag",
        "unique_id,ds,y,promo\nA,2024-01-01,1,0\nA,2024-01-02,1,maybe\n",
        3,
        "promo",
        "not_a_flag",
    ),
    Case(
        "negative stock",
        "unique_id,ds,y,on_hand\nA,2024-01-01,1,4\nA,2024-01-02,1,-3\n",
        3,
        "on_hand",
        "negative",
    ),
    Case(
        "text stock",
        "unique_id,ds,y,on_hand\nA,2024-01-01,1,lots\nA,2024-01-02,1,3\n",
        2,
        "on_hand",
        "non_numeric",
    ),
    Case(
        "French export, decimal comma, bad cell",
        "Date;Produit;Ventes\n01/02/2024;A;1,5\n02/02/2024;A;1.234,5\n03/02/2024;A;12,5,3\n",
        4,
        "Ventes",
        "non_numeric",
    ),
    Case(
        "Latin-1 file with accented header",
        "Date;Référence;Qté\n01/02/2024;A;1\n02/02/2024;A;-4\n",
        3,
        "Qté",
        "negative",
        encoding="latin-1",
    ),
    Case(
        "UTF-8 with BOM",
        "\ufeffunique_id,ds,y\nA,2024-01-01,1\nA,2024-01-02,x\n",
        3,
        "y",
        "non_numeric",
        encoding="utf-8",
    ),
    Case(
        "tab separated",
        "unique_id\tds\ty\nA\t2024-01-01\t1\nA\t2024-01-02\t-1\n",
        3,
        "y",
        "negative",
    ),
    Case(
        "inventory negative on hand",
        "unique_id,on_hand\nA,3\nB,-1\n",
        3,
        "on_hand",
        "negative",
        table="inventory",
    ),
    Case(
        "inventory duplicate product",
        "unique_id,on_hand\nA,3\nB,1\nA,4\n",
        4,
        "unique_id",
        "duplicate_key",
        table="inventory",
    ),
    Case(
        "inventory zero lead time",
        "unique_id,on_hand,lead_time_days\nA,3,5\nB,1,0\n",
        3,
        "lead_time_days",
        "not_positive",
        table="inventory",
    ),
    Case(
        "inventory text pack size",
        "unique_id,on_hand,pack_size\nA,3,six\nB,1,6\n",
        2,
        "pack_size",
        "non_numeric",
        table="inventory",
    ),
    Case(
        "inventory bad due date",
        "unique_id,on_hand,on_order,on_order_due\nA,3,10,2025-07-04\nB,1,5,soon\n",
        3,
        "on_order_due",
        "unparseable_date",
        table="inventory",
    ),
    Case(
        "inventory missing stock",
        "unique_id,on_hand\nA,\nB,1\n",
        2,
        "on_hand",
        "missing_value",
        table="inventory",
    ),
    Case(
        "batch without expiry",
        "unique_id,batch_id,quantity,expiry_date\nA,L1,10,2025-09-01\nA,L2,5,\n",
        3,
        "expiry_date",
        "missing_value",
        table="batches",
    ),
    Case(
        "batch negative quantity",
        "unique_id,batch_id,quantity,expiry_date\nA,L1,-10,2025-09-01\nA,L2,5,2025-10-01\n",
        2,
        "quantity",
        "negative",
        table="batches",
    ),
    # Hostile or unusual files (issue 17): formula-looking ids, UTF-16, timestamps, …
    Case(
        "formula-looking id, bad quantity",
        GOOD + "=1+1,2024-01-01,1\n@SUM(1),2024-01-02,x\n",
        3,
        "y",
        "non_numeric",
    ),
    Case(
        "UTF-16 with BOM",
        "unique_id;ds;y\nA;2024-01-01;1\nA;2024-01-02;-5\n",
        3,
        "y",
        "negative",
        encoding="utf-16",
    ),
    Case(
        "UTF-16-LE with BOM, bad date",
        "\ufeffunique_id,ds,y\nA,2024-01-01,1\nA,2024-02-31,1\n",
        3,
        "ds",
        "unparseable_date",
        encoding="utf-16-le",
    ),
    Case(
        "two timestamps on one local day",
        GOOD + "A,2024-01-01T08:00:00+01:00,1\nA,2024-01-01T17:00:00+01:00,2\n",
        3,
        "ds",
        "duplicate_key",
    ),
    Case(
        "timestamp with time, bad quantity",
        GOOD + "A,2024-01-01 08:00,1\nA,2024-01-02 09:30,lots\n",
        3,
        "y",
        "non_numeric",
    ),
    Case(
        "Windows line endings",
        "unique_id,ds,y\r\nA,2024-01-01,1\r\nA,2024-01-02,-1\r\n",
        3,
        "y",
        "negative",
    ),
    Case(
        "semicolon separated, bad date",
        "unique_id;ds;y\nA;2024-01-01;1\nA;2024-01-32;1\n",
        3,
        "ds",
        "unparseable_date",
    ),
    Case(
        "pipe separated, negative",
        "unique_id|ds|y\nA|2024-01-01|1\nA|2024-01-02|-7\n",
        3,
        "y",
        "negative",
    ),
    Case(
        "quantity with two decimal points",
        GOOD + "A,2024-01-01,1.2.3\nA,2024-01-02,1\n",
        2,
        "y",
        "non_numeric",
    ),
    Case(
        "quantity with a doubled sign",
        GOOD + "A,2024-01-01,1\nA,2024-01-02,--1\n",
        3,
        "y",
        "non_numeric",
    ),
    Case(
        "quantity overflowing to infinity",
        GOOD + "A,2024-01-01,1e400\nA,2024-01-02,1\n",
        2,
        "y",
        "non_numeric",
    ),
    Case("30 February", GOOD + "A,2024-01-01,1\nA,2024-02-30,1\n", 3, "ds", "unparseable_date"),
    Case("zero date", GOOD + "A,2024-01-01,1\nA,0000-00-00,1\n", 3, "ds", "unparseable_date"),
    Case(
        "mixed date formats",
        GOOD + "A,2024-01-01,1\nA,2024-01-02,1\nA,03/01/2024,1\n",
        4,
        "ds",
        "unparseable_date",
    ),
    Case(
        "blank id (spaces)",
        GOOD + "A,2024-01-01,1\n   ,2024-01-02,1\n",
        3,
        "unique_id",
        "missing_value",
    ),
    Case("#N/A id", GOOD + "A,2024-01-01,1\n#N/A,2024-01-02,1\n", 3, "unique_id", "missing_value"),
    Case(
        "#VALUE! quantity", GOOD + "A,2024-01-01,#VALUE!\nA,2024-01-02,1\n", 2, "y", "missing_value"
    ),
    Case(
        "promo flag 2",
        "unique_id,ds,y,promo\nA,2024-01-01,1,2\nA,2024-01-02,1,0\n",
        2,
        "promo",
        "not_a_flag",
    ),
    Case(
        "price with a currency word",
        "unique_id,ds,y,price\nA,2024-01-01,1,12 EUR\nA,2024-01-02,1,3\n",
        2,
        "price",
        "non_numeric",
    ),
    Case(
        "one day in the future", GOOD + "A,2025-06-29,1\nA,2025-07-01,1\n", 3, "ds", "future_date"
    ),
    Case(
        "inventory text on order",
        "unique_id,on_hand,on_order\nA,3,some\nB,1,0\n",
        2,
        "on_order",
        "non_numeric",
        table="inventory",
    ),
    Case(
        "inventory negative MOQ",
        "unique_id,on_hand,moq\nA,3,10\nB,1,-5\n",
        3,
        "moq",
        "negative",
        table="inventory",
    ),
    Case(
        "inventory text unit cost",
        "unique_id,on_hand,unit_cost\nA,3,cheap\nB,1,2.5\n",
        2,
        "unit_cost",
        "non_numeric",
        table="inventory",
    ),
    Case(
        "inventory zero shelf life",
        "unique_id,on_hand,shelf_life_days\nA,3,30\nB,1,0\n",
        3,
        "shelf_life_days",
        "not_positive",
        table="inventory",
    ),
    Case(
        "inventory negative lead-time spread",
        "unique_id,on_hand,lead_time_std_days\nA,3,1\nB,1,-2\n",
        3,
        "lead_time_std_days",
        "negative",
        table="inventory",
    ),
    Case(
        "inventory formula-looking id, bad stock",
        "unique_id,on_hand\n=cmd|'/c calc'!A1,3\n+1+1,x\n",
        3,
        "on_hand",
        "non_numeric",
        table="inventory",
    ),
    Case(
        "batch text expiry",
        "unique_id,batch_id,quantity,expiry_date\nA,L1,10,2025-09-01\nA,L2,5,later\n",
        3,
        "expiry_date",
        "unparseable_date",
        table="batches",
    ),
    Case(
        "batch duplicate",
        "unique_id,batch_id,quantity,expiry_date\nA,L1,10,2025-09-01\nA,L1,5,2025-10-01\n",
        3,
        "batch_id",
        "duplicate_key",
        table="batches",
    ),
    Case(
        "batch text quantity",
        "unique_id,batch_id,quantity,expiry_date\nA,L1,ten,2025-09-01\nA,L2,5,2025-10-01\n",
        2,
        "quantity",
        "non_numeric",
        table="batches",
    ),
    Case(
        "batch without id",
        "unique_id,batch_id,quantity,expiry_date\nA,,10,2025-09-01\nA,L2,5,2025-10-01\n",
        2,
        "batch_id",
        "missing_value",
        table="batches",
    ),
]


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / "input.csv"
    path.write_bytes(case.content.encode(case.encoding))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue_names_row_and_column(tmp_path: Path, case: Case) -> None:
    result = (
        load_table(_write(tmp_path, case), case.table, as_of=AS_OF)
        if case.table == "sales"
        else load_table(_write(tmp_path, case), case.table)
    )
    report = result.report
    hits = report.errors[report.errors["rule"] == case.rule]
    assert len(hits) == 1, report.issues.to_string()
    hit = hits.iloc[0]
    assert hit["row"] == case.row
    if case.column is None:
        assert pd.isna(hit["column"])
    else:
        assert hit["column"] == case.column
    assert hit["source"] == str(tmp_path / "input.csv")
    n_lines = len(case.content.lstrip("\ufeff").splitlines()) - 1
    assert report.n_read == n_lines
    assert report.n_quarantined == case.quarantined
    assert report.n_read == report.n_accepted + report.n_quarantined
    assert len(result.data) == report.n_accepted and len(result.quarantine) == case.quarantined
    assert result.quarantine["source_row"].tolist() == [case.row]
    assert case.rule in result.quarantine["reasons"].iloc[0]


def test_several_problems_in_one_row_are_all_reported_once_counted(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("unique_id,ds,y,price\nA,2024-01-01,1,1\nA,someday,-3,free\n")
    result = load_table(path, as_of=AS_OF)
    rules = set(result.report.errors["rule"])
    assert rules == {"unparseable_date", "negative", "non_numeric"}
    assert set(result.report.errors["row"]) == {3}
    assert result.report.n_quarantined == 1 and result.report.n_accepted == 1


def test_excel_rows_are_numbered_as_in_excel(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    pd.DataFrame(
        {
            "Date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "Produit": ["A", "A", "A"],
            "Ventes": [1, "beaucoup", 2],
        }
    ).to_excel(path, index=False)
    result = load_table(path, as_of=AS_OF)
    hit = result.report.errors.iloc[0]
    assert (hit["row"], hit["column"], hit["rule"]) == (3, "Ventes", "non_numeric")
    assert result.report.summary == "3 rows read, 2 accepted, 1 quarantined"


def test_parquet_rows_count_from_one(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    pd.DataFrame(
        {
            "unique_id": ["A"] * 3,
            "ds": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "y": [1.0, -5.0, 2.0],
        }
    ).to_parquet(path)
    hit = load_table(path, as_of=AS_OF).report.errors.iloc[0]
    assert (hit["row"], hit["column"], hit["rule"]) == (2, "y", "negative")


def test_missing_required_column_is_structural(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("unique_id,when,y\nA,2024-01-01,1\n")
    with pytest.raises(MissingColumnsError) as info:
        load_table(path)
    assert info.value.missing == ["ds"]
    assert "'when'" in str(info.value) and "--map" in str(info.value)


@pytest.mark.parametrize("content", ["", "unique_id,ds,y\n", "\n\n"])
def test_empty_files_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text(content)
    with pytest.raises(EmptyInputError) as info:
        load_table(path)
    assert str(path) in str(info.value)


def test_all_rows_rejected_stops_with_first_problems(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("unique_id,ds,y\nA,2024-01-01,-1\nB,2024-01-01,x\n")
    result = load_table(path, as_of=AS_OF)
    assert result.report.n_quarantined == 2
    with pytest.raises(NothingUsableError) as info:
        result.require_usable()
    assert "row 2" in str(info.value) and "'y'" in str(info.value)


def test_gaps_are_not_mixed_frequency(tmp_path: Path) -> None:
    # A sparse daily export (only days with sales) and a long gap stay valid.
    days = ["2024-01-01", "2024-01-04", "2024-01-05", "2024-03-01", "2024-03-09"]
    path = tmp_path / "s.csv"
    path.write_text(GOOD + "".join(f"A,{d},1\n" for d in days) + _daily("B", 10))
    result = load_table(path, as_of=AS_OF)
    assert result.report.n_quarantined == 0
    assert result.report.frequency == "D"
