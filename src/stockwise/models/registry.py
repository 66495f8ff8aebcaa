"""Model names → forecasters, so users, profiles and the CLI can name models as text.

``make_model("AutoETS", season_length=12)`` builds a configured forecaster; the
registry knows which constructor arguments each model takes, so a season length given to
a model without seasons is simply not passed. ``default_fallbacks`` gives each model the
chain that catches the series it cannot handle.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable

from stockwise.errors import OptionError
from stockwise.models.base import Forecaster
from stockwise.models.baselines import HistoricAverage, Naive, SeasonalNaive, WindowAverage
from stockwise.models.fallback import FallbackChain
from stockwise.models.intermittent import (
    ADIDA,
    IMAPA,
    TSB,
    CrostonClassic,
    CrostonOptimized,
    CrostonSBA,
)
from stockwise.models.lstm import LSTMForecaster
from stockwise.models.statistical import AutoARIMA, AutoETS, AutoTheta

MODELS: dict[str, type[Forecaster]] = {
    cls.__name__: cls for cls in (
        AutoETS, AutoARIMA, AutoTheta, CrostonClassic, CrostonOptimized, CrostonSBA, TSB,
        ADIDA, IMAPA, Naive, SeasonalNaive, WindowAverage, HistoricAverage,
    )
}
MODELS["LSTM"] = LSTMForecaster  # torch is imported only when it fits or predicts
ALIASES = {"ETS": "AutoETS", "ARIMA": "AutoARIMA", "Theta": "AutoTheta",
           "MovingAverage": "WindowAverage", "Croston": "CrostonClassic",
           "SBA": "CrostonSBA", "Mean": "HistoricAverage", "LSTMForecaster": "LSTM"}
_EXTRA_FACTORIES: dict[str, Callable[..., Forecaster]] = {}


def register_model(name: str, factory: Callable[..., Forecaster]) -> None:
    """Make a model available by name (used by the machine-learning models and plugins)."""
    _EXTRA_FACTORIES[name] = factory


def available_models() -> list[str]:
    return sorted([*MODELS, *_EXTRA_FACTORIES])


def make_model(name: str, season_length: int = 1, freq: str | None = None,
               **params: object) -> Forecaster:
    """Build the named model, passing only the arguments its constructor accepts."""
    canonical = ALIASES.get(name, name)
    factory: Callable[..., Forecaster] | None = MODELS.get(canonical) or _EXTRA_FACTORIES.get(
        canonical)
    if factory is None:
        close = difflib.get_close_matches(name, available_models(), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise OptionError(f"unknown model '{name}'.{hint} Available: "
                         f"{', '.join(available_models())}")
    accepted = inspect.signature(factory).parameters
    candidates = {"season_length": season_length, "freq": freq, **params}
    if "window_size" in accepted and "window_size" not in params:
        candidates["window_size"] = max(season_length, 3)
    kwargs = {k: v for k, v in candidates.items() if k in accepted}
    return factory(**kwargs)


def default_fallbacks(name: str, season_length: int = 1) -> list[str]:
    """The models tried, in order, when ``name`` fails on a series."""
    chain = {
        "AutoARIMA": ["AutoETS", "SeasonalNaive", "Naive"],
        "AutoETS": ["SeasonalNaive", "Naive"],
        "AutoTheta": ["AutoETS", "SeasonalNaive", "Naive"],
        "LSTM": ["SeasonalNaive", "Naive"],
    }.get(ALIASES.get(name, name), ["Naive"])
    if season_length <= 1:
        chain = [m for m in chain if m != "SeasonalNaive"]
    return [*chain, "HistoricAverage"]


def with_fallback(model: Forecaster | str, season_length: int = 1,
                  freq: str | None = None) -> FallbackChain:
    """Wrap a model (or a name) in its default fallback chain."""
    primary = make_model(model, season_length, freq) if isinstance(model, str) else model
    names = [n for n in default_fallbacks(primary.name, season_length) if n != primary.name]
    chain = [primary, *(make_model(n, season_length, freq) for n in names)]
    return FallbackChain(chain, freq=freq)
