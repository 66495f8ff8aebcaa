"""What a plan is told besides its forecasts and inventory: how to plan, and what the run
knows about each product.

:class:`PlanOptions` holds the choices that are the same for every product (profiles,
frequency, policy, service target, sampling, seed, currency, first day);
:class:`ProductFacts` the tables the run read about its products (batches, prices, the
forecasts' backtest, demand groups, days since listing, last sale). Both are frozen: the
same object can be handed to every chunk of a plan and reads the same in each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from stockwise import schema as S
from stockwise.inventory.paths import DEFAULT_CORRELATION, DEFAULT_PATHS
from stockwise.inventory.plan_lines import Sampling
from stockwise.sectors import SectorProfile


@dataclass(frozen=True)
class PlanOptions:
    """How to plan; the same for every product.

    ``profiles``: sector profile per sector name (a product's defaults, currency, lead
    times). ``today``: the first projected day (None: the first forecast date). ``freq``:
    the forecasts' frequency, or one per sector. ``policy``: one of the schema's
    ``POLICY_*`` names, unless the inventory row names its own. ``target``: what the
    service level means (``cycle_service_level``, ``fill_rate`` or ``cost``).
    ``n_paths`` / ``correlation``: the demand sample paths drawn per product. ``seed``:
    the generator of those paths (same seed, same plan). ``currency``: the label of every
    line's money (None: each sector profile's own).
    """

    profiles: Mapping[str, SectorProfile] = field(default_factory=dict)
    today: pd.Timestamp | str | None = None
    freq: str | Mapping[str, str] = "D"
    policy: str = S.POLICY_RS
    target: str = "cycle_service_level"
    n_paths: int = DEFAULT_PATHS
    correlation: float = DEFAULT_CORRELATION
    seed: int = 0
    currency: str | None = None

    @property
    def sampling(self) -> Sampling:
        """How every product's demand paths are drawn and read."""
        return Sampling(self.target, self.n_paths, self.correlation)


@dataclass(frozen=True)
class ProductFacts:
    """What the run knows about its products besides forecast and stock; every table is
    optional and keyed by ``unique_id``.

    ``batches``: stock lots with expiry dates. ``prices``: selling price per product (lost
    sales are valued at the unit cost without one). ``backtest``: the chosen forecasts'
    backtest windows, which turn on service calibration. ``demand_groups``: e.g.
    "intermittent" / "smooth", the pools calibration shares evidence in.
    ``since_listing_by_product``: (days since its first row, units sold since), which caps
    products too new for their forecast. ``last_sale``: the day of each product's last
    sale (None: never sold), for dead-stock alerts and zero-demand lines.
    """

    batches: pd.DataFrame | None = None
    prices: pd.Series | None = None
    backtest: pd.DataFrame | None = None
    demand_groups: Mapping[str, str] | None = None
    since_listing_by_product: Mapping[str, tuple[float, float]] | None = None
    last_sale: Mapping[str, pd.Timestamp | None] | None = None
