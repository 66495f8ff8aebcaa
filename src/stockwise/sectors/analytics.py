"""Sales and stock figures of one sector, on canonical long frames.

The successor of the seed project's ``Sector`` class (``total_sales``, ``average_sales``,
``total_stock_level``), reading the canonical columns of :mod:`stockwise.schema`: a sales
frame with ``unique_id``, ``ds``, ``y``, ``sector`` and optionally ``on_hand`` (stock at
the end of each period), and an optional inventory table (one row per ``unique_id``) with
the current ``on_hand``.

Periods
-------
``period`` is ``None`` or one of ``"D"`` (calendar day), ``"W"`` (week starting Monday,
labelled by its Monday) or ``"M"`` (calendar month, labelled by its first day). Every
period between the first and the last one is reported: a period without any row counts
as zero sales, as ERP exports usually leave out days without a transaction. Partial first
and last periods (a series starting on a Wednesday) are reported as they are.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import MissingColumnsError

PERIODS = ("D", "W", "M")
"""Allowed ``period`` values: day, week starting Monday, month."""

BY_VALUES = (None, "product")
"""Allowed ``by`` values: the whole sector, or one figure per ``unique_id``."""

_CODE = "_period_code"
_DAY = np.timedelta64(1, "D")


def _check_columns(frame: pd.DataFrame, needed: list[str], table: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise MissingColumnsError(missing, [str(c) for c in frame.columns], table=table)


def _with_datetimes(frame: pd.DataFrame) -> pd.DataFrame:
    if pd.api.types.is_datetime64_any_dtype(frame[S.DS]):
        return frame
    return frame.assign(**{S.DS: pd.to_datetime(frame[S.DS])})


def _check_by(by: str | None) -> None:
    if by not in BY_VALUES:
        raise ValueError(f"by must be None or 'product', got {by!r}")


def _check_period(period: str | None) -> None:
    if period is not None and period not in PERIODS:
        raise ValueError(f"period must be None, 'D', 'W' or 'M', got {period!r}")


def period_start(ds: pd.Series, period: str) -> pd.Series:
    """Label each date with the start of its period (day, Monday of its week, 1st of month)."""
    _check_period(period)
    day = pd.to_datetime(ds).dt.normalize()
    if period == "W":
        return day - pd.to_timedelta(day.dt.dayofweek, unit="D")
    if period == "M":
        return day - pd.to_timedelta(day.dt.day - 1, unit="D")
    return day


def _period_codes(ds: pd.Series, period: str | None, native: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer code of each date's period and the step between consecutive periods.

    D and W: day number of the period start (step 1 and 7); M: month number (step 1);
    None: position of the date among the sector's distinct dates ``native`` (step 1).
    """
    if period is None:
        return np.searchsorted(native, ds.to_numpy(dtype="datetime64[ns]")), 1
    start = period_start(ds, period).to_numpy(dtype="datetime64[ns]")
    if period == "M":
        return start.astype("datetime64[M]").astype(np.int64), 1
    return start.astype("datetime64[D]").astype(np.int64), 7 if period == "W" else 1


def _code_dates(codes: np.ndarray, period: str | None, native: np.ndarray) -> pd.DatetimeIndex:
    """Inverse of :func:`_period_codes`: the start date of each period code."""
    if period is None:
        dates = native[codes]
    elif period == "M":
        dates = codes.astype("datetime64[M]").astype("datetime64[ns]")
    else:
        dates = codes.astype("datetime64[D]").astype("datetime64[ns]")
    return pd.DatetimeIndex(dates, name=S.DS)


