"""The chunked plan: one frozen config, sector-pure chunks in a fixed order, the same plan
on every executor, outputs streamed by sector, progress per chunk."""

from __future__ import annotations

import pickle
import warnings
from dataclasses import FrozenInstanceError
from pathlib import Path

import pandas as pd
import pytest

from stockwise.errors import OptionError
from stockwise.inventory.ranking import priority_tier
from stockwise.ports.executors import InProcessExecutor, LocalProcessExecutor
from stockwise.synthetic import generate
from stockwise.workflows import plan_outputs
from stockwise.workflows.chunked_plan import (
    ChunkProgress,
    RunHooks,
    plan_chunk,
    plan_in_chunks,
    split_chunks,
)
from stockwise.workflows.plan import plan_inventory
from stockwise.workflows.plan_config import PlanConfig, as_model_names, plan_inventory_with
from stockwise.workflows.plan_outputs import ChunkCollector, PlanWriter

CHEAP = ("SeasonalNaive", "CrostonSBA")


@pytest.fixture(scope="module")
def data():
    """Three sectors, 24 series, 120 days (with stockouts, batches and prices)."""
    return generate(n_products=24, n_days=120, seed=5)


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("unique_id", kind="stable").reset_index(drop=True)


def collect(data, config: PlanConfig, executor=None, progress=None) -> ChunkCollector:
    sink = ChunkCollector()
    plan_in_chunks(
        data.sales,
        data.inventory,
        config,
        sink,
        batches=data.batches,
        hooks=RunHooks(executor=executor, progress=progress),
    )
    return sink


# -- the config ------------------------------------------------------------------------------
def test_config_is_frozen_picklable_and_normalised() -> None:
    config = PlanConfig(
        models=["Naive", "TSB"],
        extra_dirs=(Path("/x"),),
        today="2024-05-01",
        exog=["promo"],
        chunk_size=500,
    )
    assert config.models == ("Naive", "TSB") and config.extra_dirs == ("/x",)
    assert config.exog == ("promo",) and config.today == "2024-05-01T00:00:00"
    assert pickle.loads(pickle.dumps(config)) == config
    with pytest.raises(FrozenInstanceError):
        config.seed = 3  # type: ignore[misc]
    assert "chunk_size" not in config.plan_kwargs()
    # the chunk size, the budget (of the joined list), the files' form and language are
    # not a chunk's
    assert set(config.plan_kwargs()) | {"chunk_size", "budget", "csv_format", "lang"} == set(
        vars(config)
    )
    assert as_model_names("auto") == "auto" and as_model_names("A, B") == ("A", "B")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"policy": "magic"}, "unknown policy 'magic'"),
        ({"target": "happiness"}, "unknown target 'happiness'"),
        ({"chunk_size": 0}, "chunk_size must be at least 1"),
        ({"today": "not a day"}, "is not a date"),
        ({"colour": "red"}, "unknown plan option(s) ['colour']"),
    ],
)
def test_config_refuses_bad_options_with_a_sentence(options: dict, message: str) -> None:
    with pytest.raises(
        OptionError,
        match=message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("[", r"\[")
        .replace("]", r"\]"),
    ):
        PlanConfig.from_options(options)


def test_config_reads_the_former_drivers_name_with_a_warning_and_the_persons_word() -> None:
    with pytest.warns(FutureWarning, match="exog"):
        old = PlanConfig(drivers=("promo",))
    assert old == PlanConfig(exog=("promo",)) and "drivers" not in old.plan_kwargs()
    with pytest.warns(FutureWarning):
        assert PlanConfig.from_options({"drivers": ["price"]}).exog == ("price",)
    with pytest.raises(OptionError, match="give one"), pytest.warns(FutureWarning):
        PlanConfig(exog=("promo",), drivers=("price",))
    # "drivers" is the word of the command line and the API: read without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert PlanConfig.from_request({"drivers": "promo, price,promo"}).exog == (
            "promo",
            "price",
        )


