"""A fitted global model in a folder, and back: what it needs to forecast, never its
training frame (see :meth:`stockwise.models.global_model.GlobalModel.save`).

Estimators in their libraries' own safe formats, the feature spec and vocabularies as JSON,
each series' state (last transformed values, level, transform state, spread) and the last
driver rows as Parquet, and the cached interval errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from stockwise import schema as S
from stockwise.features.spec import FeatureSpec
from stockwise.features.transforms import TargetTransforms

if TYPE_CHECKING:
    from stockwise.models.global_model import GlobalModel


def write_state(model: GlobalModel, path: Path) -> None:
    """Write the fitted ``model``'s estimators and state into the folder ``path``."""
    model.check_is_fitted()
    keys = sorted(model.estimators_)
    files = {key: f"estimator_{i}{model.estimator_suffix}" for i, key in enumerate(keys)}
    meta = {
        "spec": model.spec_.to_dict(),
        "objective": model.objective_,
        "transforms": list(model.transform_names_),
        "freq": model.freq_,
        "vocab": model.vocab_,
        "groups": model.groups_,
        "failures": model.failures_,
        "estimators": files,
    }
    (path / "model.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    for key in keys:
        model._save_estimator(model.estimators_[key], path / files[key])
    state = pd.DataFrame(
        {
            S.UNIQUE_ID: model.ids_,
            S.DS: model.last_ds_.to_numpy(),
            "expanding_sum": model.expanding_sum_,
            "expanding_count": model.expanding_count_,
            "spread": model.spread_.reindex(model.ids_).to_numpy(),
        }
    )
    buffer = pd.DataFrame(
        model.buffer_, columns=[f"buffer_{j}" for j in range(model.buffer_.shape[1])]
    )
    state = pd.concat([state, buffer, model.transforms_.state_frame()], axis=1)
    state.to_parquet(path / "series_state.parquet", index=False)
    tail = model.driver_tail_.copy()
    for col in model.vocab_:
        tail[col] = tail[col].astype("string")
    tail.to_parquet(path / "driver_tail.parquet", index=False)
    errors = [
        pd.DataFrame({"h": h, S.UNIQUE_ID: uid, "error": e, "zero_share": share.get(uid, 0.0)})
        for h, (scores, share) in model.conformal_.items()
        for uid, e in scores.items()
    ]
    if errors:
        pd.concat(errors, ignore_index=True).to_parquet(
            path / "interval_errors.parquet", index=False
        )


def read_state(model: GlobalModel, path: Path) -> None:
    """Give the unfitted ``model`` (built from the manifest's parameters) the fitted state
    :func:`write_state` wrote into ``path``."""
    meta = json.loads((path / "model.json").read_text())
    model.spec_ = FeatureSpec.from_dict(meta["spec"])
    model.objective_, model.freq_ = meta["objective"], meta["freq"]
    model.transform_names_ = tuple(meta["transforms"])
    model.vocab_, model.groups_ = meta["vocab"], meta["groups"]
    model.failures_ = dict(meta["failures"])
    model.estimators_ = {
        key: model._load_estimator(_inside(path, file)) for key, file in meta["estimators"].items()
    }
    state = pd.read_parquet(path / "series_state.parquet")
    model.ids_ = state[S.UNIQUE_ID].astype(str).tolist()
    model.last_ds_ = pd.Series(pd.to_datetime(state[S.DS]).to_numpy(), index=model.ids_)
    model.expanding_sum_ = state["expanding_sum"].to_numpy(dtype=float)
    model.expanding_count_ = state["expanding_count"].to_numpy(dtype=float)
    model.spread_ = pd.Series(state["spread"].to_numpy(dtype=float), index=model.ids_)
    length = model.spec_.history_length
    model.buffer_ = state[[f"buffer_{j}" for j in range(length)]].to_numpy(dtype=float)
    model.transforms_ = TargetTransforms.from_state(model.transform_names_, state)
    tail = pd.read_parquet(path / "driver_tail.parquet")
    tail[S.UNIQUE_ID] = tail[S.UNIQUE_ID].astype(str)
    tail[S.DS] = pd.to_datetime(tail[S.DS])
    for col in model.vocab_:
        tail[col] = tail[col].astype(object).where(tail[col].notna(), None)
    model.driver_tail_ = tail
    model.conformal_ = {}
    errors_file = path / "interval_errors.parquet"
    if errors_file.exists():
        errors = pd.read_parquet(errors_file)
        for h, part in errors.groupby("h"):
            by_uid = part.groupby(S.UNIQUE_ID, sort=False)
            model.conformal_[int(h)] = (
                {str(u): g["error"].to_numpy() for u, g in by_uid},
                {str(u): float(g["zero_share"].iloc[0]) for u, g in by_uid},
            )
    model.fitted_ids_ = [
        u for u in model.ids_ if u not in model.failures_ and model.groups_[u] in model.estimators_
    ]


def _inside(folder: Path, name: str) -> Path:
    """``folder / name`` for a plain file name; a path that would leave the folder is refused."""
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(
            f"{folder}: model.json names the file {name!r}; expected a plain "
            "file name inside the model folder"
        )
    return folder / name
