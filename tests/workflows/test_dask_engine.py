"""The Dask engine: a plan on a two-worker local cluster equals the local engine's plan."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stockwise.adapters.distributed import SCHEDULER_ENV, DaskExecutor, open_executor
from stockwise.errors import OptionError
from stockwise.ports.executors import InProcessExecutor, LocalProcessExecutor
from stockwise.synthetic import generate
from stockwise.workflows.chunked_plan import RunHooks, plan_in_chunks
from stockwise.workflows.plan_config import PlanConfig
from stockwise.workflows.plan_outputs import ChunkCollector

pytest.importorskip("distributed", reason="the dask engine needs dask and distributed")


@pytest.mark.slow
def test_a_dask_cluster_plans_500_series_as_the_local_engine_does() -> None:
    data = generate(n_products=500, n_days=90, seed=8)
    config = PlanConfig(models=("SeasonalNaive", "CrostonSBA"), n_windows=1, chunk_size=100)
    plans = {}
    for engine in ("local", "dask"):
        sink = ChunkCollector()
        with open_executor(engine, workers=2) as executor:
            n = plan_in_chunks(
                data.sales,
                data.inventory,
                config,
                sink,
                batches=data.batches,
                hooks=RunHooks(executor),
            )
            with pytest.raises(OptionError, match="unknown model 'NoSuchModel'"):
                plan_in_chunks(
                    data.sales,
                    data.inventory,
                    PlanConfig(models=("NoSuchModel",)),
                    ChunkCollector(),
                    hooks=RunHooks(executor),
                )  # a worker's error
        assert n == 6  # three sectors of about 167 series, two chunks each
        plans[engine] = sink
    local, dask = plans["local"], plans["dask"]
    assert local.plan["unique_id"].nunique() == 500
    for table in ("plan", "alerts", "forecasts", "projection"):
        left, right = local.table(table), dask.table(table)
        keys = [c for c in ("unique_id", "ds", "type") if c in left.columns]
        pd.testing.assert_frame_equal(
            left.sort_values(keys, kind="stable").reset_index(drop=True),
            right.sort_values(keys, kind="stable").reset_index(drop=True),
        )


def test_engines_by_name_and_the_scheduler_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(open_executor("local"), InProcessExecutor)
    assert open_executor("process", workers=3).workers == 3  # type: ignore[attr-defined]
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://scheduler.example:8786")
    assert DaskExecutor().scheduler == "tcp://scheduler.example:8786"
    assert DaskExecutor("tcp://other:8786").scheduler == "tcp://other:8786"
    with pytest.raises(OptionError, match="unknown engine 'spark'; use one of local"):
        open_executor("spark")
    assert isinstance(open_executor("process"), LocalProcessExecutor)


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from stockwise.adapters import distributed

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT_S", 1)
    with (
        pytest.raises(OptionError, match=r"no Dask scheduler answers at tcp://127\.0\.0\.1:9"),
        DaskExecutor("tcp://127.0.0.1:9"),
    ):
        pass


def test_compose_has_a_dask_profile_the_api_can_use() -> None:
    import yaml

    compose = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    )
    services = compose["services"]
    dask = {name: s for name, s in services.items() if "dask" in s.get("profiles", [])}
    assert set(dask) == {"dask-scheduler", "dask-worker-1", "dask-worker-2"}
    assert {s["image"] for s in dask.values()} == {services["api"]["image"]}
    assert all(
        s["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
        for name, s in dask.items()
        if name != "dask-scheduler"
    )
    assert services["api"]["environment"]["STOCKWISE_DASK_SCHEDULER"] == (
        "tcp://dask-scheduler:8786"
    )


def test_compose_builds_one_image_and_publishes_no_unauthenticated_service() -> None:
    import yaml

    compose = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    )
    services = compose["services"]
    built = [name for name, s in services.items() if "build" in s]
    assert built == ["api"]
    image = services["api"]["image"]
    for name, service in services.items():
        if service.get("image") == image and name != "api":
            assert service["pull_policy"] == "never", name  # reuse the api's build
    # the API authenticates its clients; MLflow and the Dask scheduler do not
    assert services["api"]["ports"] == ["8000:8000"]
    assert services["mlflow"]["ports"] == ["127.0.0.1:5000:5000"]
    assert "ports" not in services["dask-scheduler"] and "ports" not in services["db"]
