"""What a sector profile holds: the frozen objects a plan reads, with the defaults a profile
may leave out and the vocabulary (frequencies, shelf-life modes) its fields take.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stockwise import calendar_facts
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS
from stockwise.errors import ProfileError

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
"""Folder holding the built-in profile files."""


FREQUENCIES = calendar_facts.CODES
"""Values of ``frequency`` (pandas aliases such as ``W-SUN``, ``MS`` or ``QS`` are read
as theirs): hourly, daily, weekly, monthly, quarterly, yearly."""


DEFAULT_CURRENCY = "EUR"
"""Currency of a profile that names none (ISO 4217 code): the one money is shown in."""


SHELF_LIFE_MODES = ("none", "fefo")
"""Allowed values of ``shelf_life_handling``."""


PANDAS_FREQ = {code: calendar_facts.pandas_alias(code) for code in FREQUENCIES}
"""pandas frequency aliases of the profile frequencies, with periods dated by their
start: hours, days, weeks dated on their Monday, months, quarters and years dated on
their first day."""


@dataclass(frozen=True)
class LeadTimeRange:
    """Typical supplier lead time of a sector, in days (``min`` <= ``max``).

    These are planning defaults used when the inventory table has no ``lead_time_days``
    for a product; per-product values always win.
    """

    min: float
    max: float

    @property
    def mid(self) -> float:
        """Middle of the range, a default point estimate of the lead time."""
        return (self.min + self.max) / 2


@dataclass(frozen=True)
class Features:
    """Which demand drivers the sector's feature pipeline uses by default."""

    promotions: bool = False
    prices: bool = False
    holidays: bool = False
    events: bool = False

    def enabled(self) -> tuple[str, ...]:
        """Names of the drivers switched on, in declaration order."""
        return tuple(name for name in _FEATURE_KEYS if getattr(self, name))


_FEATURE_KEYS = ("promotions", "prices", "holidays", "events")


