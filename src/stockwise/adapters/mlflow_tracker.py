"""The tracker that records runs in MLflow: parameters, metrics, artifacts and registered
models, batched within MLflow's limits. MLflow is imported when a tracker opens, so
the rest of stockwise runs without it.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from stockwise.errors import OptionError
from stockwise.models.base import Forecaster
from stockwise.optional import optional_import
from stockwise.ports.tracking import (
    metric_key,
    model_artifact_name,
    safe_name,
)

# The tracking module's logger: log settings that name it keep covering MLflow's output.
log = logging.getLogger("stockwise.adapters.tracking")


DEFAULT_DATA_DIR = Path("stockwise-data-store")


EXPERIMENT = "stockwise"


REGISTERED_PREFIX = "stockwise-"


ENV_URI = "MLFLOW_TRACKING_URI"


_BATCH = 100  # MLflow's log_batch accepts at most 100 params / 1000 metrics per call


def resolve_tracking_uri(
    tracking_uri: str | None = None, data_dir: str | Path | None = None
) -> str:
    """Where runs go: explicit arguments first, then the environment, then the default.

    ``tracking_uri``, else ``sqlite:///<data_dir>/mlflow.db`` for an explicit ``data_dir``,
    else ``$MLFLOW_TRACKING_URI``, else ``sqlite:///./stockwise-data-store/mlflow.db``
    (made absolute).
    """
    if tracking_uri:
        return tracking_uri
    if data_dir is None and os.environ.get(ENV_URI):
        return os.environ[ENV_URI]
    root = Path(data_dir or DEFAULT_DATA_DIR).expanduser().resolve()
    return f"sqlite:///{root / 'mlflow.db'}"


def _sqlite_path(uri: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(uri[len(prefix) :]) if uri.startswith(prefix) else None


@dataclass
class RunSummary:
    """One line of ``stockwise runs``."""

    run_id: str
    name: str
    started: datetime
    status: str
    kind: str
    sectors: list[str]
    champions: dict[str, str]
    metrics: dict[str, float]


@dataclass
class RunDetails:
    """Everything ``stockwise runs show`` prints about one run."""

    summary: RunSummary
    params: dict[str, str]
    tags: dict[str, str]
    artifacts: list[str] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)
    registered: list[str] = field(default_factory=list)


class MlflowTracker:
    """Records runs in MLflow (see the module doc for where)."""

    def __init__(
        self,
        tracking_uri: str | None = None,
        *,
        data_dir: str | Path | None = None,
        experiment: str = EXPERIMENT,
    ) -> None:
        self.tracking_uri = resolve_tracking_uri(tracking_uri, data_dir)
        self.experiment = experiment
        self._run_id: str | None = None
        self.last_run_id: str | None = None
        """The id of the latest run started by this tracker (kept after it ends)."""
        self._client: Any = None
        self._logged: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"MlflowTracker({self.tracking_uri!r})"

    @property
    def run_id(self) -> str | None:
        return self._run_id

    @property
    def client(self) -> Any:
        if self._client is None:
            os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
            from mlflow import MlflowClient

            for noisy in ("alembic", "mlflow.store.db.utils"):
                logging.getLogger(noisy).setLevel(logging.WARNING)
            database = _sqlite_path(self.tracking_uri)
            if database is not None:
                database.parent.mkdir(parents=True, exist_ok=True)
            self._client = MlflowClient(self.tracking_uri, registry_uri=self.tracking_uri)
        return self._client

    def experiment_id(self, create: bool = True) -> str | None:
        found = self.client.get_experiment_by_name(self.experiment)
        if found is not None:
            return str(found.experiment_id)
        if not create:
            return None
        database = _sqlite_path(self.tracking_uri)
        location = (database.parent / "mlartifacts").resolve().as_uri() if database else None
        return str(self.client.create_experiment(self.experiment, artifact_location=location))

    # -- the Tracker protocol -----------------------------------------------------------
    @contextmanager
    def start_run(self, name: str, tags: Mapping[str, str] | None = None) -> Iterator[str | None]:
        mlflow = optional_import("mlflow", "Experiment tracking")

        experiment_id = self.experiment_id()
        # the run's URL is logged below; MLflow would also print it on stdout (HTTP stores)
        os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
        with self.as_default():
            nested = mlflow.active_run() is not None
            with mlflow.start_run(
                experiment_id=experiment_id, run_name=name, nested=nested, tags=dict(tags or {})
            ) as run:
                self._run_id = self.last_run_id = run.info.run_id
                log.info("MLflow run %s (%s) in %s", self._run_id, name, self.tracking_uri)
                try:
                    yield self._run_id
                finally:
                    self._run_id = None

    def log_params(self, params: Mapping[str, object]) -> None:
        from mlflow.entities import Param

        items = [Param(str(k), str(v)) for k, v in params.items()]
        for start in range(0, len(items), _BATCH):
            self.client.log_batch(self._active(), params=items[start : start + _BATCH])

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        from mlflow.entities import Metric

        stamp = int(datetime.now().timestamp() * 1000)
        items = [Metric(metric_key(str(k)), float(v), stamp, step or 0) for k, v in metrics.items()]
        for start in range(0, len(items), _BATCH):
            self.client.log_batch(self._active(), metrics=items[start : start + _BATCH])

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        self.client.log_artifact(self._active(), str(path), artifact_path)

    def log_artifacts(self, directory: str | Path, artifact_path: str | None = None) -> None:
        self.client.log_artifacts(self._active(), str(directory), artifact_path)

    def set_tags(self, tags: Mapping[str, str]) -> None:
        from mlflow.entities import RunTag

        items = [RunTag(str(k), str(v)) for k, v in tags.items()]
        for start in range(0, len(items), _BATCH):
            self.client.log_batch(self._active(), tags=items[start : start + _BATCH])

    def log_model(
        self,
        name: str,
        forecaster: Forecaster,
        sample_input: pd.DataFrame,
        levels: Sequence[int] = (),
    ) -> str | None:
        """Log the fitted forecaster as a pyfunc model; None (and a warning) if it can't be."""
        from stockwise.adapters.mlflow_models import can_log, log_forecaster

        self._active()
        reason = can_log(forecaster)
        if reason:
            log.warning("model %s not logged: %s", name, reason)
            return None
        with self.as_default(), mlflow_prints_logged():
            uri = log_forecaster(name, forecaster, sample_input, levels)
        self._logged[(self._active(), name)] = uri
        return uri

    def register_best(
        self, sector: str, model_name: str, run_id: str, alias: str = "champion"
    ) -> str | None:
        """Register the run's model ``<sector>-<model>`` as ``stockwise-<sector>``."""
        import mlflow

        registered = registered_model_name(sector)
        source = self._logged_model_uri(run_id, model_artifact_name(sector, model_name))
        with self.as_default(), mlflow_prints_logged():
            version = mlflow.register_model(
                source, registered, tags={"sector": sector, "model": model_name}
            )
        self.client.set_registered_model_alias(registered, alias, version.version)
        log.info(
            "registered %s version %s (%s) as @%s", registered, version.version, model_name, alias
        )
        return str(version.version)

    # -- reading runs back --------------------------------------------------------------
    def recent_runs(self, limit: int = 20) -> list[RunSummary]:
        """The latest runs, newest first (none when the store does not exist yet)."""
        if not self._store_exists():
            return []
        experiment_id = self.experiment_id(create=False)
        if experiment_id is None:
            return []
        runs = self.client.search_runs(
            [experiment_id], max_results=limit, order_by=["attributes.start_time DESC"]
        )
        return [_summary(run) for run in runs]

    def run_details(self, run_id: str) -> RunDetails:
        """Params, metrics, tags, files and models of one run (a unique id prefix will do)."""
        run = self._find(run_id)
        run_id = run.info.run_id
        tags = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}
        models = {
            m.name: f"models:/{m.model_id}"
            for m in self.client.search_logged_models(
                [run.info.experiment_id], filter_string=f"source_run_id = '{run_id}'"
            )
        }
        registered = []
        for found in self.client.search_model_versions(f"run_id = '{run_id}'"):
            version = self.client.get_model_version(found.name, found.version)
            aliases = "".join(f" @{a}" for a in getattr(version, "aliases", []) or [])
            registered.append(f"{version.name} v{version.version}{aliases}")
        return RunDetails(
            _summary(run), dict(run.data.params), tags, self._artifacts(run_id), models, registered
        )

    # -- helpers ------------------------------------------------------------------------
    def _active(self) -> str:
        if self._run_id is None:
            raise OptionError("no active run: call tracker.start_run(...) first")
        return self._run_id

    def _logged_model_uri(self, run_id: str, name: str) -> str:
        if (run_id, name) in self._logged:
            return self._logged[(run_id, name)]
        run = self.client.get_run(run_id)
        for model in self.client.search_logged_models(
            [run.info.experiment_id], filter_string=f"source_run_id = '{run_id}'"
        ):
            if model.name == name:
                return f"models:/{model.model_id}"
        raise OptionError(f"run {run_id} has no logged model {name!r} to register")

    def _store_exists(self) -> bool:
        database = _sqlite_path(self.tracking_uri)
        return database is None or database.is_file()

    def _find(self, run_id: str) -> Any:
        from mlflow.exceptions import MlflowException

        if self._store_exists():
            try:
                return self.client.get_run(run_id)
            except MlflowException:
                pass
            matches = [r for r in self.recent_runs(limit=1000) if r.run_id.startswith(run_id)]
            if len(matches) == 1:
                return self.client.get_run(matches[0].run_id)
            if len(matches) > 1:
                raise OptionError(
                    f"run id prefix {run_id!r} is ambiguous: "
                    f"{', '.join(m.run_id for m in matches[:5])}"
                )
        raise OptionError(
            f"no run {run_id!r} in {self.tracking_uri}; 'stockwise runs' lists the recent ones"
        )

    def _artifacts(self, run_id: str, path: str | None = None, depth: int = 3) -> list[str]:
        out = []
        for item in self.client.list_artifacts(run_id, path):
            if item.is_dir and depth > 0:
                out.extend(self._artifacts(run_id, item.path, depth - 1))
            else:
                out.append(item.path)
        return out

    @contextmanager
    def as_default(self) -> Iterator[None]:
        """Point MLflow's global API at this store for a block; restore it afterwards.

        ``mlflow.pyfunc.log_model``, ``mlflow.register_model`` and ``models:/`` URIs in
        ``mlflow.pyfunc.load_model`` use the global URIs; ``set_tracking_uri`` also
        rewrites the environment, so both are restored.
        """
        import mlflow
        from mlflow.tracking._model_registry import utils as registry_utils
        from mlflow.tracking._tracking_service import utils as tracking_utils

        env = {k: os.environ.get(k) for k in (ENV_URI, "MLFLOW_REGISTRY_URI")}
        saved = (
            getattr(tracking_utils, "_tracking_uri", None),
            getattr(registry_utils, "_registry_uri", None),
        )
        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.tracking_uri)
        try:
            yield
        finally:
            mlflow.set_tracking_uri(saved[0])  # type: ignore[arg-type]
            registry_utils._registry_uri = saved[1]
            for key, value in env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@contextmanager
