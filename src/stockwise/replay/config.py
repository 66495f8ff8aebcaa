"""One frozen description of a closed-loop replay: :class:`ReplayConfig`.

Every option of :func:`~stockwise.replay.simulation.replay_policy` but the data (the history,
the inventory table) and the forecast source, checked once when it is built. Periods
are those of the history: for weekly or monthly data every ``*_days`` field counts weeks
or months.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import InitVar, dataclass

from stockwise import schema as S
from stockwise.inventory.parameters import POLICIES as ORDER_POLICIES
from stockwise.inventory.paths import DEFAULT_CORRELATION
from stockwise.replay.loop import BASELINE, COVER_WINDOW

POLICIES = (*ORDER_POLICIES, BASELINE)
BASELINE_WINDOW = 56
CALIBRATION_WARMUP = 4
"""Review days before the replay whose forecasts seed the service calibration."""
INTERMITTENT_PATHS = ("quantiles", "bootstrap")


@dataclass(frozen=True)
class ReplayConfig:
    """How to replay: the policy and its service target, the products' scalar settings
    (an inventory table may override them per product), the forecasts' rhythm, and the
    demand paths. Field meanings: :func:`~stockwise.replay.simulation.replay_policy`.

    ``exog``: the known-ahead input columns of the history (planned drivers: promo, price).
    ``drivers``: the former name of ``exog``, still read (with a FutureWarning) for
    one release so that replays called with it keep working; it is not stored."""

    policy: str = S.POLICY_RS
    service_level: float = 0.95
    review_period_days: int = 7
    lead_time_days: float = 7.0
    lead_time_std_days: float = 0.0
    horizon_days: int | None = None
    lost_sales: bool = True
    shelf_life_days: float | None = None
    initial_cover_days: float | None = None
    unit_cost: float = 1.0
    moq: float = 0
    pack_size: float = 1
    refit_every: int = 1
    n_paths: int = 500
    seed: int = 0
    target: str = "cycle_service_level"
    correlation: float = DEFAULT_CORRELATION
    season_length: int = 7
    holding_cost_rate: float = 0.20
    ordering_cost: float = 10.0
    train_window: int | None = None
    min_history: int | None = None
    baseline_window: int = BASELINE_WINDOW
    intermittent_paths: str = "quantiles"
    calibrate_service: bool = True
    calibration_warmup: int = CALIBRATION_WARMUP
    exog: tuple[str, ...] = ()
    initial_cover_window: int = COVER_WINDOW
    drivers: InitVar[Sequence[str] | None] = None

    def __post_init__(self, drivers: Sequence[str] | None) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, not {self.policy!r}")
        if self.review_period_days < 1:
            raise ValueError("review_period_days must be >= 1")
        if self.intermittent_paths not in INTERMITTENT_PATHS:
            raise ValueError(
                "intermittent_paths must be 'quantiles' or 'bootstrap', "
                f"not {self.intermittent_paths!r}"
            )
        if drivers is not None:
            warnings.warn(
                "the replay's drivers=... is deprecated: the known-ahead input columns are "
                "named exog=... (they will stop being read as drivers in the next release)",
                FutureWarning,
                stacklevel=3,
            )
            if self.exog and tuple(self.exog) != tuple(drivers):
                raise ValueError(f"exog {list(self.exog)} and drivers {list(drivers)}: give one")
            object.__setattr__(self, "exog", drivers)
        object.__setattr__(self, "exog", tuple(self.exog))

    @property
    def is_baseline(self) -> bool:
        """The textbook rule the replays compare against, rather than a forecast policy."""
        return self.policy == BASELINE
