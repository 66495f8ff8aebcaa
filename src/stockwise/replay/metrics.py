"""What a closed-loop replay achieved: service, stock, orders and waste per product.

Every figure is measured over each product's *evaluation period*: from the end of its
warm-up (one lead time, rounded up, plus one review period after its first review, so the
initial stock and the first order's arrival no longer shape the result) to the end of the
replay. Definitions:

- **cycle service level** (realised CSL): the evaluation period is cut into blocks of one
  review period; the share of complete blocks in which no demand went unserved (lost or
  backordered). An incomplete last block is left out. Blocks without demand count as
  served, so intermittent items score high; ``demand_cycle_service_level`` is the same
  share among the blocks that had demand.
- **fill rate**: demand served from stock on the day it occurred ÷ demand (a backorder
  filled later does not count as served).
- **average stock**: mean end-of-day units on hand (after demand and write-offs), and the
  same valued at unit cost.
- **orders**: orders placed (quantity > 0) in the evaluation period; **waste**: units
  written off because they expired, and their value; **short units**: demand not served
  on its day (lost sales with ``lost_sales=True``, backorders otherwise).

Overall figures average the per-product service measures over the products with demand in
their evaluation period, and add up stock, orders and waste over all products.
:func:`equal_fill_rate` compares policies at the same realised fill rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from stockwise import schema as S

EPS = 1e-9
PRODUCT_METRICS = [
    S.UNIQUE_ID,
    "target_service_level",
    "cycle_service_level",
    "fill_rate",
    "demand",
    "served",
    "short_units",
    "cycles",
    "stockout_cycles",
    "demand_cycles",
    "demand_cycle_service_level",
    "avg_on_hand",
    "avg_on_hand_value",
    "orders",
    "ordered_units",
    "waste_units",
    "waste_value",
    "unit_cost",
    "lead_time_days",
    "evaluated_days",
]


def product_metrics(trace: pd.DataFrame, settings: pd.DataFrame) -> pd.DataFrame:
    """One row per product from the daily ``trace`` (rows with ``evaluated`` True count).

    ``trace`` needs ``unique_id, demand, served, short, on_hand, ordered, waste,
    evaluated, cycle`` (the block index within the evaluation period, −1 for a block
    left out); ``settings`` gives ``unique_id, unit_cost, lead_time_days,
    service_level`` per product.
    """
    rows = trace[trace["evaluated"]]
    key = rows[S.UNIQUE_ID]
    sums = rows.groupby(key, sort=False).agg(
        demand=("demand", "sum"),
        served=("served", "sum"),
        short_units=("short", "sum"),
        avg_on_hand=("on_hand", "mean"),
        ordered_units=("ordered", "sum"),
        waste_units=("waste", "sum"),
        evaluated_days=("demand", "size"),
    )
    sums["orders"] = (rows["ordered"] > 0).groupby(key, sort=False).sum()
    blocks = rows[rows["cycle"] >= 0]
    per_block = (
        pd.DataFrame({"short": blocks["short"] > EPS, "demand": blocks["demand"] > EPS})
        .groupby([blocks[S.UNIQUE_ID], blocks["cycle"]])
        .any()
    )
    cycles = per_block.groupby(level=0).agg(
        cycles=("short", "size"), stockout_cycles=("short", "sum"), demand_cycles=("demand", "sum")
    )
    out = settings.set_index(S.UNIQUE_ID)[["unit_cost", "lead_time_days", "service_level"]]
    out = out.join(sums, how="left").join(cycles, how="left")
    out = out.rename(columns={"service_level": "target_service_level"})
    counts = [
        "demand",
        "served",
        "short_units",
        "ordered_units",
        "waste_units",
        "evaluated_days",
        "orders",
        "cycles",
        "stockout_cycles",
        "demand_cycles",
    ]
    out[counts] = out[counts].fillna(0.0)
    out["cycle_service_level"] = np.where(
        out["cycles"] > 0,
        1 - out["stockout_cycles"] / out["cycles"].where(out["cycles"] > 0),
        np.nan,
    )
    out["demand_cycle_service_level"] = 1 - out["stockout_cycles"] / out["demand_cycles"].where(
        out["demand_cycles"] > 0
    )
    out["fill_rate"] = np.where(
        out["demand"] > EPS, out["served"] / out["demand"].where(out["demand"] > EPS), np.nan
    )
    out["avg_on_hand_value"] = out["avg_on_hand"] * out["unit_cost"]
    out["waste_value"] = out["waste_units"] * out["unit_cost"]
    out = out.reset_index().rename(columns={"index": S.UNIQUE_ID})
    for column in ("orders", "cycles", "stockout_cycles", "demand_cycles", "evaluated_days"):
        out[column] = out[column].astype(int)
    return out[PRODUCT_METRICS]


def summarise(products: pd.DataFrame, lost_sales: bool = True) -> dict[str, Any]:
    """Overall figures: service averaged over products with demand, stock etc. summed."""
    served_products = products[products["demand"] > EPS]
    with_cycles = served_products[served_products["cycles"] > 0]
    demand = float(served_products["demand"].sum())
    short = float(products["short_units"].sum())
    return {
        "products": len(products),
        "products_with_demand": len(served_products),
        "target_service_level": float(products["target_service_level"].mean()),
        "cycle_service_level": _mean(with_cycles["cycle_service_level"]),
        "demand_cycle_service_level": _mean(with_cycles["demand_cycle_service_level"]),
        "fill_rate": _mean(served_products["fill_rate"]),
        "fill_rate_units": float(served_products["served"].sum()) / demand if demand else np.nan,
        "avg_stock_units": float(products["avg_on_hand"].fillna(0).sum()),
        "avg_stock_value": float(products["avg_on_hand_value"].fillna(0).sum()),
        "orders": int(products["orders"].sum()),
        "ordered_units": float(products["ordered_units"].sum()),
        "waste_units": float(products["waste_units"].sum()),
        "waste_value": float(products["waste_value"].sum()),
        "demand_units": demand,
        "lost_units": short if lost_sales else 0.0,
        "backordered_units": 0.0 if lost_sales else short,
    }


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values.dropna()) else np.nan


def stock_at_fill_rate(fill_rates: Sequence[float], stock: Sequence[float], target: float) -> float:
    """Stock value at ``target`` fill rate, linear between the measured points.

    Points are sorted by fill rate (ties averaged); NaN when ``target`` lies outside the
    measured range (no extrapolation). Stock grows faster and faster as the fill rate nears
    1 (a convex curve), so the straight line between two points lies slightly above the
    curve: the interpolated stock is, if anything, overstated.
    """
    frame = pd.DataFrame(
        {"fill": np.asarray(fill_rates, float), "stock": np.asarray(stock, float)}
    ).dropna()
    frame = frame.groupby("fill", as_index=False)["stock"].mean().sort_values("fill")
    if frame.empty or not frame["fill"].min() - EPS <= target <= frame["fill"].max() + EPS:
        return float("nan")
    if len(frame) == 1:
        return float(frame["stock"].iloc[0])
    return float(np.interp(target, frame["fill"], frame["stock"]))


def equal_fill_rate(
    summary: pd.DataFrame,
    reference: str = "baseline",
    fill: str = "fill_rate",
    stock: str = "avg_stock_value",
) -> pd.DataFrame:
    """Each non-reference configuration against the reference policy at its fill rate.

    The reference's (fill rate, stock value) points, one per service level, are
    interpolated at each configuration's realised fill rate; ``stock_saving`` =
    1 − stock / reference stock at that fill rate (NaN outside the reference's range).
    Above that range, ``stock_saving_bound`` = 1 − stock / reference stock at its highest
    fill rate: the reference would need at least that stock to serve more, so a positive
    bound means the configuration serves more with less (the saving is at least that).
    """
    ref = summary[summary["policy"] == reference].dropna(subset=[fill, stock])
    rows = summary[summary["policy"] != reference]
    at_fill = [stock_at_fill_rate(ref[fill], ref[stock], f) for f in rows[fill]]
    out = rows[
        [
            c
            for c in ("label", "policy", "forecast", "correlation", "service_level")
            if c in rows.columns
        ]
    ].copy()
    out[fill] = rows[fill].to_numpy()
    out[stock] = rows[stock].to_numpy()
    out[f"reference_{stock}"] = at_fill
    with np.errstate(divide="ignore", invalid="ignore"):
        out["stock_saving"] = 1 - out[stock] / out[f"reference_{stock}"]
        if len(ref):
            top = ref.loc[ref[fill].idxmax()]
            above = out[fill] > float(top[fill]) + EPS
            out["stock_saving_bound"] = np.where(above, 1 - out[stock] / float(top[stock]), np.nan)
        else:
            out["stock_saving_bound"] = np.nan
    out["reference_fill_range"] = f"{ref[fill].min():.4f}-{ref[fill].max():.4f}" if len(ref) else ""
    return out.reset_index(drop=True)
