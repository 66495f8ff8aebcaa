"""What a background run reads from storage: the sales (with the history of the drivers it
names), and for a plan run the latest inventory snapshot and the batches; each refusal a
sentence saying what to upload first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.adapters.storage import Storage, queries
from stockwise.adapters.storage.frames import (
    batches_frame,
    inventory_frame,
    planned_frame,
    sales_frame,
)
from stockwise.errors import NothingUsableError, OptionError


@dataclass(frozen=True)
class StoredData:
    """The tables of one run, read in one session. ``inventory`` and ``batches``: None
    for a forecast run; ``planned``: None without drivers."""

    sales: pd.DataFrame
    inventory: pd.DataFrame | None
    batches: pd.DataFrame | None
    planned: pd.DataFrame | None
    drivers: list[str]


def read_stored(storage: Storage, kind: str, params: dict[str, Any]) -> StoredData:
    """The stored tables a ``kind`` run with ``params`` needs. Sales stored without any
    sector are read for the profile the run's ``sector`` names (as ``stockwise plan
    --sector`` plans a file without a sector column)."""
    drivers = list(dict.fromkeys(params.get("drivers") or ()))
    sector = params.get("sector")
    with storage.session() as session:
        stored_sectors = queries.sector_names(session)
        as_profile = sector is not None and not stored_sectors
        sales = _without_empty_sector(
            sales_frame(session, None if as_profile else sector, extras=drivers)
        )
        inventory = inventory_frame(session) if kind == "plan" else None
        batches = batches_frame(session) if kind == "plan" else None
        planned = (
            planned_frame(
                session, drivers, None if as_profile else sector, after=_earliest_end(sales)
            )
            if drivers
            else None
        )
    _check(sales, planned, drivers, sector, stored_sectors, as_profile)
    return StoredData(sales, inventory, batches, planned, drivers)


def _check(
    sales: pd.DataFrame,
    planned: pd.DataFrame | None,
    drivers: list[str],
    sector: str | None,
    stored_sectors: list[str],
    as_profile: bool,
) -> None:
    """Refuse a run with nothing to forecast, saying what to upload; a ``sector`` asked
    for on sales stored without sectors must name a profile."""
    where = f" for sector {sector!r}" if sector else ""
    if sales.empty and sector and stored_sectors:
        raise NothingUsableError(
            f"no sales stored{where}; the stored sectors are {', '.join(stored_sectors)}"
        )
    if sales.empty:
        raise NothingUsableError(
            f"no sales stored{where}: upload sales first (POST /api/v1/uploads/sales)"
        )
    if as_profile and sector is not None:
        _require_profile(sector)
    if planned is not None and planned.empty:
        raise NothingUsableError(
            f"drivers {drivers} need their planned values for the "
            f"forecast periods, and none are stored{where}: upload "
            "them first (POST /api/v1/uploads/planned)"
        )


def _without_empty_sector(sales: pd.DataFrame) -> pd.DataFrame:
    """Sales stored without any sector read as a file without a sector column, so a
    run plans them as the command line does (under the profile the run names)."""
    if S.SECTOR in sales and sales[S.SECTOR].isna().all():
        return sales.drop(columns=S.SECTOR)
    return sales


def _require_profile(name: str) -> None:
    """A sector asked for on sales stored without sectors names the profile to plan
    them under: it must exist."""
    from stockwise.sectors import list_profiles

    known = list_profiles()
    if name not in known:
        raise OptionError(
            f"sector {name!r}: the stored sales have no sector, so it names "
            f"the profile to plan them under, and there is no profile "
            f"{name!r}; use one of {', '.join(known)}"
        )


def _earliest_end(sales: pd.DataFrame) -> dt.date | None:
    """The first day any series' history ends: planned days after it may be forecast."""
    if sales.empty:
        return None
    return sales.groupby(S.UNIQUE_ID)[S.DS].max().min().date()
