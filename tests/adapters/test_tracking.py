"""Experiment tracking: a tracked run round-trips through a temporary SQLite MLflow store.

One module-scoped run (two sectors, cheap models) is logged with ``track_run``; the tests
read it back with ``mlflow.MlflowClient``, reload its models with
``mlflow.pyfunc.load_model`` and list it with ``stockwise runs``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

mlflow = pytest.importorskip("mlflow", reason="mlflow is not installed")

import typer  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from stockwise.adapters.mlflow_models import (  # noqa: E402
    TRAINING_DATA,
    build_forecaster,
    forecaster_spec,
)
from stockwise.adapters.tracking import (  # noqa: E402
    MlflowTracker,
    NullTracker,
    open_tracker,
    resolve_tracking_uri,
)
from stockwise.cli import runs_command  # noqa: E402
from stockwise.data.prepare import prepare_sales  # noqa: E402
from stockwise.models.registry import with_fallback  # noqa: E402
from stockwise.synthetic import generate  # noqa: E402
from stockwise.workflows.sector_forecast import forecast_sectors  # noqa: E402
from stockwise.workflows.tracking import (  # noqa: E402
    RUN_LOG,
    SectorChoice,
    Tracker,
    champions,
    data_fingerprint,
    run_log,
    track_run,
)

H = 7
LEVELS = (80, 95)
MODELS = ["AutoETS", "WindowAverage"]
OPTIONS = {"horizon": H, "models": MODELS, "levels": LEVELS, "n_windows": 1, "sector": None}


class Logged:
    """What the module's tracked run produced."""

    def __init__(
        self,
        tracker: MlflowTracker,
        run_id: str,
        sales: pd.DataFrame,
        fitted: dict[str, dict[str, object]],
        best: dict[str, str],
    ) -> None:
        self.tracker, self.run_id, self.sales = tracker, run_id, sales
        self.fitted, self.best = fitted, best
        self.client = mlflow.MlflowClient(tracker.tracking_uri)


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Logged:
    root = tmp_path_factory.mktemp("tracking")
    data = generate(sectors=("retail", "pharmacy"), n_products=4, n_days=120, seed=3)
    sales = data.sales
    result = forecast_sectors(sales, horizon=H, models=MODELS, levels=LEVELS, n_windows=1)
    best = champions(result.metrics, result.selection)
    prepared = prepare_sales(sales[["unique_id", "ds", "y", "sector"]], freq="D")
    fitted = {
        sector: {
            model: with_fallback(model, 7, "D").fit(
                prepared.loc[prepared["sector"] == sector, ["unique_id", "ds", "y"]]
            )
        }
        for sector, model in best.items()
    }
    out = root / "out"
    out.mkdir()
    files = {}
    for name in ("forecasts", "selection"):
        files[name] = out / f"{name}.csv"
        getattr(result, name).to_csv(files[name], index=False)
    tracker = MlflowTracker(data_dir=root / "store")
    with (
        run_log(out, tracker),
        tracker.start_run("forecast", {"stockwise.kind": "forecast"}) as run_id,
    ):
        logging.getLogger("stockwise.tests").warning("inside the run")
        track_run(
            tracker,
            "forecast",
            sales=sales,
            options=OPTIONS,
            metrics=result.metrics,
            out_dir=out,
            files=files,
            chosen=SectorChoice(
                selection=result.selection,
                models=fitted,
                horizons=dict.fromkeys(best, H),
                levels=dict.fromkeys(best, LEVELS),
            ),
        )
    assert run_id is not None
    return Logged(tracker, run_id, sales, fitted, best)


@pytest.fixture
def as_default(logged: Logged) -> Iterator[None]:
    """MLflow's global API (``models:/`` URIs) pointed at the test store."""
    with logged.tracker.as_default():
        yield


@pytest.mark.slow
def test_the_store_is_sqlite_in_the_data_dir(logged: Logged) -> None:
    store = Path(logged.tracker.tracking_uri.removeprefix("sqlite:///")).parent
    assert (store / "mlflow.db").is_file()
    artifacts = Path(logged.client.get_run(logged.run_id).info.artifact_uri.removeprefix("file://"))
    assert artifacts.is_relative_to(store / "mlartifacts") and artifacts.is_dir()


@pytest.mark.slow
def test_params_metrics_and_artifacts_read_back(logged: Logged) -> None:
    run = logged.client.get_run(logged.run_id)
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert params["horizon"] == "7" and params["models"] == "AutoETS,WindowAverage"
    assert params["levels"] == "80,95" and params["n_windows"] == "1"
    assert params["sector"] == "default" and params["sectors"] == "pharmacy,retail"
    assert params["data_fingerprint"] == data_fingerprint(logged.sales)
    metrics = run.data.metrics
    for sector in ("retail", "pharmacy"):
        for model in MODELS:
            assert f"{sector}.{model}.mase" in metrics
            assert f"{sector}.{model}.wape" in metrics
        assert f"{sector}.champion.mase" in metrics and f"{sector}.selected.mase" in metrics
    assert run.data.tags["stockwise.kind"] == "forecast"
    assert {k: v for k, v in run.data.tags.items() if k.startswith("stockwise.champion.")} == {
        f"stockwise.champion.{s}": m for s, m in logged.best.items()
    }
    names = {a.path for a in logged.client.list_artifacts(logged.run_id)}
    assert {"forecasts.csv", "selection.csv", RUN_LOG} <= names
    local = Path(logged.client.download_artifacts(logged.run_id, "forecasts.csv"))
    assert len(pd.read_csv(local)) == 4 * H


