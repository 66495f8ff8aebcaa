"""Long jobs report their steps as plain data (stockwise.progress): the stage, a count of
its units, the share of the whole job, the part it belongs to; and a report that raises
stops the job at that boundary, writing nothing more."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from stockwise.ports.executors import InProcessExecutor, LocalProcessExecutor
from stockwise.progress import Step, shares, step, within
from stockwise.synthetic import generate
from stockwise.workflows.chunked_plan import RunHooks, plan_in_chunks
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_outputs import ChunkCollector
from stockwise.workflows.sector_forecast import backtest_file, forecast_file

CHEAP = ("SeasonalNaive", "CrostonSBA")


@pytest.fixture(scope="module")
def data() -> SimpleNamespace:
    """Two sectors of unequal size (2 and 4 series), 100 days."""
    two = generate(sectors=("pharmacy",), n_products=2, n_days=100, seed=2)
    four = generate(sectors=("retail",), n_products=4, n_days=100, seed=3)
    return SimpleNamespace(
        **{
            name: pd.concat([getattr(two, name), getattr(four, name)], ignore_index=True)
            for name in ("sales", "inventory", "batches")
        }
    )


class Stop(Exception):
    """What a report raises to stop a job (as the API's cancel does)."""


def _rising(steps: list[Step]) -> None:
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] <= 1


# -- the helpers -------------------------------------------------------------------------
def test_a_part_maps_its_steps_into_its_share_and_names_them() -> None:
    heard: list[Step] = []
    part = within(heard.append, 0.5, 0.9, "sector retail (2 of 2)")
    step(part, "backtesting candidate", 1, 4, span=(0.0, 0.5), item="AutoETS")
    assert heard[0].fraction == pytest.approx(0.5 + 0.4 * 0.125)
    assert heard[0].describe() == "sector retail (2 of 2) · backtesting candidate 2 of 4: AutoETS"
    step(within(part, 0.0, 1.0, "chunk 1 of 3"), "writing", 1, 1)
    assert heard[1].describe() == "sector retail (2 of 2) · chunk 1 of 3 · writing"
    assert heard[1].fraction == pytest.approx(0.9)
    assert within(None, 0, 1, "x") is None
    step(None, "nothing listens", 0, 1)  # no report: nothing to do


def test_shares_follow_the_weights_and_cover_the_whole() -> None:
    assert shares([1, 3]) == [(0.0, 0.25), (0.25, 1.0)]
    assert shares([0, 0]) == [(0.0, 0.5), (0.5, 1.0)]
    assert shares([]) == []


# -- forecast and backtest -----------------------------------------------------------------
def test_forecast_reports_each_sector_stage_candidate_and_fit(data, tmp_path: Path) -> None:
    heard: list[Step] = []
    run = forecast_file(data.sales, tmp_path, progress=heard.append, n_windows=1)
    _rising(heard)
    said = [s.describe() for s in heard]
    assert said[0] == "validating the sales" and said[-1] == "writing the files"
    for index, sector in enumerate(("pharmacy", "retail"), start=1):
        mine = [s for s in heard if s.scope == (f"sector {sector} ({index} of 2)",)]
        stages = list(dict.fromkeys(s.stage for s in mine))
        assert stages[0] == "preparing the series" and "fitting chosen model" in stages
        backtests = [s for s in mine if s.stage == "backtesting candidate"]
        assert [s.done for s in backtests] == list(range(len(backtests)))
        assert {s.total for s in backtests} == {len(backtests)} and len(backtests) >= 2
        tried = set(run.result.metrics.query("sector == @sector")["model"]) - {"Ensemble"}
        assert {s.item for s in backtests} == tried
    pharmacy_end = max(s.fraction for s in heard if "pharmacy" in " ".join(s.scope))
    assert pharmacy_end < 0.4  # 2 of 6 series: about a third of the bar


def test_backtest_reports_each_model_and_scoring(data, tmp_path: Path) -> None:
    heard: list[Step] = []
    backtest_file(data.sales, tmp_path, progress=heard.append, models=["Naive", "SeasonalNaive"])
    _rising(heard)
    said = [s.describe() for s in heard]
    assert "sector retail (2 of 2) · backtesting model 2 of 2: SeasonalNaive" in said
    assert said.count("sector pharmacy (1 of 2) · scoring the models") == 1


