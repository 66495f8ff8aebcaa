"""save_model / load_model: the manifest, the safety checks, and a round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stockwise import schema as S
from stockwise.models.base import Forecaster, future_dates
from stockwise.models.persistence import (
    ModelFileError,
    artifact_size,
    load_model,
    read_manifest,
    save_model,
)


class LastValue(Forecaster):
    """Repeat the last value; saves only that value per series (JSON)."""

    def __init__(self, alias: str | None = None) -> None:
        self.alias = alias

    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        self.last_ = df.groupby(S.UNIQUE_ID)[S.Y].last().to_dict()
        self.last_ds_ = df.groupby(S.UNIQUE_ID)[S.DS].max()

    def _predict(self, h, X_df, levels):
        out = future_dates(self.last_ds_, h, self.freq_, pd.Series(self.last_ds_.to_numpy()))
        out[self.name] = out[S.UNIQUE_ID].map(self.last_)
        return out

    def save(self, path: Path) -> None:
        (path / "state.json").write_text(
            json.dumps(
                {
                    "last": self.last_,
                    "freq": self.freq_,
                    "last_ds": {k: str(v) for k, v in self.last_ds_.items()},
                }
            )
        )

    @classmethod
    def load(cls, path: Path) -> LastValue:
        model = cls(**read_manifest(path)["params"])
        state = json.loads((path / "state.json").read_text())
        model.last_, model.freq_ = state["last"], state["freq"]
        model.last_ds_ = pd.Series({k: pd.Timestamp(v) for k, v in state["last_ds"].items()})
        model.fitted_ids_, model.failures_ = sorted(state["last"]), {}
        return model


def _frame() -> pd.DataFrame:
    ds = pd.date_range("2024-01-01", periods=5, freq="D")
    return pd.DataFrame(
        {
            "unique_id": ["a"] * 5 + ["b"] * 5,
            "ds": list(ds) * 2,
            "y": [1.0, 2, 3, 4, 5, 0, 0, 1, 0, 2],
        }
    )


def test_round_trip_writes_a_manifest_and_predicts_identically(tmp_path: Path) -> None:
    model = LastValue(alias="last").fit(_frame())
    folder = save_model(model, tmp_path / "m")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["class"].endswith(":LastValue") and manifest["format_version"] == 1
    assert manifest["params"] == {"alias": "last"}
    assert manifest["files"] == {"state.json": (folder / "state.json").stat().st_size}
    assert artifact_size(folder) > manifest["size_bytes"] > 0
    loaded = load_model(folder, trusted_modules=(LastValue.__module__,))
    pd.testing.assert_frame_equal(loaded.predict(3), model.predict(3))


def test_untrusted_classes_are_not_imported(tmp_path: Path) -> None:
    folder = save_model(LastValue().fit(_frame()), tmp_path / "m")
    with pytest.raises(ModelFileError, match="not a stockwise model"):
        load_model(folder)


def test_unfitted_models_and_bad_directories_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not fitted"):
        save_model(LastValue(), tmp_path / "x")
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format_version": 99}))
    with pytest.raises(ModelFileError, match="format_version 99"):
        load_model(tmp_path)
    folder = save_model(LastValue().fit(_frame()), tmp_path / "full")
    with pytest.raises(FileExistsError, match="not empty"):
        save_model(LastValue().fit(_frame()), folder)
