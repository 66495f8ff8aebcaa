"""Stock levels, days of cover and the seed project's LSTM data preparation.

The successor of the seed project's ``Stock`` class, on canonical long frames (see
:mod:`stockwise.schema`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.sectors.analytics import Sector, _check_columns, _with_datetimes, inventory_levels


class Stock:
    """Stock views over a sales frame and an optional inventory table.

    Parameters
    ----------
    sales:
        Long sales frame (``unique_id``, ``ds``, ``y``; ``sector`` needed to select a
        sector; ``on_hand`` optional, the stock at the end of each period).
    inventory:
        Optional inventory table, one row per ``unique_id`` with the current ``on_hand``.
    """

    def __init__(self, sales: pd.DataFrame, inventory: pd.DataFrame | None = None):
        _check_columns(sales, [S.UNIQUE_ID, S.DS, S.Y], "sales")
        if inventory is not None:
            _check_columns(inventory, [S.UNIQUE_ID], "inventory")
        self.sales = _with_datetimes(sales)
        self.inventory = inventory

    def _scope(self, sector: str | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Sales rows and inventory rows of one sector (``None``: everything)."""
        if sector is None:
            return self.sales, self.inventory
        view = Sector(sector, self.sales, self.inventory)
        return view.rows, view.inventory

    def prepare_data_for_lstm(
        self, sector: str | None, look_back: int = 30, column: str = S.Y, horizon: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sliding windows of one sector's sales, as the seed project returned them.

        Returns ``(X, y)``: ``X`` float32 of shape ``(n, look_back)``, the ``look_back``
        consecutive values of ``column``; ``y`` float32 of shape ``(n,)`` for
        ``horizon=1`` (the next value), ``(n, horizon)`` otherwise. Values are not scaled.

        Unlike the seed, which concatenated every product of the sector into one series,
        windows never span two products: each product is cut on its own, sorted by date;
        products with fewer than ``look_back + horizon`` rows give no window. Windows are
        ordered by ``unique_id`` then date. ``sector=None`` uses every row. For features,
        scaling and the window metadata, call
        :func:`stockwise.data.windows.make_lstm_windows` directly.
        """
        # imported here so that importing stockwise.sectors never loads stockwise.data
        from stockwise.data.windows import make_lstm_windows

        rows, _ = self._scope(sector)
        windows = make_lstm_windows(
            rows, look_back=look_back, horizon=horizon, target=column, scale=None
        )
        X = windows.X[:, :, 0]
        y = windows.y[:, 0] if horizon == 1 else windows.y
        return np.ascontiguousarray(X), np.ascontiguousarray(y)

    def stock_levels(self, sector: str | None = None) -> pd.Series:
        """Current units on hand per ``unique_id`` (Series ``on_hand``, sorted by id).

        Taken from the inventory table when it has ``on_hand`` for the product; otherwise
        the last known ``on_hand`` of the product in the sales rows. Products with no known
        stock at all are left out. Raises ``ValueError`` when neither table has
        ``on_hand``.
        """
        rows, inventory = self._scope(sector)
        has_inventory = inventory is not None and S.ON_HAND in inventory.columns
        if not has_inventory and S.ON_HAND not in rows.columns:
            where = f"sector {sector!r}: " if sector is not None else ""
            raise ValueError(
                f"{where}no stock data: neither the inventory table nor the "
                f"sales rows have an '{S.ON_HAND}' column"
            )
        levels = inventory_levels(inventory) if has_inventory else pd.Series(dtype=float)
        if S.ON_HAND in rows.columns:
            known = rows.loc[rows[S.ON_HAND].notna()].sort_values(S.DS, kind="stable")
            last = known.groupby(S.UNIQUE_ID, sort=True)[S.ON_HAND].last().astype(float)
            levels = levels.combine_first(last) if len(levels) else last
        levels = levels.sort_index()
        levels.index.name = S.UNIQUE_ID
        levels.name = S.ON_HAND
        return levels

    def days_of_cover(self, sector: str | None = None, window: int = 28) -> pd.Series:
        """Days the current stock lasts at the recent sales rate, per ``unique_id``.

        ``days_of_cover = on_hand / (units sold in the last `window` days / window)``.
        The window is the ``window`` calendar days ending on the latest ``ds`` of the
        whole sales frame (all sectors share that "today"); days without a row count as
        zero sales, so a product that stopped selling gets a high cover. Where the rate is
        zero the cover is ``inf`` if there is stock, and ``0.0`` if there is none.
        Products are those of :meth:`stock_levels` (stock known).
        """
        if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
            raise ValueError(f"window must be a whole number of days >= 1, got {window!r}")
        levels = self.stock_levels(sector)
        rows, _ = self._scope(sector)
        end = self.sales[S.DS].max().normalize()
        first_day = end - pd.Timedelta(days=int(window) - 1)
        recent = rows.loc[rows[S.DS].dt.normalize() >= first_day]
        sold = recent.groupby(S.UNIQUE_ID)[S.Y].sum().reindex(levels.index, fill_value=0.0)
        rate = sold.to_numpy(dtype=np.float64) / window
        stock = levels.to_numpy(dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            cover = np.where(rate > 0, stock / rate, np.where(stock > 0, np.inf, 0.0))
        return pd.Series(cover, index=levels.index, name="days_of_cover")
