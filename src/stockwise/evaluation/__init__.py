"""Forecast evaluation: accuracy metrics on arrays and on backtest (cross-validation) frames.

The definitions of every metric, and how the windows of a backtest are pooled, are in
:mod:`stockwise.evaluation.metrics`.
"""

from stockwise.evaluation.backtest import backtest, backtest_models
from stockwise.evaluation.metrics import (
    DEFAULT_METRICS,
    bias,
    coverage,
    evaluate,
    level_to_quantiles,
    mae,
    mase,
    pinball,
    rmse,
    rmsse,
    smape,
    summarise,
    wape,
)
from stockwise.evaluation.selection import combine, select_models, top_models

__all__ = [
    "DEFAULT_METRICS",
    "backtest",
    "backtest_models",
    "bias",
    "combine",
    "coverage",
    "evaluate",
    "level_to_quantiles",
    "mae",
    "mase",
    "pinball",
    "rmse",
    "rmsse",
    "select_models",
    "smape",
    "summarise",
    "top_models",
    "wape",
]
