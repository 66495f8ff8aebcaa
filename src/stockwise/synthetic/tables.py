"""Turn a generated block of products into the four output tables (as Arrow tables).

Arrow is the common currency because both sinks need it: the streaming writer appends
record batches to Parquet files, and :func:`~stockwise.synthetic.generate` converts the
concatenated tables to pandas once. One assembly path means the in-memory frames and the
files cannot drift apart. String columns are built with ``take`` on a per-product array,
so a 5,000-product chunk never creates millions of Python string objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from stockwise import schema as S
from stockwise.synthetic.batches import Lots
from stockwise.synthetic.calendar_signals import Calendar
from stockwise.synthetic.model import SectorDemand, StockProfile, active_mask
from stockwise.synthetic.stock import Policy, StockResult

DEMAND = "demand"
"""Truth column: true unconstrained demand (units), what sales would be with stock."""
EXPECTED_DEMAND = "expected_demand"
"""Truth column: the mean rate the demand was drawn from (the best possible forecast)."""

_TS = pa.timestamp("ns")
SALES_SCHEMA = pa.schema(
    [
        (S.UNIQUE_ID, pa.string()),
        (S.DS, _TS),
        (S.Y, pa.float64()),
        (S.SECTOR, pa.string()),
        (S.PRODUCT, pa.string()),
        (S.STORE, pa.string()),
        (S.CATEGORY, pa.string()),
        (S.PRICE, pa.float64()),
        (S.PROMO, pa.int64()),
        (S.ON_HAND, pa.float64()),
    ]
)
TRUTH_SCHEMA = pa.schema(
    [
        (S.UNIQUE_ID, pa.string()),
        (S.DS, _TS),
        (DEMAND, pa.float64()),
        (EXPECTED_DEMAND, pa.float64()),
        (S.STOCKOUT, pa.bool_()),
    ]
)
INVENTORY_SCHEMA = pa.schema(
    [
        (S.UNIQUE_ID, pa.string()),
        (S.SECTOR, pa.string()),
        (S.PRODUCT, pa.string()),
        (S.CATEGORY, pa.string()),
        (S.ON_HAND, pa.float64()),
        (S.ON_ORDER, pa.float64()),
        (S.ON_ORDER_DUE, _TS),
        (S.LEAD_TIME_DAYS, pa.float64()),
        (S.LEAD_TIME_STD_DAYS, pa.float64()),
        (S.UNIT_COST, pa.float64()),
        (S.MOQ, pa.int64()),
        (S.PACK_SIZE, pa.int64()),
        (S.SHELF_LIFE_DAYS, pa.float64()),
    ]
)
BATCHES_SCHEMA = pa.schema(
    [
        (S.UNIQUE_ID, pa.string()),
        (S.BATCH_ID, pa.string()),
        (S.QUANTITY, pa.float64()),
        (S.EXPIRY_DATE, _TS),
    ]
)
SCHEMAS: dict[str, pa.Schema] = {
    "sales": SALES_SCHEMA,
    "inventory": INVENTORY_SCHEMA,
    "batches": BATCHES_SCHEMA,
    "truth": TRUTH_SCHEMA,
}


@dataclass
class Block:
    """Everything generated for a contiguous run of one sector's products."""

    sector: str
    prefix: str
    index: np.ndarray  # 0-based index of each product within its sector
    id_width: int
    profile: StockProfile
    demand: SectorDemand
    policy: Policy
    stock: StockResult
    lots: Lots


def _days(n: np.ndarray) -> np.ndarray:
    return n.astype("timedelta64[D]").astype("timedelta64[ns]")


def block_tables(block: Block, cal: Calendar) -> dict[str, pa.Table]:
    dem, res = block.demand, block.stock
    n, n_days = dem.expected.shape
    numbers = [f"{j + 1:0{block.id_width}d}" for j in block.index]
    ids = pa.array([f"{block.prefix}-{k}" for k in numbers], pa.string())
    products = pa.array([f"SKU-{block.prefix}{k}" for k in numbers], pa.string())
    categories = pa.array(np.asarray(dem.categories, dtype=object)[dem.category], pa.string())
    stores = pa.array([f"{block.profile.store_prefix}-{s:02d}" for s in dem.store], pa.string())
    sector = pa.array([block.sector] * n, pa.string())

    active = active_mask(dem.start, n_days)
    if active.all():
        flat = None
        row = np.repeat(np.arange(n), n_days)
        day = np.tile(np.arange(n_days), n)
    else:
        flat = np.flatnonzero(active)
        row, day = np.divmod(flat, n_days)

    def cells(matrix: np.ndarray, dtype) -> np.ndarray:
        values = matrix.ravel() if flat is None else matrix.ravel()[flat]
        return values.astype(dtype, copy=False)

    row_idx = pa.array(row)
    uid = ids.take(row_idx)
    ds = pa.array(cal.dates.values[day], _TS)
    sales = pa.table(
        [
            uid,
            ds,
            cells(res.sales, np.float64),
            sector.take(row_idx),
            products.take(row_idx),
            stores.take(row_idx),
            categories.take(row_idx),
            cells(dem.price, np.float64),
            cells(dem.promo, np.int64),
            cells(res.on_hand, np.float64),
        ],
        schema=SALES_SCHEMA,
    )
    truth = pa.table(
        [
            uid,
            ds,
            cells(dem.demand, np.float64),
            cells(dem.expected, np.float64),
            cells(res.stockout, np.bool_),
        ],
        schema=TRUTH_SCHEMA,
    )

    origin = cal.dates.values[0]
    due = np.where(
        res.on_order_due >= 0,
        origin + _days(np.maximum(res.on_order_due, 0)),
        np.datetime64("NaT", "ns"),
    )
    inventory = pa.table(
        [
            ids,
            sector,
            products,
            categories,
            res.on_hand[:, -1].astype(np.float64),
            res.on_order,
            pa.array(due, _TS, from_pandas=True),
            np.round(block.policy.lead_time, 2),
            np.round(block.policy.lead_std, 2),
            dem.unit_cost.astype(np.float64),
            block.policy.moq.astype(np.int64),
            block.policy.pack_size.astype(np.int64),
            dem.shelf_life.astype(np.float64),
        ],
        schema=INVENTORY_SCHEMA,
    )

    lots = block.lots
    last = cal.dates.values[-1]
    lot_ids = [
        f"{block.prefix}-{numbers[p]}-L{k}" for p, k in zip(lots.product, lots.lot, strict=True)
    ]
    batches = pa.table(
        [
            ids.take(pa.array(lots.product, pa.int64())),
            pa.array(lot_ids, pa.string()),
            lots.quantity.astype(np.float64),
            pa.array(last + _days(lots.days_after_end), _TS),
        ],
        schema=BATCHES_SCHEMA,
    )
    return {"sales": sales, "inventory": inventory, "batches": batches, "truth": truth}


def empty_tables() -> dict[str, pa.Table]:
    return {name: schema.empty_table() for name, schema in SCHEMAS.items()}
