"""Small synthetic hierarchies: category/product × store, monthly, seasonal with noise."""

from __future__ import annotations

import numpy as np
import pandas as pd


def chain_sales(
    periods: int = 48, seed: int = 0, stores: int = 2, products: tuple[int, ...] = (2, 2)
) -> pd.DataFrame:
    """``unique_id, ds, y, category, product, store``: ``products[i]`` products in
    category i, each sold in every store, seasonal (12) with noise, never negative."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2015-01-01", periods=periods, freq="MS")
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(periods) / 12)
    rows = []
    for c, count in enumerate(products):
        for p in range(count):
            for s in range(stores):
                level = rng.uniform(20, 80)
                y = np.clip(level * season + rng.normal(0, 0.15 * level, periods), 0, None)
                rows.append(
                    pd.DataFrame(
                        {
                            "unique_id": f"c{c}p{p}-s{s}",
                            "ds": dates,
                            "y": np.round(y),
                            "category": f"cat{c}",
                            "product": f"c{c}p{p}",
                            "store": f"s{s}",
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)
