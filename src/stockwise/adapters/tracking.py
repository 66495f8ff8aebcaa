"""MLflow tracking: runs, metrics, files and models of stockwise runs, and reading them back.

:class:`MlflowTracker` implements the :class:`~stockwise.workflows.tracking.Tracker`
protocol the workflows receive; :class:`NullTracker` (re-exported) records nothing.
MLflow is imported on first use, never when this module is imported, so ``--no-track``
costs nothing.

Where runs go: ``tracking_uri`` when given, else a local SQLite store in ``data_dir``
when given, else the ``MLFLOW_TRACKING_URI`` environment variable (read here, at the
edge, and nowhere in the core), else the same local store in ``./stockwise-data-store``:
``mlflow.db`` holds runs and the model registry, ``mlartifacts/`` the files and models.
With any ``sqlite:`` URI the artifacts go to ``mlartifacts/`` beside the database; with a
server URI the server decides. To browse the local store::

    mlflow ui --backend-store-uri sqlite:///stockwise-data-store/mlflow.db
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from stockwise.adapters.mlflow_tracker import (
    DEFAULT_DATA_DIR,
    MlflowTracker,
    RunDetails,
    RunSummary,
    resolve_tracking_uri,
)
from stockwise.adapters.mlflow_tracker import ENV_URI as ENV_URI
from stockwise.adapters.mlflow_tracker import EXPERIMENT as EXPERIMENT
from stockwise.adapters.mlflow_tracker import REGISTERED_PREFIX as REGISTERED_PREFIX
from stockwise.adapters.mlflow_tracker import mlflow_prints_logged as mlflow_prints_logged
from stockwise.adapters.mlflow_tracker import registered_model_name as registered_model_name
from stockwise.ports.tracking import (
    NullTracker,
    Tracker,
)

__all__ = [
    "DEFAULT_DATA_DIR",
    "MlflowTracker",
    "NullTracker",
    "RunDetails",
    "RunSummary",
    "Tracker",
    "open_tracker",
    "resolve_tracking_uri",
]

log = logging.getLogger(__name__)


def open_tracker(
    track: bool = True, tracking_uri: str | None = None, data_dir: str | Path | None = None
) -> Tracker:
    """The CLI's tracker: MLflow, or the null tracker for ``--no-track``.

    Without MLflow installed the run goes on untracked, with a warning saying so.
    """
    if not track:
        return NullTracker()
    if importlib.util.find_spec("mlflow") is None:
        log.warning(
            "mlflow is not installed: this run is not tracked (pip install "
            "'stockwise[tracking]', or --no-track to silence this warning)"
        )
        return NullTracker()
    return MlflowTracker(tracking_uri, data_dir=data_dir)
