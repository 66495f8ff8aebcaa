"""Save and load a fitted :class:`~stockwise.models.lstm.LSTMForecaster` without pickle.

A saved model is a directory:

* ``manifest.json``: ``class`` ("module:Class"), constructor ``params`` and
  ``format_version`` (:func:`stockwise.models.persistence.save_model` rewrites it with the
  same keys plus file sizes, so the LSTM keeps nothing else there);
* ``lstm_state.json``: the fitted facts (frequency, horizon, input columns and kinds,
  series, failures, training report);
* ``weights.safetensors``: the network's tensors (safetensors holds numbers only, so
  loading it cannot run code, unlike a pickle);
* ``series.parquet``: per-series scales of sales and inputs;
* ``tail.parquet``: each series' last ``look_back`` periods, the history a forecast
  starts from (not the training data: older rows are not kept).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from stockwise import schema as S
from stockwise.models.base import NotFittedError
from stockwise.models.lstm_inputs import InputScaling

if TYPE_CHECKING:
    from stockwise.models.lstm import LSTMForecaster

FORMAT_VERSION = 1
CLASS_PATH = "stockwise.models.lstm:LSTMForecaster"
MANIFEST, STATE, WEIGHTS = "manifest.json", "lstm_state.json", "weights.safetensors"
SERIES, TAIL = "series.parquet", "tail.parquet"


def save_lstm(model: LSTMForecaster, path: Path) -> Path:
    from safetensors.torch import save_file

    model.check_is_fitted()
    if not hasattr(model, "network_"):
        raise NotFittedError(
            f"{model.name} has no trained network to save (every series failed: {model.failures_})"
        )
    path.mkdir(parents=True, exist_ok=True)
    report = model.training_
    manifest = {
        "class": CLASS_PATH,
        "format_version": FORMAT_VERSION,
        "params": {
            k: list(v) if isinstance(v, tuple) else v for k, v in model.get_params().items()
        },
    }
    state = {
        "freq": model.freq_,
        "horizon": model.horizon_,
        "exog": model.exog_,
        "kinds": model.scaling_.kinds,
        "calendar": model.scaling_.calendar,
        "vocab": model.scaling_.vocab,
        "band_shift": {str(k): float(v) for k, v in model.band_shift_.items()},
        "channels": model.channels_,
        "fitted_ids": list(model.fitted_ids_),
        "failures": model.failures_,
        "network": {"n_past": len(model.channels_) + 1, "n_future": len(model.channels_)},
        "training": {
            "epochs_run": report.epochs_run,
            "best_epoch": report.best_epoch,
            "train_loss": report.train_loss,
            "val_loss": report.val_loss,
            "seconds": report.seconds,
            "n_train": report.n_train,
            "n_val": report.n_val,
        },
    }
    weights = {k: v.detach().contiguous() for k, v in model.network_.state_dict().items()}
    save_file(weights, str(path / WEIGHTS))
    model.scaling_.series.reset_index().to_parquet(path / SERIES, index=False)
    model.tail_.to_parquet(path / TAIL, index=False)
    (path / STATE).write_text(json.dumps(state, indent=2, default=_plain))
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2, default=_plain))
    return path


def load_lstm(cls: type[LSTMForecaster], path: Path) -> LSTMForecaster:
    from safetensors.torch import load_file

    from stockwise.models.lstm import QUANTILES
    from stockwise.models.lstm_network import Seq2SeqLSTM, TrainingReport

    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{path} is not a saved LSTM model: no {MANIFEST}")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("class") != CLASS_PATH or manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{manifest_path}: expected class {CLASS_PATH} format "
            f"{FORMAT_VERSION}, got {manifest.get('class')} format "
            f"{manifest.get('format_version')}"
        )
    params = manifest["params"]
    if isinstance(params.get("exog"), list):
        params["exog"] = tuple(params["exog"])
    model = cls(**params)
    fitted = json.loads((path / STATE).read_text())
    series = pd.read_parquet(path / SERIES).set_index(S.UNIQUE_ID)
    model.scaling_ = InputScaling(
        series,
        dict(fitted["kinds"]),
        fitted["freq"],
        bool(fitted["calendar"]),
        dict(fitted["vocab"]),
    )
    model.freq_ = fitted["freq"]
    model.horizon_ = int(fitted["horizon"])
    model.exog_ = list(fitted["exog"])
    model.channels_ = list(fitted["channels"])
    model.failures_ = dict(fitted["failures"])
    model.band_shift_ = {int(k): float(v) for k, v in fitted["band_shift"].items()}
    tail = pd.read_parquet(path / TAIL)
    tail[S.UNIQUE_ID] = tail[S.UNIQUE_ID].astype(str)
    model.tail_ = tail
    model.training_ = TrainingReport(**fitted["training"])
    network = Seq2SeqLSTM(
        fitted["network"]["n_past"],
        fitted["network"]["n_future"],
        model.hidden_size,
        model.num_layers,
        QUANTILES,
        model.dropout,
    )
    network.load_state_dict(load_file(str(path / WEIGHTS)))
    network.eval()
    model.network_ = network
    model.fitted_ids_ = list(fitted["fitted_ids"])
    return model


def _plain(value: Any) -> Any:
    """numpy scalars in the manifest become plain numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to the manifest")