def _expand(low: np.ndarray, high: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """For each (low, high) pair: group number and codes low, low + step, ..., high."""
    counts = (high - low) // step + 1
    group = np.repeat(np.arange(len(low)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return group, np.repeat(low, counts) + offsets * step


class Sector:
    """Sales and stock of one sector.

    Parameters
    ----------
    name:
        Sector name as it appears in the sales frame's ``sector`` column.
    sales:
        Long sales frame (``unique_id``, ``ds``, ``y``, ``sector``; ``on_hand`` optional).
    inventory:
        Optional inventory table (one row per ``unique_id``, with ``on_hand``). Its rows
        for the sector are those whose ``unique_id`` sells in the sector, plus those whose
        own ``sector`` column (if any) names it.

    Raises ``ValueError`` listing the available sectors when ``name`` is absent.
    """

    def __init__(self, name: str, sales: pd.DataFrame, inventory: pd.DataFrame | None = None):
        _check_columns(sales, [S.UNIQUE_ID, S.DS, S.Y, S.SECTOR], "sales")
        available = sorted({str(s) for s in sales[S.SECTOR].dropna().unique()})
        mask = sales[S.SECTOR] == name
        if not mask.any():
            close = difflib.get_close_matches(str(name), available, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"unknown sector {name!r}: the sales data has "
                f"{', '.join(repr(s) for s in available) or 'no sector values'}.{hint}"
            )
        self.name = name
        self._rows = (
            _with_datetimes(sales.loc[mask])
            .sort_values([S.UNIQUE_ID, S.DS], kind="stable")
            .reset_index(drop=True)
        )
        self._products = pd.unique(self._rows[S.UNIQUE_ID])
        self._inventory: pd.DataFrame | None = None
        if inventory is not None:
            _check_columns(inventory, [S.UNIQUE_ID], "inventory")
            keep = inventory[S.UNIQUE_ID].isin(self._products)
            if S.SECTOR in inventory.columns:
                keep |= inventory[S.SECTOR] == name
            self._inventory = inventory.loc[keep].reset_index(drop=True)

    # --- data ---------------------------------------------------------------------------

    @property
    def rows(self) -> pd.DataFrame:
        """The sector's sales rows, sorted by ``unique_id`` and ``ds`` (do not modify)."""
        return self._rows

    @property
    def products(self) -> np.ndarray:
        """The sector's ``unique_id`` values, sorted."""
        return self._products

    @property
    def inventory(self) -> pd.DataFrame | None:
        """The sector's inventory rows, or ``None`` when no inventory table was given."""
        return self._inventory

    # --- sales --------------------------------------------------------------------------

    def _native_dates(self) -> np.ndarray:
        return np.unique(self._rows[S.DS].to_numpy(dtype="datetime64[ns]"))

    def _sector_totals(self, period: str | None) -> pd.Series:
        """Units sold per period over the sector, every period from first to last."""
        native = self._native_dates()
        codes, step = _period_codes(self._rows[S.DS], period, native)
        totals = pd.Series(self._rows[S.Y].to_numpy(dtype=np.float64)).groupby(codes).sum()
        calendar = np.arange(codes.min(), codes.max() + 1, step)
        totals = totals.reindex(calendar, fill_value=0.0)
        return pd.Series(totals.to_numpy(), index=_code_dates(calendar, period, native), name=S.Y)

    def _product_totals(self, period: str | None) -> pd.DataFrame:
        """Units sold per product and period, every period of the product's own span."""
        native = self._native_dates()
        codes, step = _period_codes(self._rows[S.DS], period, native)
        keyed = pd.DataFrame(
            {
                S.UNIQUE_ID: self._rows[S.UNIQUE_ID].to_numpy(),
                _CODE: codes,
                S.Y: self._rows[S.Y].to_numpy(dtype=np.float64),
            }
        )
        totals = keyed.groupby([S.UNIQUE_ID, _CODE], sort=True)[S.Y].sum()
        span = keyed.groupby(S.UNIQUE_ID, sort=True)[_CODE].agg(["min", "max"])
        group, calendar = _expand(span["min"].to_numpy(), span["max"].to_numpy(), step)
        full = pd.MultiIndex.from_arrays(
            [span.index.to_numpy()[group], calendar], names=[S.UNIQUE_ID, _CODE]
        )
        totals = totals.reindex(full, fill_value=0.0)
        return pd.DataFrame(
            {
                S.UNIQUE_ID: full.get_level_values(S.UNIQUE_ID),
                S.DS: _code_dates(calendar, period, native),
                S.Y: totals.to_numpy(dtype=np.float64),
            }
        )

    def total_sales(self, by: str | None = None, period: str | None = None) -> Any:
        """Units sold.

        * ``by=None, period=None``: a float, all units sold in the sector;
        * ``by="product"``: a Series indexed by ``unique_id`` (sorted);
        * ``period="D"|"W"|"M"``: a Series indexed by period start (``ds``), one entry per
          period from the first to the last, zero where nothing was recorded;
        * both: a long DataFrame ``unique_id, ds, y``, each product over every period from
          its own first row to its own last row (zero where it has no row).
        """
        _check_by(by)
        _check_period(period)
        if period is None:
            if by is None:
                return float(self._rows[S.Y].sum())
            return self._rows.groupby(S.UNIQUE_ID, sort=True)[S.Y].sum().astype(float)
        if by is None:
            return self._sector_totals(period)
        return self._product_totals(period)

    def average_sales(self, by: str | None = None, period: str | None = None) -> Any:
        """Mean units sold per period.

        Definition: the mean of the per-period totals of :meth:`total_sales` with the same
        ``period``, i.e.

        * ``by=None``: (units sold in the sector) / (number of periods from the sector's
          first period to its last one), a float;
        * ``by="product"``: for each product, (its units sold) / (number of periods from
          its own first row to its own last row), a Series indexed by ``unique_id``.

        Periods without rows inside these spans count as zero sales; partial first and
        last periods count as whole periods. ``period=None`` uses the data's own periods:
        each distinct ``ds`` of the sector is one period (so for daily data with one row
        per product and day, ``by="product"`` is the mean of ``y`` over the product's
        rows, gap days counting as zero).
        """
        _check_by(by)
        _check_period(period)
        if by is None:
            return float(self._sector_totals(period).mean())
        totals = self._product_totals(period)
        return totals.groupby(S.UNIQUE_ID, sort=True)[S.Y].mean()

    # --- stock --------------------------------------------------------------------------

    def _inventory_on_hand(self) -> pd.Series | None:
        if self._inventory is None or S.ON_HAND not in self._inventory.columns:
            return None
        return inventory_levels(self._inventory)

    def total_stock(self, by: str | None = None, period: str | None = None, at: Any = None) -> Any:
        """Units in stock.

        * Current stock (``period=None, at=None``): the inventory table's ``on_hand`` when
          it was given and has that column; otherwise the last known ``on_hand`` of each
          product in the sales rows.
        * ``at=DATE``: the last ``on_hand`` of each product in the sales rows dated on or
          before ``DATE`` (the inventory table only knows today).
        * ``period="D"|"W"|"M"``: end-of-period stock from the sales rows: the last known
          ``on_hand`` of each product within each period (rows after ``at`` ignored),
          summed over the products that have one in that period.

        Returns a float (``by=None, period=None``), a Series indexed by ``unique_id``
        (``by="product"``) or by period start (``period``), or a long DataFrame
        ``unique_id, ds, on_hand`` (both). Missing ``on_hand`` values are skipped. Raises
        ``ValueError`` when the needed ``on_hand`` column is absent.
        """
        _check_by(by)
        _check_period(period)
        if period is None and at is None:
            current = self._inventory_on_hand()
            if current is not None:
                return float(current.sum()) if by is None else current
        if S.ON_HAND not in self._rows.columns:
            if self._inventory_on_hand() is not None:
                raise ValueError(
                    f"sector {self.name!r}: stock per period or at a date needs an "
                    f"'{S.ON_HAND}' column in the sales rows; the inventory table only "
                    "holds the current stock"
                )
            raise ValueError(
                f"sector {self.name!r}: no stock data: neither the inventory table nor "
                f"the sales rows have an '{S.ON_HAND}' column"
            )
        rows = self._rows.loc[self._rows[S.ON_HAND].notna()]
        if at is not None:
            rows = rows.loc[rows[S.DS] <= pd.Timestamp(at)]
        if period is None:
            last = rows.groupby(S.UNIQUE_ID, sort=True)[S.ON_HAND].last().astype(float)
            return float(last.sum()) if by is None else last
        labelled = rows.assign(**{S.DS: period_start(rows[S.DS], period)})
        last = labelled.groupby([S.UNIQUE_ID, S.DS], sort=True)[S.ON_HAND].last().astype(float)
        if by is None:
            return last.groupby(level=S.DS, sort=True).sum()
        return last.reset_index()

    # --- overview -----------------------------------------------------------------------

    def stockout_share(self) -> float | None:
        """Share of sales rows with zero stock on hand (censored demand), or ``None``.

        Uses the ``stockout`` flag when the rows have it, else ``on_hand == 0``; rows
        whose flag or stock is missing are left out of the share.
        """
        if S.STOCKOUT in self._rows.columns:
            flags = self._rows[S.STOCKOUT].dropna().astype(bool)
        elif S.ON_HAND in self._rows.columns:
            flags = self._rows[S.ON_HAND].dropna() <= 0
        else:
            return None
        return float(flags.mean()) if len(flags) else None

    def summary(self) -> dict[str, Any]:
        """A small overview: plain Python values, ready to print or serialise.

        Keys: ``sector``, ``n_products``, ``start`` and ``end`` (ISO dates),
        ``total_sales``, ``average_daily_sales`` (:meth:`average_sales` with
        ``period="D"``), ``total_stock`` (current, ``None`` without stock data) and
        ``stockout_share`` (``None`` without ``on_hand`` in the sales rows).
        """
        try:
            stock: float | None = self.total_stock()
        except ValueError:
            stock = None
        return {
            "sector": self.name,
            "n_products": len(self._products),
            "start": self._rows[S.DS].min().date().isoformat(),
            "end": self._rows[S.DS].max().date().isoformat(),
            "total_sales": self.total_sales(),
            "average_daily_sales": self.average_sales(period="D"),
            "total_stock": stock,
            "stockout_share": self.stockout_share(),
        }

    def __repr__(self) -> str:
        return f"Sector({self.name!r}, {len(self._products)} products, {len(self._rows)} rows)"


def inventory_levels(inventory: pd.DataFrame) -> pd.Series:
    """``on_hand`` per ``unique_id`` from an inventory table (missing values dropped).

    Raises ``ValueError`` when a ``unique_id`` appears twice: the inventory table has one
    row per series.
    """
    _check_columns(inventory, [S.UNIQUE_ID, S.ON_HAND], "inventory")
    duplicated = inventory[S.UNIQUE_ID].duplicated()
    if duplicated.any():
        examples = ", ".join(repr(u) for u in inventory.loc[duplicated, S.UNIQUE_ID].unique()[:5])
        raise ValueError(
            f"the inventory table has several rows for {examples}: "
            f"it must hold one row per {S.UNIQUE_ID}"
        )
    levels = inventory.set_index(S.UNIQUE_ID)[S.ON_HAND].dropna().astype(float).sort_index()
    levels.name = S.ON_HAND
    return levels
