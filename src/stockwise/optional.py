"""Optional libraries: imported where they are used, naming the extra to install if absent.

``pip install stockwise`` brings the statistical core only; gradient boosting, the LSTM,
experiment tracking and the HTML charts come with extras. A model or a command that needs
one of them then says which extra, instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from stockwise.errors import StockwiseError

EXTRAS = {
    "lightgbm": "ml",
    "xgboost": "ml",
    "sklearn": "ml",
    "skops": "ml",
    "torch": "lstm",
    "safetensors": "lstm",
    "mlflow": "tracking",
    "plotly": "report",
    "matplotlib": "report",
    "fastapi": "api",
    "uvicorn": "api",
    "alembic": "api",
    "pydantic_settings": "api",
    "multipart": "api",
    "jinja2": "api",
    "sqlalchemy": "sql",
    "dask": "dask",
    "distributed": "dask",
}
"""Top-level module → the ``pyproject.toml`` extra that installs it."""

DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "pydantic_settings": "pydantic-settings",
    "multipart": "python-multipart",
}
"""Top-level module → the name pip installs it by, where the two differ."""


class MissingDependencyError(StockwiseError, ImportError):
    """An optional library is not installed; the message names the extra."""


def missing_extra(
    error: ModuleNotFoundError, needed_by: str = "this command"
) -> MissingDependencyError | None:
    """``error`` said as the extra to install, when the missing module is one an extra
    brings; None for any other module (a broken install, or a bug)."""
    library = (error.name or "").split(".")[0]
    extra = EXTRAS.get(library)
    if extra is None:
        return None
    return MissingDependencyError(
        f"{needed_by} needs the optional library {DISTRIBUTIONS.get(library, library)}, "
        "which is not installed.",
        hint=f"Install it with pip install 'stockwise[{extra}]' (or 'stockwise[all]').",
    )


def optional_import(name: str, needed_by: str) -> ModuleType:
    """``import name`` (e.g. ``"plotly.graph_objects"``), or a :class:`MissingDependencyError`
    saying that ``needed_by`` needs it and which extra installs it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        library = name.split(".")[0]
        extra = EXTRAS.get(library, "all")
        raise MissingDependencyError(
            f"{needed_by} needs {library}, which is not installed.",
            hint=f"Install it with pip install 'stockwise[{extra}]' (or 'stockwise[all]').",
        ) from exc
