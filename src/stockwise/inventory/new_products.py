"""New products: stock capped by what a short sales history has shown.

Why. A forecast made from fewer days of history than the interval it must cover (lead time
+ review) extrapolates whatever those days held — for a launch, the launch spike — and
its bands, estimated from a handful of errors, are wide; the service calibration has no
evidence on the product yet either. Ordering up to a high quantile of that buys stock
for months on the strength of a launch (docs/decisions/0006-new-product-cap.md).

Rule. Until a product has been in the history for :data:`NEW_PRODUCT_INTERVALS`
protection intervals (one to see the launch, one to see what follows it), its position
after ordering is capped (as a maximum stock) at :data:`NEW_PRODUCT_HEADROOM` × its
demand rate since its first row × the protection interval. The rate since launch
includes the launch itself, so the cap is generous for a product whose launch spike is
fading and binding for one still ramping up; the plan's reason says when it applied.
After that the forecast and the calibrated level decide alone.

"New" is counted from the product's first row in the history (its listing), zeros
included, not from its first sale: what makes a forecast untrustworthy is a short
history, and a spare part listed for years whose first demand comes late is forecast
from all those zeros (counting from the first sale would cap such parts on one or two
sales and cost fill; docs/decisions/0006-new-product-cap.md).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from stockwise.inventory.parameters import ProductParameters

NEW_PRODUCT_HEADROOM = 1.5
"""Cap = this × the demand rate since the first row × the protection interval."""
NEW_PRODUCT_INTERVALS = 2
"""A product is new until it has been listed for this many protection intervals."""


def since_listing(history: np.ndarray, period_days: float = 1.0) -> tuple[float, float] | None:
    """(days since the product's first row, units sold since) of its demand history.

    ``history``: demand per period, oldest first, NaN before the product's first row (a
    series on a complete calendar from its first period, as the data layer prepares it);
    ``period_days``: days per period. None before any sale (no rate to go on).
    """
    values = np.asarray(history, dtype=float)
    values = values[np.isfinite(values)]
    units = float(values.sum())
    if units <= 0:
        return None
    return len(values) * float(period_days), units


def new_product_cap(
    days: float, units: float, protection_days: float, headroom: float = NEW_PRODUCT_HEADROOM
) -> float | None:
    """The maximum stock of a product listed ``days`` ago (``units`` sold since), or None.

    None when the product has been listed for :data:`NEW_PRODUCT_INTERVALS` ×
    ``protection_days`` or more (it is not new any more) or has no sales to go on.
    """
    if days <= 0 or units <= 0 or days >= NEW_PRODUCT_INTERVALS * protection_days:
        return None
    return headroom * units / days * protection_days


def with_new_product_cap(
    params: ProductParameters, record: tuple[float, float] | None
) -> tuple[ProductParameters, float | None]:
    """``params`` with the new-product cap as (or under) its maximum stock, and the cap.

    ``record``: :func:`since_listing` of the product; the cap is None (and ``params``
    unchanged) for a product that is not new.
    """
    if record is None:
        return params, None
    cap = new_product_cap(*record, params.lead_time_days + params.review_period_days)
    if cap is None:
        return params, None
    limit = cap if params.max_stock is None else min(params.max_stock, cap)
    return replace(params, max_stock=limit), cap


__all__ = [
    "NEW_PRODUCT_HEADROOM",
    "NEW_PRODUCT_INTERVALS",
    "new_product_cap",
    "since_listing",
    "with_new_product_cap",
]
