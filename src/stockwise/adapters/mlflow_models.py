"""A stockwise forecaster as an MLflow pyfunc model: saved as parameters + training data.

What is saved, and why. A fitted statsforecast model keeps its training series inside
(``StatsForecast`` holds the grouped data; conformal bands and the fallback chain need
the history too), so pickling a fitted forecaster would hide the training data inside an
opaque pickle. Instead the model is saved as two declared artifacts:

- ``forecaster.json``: the forecaster's class and constructor parameters (nested for a
  fallback chain), the interval levels and the stockwise version;
- ``training_data.parquet``: the ``unique_id, ds, y`` series it was fit on, in the open.

``load_context`` rebuilds the forecaster from the parameters and refits it on that data.
The local models (ETS, ARIMA, Theta, Croston/TSB, baselines) are deterministic, so the
reloaded model predicts exactly what the original did (the tests check it frame for
frame). Nothing is pickled: the model is logged "from code", a three-line script that
builds an empty :class:`ForecasterModel`. Global models (gradient boosting, LSTM) and
models with exogenous inputs are not saved this way: refitting them on load would be slow
or not reproducible.

``predict(context, model_input)`` takes a frame with a column ``h`` and optionally
``unique_id`` (which series, each with its own ``h``); it returns the forecast frame
``unique_id, ds, <model>, <model>-lo-L, <model>-hi-L``, as ``forecaster.predict`` does.
"""

from __future__ import annotations

import importlib
import json
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import ModelSignature, infer_signature
from mlflow.pyfunc import PythonModel
from mlflow.types import ColSpec, Schema

from stockwise import __version__
from stockwise import schema as S
from stockwise.errors import OptionError
from stockwise.models.base import Forecaster, normalise_levels

SPEC = "forecaster.json"
TRAINING_DATA = "training_data.parquet"
FORMAT_VERSION = 1
_FORECASTER = "__forecaster__"
MODEL_CODE = """\
# The stockwise forecaster pyfunc: artifacts forecaster.json + training_data.parquet.
from mlflow.models import set_model

from stockwise.adapters.mlflow_models import ForecasterModel

set_model(ForecasterModel())
"""


class ForecasterModel(PythonModel):
    """pyfunc model: rebuilds and refits the forecaster from its saved artifacts."""

    def load_context(self, context: Any) -> None:
        spec = json.loads(Path(context.artifacts["spec"]).read_text(encoding="utf-8"))
        if spec.get("format_version") != FORMAT_VERSION:
            raise OptionError(f"unsupported forecaster format {spec.get('format_version')}")
        training = pd.read_parquet(context.artifacts["training_data"])
        self.levels_ = tuple(spec.get("levels", ()))
        self.forecaster_ = build_forecaster(spec["forecaster"]).fit(training)

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        return forecast_request(self.forecaster_, frame, self.levels_)


def forecast_request(
    model: Forecaster, request: pd.DataFrame, levels: Sequence[int] = ()
) -> pd.DataFrame:
    """Answer a request ``h`` (+ ``unique_id``) with the model's forecast frame."""
    if "h" not in request.columns or request.empty:
        raise OptionError(
            "the model input needs a column 'h' (periods ahead), with 'unique_id' to choose series"
        )
    steps = pd.to_numeric(request["h"], errors="raise").astype(int)
    if (steps < 1).any():
        raise OptionError("h must be >= 1")
    out = model.predict(int(steps.max()), levels=tuple(levels))
    if S.UNIQUE_ID not in request.columns:
        return out
    wanted = (
        pd.Series(steps.to_numpy(), index=request[S.UNIQUE_ID].astype(str)).groupby(level=0).max()
    )
    out = out[out[S.UNIQUE_ID].isin(wanted.index)]
    step = out.groupby(S.UNIQUE_ID, sort=False).cumcount()
    return out[step.to_numpy() < out[S.UNIQUE_ID].map(wanted).to_numpy()].reset_index(drop=True)


# -- parameters in, parameters out ------------------------------------------------------
def forecaster_spec(model: Forecaster) -> dict[str, Any]:
    """Class + constructor parameters, JSON-ready; nested forecasters included."""
    cls = type(model)
    return {
        "class": f"{cls.__module__}:{cls.__qualname__}",
        "params": {k: _encode(v, k) for k, v in model.get_params().items()},
    }


