"""Forecasters behind one contract (see :mod:`stockwise.models.base`)."""

from stockwise.models.base import Forecaster, NotFittedError
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
from stockwise.models.persistence import load_model, save_model
from stockwise.models.registry import available_models, make_model, with_fallback
from stockwise.models.sklearn_model import SklearnRegressor
from stockwise.models.statistical import AutoARIMA, AutoCES, AutoETS, AutoTheta

__all__ = [
    "ADIDA",
    "IMAPA",
    "TSB",
    "AutoARIMA",
    "AutoCES",
    "AutoETS",
    "AutoTheta",
    "CrostonClassic",
    "CrostonOptimized",
    "CrostonSBA",
    "FallbackChain",
    "Forecaster",
    "HistoricAverage",
    "LSTMForecaster",
    "LightGBM",
    "MedianCombo",
    "Naive",
    "NotFittedError",
    "SeasonalNaive",
    "SklearnRegressor",
    "WindowAverage",
    "XGBoost",
    "available_models",
    "load_model",
    "make_model",
    "save_model",
    "with_fallback",
]
