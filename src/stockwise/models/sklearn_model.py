"""Any scikit-learn regressor as a global forecaster, through the same feature layer.

``SklearnRegressor(RandomForestRegressor(n_estimators=200))`` learns across series from
the features of :mod:`stockwise.features` and forecasts recursively, like the boosted
models. The estimator given is a template: each fit trains a ``sklearn.clone`` of it, so
clones of the forecaster never share a fitted estimator. Missing feature values (the
first rows of a series, a price not set) are replaced by 0 unless the estimator accepts
NaN (scikit-learn's tree ensembles and histogram boosting do). Without an estimator, a
random forest with settings that suit demand panels is used (the registry's
"RandomForest").

Saved with skops (no pickle). skops refuses to rebuild anything it does not trust by
default; of the rest, loading accepts only *classes* defined in scikit-learn, numpy or
scipy (e.g. ``sklearn.tree._tree.Tree``). A function name in the file (``builtins.exec``,
``os.system``, even a numpy or scikit-learn function) is refused, since skops would call
it with arguments taken from the file; a custom estimator class must be trusted
explicitly (``trusted_types`` of ``_load_estimator``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockwise.models.global_model import GlobalModel
from stockwise.optional import optional_import

SAFE_PREFIXES = ("sklearn.", "numpy.", "scipy.")
NAN_TOLERANT = (
    "RandomForestRegressor",
    "ExtraTreesRegressor",
    "DecisionTreeRegressor",
    "HistGradientBoostingRegressor",
)


def default_forest(seed: int = 0) -> Any:
    ensemble = optional_import("sklearn.ensemble", "The random forest model")
    return ensemble.RandomForestRegressor(
        n_estimators=100,
        min_samples_leaf=5,
        max_features=0.5,
        max_samples=0.5,
        n_jobs=1,
        random_state=seed,
    )


@dataclass(eq=False, repr=False, kw_only=True)
class SklearnRegressor(GlobalModel):
    """A scikit-learn regressor behind the forecaster contract (global, recursive)."""

    estimator_suffix = ".skops"

    estimator: Any = field(default=None, kw_only=False)

    @property
    def name(self) -> str:
        if self.alias:
            return self.alias
        return type(self.estimator).__name__ if self.estimator is not None else "RandomForest"

    @property
    def handles_missing(self) -> bool:  # type: ignore[override]
        template = self.estimator if self.estimator is not None else default_forest()
        return type(template).__name__ in NAN_TOLERANT

    def _train(self, X: pd.DataFrame, y: np.ndarray) -> Any:
        clone = optional_import("sklearn.base", "A scikit-learn model").clone
        model = clone(self.estimator) if self.estimator is not None else default_forest()
        return model.fit(X.to_numpy(dtype=float), y)

    def _apply(self, estimator: Any, X: pd.DataFrame) -> np.ndarray:
        return estimator.predict(X.to_numpy(dtype=float))

    def _save_estimator(self, estimator: Any, file: Path) -> None:
        sio = optional_import("skops.io", "Saving a scikit-learn model")
        sio.dump(estimator, file)

    def _load_estimator(self, file: Path, trusted_types: tuple[str, ...] = ()) -> Any:
        sio = optional_import("skops.io", "Loading a scikit-learn model")
        untrusted = sio.get_untrusted_types(file=file)
        unsafe = [t for t in untrusted if t not in trusted_types and not _library_class(t)]
        if unsafe:
            raise ValueError(
                f"{file}: refusing to load {unsafe}: only classes of "
                "scikit-learn, numpy and scipy are loaded"
            )
        return sio.load(file, trusted=untrusted)

    @classmethod
    def _params_from_manifest(cls, params: dict[str, Any], path: Path) -> dict[str, Any]:
        """The estimator template is rebuilt from the first saved estimator (unfitted)."""
        from sklearn.base import clone

        out = dict(params)
        files = sorted(path.glob(f"estimator_*{cls.estimator_suffix}"))
        out["estimator"] = (
            clone(cls()._load_estimator(files[0]))
            if files and isinstance(params.get("estimator"), dict)
            else None
        )
        return out


def _library_class(name: str) -> bool:
    """True when ``name`` is a class (not a function) defined in scikit-learn/numpy/scipy."""
    import importlib

    if not name.startswith(SAFE_PREFIXES):
        return False
    module_name, _, attribute = name.rpartition(".")
    try:
        target = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError):
        return False
    return isinstance(target, type) and str(target.__module__).startswith(SAFE_PREFIXES)


def random_forest(
    season_length: int | None = None, freq: str | None = None, **params: object
) -> SklearnRegressor:
    """The default scikit-learn model, a random forest (``RandomForest``)."""
    return SklearnRegressor(season_length=season_length, freq=freq, **params)  # type: ignore[arg-type]