def test_plan_inventory_with_a_config_is_plan_inventory(data) -> None:
    sales = data.sales[data.sales["sector"] == "pharmacy"]
    config = PlanConfig(models=CHEAP, n_windows=1, seed=4)
    timings: dict = {}
    run = plan_inventory_with(sales, data.inventory, config, batches=data.batches, timings=timings)
    same = plan_inventory(
        sales, data.inventory, batches=data.batches, models=CHEAP, n_windows=1, seed=4
    )
    pd.testing.assert_frame_equal(run.plan.plan, same.plan.plan)
    assert set(timings) == {"prepare", "censoring", "forecast", "plan"}
    assert all(t.wall_s >= 0 and t.cpu_s >= 0 for t in timings.values())


# -- the chunks ------------------------------------------------------------------------------
def test_chunks_are_sector_pure_balanced_and_independent_of_row_order(data) -> None:
    config = PlanConfig(chunk_size=3)
    chunks = split_chunks(data.sales, data.inventory, config, batches=data.batches)
    shuffled = data.sales.sample(frac=1.0, random_state=1)
    again = split_chunks(shuffled, data.inventory.iloc[::-1], config, batches=data.batches)
    assert [(s.sector, s.ids) for s in chunks.specs] == [(s.sector, s.ids) for s in again.specs]
    sectors = [s.sector for s in chunks.specs]
    assert sectors == sorted(sectors)  # sector by sector, in name order
    assert [len(s.ids) for s in chunks.specs] == [3, 3, 2] * 3  # 8 a sector: 3 + 3 + 2
    assert [s.keep_models for s in chunks.specs] == [True, False, False] * 3
    seen = []
    for chunk in chunks:
        assert chunk.sales["sector"].nunique() == 1 == chunk.inventory["sector"].nunique()
        ids = set(chunk.sales["unique_id"])
        assert set(chunk.inventory["unique_id"]) == ids
        assert set(chunk.batches["unique_id"]) <= ids
        seen.extend(ids)
    assert sorted(seen) == sorted(data.sales["unique_id"].unique())


def test_chunk_size_of_at_least_the_panel_is_todays_plan(data) -> None:
    pharmacy = data.sales[data.sales["sector"] == "pharmacy"]
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=10_000)
    today = plan_inventory_with(pharmacy, data.inventory, config, batches=data.batches)
    chunked = ChunkCollector()
    assert plan_in_chunks(pharmacy, data.inventory, config, chunked, batches=data.batches) == 1
    pd.testing.assert_frame_equal(by_id(chunked.plan), by_id(today.plan.plan))
    pd.testing.assert_frame_equal(chunked.alerts, today.plan.alerts)
    pd.testing.assert_frame_equal(chunked.table("forecasts"), today.forecasts.forecasts)
    pd.testing.assert_frame_equal(chunked.table("projection"), today.plan.projection)


