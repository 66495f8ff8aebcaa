"""A Parquet sales file validated in parts of whole series gives the whole file's verdicts:
the same accepted rows, the same quarantined rows (with their file row numbers), the same
issues; and the plan made from the parts is the plan made from the whole table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockwise.data.partition import PartSizes, series_blocks, stream_sales
from stockwise.errors import EmptyInputError, InputError, MissingColumnsError
from stockwise.synthetic import generate
from stockwise.workflows.chunked_plan import plan_files_in_chunks
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.validate import validate_sources


@pytest.fixture(scope="module")
def data():
    return generate(n_products=24, n_days=90, seed=11)


def erp_rows(sales: pd.DataFrame) -> pd.DataFrame:
    """The sales as an ERP might export them: keyed by product and store, dates as text,
    a few bad rows of every kind, shuffled."""
    frame = sales.drop(columns="unique_id").copy()
    frame["ds"] = frame["ds"].dt.strftime("%Y-%m-%d")
    frame.loc[frame.index[5], "y"] = -3.0  # negative
    frame.loc[frame.index[40], "ds"] = "31/02/2024"  # not a date
    frame.loc[frame.index[77], "product"] = "   "  # blank key
    frame.loc[frame.index[90], "ds"] = "2999-01-01"  # in the future
    frame.loc[frame.index[120], "store"] = None  # product alone
    duplicate = frame.iloc[[300]]
    frame = pd.concat([frame, duplicate], ignore_index=True)  # a duplicate key
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_parts_give_the_whole_files_verdicts(data, tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    rows = erp_rows(data.sales)
    rows.to_parquet(path, index=False)
    whole = validate_sources(str(path), out_dir=tmp_path / "whole").tables["sales"]
    parted = stream_sales(
        path, tmp_path / "parts", out_dir=tmp_path / "parted", sizes=PartSizes(5, 700)
    )
    assert len(parted.parts) > 4  # several parts, read in several batches
    assert parted.report.summary == whole.report.summary
    assert whole.report.n_quarantined >= 5
    pd.testing.assert_frame_equal(parted.data, whole.data)  # same rows, same order and types
    ids = sorted(parted.series["unique_id"])
    assert ids == sorted(whole.data["unique_id"].unique())
    pd.testing.assert_frame_equal(
        parted.read(ids[3:9]),
        whole.data[whole.data["unique_id"].isin(ids[3:9])].reset_index(drop=True),
    )
    assert parted.max_ds == whole.data["ds"].max()

    def by_row(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(list(frame.columns[:2]), kind="stable").reset_index(drop=True)

    quarantine = pd.read_csv(parted.files["quarantine"])
    pd.testing.assert_frame_equal(
        by_row(quarantine), by_row(pd.read_csv(tmp_path / "whole" / "sales_quarantine.csv"))
    )
    issues = pd.read_csv(parted.files["issues"])
    expected = pd.read_csv(tmp_path / "whole" / "sales_issues.csv")
    columns = ["row", "column", "rule", "severity", "message"]
    pd.testing.assert_frame_equal(by_row(issues[columns]), by_row(expected[columns]))
    negative = int(np.flatnonzero(rows["y"] < 0)[0]) + 1  # rows as the file numbers them
    assert negative in set(quarantine["source_row"])


@pytest.mark.slow
def test_the_plan_from_parts_is_the_plan_from_the_whole_table(data, tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    data.sales.to_parquet(path, index=False)
    config = PlanConfig(models=("SeasonalNaive", "CrostonSBA"), n_windows=1, chunk_size=5)
    streamed, validation = plan_files_in_chunks(
        path, data.inventory, tmp_path / "a", config, batches=data.batches
    )
    whole, _ = plan_files_in_chunks(
        data.sales, data.inventory, tmp_path / "b", config, batches=data.batches
    )
    assert validation.tables["sales"].report.n_accepted == len(data.sales)
    assert not any(p.name.startswith("stockwise-parts-") for p in tmp_path.iterdir())
    pd.testing.assert_frame_equal(streamed.plan, whole.plan)
    pd.testing.assert_frame_equal(streamed.alerts, whole.alerts)
    assert len(streamed.chunks) == len(whole.chunks) == 6
    summary = pd.read_csv(tmp_path / "a" / "validation" / "validation_summary.csv")
    assert summary.set_index("table").loc["sales", "n_accepted"] == len(data.sales)


def test_a_file_without_a_series_key_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    pd.DataFrame({"ds": ["2024-01-01"], "y": [1.0]}).to_parquet(path)
    with pytest.raises(MissingColumnsError, match="unique_id") as caught:
        stream_sales(path, tmp_path / "parts")
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        (pd.DataFrame({"unique_id": pd.Series([], dtype=str)}), EmptyInputError, "no rows"),
        (pd.DataFrame({"unique_id": ["a"], "source_row": [1]}), InputError, "reserved"),
    ],
)
def test_unusable_files_are_refused_with_a_sentence(tmp_path: Path, frame, error, message) -> None:
    path = tmp_path / "sales.parquet"
    frame.to_parquet(path)
    with pytest.raises(error, match=message):
        stream_sales(path, tmp_path / "parts")


def test_blocks_are_sector_pure_sorted_and_near_equal() -> None:
    sector_of = pd.Series(
        ["b", "a", None, "a", "a", "b", "a", "a"],
        index=["z", "y", "x", "w", "v", "u", "t", "s"],
        dtype=object,
    )
    blocks = series_blocks(sector_of, 2)
    assert [(s, list(ids)) for s, ids in blocks] == [
        ("a", ["s", "t"]),
        ("a", ["v", "w"]),
        ("a", ["y"]),
        ("b", ["u", "z"]),
        (None, ["x"]),
    ]
    sizes = [
        len(ids) for _, ids in series_blocks(pd.Series("a", index=[str(i) for i in range(10)]), 4)
    ]
    assert sizes == [4, 3, 3] and np.sum(sizes) == 10


@pytest.mark.slow
def test_parts_validated_on_a_process_pool_are_the_parts_validated_here(
    data, tmp_path: Path
) -> None:
    from stockwise.ports.executors import LocalProcessExecutor

    path = tmp_path / "sales.parquet"
    erp_rows(data.sales).to_parquet(path, index=False)
    here = stream_sales(path, tmp_path / "here", out_dir=tmp_path / "v_here", sizes=PartSizes(4))
    with LocalProcessExecutor(2) as pool:
        there = stream_sales(
            path,
            tmp_path / "there",
            out_dir=tmp_path / "v_there",
            sizes=PartSizes(4),
            map_parts=pool.map,
        )
    assert there.report.summary == here.report.summary and len(there.parts) == len(here.parts)
    pd.testing.assert_frame_equal(there.data, here.data)
    pd.testing.assert_frame_equal(there.series, here.series)
    for name in ("sales_quarantine.csv", "sales_issues.csv"):  # same files, same order
        assert (tmp_path / "v_there" / name).read_text() == (tmp_path / "v_here" / name).read_text()
