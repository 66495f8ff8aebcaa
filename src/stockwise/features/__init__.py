"""Series features: descriptors computed from the sales history that steer model choice.

:mod:`stockwise.features.demand_class` holds the Syntetos–Boylan demand classification
(smooth, erratic, intermittent, lumpy) and the candidate models of each class.
"""

from stockwise.features.demand_class import (
    CANDIDATES_BY_CLASS,
    DEMAND_CLASSES,
    candidate_models,
    classify_demand,
)

__all__ = ["CANDIDATES_BY_CLASS", "DEMAND_CLASSES", "candidate_models", "classify_demand"]
