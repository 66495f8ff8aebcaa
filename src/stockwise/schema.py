"""Canonical table layouts: the one place where stockwise names its columns.

Every edge (CSV reader, SQL adapter, API upload) maps the user's column names onto these
names once; everything downstream speaks only this vocabulary. Keeping the names here,
and nowhere else as literals, is what lets a French ERP export (``Produit``, ``Ventes``)
and an M5 parquet file go through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- sales (long frame: one row per series and period) -----------------------------------
UNIQUE_ID = "unique_id"
DS = "ds"
Y = "y"

SECTOR = "sector"
PRODUCT = "product"
STORE = "store"
CATEGORY = "category"
PRICE = "price"
PROMO = "promo"
ON_HAND = "on_hand"

# --- inventory (one row per unique_id) -----------------------------------------------------
ON_ORDER = "on_order"
ON_ORDER_DUE = "on_order_due"
LEAD_TIME_DAYS = "lead_time_days"
LEAD_TIME_STD_DAYS = "lead_time_std_days"
UNIT_COST = "unit_cost"
MOQ = "moq"
PACK_SIZE = "pack_size"
SHELF_LIFE_DAYS = "shelf_life_days"
REVIEW_PERIOD_DAYS = "review_period_days"
SUPPLIER = "supplier"

# --- ordering policies and groups (values, not columns) ------------------------------------
POLICY_RS = "RS"
"""Order up to a level every review period (the default)."""
POLICY_SS = "sS"
"""Order up to S when the position falls to s or below."""
POLICY_SQ = "sQ"
"""Order a fixed quantity Q when the position falls to s or below."""
NO_SECTOR = "all"
"""The one group of series without a sector (the generic profile's name): the partition
the plan writes them to and the sector the storage lists them under."""

# --- batches (pharmacy: one row per lot) ---------------------------------------------------
BATCH_ID = "batch_id"
QUANTITY = "quantity"
EXPIRY_DATE = "expiry_date"

# --- columns stockwise adds --------------------------------------------------------------
FORECAST = "forecast"
"""The point forecast; its bands are ``forecast-lo-L`` / ``forecast-hi-L``."""
CUTOFF = "cutoff"
"""A backtest window's last training date."""
MODEL = "model"
"""The model that made a forecast (or ``Ensemble``)."""
ENSEMBLE = "Ensemble"
"""The model name of a combination of a series' best models."""
STOCKOUT = "stockout"
"""True where on-hand stock was zero: the sales that day are censored demand."""
GAP_FILLED = "gap_filled"
"""True where the period was missing in the input and filled by the gap policy."""
SOURCE_ROW = "source_row"
"""Row number as the user sees it in the file (header = row 1 for CSV and Excel)."""
N_OBS = "n_obs"
"""Number of input periods aggregated into one output period."""


@dataclass(frozen=True)
class ColumnSpec:
    """How one canonical column is parsed and checked."""

    name: str
    kind: str  # "id" | "date" | "quantity" | "number" | "flag" | "text"
    required: bool = False
    allow_missing: bool = True
    minimum: float | None = None
    strictly_positive: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A table of the data contract: its key and its columns."""

    name: str
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...] = field(default_factory=tuple)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def spec(self, name: str) -> ColumnSpec | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


SALES = TableSpec(
    name="sales",
    key=(UNIQUE_ID, DS),
    columns=(
        ColumnSpec(
            UNIQUE_ID,
            "id",
            required=True,
            allow_missing=False,
            description="series key (product, or product x store)",
        ),
        ColumnSpec(DS, "date", required=True, allow_missing=False, description="period start date"),
        ColumnSpec(
            Y,
            "quantity",
            required=True,
            allow_missing=False,
            minimum=0.0,
            description="units sold in the period",
        ),
        ColumnSpec(SECTOR, "text", description="sector name (retail, pharmacy, luxury, ...)"),
        ColumnSpec(PRODUCT, "text", description="product code or name"),
        ColumnSpec(STORE, "text", description="store / site"),
        ColumnSpec(CATEGORY, "text", description="product category"),
        ColumnSpec(PRICE, "number", minimum=0.0, description="unit selling price"),
        ColumnSpec(PROMO, "flag", description="1 when the product was on promotion"),
        ColumnSpec(
            ON_HAND, "quantity", minimum=0.0, description="stock on hand at the end of the period"
        ),
    ),
)

INVENTORY = TableSpec(
    name="inventory",
    key=(UNIQUE_ID,),
    columns=(
        ColumnSpec(UNIQUE_ID, "id", required=True, allow_missing=False),
        ColumnSpec(
            ON_HAND,
            "quantity",
            required=True,
            allow_missing=False,
            minimum=0.0,
            description="units on hand now",
        ),
        ColumnSpec(ON_ORDER, "quantity", minimum=0.0, description="units ordered, not received"),
        ColumnSpec(ON_ORDER_DUE, "date", description="date the open order is due"),
        ColumnSpec(
            LEAD_TIME_DAYS,
            "number",
            strictly_positive=True,
            description="mean supplier lead time in days",
        ),
        ColumnSpec(
            LEAD_TIME_STD_DAYS,
            "number",
            minimum=0.0,
            description="standard deviation of the lead time in days",
        ),
        ColumnSpec(UNIT_COST, "number", minimum=0.0, description="purchase cost per unit"),
        ColumnSpec(MOQ, "quantity", minimum=0.0, description="minimum order quantity"),
        ColumnSpec(
            PACK_SIZE,
            "quantity",
            strictly_positive=True,
            description="order multiple (units per pack)",
        ),
        ColumnSpec(
            SHELF_LIFE_DAYS,
            "number",
            strictly_positive=True,
            description="shelf life from receipt, in days",
        ),
        ColumnSpec(
            REVIEW_PERIOD_DAYS,
            "number",
            strictly_positive=True,
            description="days between two order reviews (overrides the profile)",
        ),
        ColumnSpec(SECTOR, "text"),
        ColumnSpec(PRODUCT, "text"),
        ColumnSpec(STORE, "text"),
        ColumnSpec(CATEGORY, "text"),
        ColumnSpec(
            SUPPLIER, "text", description="who the product is bought from (groups the order list)"
        ),
    ),
)

BATCHES = TableSpec(
    name="batches",
    key=(UNIQUE_ID, BATCH_ID),
    columns=(
        ColumnSpec(UNIQUE_ID, "id", required=True, allow_missing=False),
        ColumnSpec(BATCH_ID, "id", required=True, allow_missing=False),
        ColumnSpec(QUANTITY, "quantity", required=True, allow_missing=False, minimum=0.0),
        ColumnSpec(EXPIRY_DATE, "date", required=True, allow_missing=False),
        ColumnSpec(PRODUCT, "text", description="product, when the file has no unique_id"),
        ColumnSpec(STORE, "text", description="store / site, with product"),
    ),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (SALES, INVENTORY, BATCHES)}