@dataclass(frozen=True)
class SectorProfile:
    """Planning defaults of one sector, as read from its YAML file.

    Attributes
    ----------
    name:
        Profile name (defaults to the file name without extension).
    frequency:
        Period of the series: ``"h"`` hour, ``"D"`` day, ``"W"`` week starting Monday,
        ``"M"`` month, ``"Q"`` quarter, ``"Y"`` year (pandas aliases are read as theirs).
    season_length:
        Number of periods in one seasonal cycle (24 for hourly data with a daily cycle,
        7 for daily data with a weekly cycle, 52 for weekly data with a yearly cycle, 12
        for monthly, 4 for quarterly, 1 for yearly data).
    horizon:
        Default forecast horizon, in periods of ``frequency``.
    service_level:
        Target cycle service level, strictly between 0 and 1.
    holding_cost_rate:
        Cost of holding one unit for a year, as a fraction of its unit cost (>= 0).
    lead_time_days:
        Typical supplier lead time range, in days.
    candidate_models:
        Names of the forecasting models tried first for this sector, in order of
        preference. They are only names here; the model registry resolves them.
    description:
        One line saying which businesses the profile fits.
    demand_pattern:
        Short text describing how demand usually behaves in the sector.
    levels:
        Prediction interval levels in percent (ascending integers between 1 and 99).
    critical_service_level:
        Higher service level for critical lines (e.g. essential drugs), or ``None``.
    expiry_waste:
        True when unsold stock expires and its cost must be added to holding costs.
    shortage_cost_rate:
        Cost of one unit of unmet demand, as a fraction of its unit cost (lost margin plus
        goodwill). Used only by cost-based policies (newsvendor, (s,S)); the default policy
        aims at ``service_level``. Default 1.0: a lost unit costs as much as it is worth.
    ordering_cost:
        Fixed cost of placing one order line, in the company's currency (EOQ, (s,S)).
        Default 10.0.
    review_period_days:
        Days between two order reviews (the R of an (R,S) policy). Default 7.
    max_gap_days:
        A run of missing periods longer than this many days (and than two periods) is a
        hole: missing data, left out of fitting and scoring, not zero sales
        (:mod:`stockwise.data.holes`). Default 14: two weekly cycles of daily sales.
    cold_start_periods:
        A series with fewer periods than this since its first sale is forecast from its
        peers (:mod:`stockwise.models.cold_start`); 0 keeps every series on its own
        history; ``None`` (the default): the default of the frequency.
    shelf_life_handling:
        ``"none"`` or ``"fefo"`` (first expired, first out: batches with expiry dates).
    features:
        Demand drivers used by default.
    country:
        ISO 3166 alpha-2 code of the holiday calendar (default ``"FR"``).
    currency:
        ISO 4217 code of the money the unit costs and prices are in (default
        :data:`DEFAULT_CURRENCY`, ``"EUR"``). It labels money; nothing is converted.
    language:
        The language of what a buyer reads from a run of this sector — alerts, reasons,
        the workbook, the report, the terminal: ``"en"`` (default) or ``"fr"``
        (:mod:`stockwise.words`); ``--lang`` overrides it.
    source:
        File the profile was read from (not part of :meth:`to_dict`, ignored by ``==``).
    """

    name: str
    frequency: str
    season_length: int
    horizon: int
    service_level: float
    holding_cost_rate: float
    lead_time_days: LeadTimeRange
    candidate_models: tuple[str, ...]
    description: str = ""
    demand_pattern: str = ""
    levels: tuple[int, ...] = (80, 95)
    critical_service_level: float | None = None
    expiry_waste: bool = False
    shortage_cost_rate: float = 1.0
    ordering_cost: float = 10.0
    review_period_days: int = 7
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS
    cold_start_periods: int | None = None
    shelf_life_handling: str = "none"
    features: Features = field(default_factory=Features)
    country: str = "FR"
    currency: str = DEFAULT_CURRENCY
    language: str = "en"
    source: str | None = field(default=None, compare=False, repr=False)

    @property
    def pandas_freq(self) -> str:
        """pandas alias of ``frequency`` with periods dated by their start."""
        return PANDAS_FREQ[self.frequency]

    def to_dict(self) -> dict[str, Any]:
        """Plain, YAML-ready mapping of every key (``source`` left out).

        ``SectorProfile.from_dict(profile.to_dict()) == profile`` holds.
        """
        return {
            "name": self.name,
            "description": self.description,
            "demand_pattern": self.demand_pattern,
            "frequency": self.frequency,
            "season_length": self.season_length,
            "horizon": self.horizon,
            "levels": list(self.levels),
            "service_level": self.service_level,
            "critical_service_level": self.critical_service_level,
            "holding_cost_rate": self.holding_cost_rate,
            "expiry_waste": self.expiry_waste,
            "shortage_cost_rate": self.shortage_cost_rate,
            "ordering_cost": self.ordering_cost,
            "lead_time_days": {"min": self.lead_time_days.min, "max": self.lead_time_days.max},
            "review_period_days": self.review_period_days,
            "max_gap_days": self.max_gap_days,
            "cold_start_periods": self.cold_start_periods,
            "shelf_life_handling": self.shelf_life_handling,
            "candidate_models": list(self.candidate_models),
            "features": {key: getattr(self.features, key) for key in _FEATURE_KEYS},
            "country": self.country,
            "currency": self.currency,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> SectorProfile:
        """Validate a mapping with the same rules as a profile file (no ``extends``).

        ``source`` names the origin in error messages.
        """
        # The field checks build profiles, so they import this module: import them here.
        from stockwise.sectors.profile_fields import _build, _check_known_keys

        if not isinstance(data, Mapping):
            raise ProfileError(
                f"{source}: a profile must be a mapping of keys to values, "
                f"got {type(data).__name__}"
            )
        raw = dict(data)
        _check_known_keys(raw, source)
        if "extends" in raw:
            raise ProfileError(
                f"{source}: key 'extends' is only allowed in profile files",
                hint="Merge the parent profile's to_dict() yourself.",
            )
        if "name" not in raw:
            raise ProfileError(f"{source}: missing required key 'name'")
        return _build(raw, dict.fromkeys(raw, source), source)
