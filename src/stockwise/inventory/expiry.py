"""How much of a new batch can sell before it expires: the cap on a perishable order.

A batch arriving after the lead time is sold after the older stock (first expired, first
out), so what it can sell is the demand over its shelf life minus the stock expected on
hand when it arrives; ordering more than that only creates waste. The plan and the
closed-loop replay both cap orders with this one rule.
"""

from __future__ import annotations

import numpy as np


def sellable_before_expiry(
    paths: np.ndarray, lead_time_days: float, shelf_life_days: float, expected_on_hand: np.ndarray
) -> float:
    """Mean units a batch ordered today sells within its shelf life (≥ 0).

    ``paths`` are (n_paths, days) daily demand paths from today; ``expected_on_hand``
    the expected end-of-day stock per day without the new batch. Paths shorter than the
    shelf life are extended at their average rate over the part that exists.
    """
    lead = max(round(lead_time_days), 0)
    shelf = int(shelf_life_days)
    window = paths[:, lead : lead + shelf]
    sellable = float(window.sum(axis=1).mean()) if window.size else 0.0
    if window.shape[1] < shelf and paths.shape[1]:
        sellable *= shelf / max(window.shape[1], 1)
    if len(expected_on_hand) == 0:
        return max(sellable, 0.0)
    arrival = min(lead, len(expected_on_hand) - 1)
    return max(sellable - float(expected_on_hand[arrival]), 0.0)
