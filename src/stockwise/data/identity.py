"""What a series id stands for — its product and store — as columns an ERP can join on.

A series is keyed by ``unique_id``, which an ERP export often does not have: it is built
as ``product@store`` (or the product alone) when the file is read. An ERP importing the
order list wants the product and the store back as columns of their own, not one id to
cut apart. They are taken from the data the id was built from (the inventory rows keep
their ``product`` and ``store``), never parsed out of the id, so an id that contains an
``@`` of its own is not misread.
"""

from __future__ import annotations

import pandas as pd

from stockwise import schema as S

PARTS = (S.PRODUCT, S.STORE)
"""The columns placed beside the id, in this order, when the data has them."""


def identity_of(*tables: pd.DataFrame | None) -> pd.DataFrame:
    """One row per ``unique_id``: its product and store, from the first table that names
    them (the inventory first: it lists every product planned). Columns no table has are
    absent; no table with either: an empty frame."""
    found: list[pd.DataFrame] = []
    for table in tables:
        if table is None or S.UNIQUE_ID not in table.columns:
            continue
        parts = [c for c in PARTS if c in table.columns]
        if parts:
            rows = table[[S.UNIQUE_ID, *parts]].drop_duplicates(S.UNIQUE_ID)
            found.append(rows.assign(**{S.UNIQUE_ID: rows[S.UNIQUE_ID].astype(str)}))
    if not found:
        return pd.DataFrame()
    joined = pd.concat(found, ignore_index=True).drop_duplicates(S.UNIQUE_ID)
    return joined.reindex(columns=[S.UNIQUE_ID, *(c for c in PARTS if c in joined.columns)])


def beside_id(table: pd.DataFrame, identity: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the product and store of each row's id right after ``unique_id``
    (empty where the id is unknown); as is when it has no id, already has them, or
    ``identity`` names neither."""
    parts = [c for c in PARTS if c in identity.columns and c not in table.columns]
    if S.UNIQUE_ID not in table.columns or not parts:
        return table
    lookup = identity.set_index(S.UNIQUE_ID)
    ids = table[S.UNIQUE_ID].astype(str)
    out = table.copy(deep=False)
    at = list(out.columns).index(S.UNIQUE_ID) + 1
    for offset, column in enumerate(parts):
        out.insert(at + offset, column, ids.map(lookup[column]).to_numpy())
    return out