@pytest.mark.slow
def test_run_log_lines_carry_the_run_id(logged: Logged) -> None:
    local = Path(logged.client.download_artifacts(logged.run_id, RUN_LOG))
    line = next(x for x in local.read_text().splitlines() if "inside the run" in x)
    assert f"[run {logged.run_id}]" in line


@pytest.mark.usefixtures("as_default")
@pytest.mark.parametrize("sector", ["retail", "pharmacy"])
@pytest.mark.slow
def test_champion_reloads_and_predicts_identically(logged: Logged, sector: str) -> None:
    model = logged.fitted[sector][logged.best[sector]]
    version = logged.client.get_model_version_by_alias(f"stockwise-{sector}", "champion")
    assert str(version.version) == "1" and version.run_id == logged.run_id
    reloaded = mlflow.pyfunc.load_model(f"models:/stockwise-{sector}@champion")
    pd.testing.assert_frame_equal(
        reloaded.predict(pd.DataFrame({"h": [H]})), model.predict(H, levels=LEVELS)
    )
    one = model.fitted_ids_[0]
    request = pd.DataFrame({"unique_id": [one], "h": [3]})
    expected = model.predict(3, levels=LEVELS)
    pd.testing.assert_frame_equal(
        reloaded.predict(request), expected[expected["unique_id"] == one].reset_index(drop=True)
    )


@pytest.mark.usefixtures("as_default")
@pytest.mark.slow
def test_model_is_saved_as_parameters_and_declared_training_data(logged: Logged) -> None:
    sector = "retail"
    uri = f"models:/stockwise-{sector}@champion"
    local = Path(mlflow.artifacts.download_artifacts(uri))
    assert not list(local.rglob("*.pkl"))  # logged from code: nothing pickled
    training = pd.read_parquet(next(local.rglob(TRAINING_DATA)))
    model = logged.fitted[sector][logged.best[sector]]
    pd.testing.assert_frame_equal(training, model.train_[["unique_id", "ds", "y"]])


@pytest.mark.slow
def test_a_conformal_model_round_trips_too(logged: Logged, tmp_path: Path) -> None:
    sales = logged.sales[logged.sales["sector"] == "retail"][["unique_id", "ds", "y"]]
    model = with_fallback("CrostonSBA", 7, "D").fit(sales)
    tracker = MlflowTracker(logged.tracker.tracking_uri)
    with tracker.start_run("conformal"):
        uri = tracker.log_model(
            "retail-CrostonSBA", model, pd.DataFrame({"unique_id": ["x"], "h": [5]}), levels=LEVELS
        )
    assert uri is not None
    with tracker.as_default():
        reloaded = mlflow.pyfunc.load_model(uri)
    pd.testing.assert_frame_equal(
        reloaded.predict(pd.DataFrame({"h": [5]})), model.predict(5, levels=LEVELS)
    )


def test_forecaster_spec_round_trips_and_only_loads_stockwise_classes() -> None:
    chain = with_fallback("AutoETS", 7, "D")
    rebuilt = build_forecaster(forecaster_spec(chain))
    assert repr(rebuilt) == repr(chain)
    with pytest.raises(ValueError, match="not a stockwise forecaster"):
        build_forecaster({"class": "os:system", "params": {}})