def mlflow_prints_logged() -> Iterator[None]:
    """Send what MLflow prints straight to stderr ("Successfully registered model …") to
    the log for the block, so a command's output holds only stockwise's own lines (the
    news shows with ``--verbose``). MLflow's logger warnings are untouched."""
    from mlflow.utils import logging_utils

    buffer, saved = io.StringIO(), logging_utils.MLFLOW_LOGGING_STREAM
    # read by mlflow's eprint at each call; any stream with write() will do, although the
    # module types it as its own MlflowLoggingStream
    logging_utils.MLFLOW_LOGGING_STREAM = buffer  # type: ignore[assignment]
    try:
        yield
    finally:
        logging_utils.MLFLOW_LOGGING_STREAM = saved
        for line in buffer.getvalue().splitlines():
            if line.strip():
                log.info("MLflow: %s", line.strip())


def registered_model_name(sector: str) -> str:
    """``stockwise-<sector>``: the registry entry of a sector's champion."""
    return REGISTERED_PREFIX + safe_name(sector)


def _summary(run: Any) -> RunSummary:
    tags = run.data.tags
    prefix = "stockwise.champion."
    champions = {k[len(prefix) :]: v for k, v in tags.items() if k.startswith(prefix)}
    sectors = [s for s in tags.get("stockwise.sectors", "").split(",") if s]
    return RunSummary(
        run_id=run.info.run_id,
        name=run.info.run_name or "",
        started=datetime.fromtimestamp(run.info.start_time / 1000),
        status=run.info.status,
        kind=tags.get("stockwise.kind", ""),
        sectors=sectors or sorted(champions),
        champions=champions,
        metrics=dict(run.data.metrics),
    )
