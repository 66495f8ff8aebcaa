"""The tracker protocol the workflows record runs through, and its null stand-in.

``stockwise.adapters.tracking.MlflowTracker`` implements it with MLflow; what a run logs is
decided in :mod:`stockwise.workflows.tracking`. The names helpers live here because both
sides need them to agree on metric and model names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

import pandas as pd

from stockwise.models.base import Forecaster


@runtime_checkable
class Tracker(Protocol):
    """Where a run's params, metrics, files and models go (MLflow, or nowhere)."""

    @property
    def run_id(self) -> str | None:
        """The active run's id; None outside a run (and always for the null tracker)."""
        ...

    def start_run(
        self, name: str, tags: Mapping[str, str] | None = None
    ) -> AbstractContextManager[str | None]:
        """Context manager around one run; yields its id. A failing block fails the run."""
        ...

    def log_params(self, params: Mapping[str, object]) -> None: ...

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None: ...

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None: ...

    def log_artifacts(self, directory: str | Path, artifact_path: str | None = None) -> None: ...

    def set_tags(self, tags: Mapping[str, str]) -> None: ...

    def log_model(
        self,
        name: str,
        forecaster: Forecaster,
        sample_input: pd.DataFrame,
        levels: Sequence[int] = (),
    ) -> str | None:
        """Log a fitted forecaster as a reloadable model; returns its URI (None: not logged)."""
        ...

    def register_best(
        self, sector: str, model_name: str, run_id: str, alias: str = "champion"
    ) -> str | None:
        """Register the sector's logged champion, point ``alias`` at it; returns the version."""
        ...


class NullTracker:
    """A tracker that records nothing: for tests, ``--no-track`` and library use."""

    @property
    def run_id(self) -> str | None:
        return None

    @contextmanager
    def start_run(self, name: str, tags: Mapping[str, str] | None = None) -> Iterator[str | None]:
        yield None

    def log_params(self, params: Mapping[str, object]) -> None:
        return None

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        return None

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        return None

    def log_artifacts(self, directory: str | Path, artifact_path: str | None = None) -> None:
        return None

    def set_tags(self, tags: Mapping[str, str]) -> None:
        return None

    def log_model(
        self,
        name: str,
        forecaster: Forecaster,
        sample_input: pd.DataFrame,
        levels: Sequence[int] = (),
    ) -> str | None:
        return None

    def register_best(
        self, sector: str, model_name: str, run_id: str, alias: str = "champion"
    ) -> str | None:
        return None


def metric_key(*parts: str) -> str:
    """A metric name MLflow accepts: letters, digits, ``_ - . /``, spaces."""
    return ".".join("".join(c if c.isalnum() or c in "_-./ " else "_" for c in p) for p in parts)


def model_artifact_name(sector: str, model_name: str) -> str:
    """Name of a sector's logged model inside a run, e.g. ``retail-AutoETS``."""
    return safe_name(f"{sector}-{model_name}")


def safe_name(text: str) -> str:
    """Letters, digits, ``_ - .`` only: fit for model and registry names."""
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in text)
