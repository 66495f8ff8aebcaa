"""Model names → forecasters, so users, profiles and the CLI can name models as text.

``make_model("AutoETS", season_length=12)`` builds a configured forecaster; the
registry knows which constructor arguments each model takes, so a season length given to
a model without seasons is simply not passed. ``default_fallbacks`` gives each model the
chain that catches the series it cannot handle.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Sequence

from stockwise.errors import OptionError
from stockwise.features.spec import direct_steps
from stockwise.models.base import Forecaster
from stockwise.models.baselines import HistoricAverage, Naive, SeasonalNaive, WindowAverage
from stockwise.models.boosting import LightGBM, XGBoost
from stockwise.models.combination import MedianCombo
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
from stockwise.models.month_day import HoltWintersMonthDay
from stockwise.models.sklearn_model import SklearnRegressor
from stockwise.models.smoothing import SES, HoltWinters
from stockwise.models.statistical import AutoARIMA, AutoCES, AutoETS, AutoTheta

MODELS: dict[str, type[Forecaster]] = {
    cls.__name__: cls
    for cls in (
        AutoETS,
        AutoARIMA,
        AutoTheta,
        AutoCES,
        MedianCombo,
        CrostonClassic,
        CrostonOptimized,
        CrostonSBA,
        TSB,
        ADIDA,
        IMAPA,
        Naive,
        SeasonalNaive,
        WindowAverage,
        HistoricAverage,
        LightGBM,
        XGBoost,
        HoltWinters,
        SES,
        HoltWintersMonthDay,
    )
}
MODELS["LSTM"] = LSTMForecaster  # torch is imported only when it fits or predicts
ALIASES = {
    "ETS": "AutoETS",
    "ARIMA": "AutoARIMA",
    "Theta": "AutoTheta",
    "CES": "AutoCES",
    "Combo": "MedianCombo",
    "MovingAverage": "WindowAverage",
    "Croston": "CrostonClassic",
    "SBA": "CrostonSBA",
    "Mean": "HistoricAverage",
    "LSTMForecaster": "LSTM",
}
_EXTRA_FACTORIES: dict[str, Callable[..., Forecaster]] = {}
GLOBAL_AUTO: dict[str, tuple[int, bool]] = {
    "LightGBM": (50, True),
    "LightGBM-tweedie": (50, False),
    "XGBoost": (50, True),
}
"""Global models "auto" may add to every series' candidates: name → (minimum number of
series, tried by default). One fit learns from the whole panel, so on a few series such a
model is not worth its cost; above the minimum, "auto" tries the default ones, and a
sector profile's ``candidate_models`` brings in the others it names (and leaves out the
ones it does not). Another global model ("LSTM") joins with
:func:`register_global_candidate`."""


def register_model(name: str, factory: Callable[..., Forecaster]) -> None:
    """Make a model available by name (used by the machine-learning models and plugins)."""
    _EXTRA_FACTORIES[name] = factory


def register_global_candidate(name: str, min_series: int, by_default: bool = False) -> None:
    """Let "auto" try the registered global model ``name`` on panels of >= min_series
    (always when ``by_default``, else only where a sector profile names it)."""
    GLOBAL_AUTO[name] = (int(min_series), bool(by_default))


def global_candidates(n_series: int, restrict_to: Sequence[str] | None = None) -> list[str]:
    """The global models "auto" adds on a panel of ``n_series`` series."""
    known = set(available_models())
    return [
        name
        for name, (minimum, default) in sorted(GLOBAL_AUTO.items())
        if n_series >= minimum
        and name in known
        and (name in restrict_to if restrict_to is not None else default)
    ]


def _lightgbm_tweedie(
    season_length: int | None = None, freq: str | None = None, **params: object
) -> Forecaster:
    return LightGBM(
        season_length=season_length,
        freq=freq,
        objective="tweedie",
        alias="LightGBM-tweedie",
        **params,  # type: ignore[arg-type]
    )


def _lightgbm_direct(
    season_length: int | None = None,
    freq: str | None = None,
    direct_horizon: int | None = None,
    **params: object,
) -> Forecaster:
    return LightGBM(
        season_length=season_length,
        freq=freq,
        strategy="direct",
        direct_horizon=direct_horizon,
        alias="LightGBM-direct",
        **params,  # type: ignore[arg-type]
    )


def _random_forest(
    season_length: int | None = None, freq: str | None = None, **params: object
) -> Forecaster:
    return SklearnRegressor(season_length=season_length, freq=freq, **params)  # type: ignore[arg-type]


def available_models() -> list[str]:
    return sorted([*MODELS, *_EXTRA_FACTORIES])


def check_model_names(names: Sequence[str]) -> None:
    """Raise :class:`OptionError` naming every name that is neither a model nor an alias,
    and the known ones: a request for a model that does not exist is refused when it is
    made, not after the data was read and half the series were fitted."""
    unknown = [
        n
        for n in names
        if ALIASES.get(n, n) not in MODELS and ALIASES.get(n, n) not in _EXTRA_FACTORIES
    ]
    if not unknown:
        return
    close = sorted(
        {c for n in unknown for c in difflib.get_close_matches(n, available_models(), n=3)}
    )
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    shown = ", ".join(repr(n[:100]) for n in unknown[:10])
    raise OptionError(
        f"unknown model{'s' if len(unknown) > 1 else ''} {shown}.{hint} "
        f"Known models: {', '.join(available_models())} (or 'auto')"
    )


def make_model(
    name: str, season_length: int = 1, freq: str | None = None, **params: object
) -> Forecaster:
    """Build the named model, passing only the arguments its constructor accepts."""
    canonical = ALIASES.get(name, name)
    factory: Callable[..., Forecaster] | None = MODELS.get(canonical) or _EXTRA_FACTORIES.get(
        canonical
    )
    if factory is None:
        close = difflib.get_close_matches(name, available_models(), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise OptionError(
            f"unknown model '{name}'.{hint} Available: {', '.join(available_models())}"
        )
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
        "AutoCES": ["AutoETS", "SeasonalNaive", "Naive"],
        "MedianCombo": ["SeasonalNaive", "Naive"],
        "HoltWinters": ["SeasonalNaive", "Naive"],
        "HoltWintersMonthDay": ["HoltWinters", "SeasonalNaive", "Naive"],
        "LSTM": ["SeasonalNaive", "Naive"],
        "LightGBM": ["SeasonalNaive", "Naive"],
        "LightGBM-tweedie": ["SeasonalNaive", "Naive"],
        "LightGBM-direct": ["SeasonalNaive", "Naive"],
        "XGBoost": ["SeasonalNaive", "Naive"],
        "RandomForest": ["SeasonalNaive", "Naive"],
    }.get(ALIASES.get(name, name), ["Naive"])
    if season_length <= 1:
        chain = [m for m in chain if m != "SeasonalNaive"]
    return [*chain, "HistoricAverage"]


register_model("LightGBM-tweedie", _lightgbm_tweedie)
register_model("LightGBM-direct", _lightgbm_direct)
register_model("RandomForest", _random_forest)
register_global_candidate("LSTM", 100)
"""The LSTM joins "auto" on panels of 100 series or more where a sector profile names it
(retail does): a fit costs about a minute on 2 cores (docs/benchmarks/lstm_and_gbm.md), and
"auto" fits it once per backtest window and once more at the end."""


def with_fallback(
    model: Forecaster | str, season_length: int = 1, freq: str | None = None, h: int | None = None
) -> FallbackChain:
    """Wrap a model (or a name) in its default fallback chain.

    With the forecast horizon ``h``, models built by name that learn steps from an origin
    (the direct strategy of the gradient-boosted models) learn that many steps, up to
    twice their default (:func:`~stockwise.features.spec.direct_steps`); a model given
    as an object is used as it is.
    """
    extra = {} if h is None else {"direct_horizon": direct_steps(h, freq)}
    primary = make_model(model, season_length, freq, **extra) if isinstance(model, str) else model
    names = [n for n in default_fallbacks(primary.name, season_length) if n != primary.name]
    chain = [primary, *(make_model(n, season_length, freq) for n in names)]
    return FallbackChain(chain, freq=freq)
