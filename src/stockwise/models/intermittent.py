"""Models for slow, intermittent and lumpy demand (pharmacy slow movers, luxury pieces).

Croston-type methods forecast demand size and inter-demand interval separately; TSB
tracks the probability of a sale instead of the interval (so obsolescence shows); ADIDA
and IMAPA aggregate over time to smooth away the zeros. None has native intervals, so the
contract adds conformal ones from rolling-origin errors.
"""

from __future__ import annotations

from typing import Any

from stockwise.models.statsforecast_adapter import ParameterFreeModel, StatsForecastModel


class CrostonClassic(ParameterFreeModel):
    """Croston (1972): exponential smoothing of sizes and intervals, alpha = 0.1."""

    sf_class_name = "CrostonClassic"


class CrostonOptimized(ParameterFreeModel):
    """Croston with smoothing parameters optimised per series."""

    sf_class_name = "CrostonOptimized"


class CrostonSBA(ParameterFreeModel):
    """Syntetos–Boylan approximation: Croston debiased by (1 − alpha/2)."""

    sf_class_name = "CrostonSBA"


class TSB(StatsForecastModel):
    """Teunter–Syntetos–Babai: smooths demand probability (alpha_p) and size (alpha_d)."""

    sf_class_name = "TSB"

    def __init__(self, alpha_d: float = 0.2, alpha_p: float = 0.2, alias: str | None = None,
                 freq: str | None = None) -> None:
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p
        self.alias = alias
        self.freq = freq

    def _sf_params(self) -> dict[str, Any]:
        return {"alpha_d": self.alpha_d, "alpha_p": self.alpha_p}


class ADIDA(ParameterFreeModel):
    """Aggregate–disaggregate intermittent demand approach (temporal aggregation)."""

    sf_class_name = "ADIDA"


class IMAPA(ParameterFreeModel):
    """Intermittent multiple aggregation prediction algorithm (several aggregation levels)."""

    sf_class_name = "IMAPA"
