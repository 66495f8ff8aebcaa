"""Known-ahead drivers as features: prices, promotions, events and flags.

Drivers are inputs the business knows for the forecast periods (the planned price, the
promotion calendar, events, whether the store opens), so a feature of period t may use
their values at t and before. Per price column: the level, the level relative to its
mean over the last ``price_window`` periods (a discount shows as < 1) and the change
from the previous period. Per promotion column: the flag (or depth) and how many of the
last ``promo_window`` periods had one. Events and other flags: numbers as they are, text
coded by a vocabulary learnt at fit time (missing = -1, a value never seen in training
= -2), so the codes of a saved model do not depend on later data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.features.lags import window_stats
from stockwise.features.spec import FeatureSpec

MISSING_CODE = -1.0
UNSEEN_CODE = -2.0
NOT_DRIVERS = frozenset(
    {
        S.UNIQUE_ID,
        S.DS,
        S.Y,
        S.SECTOR,
        S.PRODUCT,
        S.STORE,
        S.CATEGORY,
        S.ON_HAND,
        S.STOCKOUT,
        S.GAP_FILLED,
        S.SOURCE_ROW,
        S.N_OBS,
    }
)
"""Columns never taken as drivers when a model is given no ``exog`` (keys, static
attributes, bookkeeping, and stock on hand, an outcome rather than a driver)."""


def learn_vocabularies(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, list[str]]:
    """Sorted distinct values of each text column (numbers and flags need none)."""
    vocab: dict[str, list[str]] = {}
    for col in columns:
        series = frame[col]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            vocab[col] = sorted({str(v) for v in series.dropna().unique()})
    return vocab


def encode_drivers(
    frame: pd.DataFrame, columns: Sequence[str], vocab: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """The driver columns as floats: text through its vocabulary, flags as 0/1."""
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        series = frame[col]
        if col in vocab:
            codes = {value: float(i) for i, value in enumerate(vocab[col])}
            text = series.astype(object)
            mapped = text.map(lambda v, c=codes: c.get(str(v), UNSEEN_CODE))
            out[col] = np.where(text.isna(), MISSING_CODE, mapped.astype(float))
        else:
            out[col] = pd.to_numeric(series, errors="coerce").astype(float)
    return out


def driver_features(
    encoded: pd.DataFrame, starts: np.ndarray, spec: FeatureSpec
) -> dict[str, np.ndarray]:
    """Features of every row of a sorted panel from its drivers at t and before."""
    out: dict[str, np.ndarray] = {}
    index = np.arange(len(encoded))
    for col in spec.price:
        price = encoded[col].to_numpy(dtype=float)
        recent = window_stats(price, starts, spec.price_window, include_current=True)["mean"]
        previous = np.where(index - 1 >= starts, price[np.clip(index - 1, 0, None)], np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[col] = price
            out[f"{col}_rel{spec.price_window}"] = np.where(recent > 0, price / recent, np.nan)
            out[f"{col}_chg1"] = np.where(previous > 0, price / previous - 1.0, np.nan)
    for col in spec.promo:
        promo = encoded[col].to_numpy(dtype=float)
        stats = window_stats(promo, starts, spec.promo_window, include_current=True)
        out[col] = promo
        out[f"{col}_sum{spec.promo_window}"] = np.nan_to_num(stats["mean"] * stats["count"])
    for col in spec.events:
        out[col] = encoded[col].to_numpy(dtype=float)
    return out
