"""Series features: descriptors computed from the sales history that steer model choice.

:mod:`stockwise.features.demand_class` holds the Syntetos–Boylan demand classification
(smooth, erratic, intermittent, lumpy) and the candidate models of each class.
:mod:`~stockwise.features.spec` declares the machine-learning features as data
(:class:`FeatureSpec`); ``lags``, ``calendar``, ``drivers`` and ``transforms`` compute them.
"""

from stockwise.features.demand_class import (
    CANDIDATES_BY_CLASS,
    DEMAND_CLASSES,
    candidate_models,
    classify_demand,
)
from stockwise.features.spec import FeatureSpec, default_spec

__all__ = [
    "CANDIDATES_BY_CLASS",
    "DEMAND_CLASSES",
    "FeatureSpec",
    "candidate_models",
    "classify_demand",
    "default_spec",
]