def _stop_at(stage: str, heard: list[Step]) -> Callable[[Step], None]:
    def report(step: Step) -> None:
        heard.append(step)
        if step.stage == stage:
            raise Stop(step.describe())

    return report


def test_a_report_that_raises_stops_the_job_before_its_files(data, tmp_path: Path) -> None:
    heard: list[Step] = []
    with pytest.raises(Stop, match="fitting chosen model"):
        forecast_file(
            data.sales, tmp_path, progress=_stop_at("fitting chosen model", heard), n_windows=1
        )
    assert heard[-1].stage == "fitting chosen model" and "sector pharmacy" in heard[-1].scope[0]
    assert not (tmp_path / "forecasts.csv").exists()


# -- the chunked plan ------------------------------------------------------------------------
class ElsewhereExecutor(InProcessExecutor):
    """Runs here, but says it does not: as a process pool or Dask would be seen."""

    runs_here = False

    def map(self, fn, items: Iterable, config) -> Iterator:
        assert fn.__name__ == "plan_chunk"  # nothing that calls back is sent away
        return super().map(fn, items, config)


@pytest.mark.slow
def test_chunks_report_their_stages_when_they_run_here(data) -> None:
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=2)
    heard: list[Step] = []
    plan_in_chunks(
        data.sales,
        data.inventory,
        config,
        ChunkCollector(),
        batches=data.batches,
        hooks=RunHooks(executor=InProcessExecutor(), steps=heard.append),
    )
    _rising(heard)
    done = [s for s in heard if s.stage == "chunks planned"]
    assert [(s.done, s.total) for s in done] == [(1, 3), (2, 3), (3, 3)]
    assert done[-1].fraction == pytest.approx(1.0)
    inside = {s.scope[0] for s in heard if s.scope}
    assert inside == {
        "chunk 1 of 3, sector pharmacy",
        "chunk 2 of 3, sector retail",
        "chunk 3 of 3, sector retail",
    }
    stages = [s.stage for s in heard if s.scope == ("chunk 2 of 3, sector retail",)]
    assert stages[0] == "preparing the sales" and stages[-1] == "building the order list"
    assert "backtesting candidate" in stages


@pytest.mark.slow
def test_chunks_run_elsewhere_report_only_when_done(data) -> None:
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=2)
    heard: list[Step] = []
    plan_in_chunks(
        data.sales,
        data.inventory,
        config,
        ChunkCollector(),
        batches=data.batches,
        hooks=RunHooks(executor=ElsewhereExecutor(), steps=heard.append),
    )
    assert [s.describe() for s in heard] == [f"chunks planned {k} of 3" for k in (1, 2, 3)]
    assert [round(s.fraction, 3) for s in heard] == [0.333, 0.667, 1.0]


def test_a_report_that_raises_stops_the_plan_before_the_next_chunk(data) -> None:
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=2)
    sink = ChunkCollector()
    heard: list[Step] = []
    with pytest.raises(Stop):
        plan_in_chunks(
            data.sales,
            data.inventory,
            config,
            sink,
            batches=data.batches,
            hooks=RunHooks(executor=InProcessExecutor(), steps=_stop_at("chunks planned", heard)),
        )
    assert sum(1 for s in heard if s.stage == "chunks planned") == 1
    assert set(sink.plan["sector"]) == {"pharmacy"}  # the first chunk only


@pytest.mark.slow
def test_a_report_that_raises_stops_a_process_pool_at_a_finished_chunk(data) -> None:
    config = PlanConfig(models=CHEAP, n_windows=1, chunk_size=2)
    heard: list[Step] = []
    with pytest.raises(Stop), LocalProcessExecutor(2) as pool:
        plan_in_chunks(
            data.sales,
            data.inventory,
            config,
            ChunkCollector(),
            batches=data.batches,
            hooks=RunHooks(executor=pool, steps=_stop_at("chunks planned", heard)),
        )
    assert [s.describe() for s in heard] == ["chunks planned 1 of 3"]
