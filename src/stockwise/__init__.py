"""stockwise: from sales history and stock to forecasts, stockout dates and order proposals.

The top-level functions are loaded on first use, so ``import stockwise`` stays light:

- :func:`stockwise.forecast` — forecasts with intervals and automatic model selection;
- :func:`stockwise.backtest` — rolling-origin backtests and per-series metrics;
- :class:`stockwise.ForecastConfig` — the options of both as one frozen object;
- :func:`stockwise.load_table` — read, map and validate a user's file;
- :func:`stockwise.generate` — synthetic multi-sector data with known true demand.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "forecast": "stockwise.workflows.forecast",
    "backtest": "stockwise.workflows.forecast",
    "ForecastConfig": "stockwise.workflows.forecast_config",
    "load_table": "stockwise.data.intake",
    "prepare_sales": "stockwise.data.prepare",
    "generate": "stockwise.synthetic",
    "load_profile": "stockwise.sectors",
}
__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'stockwise' has no attribute {name!r}")