@pytest.mark.slow
def test_runs_command_lists_and_shows_the_run(logged: Logged) -> None:
    app = typer.Typer()
    app.command("noop")(lambda: None)
    runs_command.register(app)
    runner = CliRunner()
    uri = logged.tracker.tracking_uri
    result = runner.invoke(app, ["runs", "--tracking-uri", uri], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert logged.run_id[:8] in result.output
    for sector, model in logged.best.items():
        assert sector in result.output and model in result.output
    result = runner.invoke(
        app, ["runs", "show", logged.run_id[:8], "--tracking-uri", uri], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "data_fingerprint" in result.output and "forecasts.csv" in result.output
    assert "stockwise-retail v1 @champion" in result.output
    result = runner.invoke(
        app, ["runs", "--tracking-uri", uri, "show", logged.run_id], terminal_width=200
    )
    assert result.exit_code == 0 and f"run {logged.run_id}" in result.output
    result = runner.invoke(app, ["runs", "show", "nope", "--tracking-uri", uri])
    assert result.exit_code == 2 and "no run 'nope'" in result.output


def test_runs_on_an_empty_store_creates_nothing(tmp_path: Path) -> None:
    tracker = MlflowTracker(data_dir=tmp_path / "store")
    assert tracker.recent_runs() == []
    assert not (tmp_path / "store").exists()


@pytest.mark.slow
def test_a_failing_block_fails_the_run(logged: Logged) -> None:
    tracker = MlflowTracker(logged.tracker.tracking_uri)
    with pytest.raises(RuntimeError), tracker.start_run("forecast"):
        raise RuntimeError("boom")
    assert tracker.run_id is None and tracker.last_run_id is not None
    assert logged.client.get_run(tracker.last_run_id).info.status == "FAILED"


def test_null_tracker_records_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tracker = open_tracker(track=False)
    assert isinstance(tracker, NullTracker) and isinstance(tracker, Tracker)
    sales = generate(sectors=("retail",), n_products=2, n_days=30, seed=1).sales
    metrics = pd.DataFrame(
        {"unique_id": ["a", "a"], "model": ["Naive", "TSB"], "mase": [1.0, 0.5], "mae": [2.0, 1.0]}
    )
    with tracker.start_run("forecast") as run_id:
        best = track_run(
            tracker, "forecast", sales=sales, options=OPTIONS, metrics=metrics, out_dir=tmp_path
        )
    assert run_id is None and tracker.run_id is None and best == {"all": "TSB"}
    assert tracker.log_model("x", with_fallback("Naive"), pd.DataFrame({"h": [1]})) is None
    assert tracker.register_best("retail", "TSB", "id") is None
    assert list(tmp_path.iterdir()) == []


def test_run_log_writes_info_and_restores_logging(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    with run_log(tmp_path, NullTracker()) as path:
        logging.getLogger("stockwise.tests").info("hello")
    assert "INFO [run -] stockwise.tests: hello" in path.read_text()
    assert (root.level, list(root.handlers)) == before


def test_fingerprint_ignores_row_order_and_dtypes_but_not_values() -> None:
    frame = pd.DataFrame(
        {
            "unique_id": ["b", "a", "a"],
            "ds": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01"]),
            "y": [1.0, 2.0, 3.0],
            "promo": pd.Series([0, 1, 0], dtype="int8"),
        }
    )
    shuffled = frame.iloc[[2, 0, 1]].astype({"promo": "int64"})
    assert data_fingerprint(frame) == data_fingerprint(shuffled)
    changed = frame.assign(y=[1.0, 2.0, 3.5])
    assert data_fingerprint(frame) != data_fingerprint(changed)


def test_champions_count_series_won_and_skip_ensembles() -> None:
    selection = pd.DataFrame(
        {
            "unique_id": list("abcdefg"),
            "sector": ["r"] * 5 + ["p"] * 2,
            "model": ["AutoETS", "Ensemble", "Ensemble", "TSB", "AutoETS", "Ensemble", "Ensemble"],
        }
    )
    metrics = pd.DataFrame(
        {
            "unique_id": ["f", "f", "g", "g"],
            "sector": ["p"] * 4,
            "model": ["Naive", "TSB", "Naive", "TSB"],
            "mase": [2.0, 1.0, 3.0, 0.5],
            "mae": [1.0] * 4,
        }
    )
    assert champions(metrics, selection) == {"p": "TSB", "r": "AutoETS"}
    tie = pd.DataFrame({"unique_id": ["a", "b"], "model": ["TSB", "AutoETS"]})
    assert champions(pd.DataFrame(), tie) == {"all": "AutoETS"}


def test_tracking_uri_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resolve_tracking_uri(data_dir=tmp_path) == f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.chdir(tmp_path)
    expected = f"sqlite:///{tmp_path.resolve() / 'stockwise-data-store' / 'mlflow.db'}"
    assert resolve_tracking_uri() == expected
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///elsewhere.db")
    assert resolve_tracking_uri() == "sqlite:///elsewhere.db"
    assert resolve_tracking_uri(data_dir=tmp_path) == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert resolve_tracking_uri("http://localhost:5000") == "http://localhost:5000"


@pytest.mark.slow
def test_cli_tracking_helper_writes_the_run_log(logged: Logged, tmp_path: Path) -> None:
    uri = logged.tracker.tracking_uri
    with runs_command.tracking(True, tmp_path, tracking_uri=uri) as tracker:
        assert isinstance(tracker, MlflowTracker)
        with tracker.start_run("helper") as run_id:
            logging.getLogger("stockwise.tests").info("tracked line")
    text = (tmp_path / RUN_LOG).read_text()
    assert f"INFO [run {run_id}] stockwise.tests: tracked line" in text
    with runs_command.tracking(False, tmp_path) as tracker:
        assert isinstance(tracker, NullTracker)


def test_without_mlflow_runs_go_on_untracked(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mlflow" else real(name, *a)
    )
    with caplog.at_level(logging.WARNING):
        assert isinstance(open_tracker(track=True), NullTracker)
    assert "mlflow is not installed" in caplog.text