def build_forecaster(spec: dict[str, Any]) -> Forecaster:
    """An unfitted forecaster from :func:`forecaster_spec`; only stockwise classes load."""
    module_name, _, qualname = str(spec["class"]).partition(":")
    if module_name.split(".")[0] != "stockwise":
        raise OptionError(f"refusing to load {spec['class']!r}: not a stockwise forecaster")
    cls = importlib.import_module(module_name)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    if not (isinstance(cls, type) and issubclass(cls, Forecaster)):
        raise OptionError(f"{spec['class']!r} is not a forecaster")
    return cls(**{k: _decode(v) for k, v in spec["params"].items()})


def _encode(value: Any, name: str) -> Any:
    if isinstance(value, Forecaster):
        return {_FORECASTER: forecaster_spec(value)}
    if isinstance(value, list | tuple):
        return [_encode(v, name) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise OptionError(
        f"parameter {name}={value!r} cannot be saved as JSON; this "
        "forecaster cannot be logged as a model"
    )


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and _FORECASTER in value:
        return build_forecaster(value[_FORECASTER])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def can_log(model: Forecaster) -> str | None:
    """Why ``model`` cannot be saved as parameters + training data (None: it can)."""
    if not hasattr(model, "train_"):
        return "it is not fitted"
    if model.is_global or model.supports_exog:
        return "global and exogenous models are not refit on load"
    try:
        forecaster_spec(model)
    except OptionError as exc:
        return str(exc)
    return None


# -- logging ------------------------------------------------------------------------------
def log_forecaster(
    name: str, model: Forecaster, sample_input: pd.DataFrame, levels: Sequence[int] = ()
) -> str:
    """Log ``model`` (fitted) as a pyfunc model in the active run; returns its URI.

    ``sample_input`` gives the output signature (answered by ``model`` itself) and is kept
    in the model's metadata. It is not passed as MLflow's ``input_example``: MLflow would
    then reload the model to validate it, refitting it a second time.
    """
    reason = can_log(model)
    if reason:
        raise OptionError(f"cannot log {model.name} as a model: {reason}")
    levels = normalise_levels(tuple(levels))
    output = forecast_request(model, sample_input, levels)
    inputs = Schema([ColSpec("string", S.UNIQUE_ID, required=False), ColSpec("long", "h")])
    signature = ModelSignature(inputs=inputs, outputs=infer_signature(output).inputs)
    with tempfile.TemporaryDirectory(prefix="stockwise-model-") as tmp:
        spec_path, data_path = Path(tmp, SPEC), Path(tmp, TRAINING_DATA)
        code_path = Path(tmp, "stockwise_forecaster.py")
        code_path.write_text(MODEL_CODE, encoding="utf-8")
        spec_path.write_text(
            json.dumps(
                {
                    "format_version": FORMAT_VERSION,
                    "stockwise_version": __version__,
                    "model": model.name,
                    "levels": list(levels),
                    "forecaster": forecaster_spec(model),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        model.train_[[S.UNIQUE_ID, S.DS, S.Y]].to_parquet(data_path, index=False)
        with warnings.catch_warnings():  # the signature is explicit, no example on purpose
            warnings.filterwarnings("ignore", message=".*input example", category=UserWarning)
            info = mlflow.pyfunc.log_model(
                name=name,
                python_model=str(code_path),
                artifacts={"spec": str(spec_path), "training_data": str(data_path)},
                signature=signature,
                pip_requirements=pip_requirements(),
                metadata={
                    "stockwise_model": model.name,
                    "levels": list(levels),
                    "sample_request": sample_input.to_dict(orient="list"),
                },
            )
    return str(info.model_uri)


def pip_requirements() -> list[str]:
    """What a fresh environment needs to load the model (stockwise itself included)."""
    from importlib.metadata import PackageNotFoundError, version

    out = [f"stockwise=={__version__}"]
    for package in ("mlflow", "statsforecast", "pandas", "pyarrow"):
        try:
            out.append(f"{package}=={version(package)}")
        except PackageNotFoundError:  # pragma: no cover - a broken environment
            out.append(package)
    return out
