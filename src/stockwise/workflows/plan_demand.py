"""What the plan needs to know of each product's sales, besides its forecast.

The long holes of the history (missing data, not zero demand), the day of each product's
last sale, its time since listing and its demand group, and its last price. Each is read
from the prepared daily sales once per run; the numpy paths order the table once instead
of letting pandas sort and split it per product, and fall back to pandas wherever the
order of ties or mixed ids would otherwise be a matter of sort algorithm.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS, find_holes
from stockwise.inventory.new_products import since_listing
from stockwise.inventory.paths import is_intermittent
from stockwise.sectors import SectorProfile


def plan_holes(
    prepared: pd.DataFrame, profiles: dict[str, SectorProfile], sector: str | None
) -> pd.DataFrame:
    """The long holes of every series, each sector's by its profile's ``max_gap_days``;
    trailing holes run to the table's last date."""

    def threshold(name: object) -> int:
        profile = profiles.get(str(name)) if name is not None else None
        return profile.max_gap_days if profile is not None else DEFAULT_MAX_GAP_DAYS

    end = prepared[S.DS].max() if not prepared.empty else None
    if sector or S.SECTOR not in prepared.columns:
        return find_holes(prepared, max_gap_days=threshold(sector), end=end)
    parts = [
        find_holes(rows, max_gap_days=threshold(name), end=end)
        for name, rows in prepared.groupby(S.SECTOR, sort=True)
    ]
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else find_holes(prepared.iloc[:0])


def last_sales(
    sales: pd.DataFrame, inventory: pd.DataFrame, sector: str | None = None
) -> dict[str, pd.Timestamp | None]:
    """Per product this run plans, the day of its last sale (None: never sold).

    The run plans the products of ``sales``, and the inventory's products without any
    sales row — dead stock, or new products, planned at zero demand rather than left
    out — of the run's sectors when both tables say (``sector``, else those of the sales).
    """
    sold = sales[sales[S.Y] > 0]
    out: dict[str, pd.Timestamp | None] = dict.fromkeys(
        sales[S.UNIQUE_ID].dropna().astype(str).unique().tolist()
    )
    out.update(
        {
            str(uid): pd.Timestamp(day)
            for uid, day in sold.groupby(S.UNIQUE_ID)[S.DS].max().items()
            if not pd.isna(day)
        }
    )
    stock_only = inventory[~inventory[S.UNIQUE_ID].astype(str).isin(out)]
    if S.SECTOR in stock_only.columns and (sector is not None or S.SECTOR in sales.columns):
        sectors = {sector} if sector is not None else set(sales[S.SECTOR].dropna().astype(str))
        stock_only = stock_only[stock_only[S.SECTOR].astype(str).isin(sectors)]
    out.update(dict.fromkeys(stock_only[S.UNIQUE_ID].astype(str).tolist()))
    return out


def since_listing_by_product(sales: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Per product with a sale: days since its first row and units sold since (daily)."""
    runs = _product_runs(sales, by_date=True, sort_ids=True)
    parts: Iterable[tuple[object, np.ndarray]]
    if runs is None:  # dates that are not datetimes: let pandas order them
        frame = sales.sort_values([S.UNIQUE_ID, S.DS], kind="stable")
        parts = (
            (uid, part[S.Y].to_numpy(dtype=float))
            for uid, part in frame.groupby(S.UNIQUE_ID, sort=False)
        )
    else:
        parts = runs
    out = {}
    for uid, values in parts:
        record = since_listing(values)
        if record is not None:
            out[str(uid)] = record
    return out


def demand_groups(sales: pd.DataFrame, window: int = 365) -> dict[str, str]:
    """ "intermittent" or "smooth" per product from its last ``window`` days (ADI)."""
    recent = sales[sales[S.DS] > sales[S.DS].max() - pd.Timedelta(days=window)]
    runs = _product_runs(recent, by_date=False, sort_ids=False)
    assert runs is not None  # None only when ordering by date
    return {
        str(uid): "intermittent" if is_intermittent(values) else "smooth" for uid, values in runs
    }


def _product_runs(
    sales: pd.DataFrame, *, by_date: bool, sort_ids: bool
) -> list[tuple[object, np.ndarray]] | None:
    """Per product (sorted ids, or in order of first appearance), its ``y`` as floats, rows
    by date (stable; missing dates last) or as listed; rows without an id left out.

    The same products, rows and order as a ``groupby`` over the table sorted that way,
    but the table is ordered once with numpy instead of pandas sorting and splitting it
    per product. None when ``by_date`` and the dates are not datetimes or the ids not
    all text (pandas' own order of mixed ids is left to pandas).
    """
    if by_date and (
        not pd.api.types.is_datetime64_dtype(sales[S.DS])
        or pd.api.types.infer_dtype(sales[S.UNIQUE_ID]) != "string"
    ):
        return None
    codes, ids = pd.factorize(sales[S.UNIQUE_ID], sort=sort_ids)
    if by_date:
        dates = sales[S.DS].to_numpy().view(np.int64).copy()
        dates[pd.isna(sales[S.DS]).to_numpy()] = np.iinfo(np.int64).max
        order = np.lexsort((dates, codes))
    else:
        order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]
    codes = codes[order]
    values = sales[S.Y].to_numpy(dtype=float)[order]
    starts = np.flatnonzero(np.diff(codes, prepend=-1))
    ends = np.r_[starts[1:], len(codes)]
    return [
        (ids[code], values[lo:hi])
        for code, lo, hi in zip(codes[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)
    ]


def last_prices(sales: pd.DataFrame) -> pd.Series | None:
    """Per product, the price on its last date with one (ids sorted)."""
    if S.PRICE not in sales.columns:
        return None
    priced = sales.dropna(subset=[S.PRICE])
    last = _last_rows(priced)
    if last is None:  # ties on a product's last date, or ids / dates pandas must order
        return priced.sort_values(S.DS).groupby(S.UNIQUE_ID)[S.PRICE].last()
    rows, ids = last
    return pd.Series(
        priced[S.PRICE].to_numpy()[rows], index=pd.Index(ids, name=S.UNIQUE_ID), name=S.PRICE
    )


def _last_rows(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index] | None:
    """Positions of each product's row with the latest date, and the ids (sorted).

    None where which row a pandas sort puts last would be a matter of its sort algorithm
    (two rows of a product on its last date; missing dates) or the ids are not plain
    objects: the caller then asks pandas itself.
    """
    ids, dates = frame[S.UNIQUE_ID], frame[S.DS]
    if (
        frame.empty
        or ids.dtype != object
        or pd.api.types.infer_dtype(ids) != "string"
        or not pd.api.types.is_datetime64_dtype(dates)
        or dates.isna().any()
    ):
        return None
    codes, uniques = pd.factorize(ids, sort=True)
    keep = np.flatnonzero(codes >= 0)
    stamps = dates.to_numpy().view(np.int64)[keep]
    order = keep[np.lexsort((stamps, codes[keep]))]
    ends = np.flatnonzero(np.diff(codes[order], append=-2))
    last, before = order[ends], order[np.maximum(ends - 1, 0)]
    stamp = dates.to_numpy().view(np.int64)
    tied = (codes[before] == codes[last]) & (stamp[before] == stamp[last]) & (before != last)
    if tied.any():
        return None
    return last, uniques