@pytest.mark.slow
def test_each_sector_in_one_chunk_plans_as_that_sector_alone(data) -> None:
    """Several sectors: one chunk each, each exactly ``plan_inventory`` of its sector."""
    config = PlanConfig(models=CHEAP, n_windows=1)
    chunked = collect(data, config)
    alone = pd.concat(
        [
            plan_inventory_with(
                rows, data.inventory, config.with_today(data.sales), batches=data.batches
            ).plan.plan
            for _, rows in data.sales.groupby("sector")
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(by_id(chunked.plan), by_id(alone))


@pytest.mark.slow
def test_the_process_pool_gives_the_in_process_plan_and_progress_counts_up(data) -> None:
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=5)
    heard: list[ChunkProgress] = []
    here = collect(data, config, InProcessExecutor(), heard.append)
    assert [p.done for p in heard] == list(range(1, 7)) and {p.total for p in heard} == {6}
    assert sorted(p.index for p in heard) == list(range(6))
    with LocalProcessExecutor(2) as pool:
        there = collect(data, config, pool)
    pd.testing.assert_frame_equal(by_id(there.plan), by_id(here.plan))
    pd.testing.assert_frame_equal(there.table("forecasts"), here.table("forecasts"))
    pd.testing.assert_frame_equal(there.alerts, here.alerts)


@pytest.mark.slow
def test_a_failing_chunk_fails_the_run_with_its_error(data) -> None:
    config = PlanConfig(models=("NoSuchModel",), chunk_size=5)
    with LocalProcessExecutor(2) as pool, pytest.raises(OptionError, match="NoSuchModel"):
        collect(data, config, pool)


def test_plan_chunk_reports_stage_timings_and_tables(data) -> None:
    chunk = next(
        iter(
            split_chunks(data.sales, data.inventory, PlanConfig(chunk_size=4), batches=data.batches)
        )
    )
    result = plan_chunk(chunk, PlanConfig(models=CHEAP, n_windows=1).with_today(data.sales))
    assert result.index == 0 and result.sector == "luxury" and result.n_series == 4
    assert {"plan", "alerts", "projection", "forecasts", "selection"} <= set(result.tables)
    assert list(result.timings) == ["prepare", "censoring", "forecast", "plan"]
    assert result.models  # the first chunk of a sector brings its fits (for tracking)


# -- the outputs -----------------------------------------------------------------------------
@pytest.mark.slow
def test_the_writer_streams_parquet_by_sector_and_writes_the_order_list(
    data, tmp_path: Path
) -> None:
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=4)
    stale = tmp_path / "forecasts" / "sector=gone"
    stale.mkdir(parents=True)
    (stale / "part-00099.parquet").write_bytes(b"old run")
    writer = PlanWriter(tmp_path, n_series=24)
    plan_in_chunks(data.sales, data.inventory, config, writer, batches=data.batches)
    files = writer.finish()
    parts = sorted(
        p.relative_to(tmp_path).as_posix() for p in (tmp_path / "forecasts").rglob("*.parquet")
    )
    assert parts == [
        f"forecasts/sector={s}/part-{i:05d}.parquet"
        for i, s in enumerate(["luxury"] * 2 + ["pharmacy"] * 2 + ["retail"] * 2)
    ]
    forecasts = pd.read_parquet(tmp_path / "forecasts")
    assert len(forecasts) == len(pd.read_csv(files["forecasts"]))  # small run: CSV too
    assert set(forecasts["sector"].astype(str)) == {"luxury", "pharmacy", "retail"}
    plan = pd.read_csv(files["plan"])
    assert len(plan) == 24 and (tmp_path / "plan.xlsx").exists()
    assert priority_tier(plan).is_monotonic_increasing  # worst first, across chunks
    chunks = pd.read_csv(files["chunks"])
    assert chunks["series"].sum() == 24 and (chunks["forecast_cpu_s"] > 0).all()


@pytest.mark.slow
def test_a_large_run_keeps_the_big_tables_in_parquet_only(
    data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_outputs, "CSV_MAX_SERIES", 10)
    (tmp_path / "forecasts.csv").write_text("stale\n")
    returned: list[set[str]] = []

    class Watching(PlanWriter):
        def write(self, result) -> None:
            returned.append(set(result.tables))
            super().write(result)

    writer = Watching(tmp_path, n_series=24)
    with LocalProcessExecutor(2) as pool:
        plan_in_chunks(
            data.sales,
            data.inventory,
            PlanConfig(models=CHEAP, n_windows=1),
            writer,
            batches=data.batches,
            hooks=RunHooks(executor=pool),
        )
    files = writer.finish()
    # the workers wrote the big tables themselves: only the per-product ones came back
    assert returned and all(names <= {"plan", "alerts"} for names in returned)
    assert not (tmp_path / "forecasts.csv").exists() and "forecasts" not in files
    assert {"plan", "alerts", "plan_xlsx", "forecasts_parquet"} <= set(files)
    assert writer.table("selection")["unique_id"].nunique() == 24  # read back for tracking


def test_a_table_without_a_sector_column_makes_one_chunk_of_every_series() -> None:
    from stockwise.workflows.chunked_plan import split_chunks

    sales = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b"],
            "ds": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01"]),
            "y": [1.0, 2.0, 3.0],
        }
    )
    stock = pd.DataFrame({"unique_id": ["a", "b"], "on_hand": [1.0, 2.0]})
    chunks = split_chunks(sales, stock, PlanConfig(chunk_size=10))
    assert [(spec.sector, spec.ids) for spec in chunks.specs] == [(None, ("a", "b"))]
