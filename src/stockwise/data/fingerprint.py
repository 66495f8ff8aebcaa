"""A fingerprint of a canonical sales table: which data a run was made from.

Logged with every tracked run, so two runs can be told apart (or matched) by their
input whatever file format it came in.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from stockwise import schema as S


def data_fingerprint(sales: pd.DataFrame) -> str:
    """sha256 of the canonical sales table, rows sorted by ``unique_id, ds``.

    Columns are taken in name order (``source_row``, a file position, is left out);
    numbers are hashed as float64 and dates as nanoseconds, so the same data read from
    CSV or Parquet (int8 or int64 flags) has the same fingerprint.
    """
    columns = sorted(c for c in sales.columns if c != S.SOURCE_ROW)
    keys = [c for c in (S.UNIQUE_ID, S.DS) if c in sales.columns]
    frame = sales.sort_values(keys, kind="stable") if keys else sales
    digest = hashlib.sha256()
    for column in columns:
        values = frame[column]
        digest.update(f"\x1e{column}\x1f".encode())
        if pd.api.types.is_datetime64_any_dtype(values):
            stamps = (
                pd.to_datetime(values).dt.tz_localize(None)
                if getattr(values.dt, "tz", None)
                else values
            )
            digest.update(stamps.astype("datetime64[ns]").to_numpy().view("int64").tobytes())
        elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            digest.update(values.to_numpy(dtype="float64", na_value=np.nan).tobytes())
        else:
            text = values.astype("string").fillna("\x00").str.cat(sep="\x1f")
            digest.update(text.encode())
    return digest.hexdigest()
