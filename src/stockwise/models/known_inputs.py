"""Known-ahead inputs of the global models: joined to the training rows, checked and
turned into features for the forecast periods.

Drivers (prices, promotions, events) are given for the past as columns of the sales frame
or of ``X_df``, and for the forecast periods in ``X_df``. A forecast needs every one of
them for every period it covers: a missing value is an error naming the column, the
number of periods and the first series and date, never a silent zero. Features that look
back (a price relative to its recent level, the recent promotion count) read the last
rows of the training period, kept by the model (``driver_tail_``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import InputError
from stockwise.features.drivers import driver_features, encode_drivers
from stockwise.features.lags import series_starts
from stockwise.features.spec import FeatureSpec


def future_driver_features(
    future: pd.DataFrame,
    X_df: pd.DataFrame | None,
    exog_tail: pd.DataFrame,
    spec: FeatureSpec,
    vocab: dict[str, list[str]],
    who: str,
    h: int,
) -> dict[str, np.ndarray]:
    """Driver features of the forecast periods ``future`` (sorted by unique_id, ds).

    ``X_df`` holds the future values of the known-ahead columns; ``exog_tail`` their last
    training rows, which features that look back (recent price level, promotion count) read.
    """
    cols = list(spec.drivers)
    rows = future_inputs(future, X_df, cols, who, h)
    combined = pd.concat(
        [
            exog_tail[exog_tail[S.UNIQUE_ID].isin(set(future[S.UNIQUE_ID]))],
            rows.assign(_future=True),
        ],
        ignore_index=True,
    )
    combined["_future"] = combined["_future"].eq(True)
    combined = combined.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
    codes = pd.factorize(combined[S.UNIQUE_ID])[0]
    encoded = encode_drivers(combined, cols, vocab)
    features = driver_features(encoded, series_starts(codes), spec)
    mask = combined["_future"].to_numpy()
    # combined is sorted like `future` (unique_id, ds), so the future rows line up
    return {k: v[mask] for k, v in features.items()}


def future_inputs(
    future: pd.DataFrame, X_df: pd.DataFrame | None, columns: list[str], who: str, h: int
) -> pd.DataFrame:
    """The known-ahead columns for every (unique_id, ds) of ``future``, or a clear error."""
    if X_df is None:
        raise InputError(
            f"{who} was trained with known-ahead inputs {columns}; predict needs "
            f"X_df with their values for the {h} periods after each series' end",
            column=columns[0],
        )
    missing = [c for c in (S.UNIQUE_ID, S.DS, *columns) if c not in X_df.columns]
    if missing:
        raise InputError(
            f"X_df has no column '{missing[0]}', which {who} needs for its "
            f"forecasts (needs {[S.UNIQUE_ID, S.DS, *columns]})",
            column=missing[0],
        )
    given = X_df[[S.UNIQUE_ID, S.DS, *columns]].copy()
    given[S.UNIQUE_ID] = given[S.UNIQUE_ID].astype(str)
    given[S.DS] = pd.to_datetime(given[S.DS])
    given = given.drop_duplicates([S.UNIQUE_ID, S.DS], keep="last")
    merged = future[[S.UNIQUE_ID, S.DS]].merge(
        given, on=[S.UNIQUE_ID, S.DS], how="left", indicator=True
    )
    absent = merged["_merge"] == "left_only"
    if absent.any():
        first = merged[absent].iloc[0]
        raise InputError(
            f"X_df lacks the future values of '{columns[0]}' (and the other "
            f"known-ahead columns) for {int(absent.sum())} of {len(merged)} "
            f"forecast periods, first {first[S.UNIQUE_ID]} on "
            f"{first[S.DS]:%Y-%m-%d}",
            column=columns[0],
        )
    return merged.drop(columns="_merge")


def with_exog(df: pd.DataFrame, X_df: pd.DataFrame | None) -> pd.DataFrame:
    """Training rows with the columns of ``X_df`` (if given) joined on unique_id, ds."""
    if X_df is None:
        return df.reset_index(drop=True)
    extra = X_df.copy()
    extra[S.UNIQUE_ID] = extra[S.UNIQUE_ID].astype(str)
    extra[S.DS] = pd.to_datetime(extra[S.DS])
    new = [c for c in extra.columns if c not in (S.UNIQUE_ID, S.DS, S.Y)]
    base = df.drop(columns=[c for c in new if c in df.columns])
    return base.merge(extra[[S.UNIQUE_ID, S.DS, *new]], on=[S.UNIQUE_ID, S.DS], how="left")
