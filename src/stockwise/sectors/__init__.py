"""Sector profiles (data files) and sector-level sales and stock figures."""

from stockwise.sectors.analytics import Sector
from stockwise.sectors.profile import (
    DEFAULT_CURRENCY,
    Features,
    LeadTimeRange,
    SectorProfile,
    list_profiles,
    load_profile,
)
from stockwise.sectors.stock import Stock

__all__ = [
    "DEFAULT_CURRENCY",
    "Features",
    "LeadTimeRange",
    "Sector",
    "SectorProfile",
    "Stock",
    "list_profiles",
    "load_profile",
]
