"""Optional libraries: imported where they are used, naming the extra to install if absent.

``pip install stockwise`` brings the statistical core only; gradient boosting, the LSTM,
experiment tracking and the HTML charts come with extras. A model or a command that needs
one of them then says which extra, instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from stockwise.errors import StockwiseError

EXTRAS = {"lightgbm": "ml", "xgboost": "ml", "torch": "lstm", "mlflow": "tracking",
          "plotly": "report"}
"""Top-level module → the ``pyproject.toml`` extra that installs it."""


class MissingDependencyError(StockwiseError, ImportError):
    """An optional library is not installed; the message names the extra."""


def optional_import(name: str, needed_by: str) -> ModuleType:
    """``import name`` (e.g. ``"plotly.graph_objects"``), or a :class:`MissingDependencyError`
    saying that ``needed_by`` needs it and which extra installs it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        library = name.split(".")[0]
        extra = EXTRAS.get(library, "all")
        raise MissingDependencyError(
            f"{needed_by} needs {library}, which is not installed",
            hint=f"pip install 'stockwise[{extra}]' (or 'stockwise[all]')") from exc
