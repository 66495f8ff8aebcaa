"""Save and load fitted forecasters as a directory of safe files plus ``manifest.json``.

Layout of a saved model::

    <path>/manifest.json     {"class": "module:QualName", "params": {...},
                              "format_version": 1, "stockwise_version": ..., "saved_at": ...,
                              "files": {"name": bytes, ...}, "size_bytes": total}
    <path>/...               whatever the model's own ``save(path)`` wrote

:func:`save_model` creates the directory, lets the model write its own files with its
``save(path)`` method, then writes the manifest; :func:`load_model` reads the manifest,
imports the class it names and calls that class's ``load(path)`` classmethod. A model
that can be saved therefore implements exactly two methods::

    def save(self, path: Path) -> None: ...          # write files into the directory
    @classmethod
    def load(cls, path: Path) -> Forecaster: ...     # read them back (params: read_manifest)

Why not pickle: unpickling runs arbitrary code, and a pickled model tends to drag its
training data along (``train_``). Models here write formats that hold only numbers and
text — LightGBM's model text, XGBoost JSON, scikit-learn through skops, feature specs as
JSON, per-series state as Parquet — and only what prediction needs (for recursive models,
the last few values of each series, never the training frame). Loading imports classes
from the ``stockwise`` package only, unless the caller names other trusted modules.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stockwise.errors import StockwiseError

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class ModelFileError(StockwiseError, ValueError):
    """A saved model directory is missing, damaged, or from an unsupported version."""


def save_model(model: Any, path: str | Path) -> Path:
    """Write ``model`` (fitted) to the directory ``path``; returns the directory.

    The directory is created (it must be empty or absent, so no stale file survives).
    Its total size in bytes is in the manifest (``size_bytes``) and logged; see also
    :func:`artifact_size`.
    """
    target = Path(path)
    if not hasattr(model, "save") or not hasattr(type(model), "load"):
        raise TypeError(
            f"{type(model).__name__} cannot be saved: it has no save(path) / load(path) methods"
        )
    if not hasattr(model, "fitted_ids_"):
        raise ValueError(
            f"{getattr(model, 'name', type(model).__name__)} is not fitted; fit it before saving"
        )
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} exists and is not empty; save into a new directory")
    target.mkdir(parents=True, exist_ok=True)
    model.save(target)
    files = {
        p.relative_to(target).as_posix(): p.stat().st_size
        for p in sorted(target.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    cls = type(model)
    manifest = {
        "class": f"{cls.__module__}:{cls.__qualname__}",
        "params": jsonable_params(model.get_params()),
        "format_version": FORMAT_VERSION,
        "stockwise_version": _version(),
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": files,
        "size_bytes": sum(files.values()),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    log.info("saved %s to %s (%d bytes)", cls.__name__, target, artifact_size(target))
    return target


def load_model(path: str | Path, trusted_modules: Sequence[str] = ()) -> Any:
    """Read a model saved by :func:`save_model`; it predicts exactly as it did when saved.

    Only classes from ``stockwise`` (or a module in ``trusted_modules``, for plugins) are
    imported: the manifest must not be able to make us import arbitrary code.
    """
    from stockwise.models.base import Forecaster

    folder = Path(path)
    manifest = read_manifest(folder)
    module_name, _, qualname = str(manifest.get("class", "")).partition(":")
    allowed = ("stockwise", *trusted_modules)
    if not qualname or not any(
        module_name == m or module_name.startswith(f"{m}.") for m in allowed
    ):
        raise ModelFileError(
            f"{folder / MANIFEST}: class {manifest.get('class')!r} is not a "
            "stockwise model (pass trusted_modules to load plugins)"
        )
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ModelFileError(
            f"{folder / MANIFEST}: cannot find class {manifest['class']}: {exc}"
        ) from exc
    if not (isinstance(obj, type) and issubclass(obj, Forecaster) and hasattr(obj, "load")):
        raise ModelFileError(
            f"{folder / MANIFEST}: {manifest['class']} is not a loadable forecaster"
        )
    return obj.load(folder)


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a saved model, checked for a supported ``format_version``."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise ModelFileError(f"{file} not found: not a saved stockwise model directory")
    try:
        manifest = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{file}: not valid JSON ({exc})") from exc
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{file}: format_version {version!r} is not supported "
            f"(this stockwise reads version {FORMAT_VERSION})"
        )
    return manifest


def artifact_size(path: str | Path) -> int:
    """Bytes on disk of a saved model directory, manifest included."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    """Constructor parameters as JSON values; objects (an estimator) become their repr.

    The manifest's params document the model; each model's ``load`` decides what it
    rebuilds from them and what from its own files (an estimator is saved separately).
    """
    return {key: _jsonable(value) for key, value in params.items()}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return _jsonable(value.to_dict())
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return _jsonable(value.item())
        except (TypeError, ValueError):
            pass
    return {"repr": repr(value)}


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("stockwise")
    except Exception:  # not installed (source checkout on PYTHONPATH)
        return "unknown"
